"""Project settings: see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

from omegaconf.resolvers import oc

from nba_cluster.hooks import TrackingServerCheck

HOOKS = (TrackingServerCheck(),)

# `oc.env` only works in credentials by default; parameters, catalog and mlflow.yml need it
# for NBA_STATS_BASE_URL and MLFLOW_TRACKING_URI.
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "custom_resolvers": {"oc.env": oc.env},
}
