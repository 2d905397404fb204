"""What a ``kedro run`` leaves behind when it ends: its MLflow runs closed, its outcome recorded
for the dashboard, and a failure worded as guidance."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
from pathlib import Path
from typing import Any

import mlflow
from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from mlflow import MlflowClient
from mlflow.entities import RunStatus
from mlflow.exceptions import MlflowException

from nba_cluster.datasets.names import LAST_RUN_STATUS, OPEN_MLFLOW_RUNS, RUN_LEASES
from nba_cluster.framework import mlflow_patience
from nba_cluster.framework.failures import GuidedFailure, guidance_for
from nba_cluster.framework.lease import lease_at

logger = logging.getLogger(__name__)
_MAX_MESSAGE = 600  # what the dashboard's status line can show; the log has the rest


class RunOutcome:
    """Closes the MLflow runs a failure leaves open and records how the run ended
    (``last_run_status``), both through the catalog.

    MLflow runs a failure cannot close (the server is gone) are written to a ledger
    (``open_mlflow_runs``) with the parent run of every pipeline run still going, and marked
    FAILED at a later start, so a killed server or a killed ``kedro run`` leaves no run RUNNING
    for ever. Only runs whose owner is gone: each entry names its owner (host, pid, when the
    process started), and the owner holds a lease per run (``run_leases``) for as long as the
    run goes on, which the kernel releases when the process ends however it ends. A run
    started while a training goes on (in this container or another sharing the data volume)
    leaves that training's runs alone.
    """

    def __init__(self) -> None:
        self._catalog: DataCatalog | None = None
        self._stats_base_url = ""
        self._parent_run_id: str | None = None
        self._run_lease = contextlib.ExitStack()

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
        if self._parent_run_id:
            self._run_lease.enter_context(self._lease_of(self._parent_run_id).hold())
            self._remember([self._parent_run_id])

    @hook_impl(trylast=True)  # after kedro-mlflow has closed it
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        self._forget([self._parent_run_id])
        self._run_lease.close()
        self._record(run_params, error=None)

    @hook_impl(tryfirst=True)
    def on_pipeline_error(self, error: Exception, run_params: dict[str, Any]) -> None:
        """Runs instead of kedro-mlflow's (which would wait on a dead server, then fail
        itself): closes what it can, remembers the rest, and raises the guidance."""
        self._close_active_runs()
        self._run_lease.close()  # what could not be closed is now for the next start to fail
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

    def _lease_of(self, run_id: str):
        return lease_at(f"{self._catalog.load(RUN_LEASES)}/{run_id}.lease")

    def _owner_is_alive(self, entry: dict[str, Any]) -> bool:
        with self._lease_of(entry["run_id"]).hold(wait=False) as free:
            return not free

    def _fail_left_open_runs(self) -> None:
        ledger = self._read_ledger()
        uri = mlflow.get_tracking_uri()
        entries = ledger.get(uri, [])
        live = [entry for entry in entries if self._owner_is_alive(entry)]
        for entry in live:
            logger.info(
                "MLflow run %s is still going (%s): left alone", entry["run_id"], _owner(entry)
            )
        orphaned = [entry["run_id"] for entry in entries if entry not in live]
        if not orphaned:
            return
        client = MlflowClient()
        failed = []
        for run_id in orphaned:
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
        ledger[uri] = live
        self._write_ledger({key: found for key, found in ledger.items() if found})

    def _remember(self, run_ids: list[str]) -> None:
        if not run_ids:
            return
        ledger = self._read_ledger()
        uri = mlflow.get_tracking_uri()
        known = {entry["run_id"] for entry in ledger.get(uri, [])}
        owner = _this_process()
        ledger[uri] = ledger.get(uri, []) + [
            {"run_id": run_id, **owner} for run_id in run_ids if run_id not in known
        ]
        self._write_ledger(ledger)

    def _forget(self, run_ids: list[str | None]) -> None:
        ledger = self._read_ledger()
        uri = mlflow.get_tracking_uri()
        if uri in ledger:
            ledger[uri] = [entry for entry in ledger[uri] if entry["run_id"] not in run_ids]
            self._write_ledger({key: found for key, found in ledger.items() if found})

    def _read_ledger(self) -> dict[str, list[dict[str, Any]]]:
        """``{tracking URI: [{run_id, host, pid, process_started}]}``; an entry of an older
        ledger, a bare run id, has no owner to ask: its lease is free, so it is failed."""
        if not self._catalog.exists(OPEN_MLFLOW_RUNS):
            return {}
        try:
            ledger = self._catalog.load(OPEN_MLFLOW_RUNS)
        except Exception:  # a damaged ledger only costs the clean-up of old runs
            logger.warning("The open-run ledger is unreadable; starting a new one")
            return {}
        return {
            uri: [entry if isinstance(entry, dict) else {"run_id": entry} for entry in entries]
            for uri, entries in ledger.items()
        }

    def _write_ledger(self, ledger: dict[str, list[dict[str, Any]]]) -> None:
        if ledger or self._catalog.exists(OPEN_MLFLOW_RUNS):
            self._catalog.save(OPEN_MLFLOW_RUNS, ledger)


def _this_process() -> dict[str, Any]:
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "process_started": _started(os.getpid()),
    }


def _started(pid: int) -> str | None:
    """When the process started (Linux: its start in clock ticks after boot, plus boot time)."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    started = boot + ticks / os.sysconf("SC_CLK_TCK")
    return dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds")


def _owner(entry: dict[str, Any]) -> str:
    return f"pid {entry.get('pid')} on {entry.get('host')}, started {entry.get('process_started')}"
