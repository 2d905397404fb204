"""The search's nested runs, written in the background: what MLflow holds when the search ends
well, and when a candidate fails while its run is open."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request

import mlflow
import pytest
from mlflow.exceptions import MlflowException

from nba_cluster.pipelines.training.candidate_runs import CandidateRuns
from tests.support.ports import free_port


def children(parent_run_id: str) -> dict[str, mlflow.entities.Run]:
    runs = mlflow.search_runs(
        search_all_experiments=True,
        filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",
        output_format="list",
    )
    return {run.info.run_name: run for run in runs}


def test_each_candidate_gets_a_finished_run_with_its_parameters_and_metrics(tracking):
    with mlflow.start_run() as parent, CandidateRuns() as runs:
        for name, k in [("a", 5), ("b", 6)]:
            run = runs.open(name)
            runs.close(run, {"n_clusters": k, "pca_components": None}, {"stability": k / 10})
    logged = children(parent.info.run_id)

    assert [logged[name].info.run_id for name in ["a", "b"]] == runs.run_ids()
    assert {name: run.info.status for name, run in logged.items()} == {
        "a": "FINISHED", "b": "FINISHED"}  # fmt: skip
    assert logged["b"].data.params == {"n_clusters": "6", "pca_components": "None"}
    assert logged["b"].data.metrics == {"stability": pytest.approx(0.6)}
    # where the run came from, as a nested start_run would record it
    assert logged["a"].data.tags["mlflow.source.name"] == parent.data.tags["mlflow.source.name"]


def test_a_candidate_failing_while_its_run_is_open_leaves_that_run_failed(tracking):
    with mlflow.start_run() as parent:
        with pytest.raises(ValueError, match="no convergence"), CandidateRuns() as runs:
            runs.close(runs.open("fitted"), {"n_clusters": 5}, {"stability": 0.5})
            runs.open("failing")
            raise ValueError("no convergence")
    statuses = {name: run.info.status for name, run in children(parent.info.run_id).items()}
    assert statuses == {"fitted": "FINISHED", "failing": "FAILED"}


def test_it_needs_the_parent_run():
    with pytest.raises(RuntimeError, match="active MLflow run"):
        CandidateRuns()


def test_a_killed_server_fails_the_queued_calls_at_once(tmp_path, monkeypatch):
    """20 candidates' calls queued behind a server that dies: the first failure ends them all,
    instead of each waiting out its retries in turn."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{tmp_path / 'mlflow.db'}", "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_it_answers(url)
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "3")  # the pipeline's patience
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
        mlflow.set_tracking_uri(url)
        experiment_id = mlflow.MlflowClient(url).create_experiment("candidate-runs")
        with mlflow.start_run(experiment_id=experiment_id):
            with pytest.raises(MlflowException), CandidateRuns() as runs:
                runs.close(runs.open("fitted"), {"n_clusters": 5}, {"stability": 0.5})
                runs.run_ids()
                os.killpg(server.pid, signal.SIGKILL)
                started = time.monotonic()
                for index in range(20):
                    runs.close(runs.open(f"queued {index}"), {"n_clusters": 5}, {"s": 0.5})
            ended_after = time.monotonic() - started
            with contextlib.suppress(MlflowException):
                mlflow.end_run()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        mlflow.set_tracking_uri(None)
    print(f"ended {ended_after:.1f} s after the kill", file=sys.stderr)
    one_call = 1 + 2 + 4 + 4  # the retries' backoff, plus jitter, of one call
    assert ended_after < one_call + 5, f"{ended_after:.1f} s"


def wait_until_it_answers(url: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
