"""Long-running processes of the stacks beside the dashboard: the scheduler of the live season
and the Kedro-Viz server."""
