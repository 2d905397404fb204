"""The inference outputs through the project's Kedro catalog."""

from __future__ import annotations

import os

from nba_cluster.dashboard.sources import CatalogSource
from tests.dashboard import fakes


def test_catalog_source_reads_the_projects_catalog_from_anywhere(project, tmp_path, monkeypatch):
    fakes.write_outputs(project, fakes.outputs())
    monkeypatch.chdir(tmp_path)  # paths come from conf/, resolved against the project
    source = CatalogSource(project)
    assert source.filepaths["player_archetypes"] == str(
        project / "data" / "07_model_output" / "player_archetypes.parquet")  # fmt: skip
    frame = source.load("player_archetypes")
    assert "Nikola Jokić" in set(frame["PLAYER_NAME"])
    assert source.tracking_uri() == os.environ["MLFLOW_TRACKING_URI"]
    monkeypatch.delenv("MLFLOW_TRACKING_URI")  # then mlflow.yml's default, under the project
    assert source.tracking_uri() == f"sqlite:///{project}/mlflow.db"
