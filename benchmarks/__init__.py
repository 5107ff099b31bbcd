"""Benchmarks of the desk: scripts that print figures (see README.md), not timed tests."""
