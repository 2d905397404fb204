"""Seeded blobs around five fixed centres, with known memberships, and one candidate of each
model family that should recover them."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from nba_cluster.clustering.candidates import CandidateSpec

SEED = 3
FEATURES = ["PTS_PER36_Z", "FG3A_SHARE_Z", "OREB_PER36_Z", "AST_PER36_Z", "STL_PER36_Z",
            "BLK_PER36_Z"]  # fmt: skip
CENTRES = np.random.default_rng(0).uniform(-10, 10, size=(5, len(FEATURES)))
TRAINING_ROWS = 400
UNSEEN_ROWS = 200
WARD_SAMPLE = 150  # smaller than TRAINING_ROWS: Ward fits on a sample, the rest by centroid
FAMILIES = {
    "kmeans": CandidateSpec("kmeans", {"n_clusters": 5}),
    "gaussian_mixture": CandidateSpec(
        "gaussian_mixture", {"n_components": 5, "covariance_type": "full"}
    ),
    "agglomerative_ward": CandidateSpec(
        "agglomerative_ward", {"n_clusters": 5, "fit_sample_size": WARD_SAMPLE}
    ),
    "hdbscan": CandidateSpec("hdbscan", {"min_cluster_size": 20, "min_samples": 5}),
    "kmeans_on_pca": CandidateSpec("kmeans", {"n_clusters": 5}, pca_components=3),
}
every_family = pytest.mark.parametrize("spec", FAMILIES.values(), ids=FAMILIES.keys())


def blobs(rows: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows around the five fixed centres, and the centre each row was drawn from."""
    return make_blobs(n_samples=rows, centers=CENTRES, cluster_std=1.0, random_state=random_state)
