"""Benchmarks of the toolkit against the baselines users would otherwise pick (`make bench`)."""
