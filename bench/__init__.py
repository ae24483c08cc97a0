"""Benchmarks of hedgerow: scripts runnable as ``python -m bench.<name>``; figures go to BENCHMARKS.md."""
