"""Shared fixtures: a stats.nba.com replay on 127.0.0.1 and throwaway copies of the project."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from nba_cluster.nba_stats import season_range
from nba_cluster.stats_replay import ReplayServer, synthetic_responses

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
    """No test reaches stats.nba.com or a real MLflow server by accident."""
    monkeypatch.setenv("NBA_STATS_BASE_URL", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("KEDRO_DISABLE_TELEMETRY", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


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

