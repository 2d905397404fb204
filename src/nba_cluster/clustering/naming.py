"""Human-readable archetype names from cluster centroids.

Each name has a prototype: the era-adjusted z-scores a textbook player of that role would
show. Clusters are matched one-to-one to prototypes by cosine similarity of their centroid
(Hungarian assignment), so names are unique, deterministic, and follow the data rather than
the cluster numbering. Features a prototype does not mention count as 0 (league average).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

PROTOTYPES: dict[str, dict[str, float]] = {
    "Rim protector": {"BLK_PER36": 2.0, "DREB_PER36": 1.0, "FG3A_SHARE": -1.0, "OREB_PER36": 0.5,
                      "AST_PER36": -0.5},
    "Rim-running big": {"OREB_PER36": 1.5, "FG2_PCT": 1.2, "FG3A_SHARE": -1.2, "BLK_PER36": 0.8,
                        "AST_PER36": -0.8, "PTS_PER36": -0.2},
    "Stretch big": {"FG3A_SHARE": 0.6, "DREB_PER36": 1.0, "BLK_PER36": 0.6, "FG3_PCT": 0.4,
                    "OREB_PER36": 0.2, "AST_PER36": -0.4, "STL_PER36": -0.4},
    "Post scorer": {"PTS_PER36": 1.2, "OREB_PER36": 0.8, "FTA_RATE": 0.9, "FG3A_SHARE": -1.2,
                    "DREB_PER36": 0.6, "AST_PER36": -0.2},
    "Playmaking big": {"AST_PER36": 1.2, "DREB_PER36": 1.2, "OREB_PER36": 0.6, "PTS_PER36": 0.8,
                       "FG2_PCT": 0.6, "STL_PER36": 0.2, "FG3A_SHARE": -0.5},
    "Primary creator": {"AST_PER36": 1.5, "PTS_PER36": 1.2, "TOV_PER36": 1.2, "FTA_RATE": 0.4,
                        "DREB_PER36": -0.4, "BLK_PER36": -0.6},
    "Pass-first point guard": {"AST_PER36": 1.6, "AST_TOV": 1.2, "STL_PER36": 0.6,
                               "PTS_PER36": -0.5, "DREB_PER36": -0.8, "BLK_PER36": -0.8},
    "Scoring guard": {"PTS_PER36": 1.2, "FG3A_SHARE": 0.6, "AST_PER36": 0.4, "DREB_PER36": -0.8,
                      "OREB_PER36": -0.8, "BLK_PER36": -0.6},
    "Slashing scorer": {"PTS_PER36": 1.0, "FTA_RATE": 1.2, "FG3A_SHARE": -0.6, "FG2_PCT": 0.3,
                        "TOV_PER36": 0.4},
    "3-and-D wing": {"FG3A_SHARE": 1.0, "STL_PER36": 0.6, "PTS_PER36": -0.3, "AST_PER36": -0.3,
                     "FTA_RATE": -0.4, "OREB_PER36": -0.4},
    "Spot-up shooter": {"FG3A_SHARE": 1.4, "FG3_PCT": 1.0, "AST_PER36": -0.5, "STL_PER36": -0.3,
                        "FTA_RATE": -0.6, "OREB_PER36": -0.6},
    "Defensive stopper": {"STL_PER36": 1.5, "PF_PER36": 0.6, "PTS_PER36": -0.8, "AST_TOV": -0.3},
    "Energy rebounder": {"OREB_PER36": 2.0, "DREB_PER36": 1.2, "PTS_PER36": -0.8, "PF_PER36": 0.8,
                         "FG3A_SHARE": -0.8},
    "Two-way forward": {"FG2_PCT": 0.5, "OREB_PER36": 0.3, "DREB_PER36": 0.3, "AST_PER36": -0.4,
                        "FG3_PCT": -0.2, "AST_TOV": -0.3},
    "Low-usage role player": {"PTS_PER36": -1.2, "TS_PCT": -0.6, "AST_PER36": -0.4,
                              "TOV_PER36": -0.5},
}  # fmt: skip


def name_archetypes(centroids: pd.DataFrame) -> dict[int, str]:
    """``{cluster id: name}`` for centroids given as rows of z-scores (feature columns may
    carry a ``_Z`` suffix). With more clusters than prototypes the extra clusters are named
    after their best match plus a number."""
    features = [column.removesuffix("_Z") for column in centroids.columns]
    prototypes = pd.DataFrame(PROTOTYPES).T.reindex(columns=features).fillna(0.0)
    similarity = _cosine(centroids.to_numpy(dtype=float), prototypes.to_numpy())
    cluster_rows, prototype_columns = linear_sum_assignment(-similarity)
    names = {
        int(centroids.index[row]): prototypes.index[column]
        for row, column in zip(cluster_rows, prototype_columns, strict=True)
    }
    for row, cluster in enumerate(centroids.index):
        if int(cluster) not in names:
            best = prototypes.index[int(np.argmax(similarity[row]))]
            names[int(cluster)] = f"{best} {sum(n.startswith(best) for n in names.values()) + 1}"
    return names


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_norm = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b_norm = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a_norm @ b_norm.T
