"""A seeded, realistic demo network: a consumer-electronics distributor on three continents.

``build_demo_network(DemoSpec(as_of=...), numpy.random.default_rng(seed))`` returns every table of the data
contract as pure data; :func:`hedgerow.demo.files.write_demo_files` (an I/O edge, not imported here) writes
them as CSV files ready for import.
"""

from hedgerow.demo.generator import build_demo_network
from hedgerow.demo.spec import DemoNetwork, DemoSpec

__all__ = ["DemoNetwork", "DemoSpec", "build_demo_network"]
