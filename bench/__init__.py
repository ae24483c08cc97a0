"""Benchmarks: scripts runnable as ``python -m bench.<name>``; results are recorded in BENCHMARKS.md."""
