"""Project hooks."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

from kedro.framework.hooks import hook_impl


class TrackingServerUnreachableError(ConnectionError):
    """MLFLOW_TRACKING_URI names a server that does not answer."""


class TrackingServerCheck:
    """Fail fast, naming the URL, when the MLflow server is down.

    kedro-mlflow talks to the server as soon as the context exists, and MLflow's client
    retries for minutes before it gives up; ``tryfirst`` runs this check before that, so
    nothing is half-written to the registry and the user sees one clear message at once.
    """

    def __init__(self, timeout_seconds: float = 5.0) -> None:
        self._timeout = timeout_seconds

    @hook_impl(tryfirst=True)
    def after_context_created(self, context) -> None:
        uri = os.environ.get("MLFLOW_TRACKING_URI", "")
        if not uri.startswith(("http://", "https://")):
            return
        health = uri.rstrip("/") + "/health"
        try:
            with urllib.request.urlopen(health, timeout=self._timeout) as response:
                response.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise TrackingServerUnreachableError(
                f"MLflow tracking server {uri} is unreachable ({reason}). Start it (e.g. "
                "`docker compose up mlflow`) or point MLFLOW_TRACKING_URI at a running one."
            ) from None
