"""Shared fixtures: an isolated environment, the synthetic league and its stats.nba.com replay,
throwaway copies of the project and a real MLflow server. The helpers behind them live in
tests/support/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest

from nba_cluster.nba_stats.replay import ReplayServer
from tests.support.mlflow_server import mlflow_server as running_mlflow_server
from tests.support.project import copy_project
from tests.support.replay import fixture_league, replaying


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    """No test reaches stats.nba.com or a real MLflow server by accident, and no MLflow run
    outlives its test."""
    monkeypatch.setenv("NBA_STATS_BASE_URL", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("KEDRO_DISABLE_TELEMETRY", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MODEL_SIGNING_KEY", raising=False)
    monkeypatch.delenv("NBA_CLUSTER_TODAY", raising=False)  # the system clock unless a test says
    yield
    while mlflow.active_run():
        mlflow.end_run()


@pytest.fixture(scope="session")
def synthetic_league() -> dict:
    return fixture_league()


@pytest.fixture
def replay(synthetic_league) -> Iterator[ReplayServer]:
    with replaying(dict(synthetic_league)) as server:
        yield server


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's config in a temp dir, the working directory for the test."""
    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    return root


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory) -> Iterator[str]:
    """A real ``mlflow server`` on 127.0.0.1 with a SQLite backend in a temp dir."""
    with running_mlflow_server(tmp_path_factory.mktemp("mlflow-server")) as url:
        yield url
