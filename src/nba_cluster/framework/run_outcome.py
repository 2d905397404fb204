"""What a ``kedro run`` leaves behind when it ends: its MLflow runs closed, its outcome recorded
for the dashboard, and a failure worded as guidance."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import mlflow
from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from mlflow import MlflowClient
from mlflow.entities import RunStatus
from mlflow.exceptions import MlflowException

from nba_cluster.datasets.names import LAST_RUN_STATUS, OPEN_MLFLOW_RUNS
from nba_cluster.framework import mlflow_patience
from nba_cluster.framework.failures import GuidedFailure, guidance_for

logger = logging.getLogger(__name__)
_MAX_MESSAGE = 600  # what the dashboard's status line can show; the log has the rest


class RunOutcome:
    """Closes the MLflow runs a failure leaves open and records how the run ended
    (``last_run_status``), both through the catalog.

    MLflow runs a failure cannot close (the server is gone) are written to a ledger
    (``open_mlflow_runs``) with the parent run of every pipeline run still going, and marked
    FAILED at the next start, so a killed server or a killed ``kedro run`` leaves no run
    RUNNING for ever.
    """

    def __init__(self) -> None:
        self._catalog: DataCatalog | None = None
        self._stats_base_url = ""
        self._parent_run_id: str | None = None

    @hook_impl(trylast=True)
    def after_context_created(self, context) -> None:
        self._stats_base_url = context.params.get("ingestion", {}).get("base_url", "")

    @hook_impl(trylast=True)  # kedro-mlflow has set the tracking URI by now
    def after_catalog_created(self, catalog: DataCatalog) -> None:
        self._catalog = catalog
        self._fail_left_open_runs()

    @hook_impl(trylast=True)  # after kedro-mlflow has opened the parent run
    def before_pipeline_run(self) -> None:
        self._parent_run_id = mlflow.active_run().info.run_id if mlflow.active_run() else None
        self._remember([self._parent_run_id] if self._parent_run_id else [])

    @hook_impl(trylast=True)  # after kedro-mlflow has closed it
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        self._forget([self._parent_run_id])
        self._record(run_params, error=None)

    @hook_impl(tryfirst=True)
    def on_pipeline_error(self, error: Exception, run_params: dict[str, Any]) -> None:
        """Runs instead of kedro-mlflow's (which would wait on a dead server, then fail
        itself): closes what it can, remembers the rest, and raises the guidance."""
        self._close_active_runs()
        guidance = guidance_for(
            error, stats_base_url=self._stats_base_url, tracking_uri=mlflow.get_tracking_uri()
        )
        self._record(run_params, error=(guidance or f"{type(error).__name__}: {error}"))
        if guidance:
            raise GuidedFailure(guidance) from error
        raise error

    def _record(self, run_params: dict[str, Any], error: str | None) -> None:
        self._catalog.save(
            LAST_RUN_STATUS,
            {
                "status": "failed" if error else "succeeded",
                "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "pipelines": list(run_params.get("pipeline_names") or ["__default__"]),
                "error": error.split("\n")[0][:_MAX_MESSAGE] if error else None,
            },
        )

    def _close_active_runs(self) -> None:
        """End every run this process has open as FAILED, without waiting on a server that
        does not answer at once: those runs go to the ledger."""
        closed, unclosed = [], []
        with mlflow_patience.temporarily(mlflow_patience.HEALTH_CHECK):
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
        if not self._catalog.exists(OPEN_MLFLOW_RUNS):
            return {}
        try:
            return self._catalog.load(OPEN_MLFLOW_RUNS)
        except Exception:  # a damaged ledger only costs the clean-up of old runs
            logger.warning("The open-run ledger is unreadable; starting a new one")
            return {}

    def _write_ledger(self, ledger: dict[str, list[str]]) -> None:
        if ledger or self._catalog.exists(OPEN_MLFLOW_RUNS):
            self._catalog.save(OPEN_MLFLOW_RUNS, ledger)
