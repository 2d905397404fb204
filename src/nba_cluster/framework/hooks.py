"""Project hooks: refuse bad parameters and an absent MLflow before any work, close or remember
the MLflow runs a failure leaves open, and end expected failures with guidance."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
from kedro.framework.hooks import hook_impl
from mlflow import MlflowClient
from mlflow.entities import RunStatus
from mlflow.exceptions import MlflowException

from nba_cluster.datasets.atomic import write_atomically
from nba_cluster.framework import run_status
from nba_cluster.framework.failures import GuidedFailure, guidance_for, mlflow_advice
from nba_cluster.framework.parameters import InvalidParametersError, validate_parameters
from nba_cluster.pipelines.feature_engineering.parameters import FeatureEngineeringParameters
from nba_cluster.pipelines.ingestion.parameters import IngestionParameters
from nba_cluster.pipelines.training.parameters import TrainingParameters

logger = logging.getLogger(__name__)

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

    def __init__(self, timeout_seconds: float = 5.0) -> None:
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


class RunOutcome:
    """What a run leaves behind when it ends: its MLflow runs closed, its outcome recorded for
    the dashboard, and a failure worded as guidance.

    MLflow runs a failure cannot close (the server is gone) are written to a ledger under
    ``data/`` with the parent run of every pipeline run still going, and marked FAILED at the
    next start, so a killed server or a killed ``kedro run`` leaves no run RUNNING for ever.
    """

    LEDGER = Path("data") / "08_reporting" / "open_mlflow_runs.json"

    def __init__(self) -> None:
        self._project_path = Path.cwd()
        self._stats_base_url = ""
        self._parent_run_id: str | None = None

    @hook_impl(trylast=True)  # after kedro-mlflow has set the tracking URI
    def after_context_created(self, context) -> None:
        self._project_path = Path(context.project_path)
        self._stats_base_url = context.params.get("ingestion", {}).get("base_url", "")
        self._fail_left_open_runs()

    @hook_impl(trylast=True)  # after kedro-mlflow has opened the parent run
    def before_pipeline_run(self) -> None:
        self._parent_run_id = mlflow.active_run().info.run_id if mlflow.active_run() else None
        self._remember([self._parent_run_id] if self._parent_run_id else [])

    @hook_impl(trylast=True)  # after kedro-mlflow has closed it
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        self._forget([self._parent_run_id])
        run_status.record(self._project_path, pipelines=_names(run_params), error=None)

    @hook_impl(tryfirst=True)
    def on_pipeline_error(self, error: Exception, run_params: dict[str, Any]) -> None:
        """Runs instead of kedro-mlflow's (which would wait on a dead server, then fail
        itself): closes what it can, remembers the rest, and raises the guidance."""
        self._close_active_runs()
        tracking_uri = mlflow.get_tracking_uri()
        guidance = guidance_for(
            error, stats_base_url=self._stats_base_url, tracking_uri=tracking_uri
        )
        run_status.record(
            self._project_path,
            pipelines=_names(run_params),
            error=(guidance or f"{type(error).__name__}: {error}").split("\n")[0],
        )
        if guidance:
            raise GuidedFailure(guidance) from error
        raise error

    def _close_active_runs(self) -> None:
        """End every run this process has open as FAILED, without waiting on a server that
        does not answer at once: those runs go to the ledger."""
        closed, unclosed = [], []
        with _impatient_mlflow_client():
            while run := mlflow.active_run():
                try:
                    mlflow.end_run(RunStatus.to_string(RunStatus.FAILED))  # pops, then calls
                    closed.append(run.info.run_id)
                except MlflowException:
                    unclosed.append(run.info.run_id)
        self._forget(closed)
        self._remember(unclosed)

    def _fail_left_open_runs(self) -> None:
        ledger = self._read_ledger()
        uri = mlflow.get_tracking_uri()
        run_ids = ledger.get(uri, [])
        if not run_ids:
            return
        client = MlflowClient()
        failed = []
        for run_id in run_ids:
            try:
                children = client.search_runs(
                    [client.get_run(run_id).info.experiment_id],
                    filter_string=f"tags.mlflow.parentRunId = '{run_id}'",
                )
                for run in [client.get_run(run_id), *children]:
                    if run.info.status == "RUNNING":
                        client.set_terminated(run.info.run_id, "FAILED")
                        failed.append(run.info.run_id)
            except MlflowException as error:
                if error.error_code != "RESOURCE_DOES_NOT_EXIST":
                    raise
        if failed:
            logger.warning(
                "Marked %d MLflow runs left open by an interrupted run as FAILED: %s",
                len(failed),
                ", ".join(failed),
            )
        self._write_ledger({key: ids for key, ids in ledger.items() if key != uri})

    def _remember(self, run_ids: list[str]) -> None:
        if not run_ids:
            return
        ledger = self._read_ledger()
        uri = mlflow.get_tracking_uri()
        ledger[uri] = sorted(set(ledger.get(uri, [])) | set(run_ids))
        self._write_ledger(ledger)

    def _forget(self, run_ids: list[str | None]) -> None:
        ledger = self._read_ledger()
        uri = mlflow.get_tracking_uri()
        if uri in ledger:
            ledger[uri] = [known for known in ledger[uri] if known not in run_ids]
            self._write_ledger({key: ids for key, ids in ledger.items() if ids})

    def _read_ledger(self) -> dict[str, list[str]]:
        try:
            return json.loads((self._project_path / self.LEDGER).read_text())
        except (OSError, ValueError):
            return {}

    def _write_ledger(self, ledger: dict[str, list[str]]) -> None:
        path = self._project_path / self.LEDGER
        if ledger or path.exists():
            write_atomically(path, json.dumps(ledger, indent=2).encode())


@contextlib.contextmanager
def _impatient_mlflow_client() -> Iterator[None]:
    """One attempt of at most two seconds per MLflow call, for closing runs on the way out."""
    patience = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "2"}
    saved = {name: os.environ.get(name) for name in patience}
    os.environ.update(patience)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _names(run_params: dict[str, Any]) -> list[str]:
    return list(run_params.get("pipeline_names") or ["__default__"])
