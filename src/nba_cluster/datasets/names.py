"""Catalog entry names that code outside the pipeline writing them reads (the dashboard, the
scheduler, the project hooks): their one home. ``conf/<env>/catalog.yml`` defines each entry."""

PLAYER_ARCHETYPES = "player_archetypes"
ARCHETYPE_PROFILES = "archetype_profiles"
SIMILARITY_VECTORS = "similarity_vectors"
INFERENCE_OUTPUTS = (PLAYER_ARCHETYPES, ARCHETYPE_PROFILES, SIMILARITY_VECTORS)

LAST_RUN_STATUS = "last_run_status"  # how the last `kedro run` ended (the project hooks)
OPEN_MLFLOW_RUNS = "open_mlflow_runs"  # runs a failure could not close, failed at next start
SCHEDULER_STATUS = "scheduler_status"  # the scheduler service's jobs, last and next runs
