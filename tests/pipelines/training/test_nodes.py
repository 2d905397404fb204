"""Training nodes: the selection rule on hand-made leaderboards, and the registry decision
against a real MLflow backend (SQLite in a temp dir)."""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from nba_cluster.clustering.selection import rank_candidates
from nba_cluster.model_registry import CHALLENGER, CHAMPION, MODEL_NAME
from nba_cluster.pipelines.training.nodes import register_best, search_candidates
from tests.model_fixtures import tiny_training

SELECTION = {
    "cluster_count_range": [5, 12],
    "max_noise_share": 0.15,
    "weights": {"silhouette": 1.0, "stability": 0.2},
}


def leaderboard(*candidates: dict) -> pd.DataFrame:
    """Candidates as ``search_candidates`` reports them; unspecified metrics are harmless."""
    defaults = {"n_clusters": 8.0, "noise_share": 0.0, "silhouette": 0.2, "stability": 0.5}
    return pd.DataFrame([{**defaults, **candidate} for candidate in candidates])


# --- rank_candidates ----------------------------------------------------------------------


def test_cluster_count_must_be_in_range_bounds_included():
    ranked = rank_candidates(
        leaderboard(
            {"candidate": "too-few", "n_clusters": 4.0, "silhouette": 0.9},
            {"candidate": "lowest", "n_clusters": 5.0},
            {"candidate": "highest", "n_clusters": 12.0},
            {"candidate": "too-many", "n_clusters": 13.0, "silhouette": 0.9},
        ),
        SELECTION,
    )
    eligibility = dict(zip(ranked["candidate"], ranked["eligible"], strict=True))
    assert eligibility == {"too-few": False, "lowest": True, "highest": True, "too-many": False}
    # better scores do not lift an ineligible candidate above an eligible one
    assert list(ranked["eligible"]) == [True, True, False, False]


def test_noise_share_is_capped():
    ranked = rank_candidates(
        leaderboard(
            {"candidate": "at-cap", "noise_share": 0.15},
            {"candidate": "over-cap", "noise_share": 0.16, "silhouette": 0.9},
        ),
        SELECTION,
    )
    assert list(ranked["candidate"]) == ["at-cap", "over-cap"]
    assert list(ranked["eligible"]) == [True, False]


def test_candidate_without_a_silhouette_is_ineligible():
    ranked = rank_candidates(
        leaderboard({"candidate": "undefined", "silhouette": float("nan")}), SELECTION
    )
    assert not ranked["eligible"].iloc[0]


def test_score_weights_silhouette_and_stability():
    board = leaderboard(
        {"candidate": "separated", "silhouette": 0.35, "stability": 0.5},
        {"candidate": "stable", "silhouette": 0.30, "stability": 0.8},
    )
    ranked = rank_candidates(board, SELECTION)
    assert ranked.set_index("candidate")["score"].to_dict() == pytest.approx(
        {"separated": 0.35 + 0.2 * 0.5, "stable": 0.30 + 0.2 * 0.8}
    )
    assert ranked["candidate"].iloc[0] == "stable"
    silhouette_only = {**SELECTION, "weights": {"silhouette": 1.0, "stability": 0.0}}
    assert rank_candidates(board, silhouette_only)["candidate"].iloc[0] == "separated"


def test_equal_scores_are_ordered_by_candidate_name():
    board = leaderboard({"candidate": "kmeans-n_clusters=9"}, {"candidate": "gaussian_mixture"},
                        {"candidate": "kmeans-n_clusters=10"})  # fmt: skip
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        ranked = rank_candidates(board.iloc[order], SELECTION)
        assert list(ranked["candidate"]) == [
            "gaussian_mixture", "kmeans-n_clusters=10", "kmeans-n_clusters=9"]  # fmt: skip


# --- register_best ------------------------------------------------------------------------


def test_register_best_refuses_when_no_candidate_is_eligible(tracking, player_features):
    board = leaderboard(
        {"candidate": "too-few", "n_clusters": 2.0, "run_id": "r1", "model_uri": "models:/m1"},
        {"candidate": "noisy", "noise_share": 0.5, "run_id": "r2", "model_uri": "models:/m2"},
    )
    training = {**tiny_training(), "selection": SELECTION}
    with (
        mlflow.start_run(),
        pytest.raises(ValueError, match="No candidate meets the selection rule"),
    ):
        register_best(board, player_features, training)
    assert MlflowClient().search_registered_models() == []


def test_worse_candidate_becomes_challenger_and_a_tie_takes_the_title(tracking, player_features):
    good = tiny_training({"kmeans": {"n_clusters": [5]}})
    worse = tiny_training({"kmeans": {"n_clusters": [8]}})
    client = MlflowClient()

    def search_and_register(training: dict) -> dict:
        with mlflow.start_run():
            board = search_candidates(player_features, training)
            decision, registry_update = register_best(board, player_features, training)
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
