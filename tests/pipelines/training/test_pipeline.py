"""The training pipeline run by a SequentialRunner on the synthetic league, logging to a
SQLite MLflow in a temp dir."""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest
from kedro.io import DatasetError
from mlflow import MlflowClient
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.search import search_tasks
from nba_cluster.features.table import AXES
from nba_cluster.model_registry import CHAMPION, MODEL_NAME
from nba_cluster.pipelines.training.nodes import rank_axis
from tests.support.search_space import small_training_parameters
from tests.support.training import champion_dataset, run_training

METRICS = ["silhouette", "calinski_harabasz", "davies_bouldin", "n_clusters", "noise_share",
           "stability"]  # fmt: skip


def logged_candidates(parent_run_id: str) -> pd.DataFrame:
    """The leaderboard as MLflow holds it: one nested run per (axis, candidate)."""
    runs = mlflow.search_runs(
        search_all_experiments=True, filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'"
    )
    return pd.DataFrame({
        "run_name": runs["tags.mlflow.runName"], "axis": runs["params.axis"],
        "candidate": runs["tags.mlflow.runName"].str.split(": ").str[1],
        "run_id": runs["run_id"], **{metric: runs[f"metrics.{metric}"] for metric in METRICS},
    })  # fmt: skip


def test_training_pipeline_registers_the_best_candidate_as_champion(tracking, player_features):
    training = small_training_parameters()
    with pytest.raises(DatasetError, match="run the training pipeline first"):
        champion_dataset().load()

    decision, parent_run_id = run_training(player_features, training)

    candidates = logged_candidates(parent_run_id)
    tasks = search_tasks(training)
    assert sorted(candidates["run_name"]) == sorted(task.run_name for task in tasks)
    assert {task.axis for task in tasks} == set(AXES)  # every family competes on each axis
    assert candidates[METRICS].notna().all().all()
    best = {axis: rank_axis(candidates, training, axis).iloc[0] for axis in AXES}
    assert decision["axes"] == {
        axis: {"candidate": best[axis]["candidate"], "run_id": best[axis]["run_id"]}
        for axis in AXES
    }
    assert decision["candidate_run_id"] == best["offense"]["run_id"]
    assert (decision["alias"], str(decision["version"]), decision["previous_champion_version"]) == (
        CHAMPION, "1", None)  # fmt: skip
    assert mlflow.get_run(parent_run_id).data.tags["registry_decision"] == CHAMPION
    # the selection score over the cluster count, as a table and a figure
    logged = {artifact.path for artifact in MlflowClient().list_artifacts(parent_run_id)}
    assert {"selection_curve.json", "selection_curve.png"} <= logged
    curve = mlflow.load_table("selection_curve.json", run_ids=[parent_run_id])
    assert sorted(curve["axis"] + ": " + curve["candidate"]) == sorted(candidates["run_name"])
    # a full model only for the registered candidate, metrics for all
    experiment = mlflow.get_run(parent_run_id).info.experiment_id
    models = mlflow.search_logged_models(experiment_ids=[experiment], output_format="list")
    assert [model.source_run_id for model in models] == [best["offense"]["run_id"]]
    assert str(MlflowClient().get_model_version_by_alias(MODEL_NAME, CHAMPION).version) == "1"

    champion = champion_dataset().load()
    assert (champion.version, champion.run_id) == ("1", best["offense"]["run_id"])
    labels = champion.model.predict(player_features[champion.archetype_model.features])
    # the synthetic league's five roles are in the players' names, e.g. "Stretch Player013"
    roles = player_features["PLAYER_NAME"].str.split().str[0]
    assert adjusted_rand_score(roles, labels["ARCHETYPE_ID"]) > 0.9
    assert labels["DEFENSIVE_ROLE_ID"].nunique() >= 2


def test_a_retrain_with_one_more_season_keeps_archetype_ids_and_names(tracking, player_features):
    """Label continuity: the second champion's archetypes are matched to the first's by
    centroid and keep their ids and names, so shared player-seasons keep their labels."""
    training = small_training_parameters({"kmeans": {"n_clusters": [5]}})
    newest = player_features["SEASON"].max()
    older = player_features[player_features["SEASON"] < newest]
    first, _ = run_training(older, training)
    first_champion = champion_dataset().load()
    # another seed as well: cluster numbering differs from fit to fit, identities must not
    second, _ = run_training(player_features, {**training, "seed": 7})
    second_champion = champion_dataset().load()

    assert (first["version"], second["version"]) == ("1", "2")
    assert second_champion.version == "2"
    names = ["AXIS", "ARCHETYPE_ID", "ARCHETYPE_NAME"]
    pd.testing.assert_frame_equal(
        first_champion.archetype_model.profiles[names],
        second_champion.archetype_model.profiles[names],
    )
    shared = older[first_champion.archetype_model.features]
    for columns in (["ARCHETYPE_ID", "ARCHETYPE_NAME"],
                    ["DEFENSIVE_ROLE_ID", "DEFENSIVE_ROLE_NAME"]):  # fmt: skip
        before = first_champion.model.predict(shared)[columns]
        after = second_champion.model.predict(shared)[columns]
        assert (before == after).all(axis=1).mean() >= 0.95, columns
