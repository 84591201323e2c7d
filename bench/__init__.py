"""Benchmarks of the data model (`make bench`): counted AWS calls, not timed tests."""
