"""Kedro's framework around the pipelines: project hooks, parameter validation, failure
guidance and the record of each run's outcome."""
