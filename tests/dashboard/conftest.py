"""Fixtures for the dashboard's browser tests: real pipeline outputs, a served app, Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from nba_cluster.nba_stats.replay import ReplayServer
from tests.conftest import PROJECT_ROOT, _free_port, fixture_params, run_kedro
from tests.test_training_inference_end_to_end import SMALL_SEARCH

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "dashboard"
ACCENTED_NAME = "Nikola Jokić"  # the synthetic league's names are ASCII
OUTPUTS = ("player_archetypes", "archetype_profiles", "similarity_vectors")


def new_project(root: Path) -> Path:
    """A project with the repository's config and no data, as tests/conftest.py's ``project``."""
    root.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root)
    shutil.copy(PROJECT_ROOT / ".telemetry", root)
    shutil.copytree(PROJECT_ROOT / "conf", root / "conf", ignore=shutil.ignore_patterns("local"))
    (root / "conf" / "local").mkdir()
    (root / "src").mkdir()
    return root


def output_path(project: Path, name: str) -> Path:
    return project / "data" / "07_model_output" / f"{name}.parquet"


@pytest.fixture(scope="session")
def built_project(tmp_path_factory, synthetic_league, mlflow_server) -> Path:
    """All four pipelines run on the synthetic league against the MLflow server, once."""
    project = new_project(tmp_path_factory.mktemp("dashboard") / "project")
    replay = ReplayServer(dict(synthetic_league)).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(project)
            patch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
            patch.setenv("KEDRO_DISABLE_TELEMETRY", "true")
            run_kedro(project, None, {**fixture_params(replay), **SMALL_SEARCH})
    finally:
        replay.stop()
        while mlflow.active_run():
            mlflow.end_run()
    # give one player an accented name, to search for it without the accent
    path = output_path(project, "player_archetypes")
    frame = pd.read_parquet(path)
    chosen = frame.loc[
        frame["ARCHETYPE_NAME"] == frame["ARCHETYPE_NAME"].iloc[0], "PLAYER_ID"
    ].min()
    frame.loc[frame["PLAYER_ID"] == chosen, "PLAYER_NAME"] = ACCENTED_NAME
    frame.to_parquet(path)
    return project


class Dashboard:
    """A dashboard process on 127.0.0.1 (``python -m nba_cluster.dashboard`` or gunicorn)."""

    def __init__(self, project: Path, tracking_uri: str, server: str = "module") -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if server == "gunicorn":
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "nba_cluster.dashboard.app:server",
            ]
        else:
            command = [sys.executable, "-m", "nba_cluster.dashboard", "--host", "127.0.0.1",
                       "--port", str(self.port)]  # fmt: skip
        env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "KEDRO_DISABLE_TELEMETRY": "true",
               "DASHBOARD_REFRESH_SECONDS": "0.5", "MLFLOW_UI_URL": "http://mlflow.example",
               "KEDRO_VIZ_URL": "http://viz.example"}  # fmt: skip
        self.log = project / f"dashboard-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=project, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=30):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"the dashboard did not start:\n{self.log.read_text()}")
                time.sleep(0.3)

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as response:
            return response.status, response.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def dashboard(built_project, mlflow_server) -> Iterator[Dashboard]:
    server = Dashboard(built_project, mlflow_server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        pytest.skip("playwright is not installed (a dev dependency: uv sync)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
