"""The project as Kedro sees it: registered pipelines and configuration, from the repo root."""

from __future__ import annotations

from pathlib import Path

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from nba_cluster.pipeline_registry import register_pipelines

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def context(tmp_path, monkeypatch):
    # kedro-mlflow connects to the tracking server when the context is created
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)  # anything written by accident lands in the temp dir
    bootstrap_project(PROJECT_ROOT)
    with KedroSession.create(project_path=PROJECT_ROOT) as session:
        yield session.load_context()


def test_pipelines_are_registered_and_default_runs_them_all():
    bootstrap_project(PROJECT_ROOT)
    pipelines = register_pipelines()

    assert {"ingestion", "feature_engineering", "__default__"} <= set(pipelines)
    default_nodes = set(pipelines["__default__"].nodes)
    for name, pipeline in pipelines.items():
        assert set(pipeline.nodes) <= default_nodes, name
    assert default_nodes == {
        node for name, pipeline in pipelines.items() if name != "__default__"
        for node in pipeline.nodes
    }  # fmt: skip


def test_catalog_and_parameters_load_through_a_session(context):
    catalog = context.catalog

    assert "player_features" in catalog
    assert catalog.get_type("player_features").endswith("AtomicDataset")
    assert catalog.get_type("raw_responses").endswith("RawResponseStore")
    assert catalog.get_type("raw_response_inventory") == catalog.get_type("raw_responses")
    # every free input of the default pipeline is a dataset or a parameter Kedro can find
    pipelines = register_pipelines()
    assert [name for name in pipelines["__default__"].inputs() if name not in catalog] == []
    # parameters resolve environment variables (conftest points the base URL at port 9)
    assert context.params["ingestion"]["base_url"] == "http://127.0.0.1:9"
