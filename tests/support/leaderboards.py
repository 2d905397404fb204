"""Hand-made candidate leaderboards, as ``search_candidates`` reports them, and a selection
rule to judge them by."""

from __future__ import annotations

import pandas as pd

SELECTION = {
    "cluster_count_range": [5, 12],
    "max_noise_share": 0.15,
    "weights": {"silhouette": 1.0, "stability": 0.2},
}


def leaderboard(*candidates: dict) -> pd.DataFrame:
    """Candidates as ``search_candidates`` reports them; unspecified metrics are harmless."""
    defaults = {"n_clusters": 8.0, "noise_share": 0.0, "silhouette": 0.2, "stability": 0.5}
    return pd.DataFrame([{**defaults, **candidate} for candidate in candidates])
