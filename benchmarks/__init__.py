"""Benchmarks: `make bench SCENARIO=<name>` (python -m benchmarks <name>). See docs/testing.md."""
