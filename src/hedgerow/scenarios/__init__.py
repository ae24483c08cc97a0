"""The joint, seeded scenario set the planner consumes: demand paths, lead times, FX, capacity states."""
