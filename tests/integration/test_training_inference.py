"""The real training and inference pipelines against a real MLflow server on 127.0.0.1."""

from __future__ import annotations

import pandas as pd
import pytest
from mlflow import MlflowClient

from nba_cluster.features.table import AXES
from nba_cluster.model_registry import CHALLENGER, CHAMPION, MODEL_NAME
from tests.support.kedro_session import run_kedro
from tests.support.project import EXPERIMENT
from tests.support.replay import fixture_params
from tests.support.search_space import small_search_params

METRICS = [
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
    "n_clusters",
    "noise_share",
    "stability",
]

# The small search over all four families keeps the suite quick on two cores.
SMALL_SEARCH = small_search_params()
WORSE_SEARCH = {
    **SMALL_SEARCH,
    **{
        f"training.axes.{axis}.search_space.{setting}": value
        for axis in AXES
        for setting, value in (
            ("kmeans.n_clusters", [8]),
            ("gaussian_mixture.n_components", [8]),
            ("agglomerative_ward.n_clusters", [8]),
            ("hdbscan.min_cluster_size", [400]),
        )
    },
}


@pytest.fixture
def tracked_project(project, mlflow_server, monkeypatch):
    """A project copy logging to the shared server under its own experiment and model."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    return project


def nested_runs(client: MlflowClient, experiment: str) -> list:
    experiment_id = client.get_experiment_by_name(experiment).experiment_id
    runs = client.search_runs([experiment_id], max_results=1000)
    return [run for run in runs if "mlflow.parentRunId" in run.data.tags]


def read_output(project, name: str) -> pd.DataFrame:
    return pd.read_parquet(project / "data" / "07_model_output" / f"{name}.parquet")


def test_full_run_then_registry_rules(tracked_project, replay, mlflow_server):
    """`kedro run` (all four pipelines), then a worse search, then the same search again."""
    project = tracked_project
    params = {**fixture_params(replay), **SMALL_SEARCH}
    run_kedro(project, None, params)

    client = MlflowClient(mlflow_server)
    runs = nested_runs(client, EXPERIMENT)
    assert {run.data.params["model_family"] for run in runs} >= {
        "kmeans",
        "gaussian_mixture",
        "agglomerative_ward",
        "hdbscan",
    }
    for run in runs:
        assert set(METRICS) <= set(run.data.metrics), run.info.run_name
    first = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)

    features = pd.read_parquet(project / "data" / "05_model_input" / "player_features.parquet")
    labelled = read_output(project, "player_archetypes")
    assert len(labelled) == len(features)
    assert labelled["ARCHETYPE_NAME"].notna().all()
    assert set(labelled["MODEL_VERSION"]) == {first.version}
    profiles = read_output(project, "archetype_profiles")
    for _, of_axis in profiles.groupby("AXIS"):  # every player-season once on each axis
        assert of_axis["ARCHETYPE_NAME"].is_unique
        assert of_axis["SIZE"].sum() == len(labelled)

    # a worse candidate is registered, but only as challenger
    run_kedro(project, "training", {**fixture_params(replay), **WORSE_SEARCH})
    assert client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version == first.version
    challenger = client.get_model_version_by_alias(MODEL_NAME, CHALLENGER)
    assert int(challenger.version) > int(first.version)

    # the same data and parameters pick the same candidate, which may take the title back
    run_kedro(project, "training", params)
    champion = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    assert int(champion.version) > int(challenger.version)
    assert (
        client.get_run(champion.run_id).info.run_name == client.get_run(first.run_id).info.run_name
    )


def test_inference_labels_seasons_newer_than_training(tracked_project, replay, mlflow_server):
    project = tracked_project
    older = {**fixture_params(replay, **{"ingestion.last_season": "2005-06"}), **SMALL_SEARCH}
    run_kedro(project, "ingestion", older)
    run_kedro(project, "feature_engineering", older)
    run_kedro(project, "training", older)
    newer = {**fixture_params(replay), **SMALL_SEARCH}
    run_kedro(project, "ingestion", newer)
    run_kedro(project, "feature_engineering", newer)
    run_kedro(project, "inference", newer)

    labelled = read_output(project, "player_archetypes")
    assert "2006-07" in set(labelled["SEASON"])
    assert labelled.loc[labelled["SEASON"] == "2006-07", "ARCHETYPE_ID"].notna().all()


def test_inference_without_a_champion_says_what_to_do(project, replay, mlflow_server, monkeypatch):
    # a fresh SQLite registry: no model at all yet
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{project / 'empty.db'}")
    run_kedro(project, "ingestion", fixture_params(replay))
    run_kedro(project, "feature_engineering", fixture_params(replay))
    with pytest.raises(Exception, match="run the training pipeline first"):
        run_kedro(project, "inference", fixture_params(replay))
