"""Project settings: see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

import os

from omegaconf.resolvers import oc

from nba_cluster.framework.hooks import ParameterCheck, RunOutcome, TrackingServerCheck

# MLflow's client retries a dead server for about four minutes per call by default (7 retries,
# backoff factor 2, 120 s timeout); a training run then hangs instead of failing. Ours give up
# within a minute: 3 quick retries, 10 s per attempt. Values set in the environment still win.
for _name, _value in {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
}.items():
    os.environ.setdefault(_name, _value)

# Parameters are checked first (pluggy calls the last registered ``tryfirst`` hook first).
HOOKS = (TrackingServerCheck(), ParameterCheck(), RunOutcome())

# `oc.env` only works in credentials by default; parameters, catalog and mlflow.yml need it
# for NBA_STATS_BASE_URL and MLFLOW_TRACKING_URI.
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "custom_resolvers": {"oc.env": oc.env},
}
