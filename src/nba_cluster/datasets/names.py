"""Catalog entry names that code outside the pipeline writing them reads (the dashboard, the
scheduler, the project hooks): their one home. ``conf/<env>/catalog.yml`` defines each entry."""

PLAYER_ARCHETYPES = "player_archetypes"
ARCHETYPE_PROFILES = "archetype_profiles"
SIMILARITY_VECTORS = "similarity_vectors"
INFERENCE_OUTPUTS = (PLAYER_ARCHETYPES, ARCHETYPE_PROFILES, SIMILARITY_VECTORS)
# Written after them, naming the run whose outputs readers load (datasets.manifest).
INFERENCE_MANIFEST = "inference_manifest"

LAST_RUN_STATUS = "last_run_status"  # how the last `kedro run` ended (the project hooks)
OPEN_MLFLOW_RUNS = "open_mlflow_runs"  # runs a failure could not close, failed at next start
SCHEDULER_STATUS = "scheduler_status"  # the scheduler service's jobs, last and next runs

CHAMPION_MODEL = "champion_model"  # the registry: training's decision moves the alias
REGISTERED_CANDIDATE = "registered_candidate"  # the version training registered, in memory
CHAMPION_LEASE = "champion_lease"  # one writer of the champion at a time (framework.lease)
RUN_LEASES = "run_leases"  # a folder: one lease per live `kedro run`, released when it ends
