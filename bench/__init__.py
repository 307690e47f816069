"""Benchmarks of Hireloop at scale against floors measured in the same run (``make bench``)."""
