"""A real MLflow server killed (SIGKILL) mid-training: the run ends within 30 s with a
message naming the server, the runs it had open are marked FAILED at the next start, and the
registry and the champion alias are as they were."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import mlflow
import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from mlflow import MlflowClient
from mlflow.pyfunc import PythonModel

from nba_cluster.datasets.names import LAST_RUN_STATUS, OPEN_MLFLOW_RUNS
from nba_cluster.model_registry import CHAMPION, MODEL_NAME
from tests.support.ports import free_port
from tests.support.run_state import read_state
from tests.support.search_space import SLOW_CANDIDATE_SEARCH
from tests.support.training import synthetic_player_features


class Constant(PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


class MlflowServer:
    """``mlflow server`` in its own process group, so SIGKILL takes its workers down too,
    as when its container dies."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> MlflowServer:
        log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "1",
             "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
             "--serve-artifacts", "--artifacts-destination", str(self.root / "artifacts")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    pytest.fail(f"mlflow server did not start:\n{self.log()}")
                time.sleep(0.3)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "mlflow-server"
    root.mkdir()
    server = MlflowServer(root).start()
    yield server
    server.kill()


def wait_for_a_candidate_being_fitted(client: MlflowClient) -> None:
    """A nested run open and without metrics yet: its candidate is still being fitted."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = client.search_runs(
            [client.get_experiment_by_name("nba_cluster").experiment_id],
            filter_string="attributes.status = 'RUNNING'",
        )
        if any("mlflow.parentRunId" in run.data.tags and not run.data.metrics for run in running):
            return
        time.sleep(0.05)
    pytest.fail("no candidate run was seen open")


def register_champion(url: str) -> str:
    """Version 1, the champion before the killed run (a placeholder model: nothing loads it)."""
    mlflow.set_tracking_uri(url)  # the URL MLFLOW_TRACKING_URI holds too
    # the server's own Default experiment: another test may have left a different one active
    with mlflow.start_run(run_name="earlier champion", experiment_id="0"):
        info = mlflow.pyfunc.log_model(name="model", python_model=Constant(), pip_requirements=[])
    version = str(mlflow.register_model(info.model_uri, MODEL_NAME).version)
    MlflowClient(url).set_registered_model_alias(MODEL_NAME, CHAMPION, version)
    return version


def test_a_tracking_server_killed_mid_training_ends_the_run_clearly(
    project, server, synthetic_league, monkeypatch
):
    features = project / "data" / "05_model_input" / "player_features.parquet"
    features.parent.mkdir(parents=True)
    synthetic_player_features(synthetic_league).to_parquet(features)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)

    training = subprocess.Popen(
        [sys.executable, "-m", "kedro", "run", "--pipelines", "training",
         "--params", ",".join(SLOW_CANDIDATE_SEARCH)],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "300", "NBA_CLUSTER_DEBUG": ""},
    )  # fmt: skip
    champion_version = register_champion(server.url)  # while kedro starts up
    stderr: list[str] = []
    drain = threading.Thread(target=lambda: stderr.extend(training.stderr), daemon=True)
    drain.start()
    stdout = []
    for line in training.stdout:  # once the first candidate is logged...
        stdout.append(line)
        if re.search(r"\[1/\d+\] ", line):
            break
    else:
        pytest.fail("training ended before its first candidate:\n" + "".join(stdout + stderr))
    wait_for_a_candidate_being_fitted(MlflowClient(server.url))  # ...kill it during the next
    server.kill()
    killed_at = time.monotonic()
    stdout.extend(training.stdout)
    returncode = training.wait(timeout=120)
    ended_after = time.monotonic() - killed_at
    print(f"ended {ended_after:.1f} s after the kill", file=sys.stderr)
    drain.join(timeout=5)
    output = "".join(stderr)

    assert returncode == 1, output
    assert ended_after < 30  # however many candidates were left
    assert f"The MLflow tracking server {server.url} stopped answering" in output
    assert "What to do: start it" in output
    assert "Traceback" not in output + "".join(stdout)
    status = read_state(project, LAST_RUN_STATUS)
    assert status["status"] == "failed" and server.url in status["error"]

    # the next start, with the server back, closes the runs the kill left open
    server.start()
    ledger = read_state(project, OPEN_MLFLOW_RUNS)
    assert len(ledger[server.url]) == 1  # the parent; its candidates are found through it
    bootstrap_project(project)
    with KedroSession.create(project_path=project) as session:
        session.load_context().catalog  # noqa: B018 (built at a run's start, as `kedro run` does)

    client = MlflowClient(server.url)
    experiment = client.get_experiment_by_name("nba_cluster")
    runs = client.search_runs([experiment.experiment_id])
    statuses = {run.info.run_name: run.info.status for run in runs}
    assert statuses["training"] == "FAILED", statuses  # kedro-mlflow's parent run
    assert list(statuses.values()).count("FAILED") == 2, statuses  # and the open candidate
    assert set(statuses.values()) == {"FINISHED", "FAILED"}, statuses
    versions = client.search_model_versions(f"name = '{MODEL_NAME}'")
    assert [v.version for v in versions] == [champion_version]
    assert client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version == champion_version
    assert read_state(project, OPEN_MLFLOW_RUNS) == {}
