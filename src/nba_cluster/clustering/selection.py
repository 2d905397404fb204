"""The rule that picks a training run's best candidate.

Kept apart from the training nodes (and light: pandas only) so the dashboard ranks the
leaderboard with the very same rule without importing scikit-learn and matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def selection_score(silhouette, stability, weights: Mapping[str, float]):
    """``w_s x silhouette + w_a x stability``; works on numbers and on columns alike."""
    return weights["silhouette"] * silhouette + weights["stability"] * stability


def rank_candidates(
    leaderboard: pd.DataFrame, selection: Mapping[str, Any], incumbent: str | None = None
) -> pd.DataFrame:
    """A cluster count in range and little noise make a candidate eligible; eligible ones are
    ranked by ``selection_score``, the candidate name breaking ties so the same data and
    parameters always give the same champion.

    Among the eligible candidates scoring within ``selection["parsimony_margin"]`` of the
    best, the one with the fewest clusters goes first: two k whose stability differs by less
    than its noise are not told apart by the data, and the seed would pick between them.

    ``incumbent`` (the current champion's candidate, on the same features) stays first while
    it is eligible and scores within ``selection["incumbent_margin"]`` of the best: scores
    measured on refits carry noise, and a retrain that changed the number of archetypes on
    noise would relabel the league.
    """
    low, high = selection["cluster_count_range"]
    ranked = leaderboard.assign(
        eligible=leaderboard["n_clusters"].between(low, high)
        & (leaderboard["noise_share"] <= selection["max_noise_share"])
        & np.isfinite(leaderboard["silhouette"]),
        score=selection_score(
            leaderboard["silhouette"], leaderboard["stability"], selection["weights"]
        ),
    )
    ranked = ranked.sort_values(
        ["eligible", "score", "candidate"], ascending=[False, False, True], ignore_index=True
    )
    best = ranked["score"].iloc[0]
    near = ranked["eligible"] & (ranked["score"] >= best - selection.get("parsimony_margin", 0))
    if near.any():  # stable sort: the best-scoring of the fewest clusters
        fewest = ranked[near].sort_values("n_clusters", kind="stable").index[0]
        ranked = pd.concat([ranked.loc[[fewest]], ranked.drop(index=fewest)], ignore_index=True)
    if incumbent is None:
        return ranked
    kept = ranked["eligible"] & (ranked["candidate"] == incumbent)
    if kept.any() and ranked.loc[kept, "score"].iloc[0] >= best - selection["incumbent_margin"]:
        return pd.concat([ranked[kept], ranked[~kept]], ignore_index=True)
    return ranked
