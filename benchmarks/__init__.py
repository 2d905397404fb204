"""Benchmarks: scripts that print figures against their targets and record them in
docs/measurements.md; run from the repository root as ``uv run python -m benchmarks.<name>``."""
