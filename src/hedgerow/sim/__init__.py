"""Policy simulator: replay history under a policy, compare baselines, stress the network, study herding."""
