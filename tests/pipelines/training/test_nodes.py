"""Training nodes: the search and the registry decision against a real MLflow backend (SQLite
in a temp dir)."""

from __future__ import annotations

import mlflow
import pytest
from mlflow import MlflowClient

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
        {"candidate": "too-few", "n_clusters": 2.0, "run_id": "r1", "model_uri": "models:/m1"},
        {"candidate": "noisy", "noise_share": 0.5, "run_id": "r2", "model_uri": "models:/m2"},
    )
    training = {**small_training_parameters(), "selection": SELECTION}
    with (
        mlflow.start_run(),
        pytest.raises(ValueError, match="No candidate meets the selection rule"),
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
