"""Project hooks that refuse a run before any work: bad parameters, an absent MLflow server.
What a run leaves behind when it ends is ``run_outcome.py``'s."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from typing import Any

from kedro.framework.hooks import hook_impl

from nba_cluster.framework import mlflow_patience
from nba_cluster.framework.failures import GuidedFailure, mlflow_advice
from nba_cluster.pipelines.feature_engineering.parameters import FeatureEngineeringParameters
from nba_cluster.pipelines.ingestion.parameters import IngestionParameters
from nba_cluster.pipelines.parameters import InvalidParametersError, validate_parameters
from nba_cluster.pipelines.training.parameters import TrainingParameters

PARAMETER_MODELS = {
    "ingestion": IngestionParameters,
    "feature_engineering": FeatureEngineeringParameters,
    "training": TrainingParameters,
}


class ParameterCheck:
    """Every section of the parameters validated by its pipeline's model before anything runs;
    nodes then receive the normalised values (``season_types=Playoffs`` as ``["Playoffs"]``)."""

    def __init__(self) -> None:
        self._validated: dict[str, Any] = {}

    @hook_impl(tryfirst=True)
    def after_context_created(self, context) -> None:
        try:
            self._validated = validate_parameters(context.params, PARAMETER_MODELS)
        except InvalidParametersError as error:
            raise GuidedFailure(str(error)) from error

    @hook_impl
    def after_catalog_created(self, catalog, parameters: dict[str, Any]) -> None:
        for name, value in parameters.items():
            dotted = name.removeprefix("params:")
            if name == "parameters":
                normalised = self._validated
            elif dotted.split(".")[0] in PARAMETER_MODELS:
                normalised = _lookup(self._validated, dotted)
            else:
                continue
            if normalised != value:  # only what validation changed, e.g. "a|b" -> [a, b]
                catalog[name] = normalised


def _lookup(params: dict[str, Any], dotted: str) -> Any:
    value: Any = params
    for key in dotted.split("."):
        value = value[key]
    return value


class TrackingServerCheck:
    """Fail fast, naming the URL, when the MLflow server is down.

    kedro-mlflow talks to the server as soon as the context exists, and MLflow's client
    retries before it gives up; ``tryfirst`` runs this check before that, so nothing is
    half-written to the registry and the user sees one clear message at once.
    """

    def __init__(self, timeout_seconds: float = mlflow_patience.HEALTH_CHECK_SECONDS) -> None:
        self._timeout = timeout_seconds

    @hook_impl(tryfirst=True)
    def after_context_created(self, context) -> None:
        uri = os.environ.get("MLFLOW_TRACKING_URI", "")
        if uri.startswith(("http://", "https://")) and not server_answers(uri, self._timeout):
            raise GuidedFailure(
                f"The MLflow tracking server {uri} is unreachable.\n{mlflow_advice(uri)}"
            )


def server_answers(uri: str, timeout_seconds: float) -> bool:
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout_seconds):
            return True
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return False
