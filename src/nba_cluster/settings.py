"""Project settings: see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

from nba_cluster.framework import mlflow_patience
from nba_cluster.framework.champion_lease import ChampionLease
from nba_cluster.framework.config import CONFIG_LOADER_ARGS  # noqa: F401 (read by Kedro)
from nba_cluster.framework.hooks import ParameterCheck, TrackingServerCheck
from nba_cluster.framework.run_outcome import RunOutcome

mlflow_patience.use_by_default(mlflow_patience.PIPELINE)

# Parameters are checked first (pluggy calls the last registered ``tryfirst`` hook first).
HOOKS = (TrackingServerCheck(), ParameterCheck(), RunOutcome(), ChampionLease())
