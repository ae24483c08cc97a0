"""Supply-side uncertainty: lane lead times, signals → disruptions, FX scenarios, landed cost and exposure.

Pure core: frames and arrays in, frozen dataclasses out; no I/O, no clock (the as-of time is passed in), all
randomness from :func:`hedgerow.scenarios.rng.stream_rng`. See docs/supply.md.
"""
