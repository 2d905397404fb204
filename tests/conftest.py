"""Shared fixtures: a stats.nba.com replay on 127.0.0.1 and throwaway copies of the project."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook

from nba_cluster.nba_stats.replay import ReplayServer
from nba_cluster.nba_stats.seasons import season_range
from nba_cluster.nba_stats.synthetic import synthetic_responses

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_NBA_STATS = PROJECT_ROOT.parent / "shared" / "nba-stats"
FIXTURE_SEASONS = ("2003-04", "2006-07")  # spans the season fouls drawn start to be recorded

# Fast, bounded HTTP settings for tests: a fault costs fractions of a second, not minutes.
FAST_HTTP = {
    "ingestion.http.timeout_seconds": 1.0,
    "ingestion.http.max_attempts": 3,
    "ingestion.http.backoff_initial_seconds": 0.05,
    "ingestion.http.backoff_max_seconds": 0.2,
    "ingestion.http.pause_seconds": 0.0,
}


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    """No test reaches stats.nba.com or a real MLflow server by accident, and no MLflow run
    outlives its test."""
    monkeypatch.setenv("NBA_STATS_BASE_URL", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("KEDRO_DISABLE_TELEMETRY", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    yield
    while mlflow.active_run():
        mlflow.end_run()


@pytest.fixture(scope="session")
def synthetic_league() -> dict:
    return synthetic_responses(season_range(*FIXTURE_SEASONS))


@pytest.fixture
def replay(synthetic_league) -> Iterator[ReplayServer]:
    server = ReplayServer(dict(synthetic_league)).start()
    yield server
    server.stop()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's config in a temp dir, the working directory for the test."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root)
    shutil.copy(PROJECT_ROOT / ".telemetry", root)
    shutil.copytree(PROJECT_ROOT / "conf", root / "conf", ignore=shutil.ignore_patterns("local"))
    (root / "conf" / "local").mkdir()
    (root / "src").mkdir()  # the package itself is installed; Kedro only checks the folder
    monkeypatch.chdir(root)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    return root


def run_kedro(project: Path, pipeline: str | None = None, params: dict | None = None) -> None:
    """``kedro run`` in-process, the way the CLI does it."""
    bootstrap_project(project)
    # kedro-mlflow's hook is a process-wide singleton that keeps the last run id even when a
    # later pipeline has tracking disabled, then re-opens that run before every node; each CLI
    # run is a fresh process, so only in-process sessions like these need the reset.
    mlflow_hook.run_id = None
    runtime_params: dict = {}
    for dotted, value in (params or {}).items():  # what `--params a.b=1` becomes
        *parents, leaf = dotted.split(".")
        node = runtime_params
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    with KedroSession.create(project_path=project, runtime_params=runtime_params) as session:
        session.run(pipeline_names=[pipeline] if pipeline else None)


def raw_files(project: Path) -> dict[str, bytes]:
    folder = project / "data" / "01_raw" / "leaguedashplayerstats"
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*"))}


def fixture_params(server: ReplayServer, **overrides) -> dict:
    first, last = FIXTURE_SEASONS
    return {
        "ingestion.first_season": first,
        "ingestion.last_season": last,
        "ingestion.base_url": server.base_url,
        **FAST_HTTP,
        **overrides,
    }


def shared_data_available() -> bool:
    return (SHARED_NBA_STATS / "PROVENANCE.md").is_file()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory) -> Iterator[str]:
    """A real ``mlflow server`` on 127.0.0.1 with a SQLite backend in a temp dir."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{root / 'mlflow.db'}",
            "--serve-artifacts",
            "--artifacts-destination",
            str(root / "artifacts"),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"mlflow server did not start:\n{(root / 'server.log').read_text()}")
            time.sleep(0.5)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
