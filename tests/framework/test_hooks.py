"""Project hooks: a tracking server that does not answer stops the run at once, named; a
``kedro run`` killed mid-training leaves MLflow runs that the next start closes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from mlflow import MlflowClient

from nba_cluster.datasets.names import OPEN_MLFLOW_RUNS
from tests.support.run_state import read_state
from tests.support.search_space import SLOW_CANDIDATE_SEARCH
from tests.support.training import synthetic_player_features


def test_unreachable_tracking_server_fails_fast_naming_it(project):
    url = "http://127.0.0.1:9"  # the discard port: nothing listens
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--pipeline", "training"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "MLFLOW_TRACKING_URI": url},
    )
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    assert f"MLflow tracking server {url} is unreachable" in output


def test_runs_of_a_killed_kedro_run_are_failed_at_the_next_start(project, synthetic_league):
    training = start_slow_training(project, synthetic_league)
    for line in training.stdout:
        if re.search(r"\[1/\d+\] ", line):
            break
    training.send_signal(signal.SIGKILL)
    training.wait()
    uri = os.environ["MLFLOW_TRACKING_URI"]
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("nba_cluster").experiment_id
    assert "RUNNING" in {run.info.status for run in client.search_runs([experiment])}
    assert len(read_state(project, OPEN_MLFLOW_RUNS)[uri]) == 1

    bootstrap_project(project)
    with KedroSession.create(project_path=project) as session:
        session.load_context().catalog  # noqa: B018 (built at a run's start, as `kedro run` does)

    statuses = {run.info.run_name: run.info.status for run in client.search_runs([experiment])}
    assert statuses["training"] == "FAILED", statuses
    assert "RUNNING" not in statuses.values(), statuses
    assert read_state(project, OPEN_MLFLOW_RUNS) == {}


def test_a_run_started_during_a_training_leaves_its_runs_alone(project, synthetic_league):
    """The ledger fails only runs whose owner is gone: a start while a training goes on (as the
    scheduler's job beside a `docker compose run pipeline`) does not touch it; once that
    training is killed, the next start does."""
    training = start_slow_training(project, synthetic_league)
    try:
        for line in training.stdout:
            if re.search(r"\[1/\d+\] ", line):
                break
        uri = os.environ["MLFLOW_TRACKING_URI"]
        [entry] = read_state(project, OPEN_MLFLOW_RUNS)[uri]
        assert entry["pid"] == training.pid and entry["host"] and entry["process_started"]

        bootstrap_project(project)
        with KedroSession.create(project_path=project) as session:
            session.load_context().catalog  # noqa: B018 (another run's start)

        client = MlflowClient(uri)
        experiment = client.get_experiment_by_name("nba_cluster").experiment_id
        statuses = {run.info.run_name: run.info.status for run in client.search_runs([experiment])}
        assert statuses["training"] == "RUNNING", statuses
        assert "FAILED" not in statuses.values(), statuses
        assert read_state(project, OPEN_MLFLOW_RUNS)[uri] == [entry]
    finally:
        training.send_signal(signal.SIGKILL)
        training.wait()

    with KedroSession.create(project_path=project) as session:
        session.load_context().catalog  # noqa: B018 (the next start, once it is gone)
    statuses = {run.info.run_name: run.info.status for run in client.search_runs([experiment])}
    assert statuses["training"] == "FAILED", statuses


def start_slow_training(project, synthetic_league) -> subprocess.Popen:
    """``kedro run --pipelines training`` on the synthetic league, its candidates slow enough
    to be killed while one is open; its output on ``stdout``."""
    features = project / "data" / "05_model_input" / "player_features.parquet"
    features.parent.mkdir(parents=True)
    synthetic_player_features(synthetic_league).to_parquet(features)
    return subprocess.Popen(
        [sys.executable, "-m", "kedro", "run", "--pipelines", "training",
         "--params", ",".join(SLOW_CANDIDATE_SEARCH)],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "300"},
    )  # fmt: skip
