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


def rank_candidates(leaderboard: pd.DataFrame, selection: Mapping[str, Any]) -> pd.DataFrame:
    """A cluster count in range and little noise make a candidate eligible; eligible ones are
    ranked by ``selection_score``, the candidate name breaking ties so the same data and
    parameters always give the same champion."""
    low, high = selection["cluster_count_range"]
    ranked = leaderboard.assign(
        eligible=leaderboard["n_clusters"].between(low, high)
        & (leaderboard["noise_share"] <= selection["max_noise_share"])
        & np.isfinite(leaderboard["silhouette"]),
        score=selection_score(
            leaderboard["silhouette"], leaderboard["stability"], selection["weights"]
        ),
    )
    return ranked.sort_values(
        ["eligible", "score", "candidate"], ascending=[False, False, True], ignore_index=True
    )
