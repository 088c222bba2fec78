"""The benchmark: dev-set quality through the real dialogue path, speed, memory and baselines.

Run it with `python -m bench.run` (or `make bench`); see bench/README.md for what each figure means.
"""
