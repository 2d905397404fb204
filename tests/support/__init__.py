"""The test harness, shared by the tests and the benchmarks: free ports, processes started and
awaited until healthy, a real MLflow server, project copies, replays of stats.nba.com and the
small search space. Fixtures live in the conftest.py files and call into this package."""
