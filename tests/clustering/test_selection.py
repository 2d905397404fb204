"""The selection rule on hand-made leaderboards."""

from __future__ import annotations

import pytest

from nba_cluster.clustering.selection import rank_candidates
from tests.support.leaderboards import SELECTION, leaderboard


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


@pytest.mark.parametrize(
    ("incumbent_stability", "first"), [(0.75, "champion-k"), (0.69, "better-k")]
)  # fmt: skip
def test_the_champions_candidate_stays_first_within_the_margin(incumbent_stability, first):
    board = leaderboard(
        {"candidate": "better-k", "stability": 0.8},
        {"candidate": "champion-k", "stability": incumbent_stability},
        {"candidate": "ineligible", "n_clusters": 20.0, "stability": 0.7},
    )
    stability_only = {
        **SELECTION, "incumbent_margin": 0.1, "weights": {"silhouette": 0.0, "stability": 1.0}
    }  # fmt: skip
    assert rank_candidates(board, stability_only, "champion-k")["candidate"].iloc[0] == first
    assert rank_candidates(board, stability_only)["candidate"].iloc[0] == "better-k"
    # an ineligible champion's candidate is never kept
    assert rank_candidates(board, stability_only, "ineligible")["candidate"].iloc[0] == "better-k"


def test_within_the_parsimony_margin_the_fewest_clusters_go_first():
    board = leaderboard(
        {"candidate": "k8", "n_clusters": 8.0, "stability": 0.96},
        {"candidate": "k7", "n_clusters": 7.0, "stability": 0.93},
        {"candidate": "k6", "n_clusters": 6.0, "stability": 0.80},  # beyond the margin
    )
    rule = {**SELECTION, "weights": {"silhouette": 0.0, "stability": 1.0}}
    assert rank_candidates(board, {**rule, "parsimony_margin": 0.05})["candidate"].tolist() == [
        "k7", "k8", "k6"]  # fmt: skip
    assert rank_candidates(board, {**rule, "parsimony_margin": 0.0})["candidate"].iloc[0] == "k8"
