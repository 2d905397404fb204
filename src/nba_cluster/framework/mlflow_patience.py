"""How long each caller waits on the MLflow server: the one home of the client's retry and
timeout settings, per caller profile.

MLflow's client retries a dead server for about four minutes per call by default (7 retries,
backoff factor 2, 120 s timeout): a training run would hang instead of failing, a dashboard
request would hold a visitor. Values set in the environment always win over a profile.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

# A pipeline gives up on a call within a minute: 3 quick retries, 10 s per attempt.
PIPELINE = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
}
# A dashboard request must not hang while MLflow is down.
DASHBOARD = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_TIMEOUT": "5"}
# Closing runs on the way out of a failure, and reachability checks: one short attempt.
HEALTH_CHECK = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "2"}
HEALTH_CHECK_SECONDS = 5.0  # the /health probe before a run touches the server


def use_by_default(profile: Mapping[str, str]) -> None:
    """The profile for this process, where the environment does not say otherwise."""
    for name, value in profile.items():
        os.environ.setdefault(name, value)


@contextlib.contextmanager
def temporarily(profile: Mapping[str, str]) -> Iterator[None]:
    """The profile for the calls inside the block, whatever the process uses otherwise."""
    saved = {name: os.environ.get(name) for name in profile}
    os.environ.update(profile)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
