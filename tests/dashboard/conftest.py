"""Fixtures for the dashboard's browser tests: real pipeline outputs, a served app, Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.dashboard import ACCENTED_NAME, TEST_ENV, DashboardServer, output_path
from tests.support.kedro_session import run_kedro
from tests.support.project import copy_project
from tests.support.replay import fixture_params, replaying
from tests.support.search_space import small_search_params


@pytest.fixture(scope="session")
def built_project(tmp_path_factory, synthetic_league, mlflow_server) -> Path:
    """All four pipelines run on the synthetic league against the MLflow server, once."""
    project = copy_project(tmp_path_factory.mktemp("dashboard") / "project")
    try:
        with pytest.MonkeyPatch.context() as patch, replaying(dict(synthetic_league)) as replay:
            patch.chdir(project)
            patch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
            patch.setenv("KEDRO_DISABLE_TELEMETRY", "true")
            run_kedro(project, None, {**fixture_params(replay), **small_search_params()})
    finally:
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


@pytest.fixture(scope="session")
def dashboard(built_project, mlflow_server) -> Iterator[DashboardServer]:
    server = DashboardServer(built_project, mlflow_server, env=TEST_ENV)
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
