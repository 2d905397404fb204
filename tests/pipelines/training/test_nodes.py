"""Training nodes: the search and the registry decision against a real MLflow backend (SQLite
in a temp dir)."""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from nba_cluster.features.table import AXES
from nba_cluster.model_registry import CHALLENGER, CHAMPION, MODEL_NAME
from nba_cluster.pipelines.training.nodes import (
    decide_champion,
    register_best,
    search_candidates,
)
from tests.support.leaderboards import SELECTION, leaderboard
from tests.support.search_space import small_training_parameters


def test_register_best_refuses_when_no_candidate_is_eligible(tracking, player_features):
    board = leaderboard(
        *({"axis": axis, "candidate": "too-few", "n_clusters": 2.0, "run_id": "r1"}
          for axis in AXES),
        *({"axis": axis, "candidate": "noisy", "noise_share": 0.5, "run_id": "r2"}
          for axis in AXES),
    )  # fmt: skip
    selection = {key: value for key, value in SELECTION.items() if key != "cluster_count_range"}
    training = {**small_training_parameters(), "selection": {**selection, "incumbent_margin": 0}}
    with (
        mlflow.start_run(),
        pytest.raises(ValueError, match="No offense candidate meets the selection rule"),
    ):
        register_best(board, player_features, training)
    assert MlflowClient().search_registered_models() == []


def test_worse_candidate_becomes_challenger_and_a_tie_takes_the_title(tracking, player_features):
    good = small_training_parameters({"kmeans": {"n_clusters": [5]}})
    worse = small_training_parameters({"kmeans": {"n_clusters": [8]}})
    client = MlflowClient()

    def search_and_register(training: dict) -> dict:
        with mlflow.start_run():
            board = search_candidates(player_features, training)
            registered = register_best(board, player_features, training)
            decision, registry_update = decide_champion(
                registered, board, player_features, training
            )
        assert registry_update == decision
        # the node only decides; the registry dataset's save moves the alias
        client.set_registered_model_alias(MODEL_NAME, decision["alias"], decision["version"])
        return decision

    first = search_and_register(good)
    assert (first["alias"], str(first["version"]), first["previous_champion_version"]) == (
        CHAMPION, "1", None)  # fmt: skip

    second = search_and_register(worse)
    assert (second["alias"], str(second["previous_champion_version"])) == (CHALLENGER, "1")
    assert second["candidate_score"] < second["previous_champion_score"]
    assert str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version) == "1"
    assert str(client.get_model_version_by_alias(MODEL_NAME, CHALLENGER).version) == "2"

    third = search_and_register(good)
    assert third["candidate_score"] == pytest.approx(third["previous_champion_score"])
    assert (third["alias"], str(third["version"])) == (CHAMPION, "3")


def test_the_search_gives_the_same_leaderboard_with_one_or_two_workers(tracking, player_features):
    """Candidates run in parallel processes; their scores, and so the champion and its
    labels, depend on the seed only, never on how many workers ran them."""
    boards = {}
    for workers in (1, 2):
        training = {**small_training_parameters(), "search_workers": workers}
        with mlflow.start_run():
            boards[workers] = search_candidates(player_features, training).drop(columns="run_id")
    pd.testing.assert_frame_equal(boards[1], boards[2])
    assert set(boards[1]["axis"]) == set(AXES)
