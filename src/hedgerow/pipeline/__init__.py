"""The pipeline: contract frames → demand and supply → scenarios → planner → explanations → a ranked plan.

The stages composed as pure functions (no I/O, no clock): :func:`~hedgerow.pipeline.chain.run_chain` runs the
whole chain on a workspace's frames and :func:`~hedgerow.pipeline.planning.make_plan` plans and explains a
scenario set. The services, the CLI, the API's plan job and the tests run exactly these.
"""

from hedgerow.pipeline.chain import PlanRun, run_chain
from hedgerow.pipeline.planning import make_plan, run_partition

__all__ = ["PlanRun", "make_plan", "run_chain", "run_partition"]
