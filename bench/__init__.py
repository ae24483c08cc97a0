"""Benchmarks of hedgerow: each module is runnable as ``python -m bench.<name>`` and prints its figures.

Figures are recorded in BENCHMARKS.md with the command, date and machine. Benchmarks are measured as ratios
against a baseline run side by side, never as timed unit tests.
"""
