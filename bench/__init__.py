"""Benchmarks: `make bench` (or `python -m bench [name ...]`) runs them and prints figures,
each against a baseline measured in the same run. Results also go to bench/results/."""
