"""Clustering candidates: the search space, fitting, and how a fit is scored.

Families with ``predict`` (KMeans, GaussianMixture) use it; those without (Agglomerative Ward,
HDBSCAN) assign new player-seasons to the nearest training centroid, noise points included, so
every candidate can label a season it never saw.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture

from nba_cluster.clustering.membership import (
    calibrate_temperature,
    match_clusters,
    squared_distances,
)

NOISE = -1
KMEANS_RESTARTS = 10


class Family(StrEnum):
    """The model families the search knows, by the names ``parameters_training.yml`` uses."""

    KMEANS = "kmeans"
    GAUSSIAN_MIXTURE = "gaussian_mixture"
    AGGLOMERATIVE_WARD = "agglomerative_ward"
    HDBSCAN = "hdbscan"

    @property
    def has_predict(self) -> bool:
        """Whether the fitted estimator labels new rows itself (else: nearest centroid)."""
        return self in (Family.KMEANS, Family.GAUSSIAN_MIXTURE)


@dataclass(frozen=True)
class CandidateSpec:
    """One point of the search space: a family, its parameters, optional PCA."""

    family: Family
    params: dict[str, Any]
    pca_components: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", Family(self.family))

    def to_json(self) -> str:
        """The spec as the leaderboard keeps it, so the winner is rebuilt without the space."""
        return json.dumps(
            {"family": self.family, "params": self.params, "pca": self.pca_components},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> CandidateSpec:
        fields = json.loads(text)
        return cls(fields["family"], fields["params"], fields["pca"])

    @property
    def name(self) -> str:
        settings = "-".join(f"{key}={value}" for key, value in sorted(self.params.items()))
        pca = f"-pca{self.pca_components}" if self.pca_components else ""
        return f"{self.family}-{settings}{pca}"

    def make_estimator(self, seed: int, init: np.ndarray | None = None):
        params = dict(self.params)
        match self.family:
            case Family.KMEANS if init is not None:
                return KMeans(random_state=seed, init=init, n_init=1, **params)
            case Family.KMEANS:
                # ten seeded restarts: with four, the fit (and so its stability) depended on
                # the seed enough that seeds chose different k (docs/model.md)
                return KMeans(random_state=seed, n_init=KMEANS_RESTARTS, **params)
            case Family.GAUSSIAN_MIXTURE:
                return GaussianMixture(random_state=seed, n_init=1, reg_covar=1e-4, **params)
            case Family.AGGLOMERATIVE_WARD:
                params.pop("fit_sample_size", None)
                return AgglomerativeClustering(linkage="ward", **params)
            case Family.HDBSCAN:
                return HDBSCAN(copy=True, **params)


def expand_search_space(
    space: dict[str, dict[str, list]], pca_options: list
) -> list[CandidateSpec]:
    """Every combination of every family's parameter lists, with each PCA option."""
    specs = []
    for family, grid in space.items():
        keys = sorted(grid)
        for values in itertools.product(*(grid[key] for key in keys)):
            for pca in pca_options:
                specs.append(CandidateSpec(family, dict(zip(keys, values, strict=True)), pca))
    return specs


@dataclass
class FittedClustering:
    """What a fit leaves behind: enough to label new data, nothing of the training set."""

    spec: CandidateSpec
    pca: PCA | None
    predictor: Any  # an estimator with predict, or None for nearest-centroid families
    centroids: np.ndarray  # in model space, one row per cluster id
    cluster_ids: np.ndarray
    training_space: np.ndarray | None = field(default=None, repr=False)
    training_labels: np.ndarray | None = field(default=None, repr=False)

    def transform(self, features: np.ndarray) -> np.ndarray:
        return self.pca.transform(features) if self.pca is not None else features

    def distances(self, space: np.ndarray) -> np.ndarray:
        """Euclidean distance of each row (in model space) to each centroid."""
        return np.sqrt(((space[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2))

    def assign_in_space(self, space: np.ndarray) -> np.ndarray:
        if self.predictor is not None:
            return self.predictor.predict(space)
        return self.cluster_ids[self.distances(space).argmin(axis=1)]

    def assign(self, features: np.ndarray) -> np.ndarray:
        return self.assign_in_space(self.transform(features))

    def without_training_data(self) -> FittedClustering:
        return replace(self, training_space=None, training_labels=None)


def fit_clustering(
    spec: CandidateSpec, features: np.ndarray, seed: int, init: np.ndarray | None = None
) -> FittedClustering:
    """Fit one candidate. ``init`` (k-means without PCA only: centroids in feature space)
    starts from given centroids, e.g. the champion's, instead of seeded random restarts."""
    pca = PCA(n_components=spec.pca_components, random_state=seed) if spec.pca_components else None
    space = pca.fit_transform(features) if pca is not None else features
    estimator = spec.make_estimator(seed, init)
    sample_size = spec.params.get("fit_sample_size")
    if sample_size and sample_size < len(space):
        # Ward is quadratic in memory: fit on a seeded sample, label the rest by centroid
        rows = np.random.default_rng(seed).choice(len(space), size=sample_size, replace=False)
        sample_labels = estimator.fit_predict(space[rows])
        ids = np.unique(sample_labels)
        centroids = np.vstack([space[rows][sample_labels == i].mean(axis=0) for i in ids])
        distances = ((space[:, None, :] - centroids[None]) ** 2).sum(axis=2)
        labels = ids[distances.argmin(axis=1)]
    else:
        labels = estimator.fit_predict(space)
    cluster_ids = np.unique(labels[labels != NOISE])
    if len(cluster_ids) == 0:
        cluster_ids = np.array([0])
        labels = np.zeros(len(space), dtype=int)
    centroids = np.vstack([space[labels == i].mean(axis=0) for i in cluster_ids])
    return FittedClustering(
        spec,
        pca,
        estimator if spec.family.has_predict else None,
        centroids,
        cluster_ids,
        space,
        labels,
    )


def evaluate(
    fitted: FittedClustering,
    features: np.ndarray,
    *,
    seed: int,
    silhouette_sample_size: int,
    bootstraps: int,
    sample_fraction: float,
) -> dict[str, float]:
    """Internal validity on the standardized features, stability under refits, and the
    membership temperature calibrated on those refits' held-out rows."""
    labels = fitted.training_labels
    clustered = labels != NOISE
    metrics = {
        "n_clusters": float(len(fitted.cluster_ids)),
        "noise_share": float(1.0 - clustered.mean()),
    }
    if len(np.unique(labels[clustered])) >= 2:
        x, y = features[clustered], labels[clustered]
        metrics["silhouette"] = sampled_silhouette(x, y, silhouette_sample_size, seed)
        metrics["calinski_harabasz"] = float(calinski_harabasz_score(x, y))
        metrics["davies_bouldin"] = float(davies_bouldin_score(x, y))
    else:
        metrics |= {"silhouette": -1.0, "calinski_harabasz": 0.0, "davies_bouldin": float("inf")}
    stability_score, temperature = refit_agreement(
        fitted, features, seed, bootstraps, sample_fraction
    )
    metrics["stability"] = stability_score
    metrics["membership_temperature"] = temperature
    return metrics


def sampled_silhouette(features: np.ndarray, labels: np.ndarray, sample_size: int, seed: int):
    """Silhouette on a seeded sample (it is quadratic in rows); -1 with fewer than 2 clusters."""
    if len(np.unique(labels)) < 2:
        return -1.0
    size = min(sample_size, len(features))
    return float(silhouette_score(features, labels, sample_size=size, random_state=seed))


def refit_agreement(
    fitted: FittedClustering, features: np.ndarray, seed: int, bootstraps: int, fraction: float
) -> tuple[float, float]:
    """``(stability, membership temperature)`` from refits on seeded subsamples.

    Stability is the mean adjusted Rand index between the fit's labels and each refit's,
    every refit labelling the whole table through its own assignment rule. The temperature
    is calibrated on the rows each refit did not see (``membership.calibrate_temperature``).
    """
    space = fitted.transform(features)
    reference = np.searchsorted(fitted.cluster_ids, fitted.assign_in_space(space))
    rng = np.random.default_rng(seed + 1)
    scores, held_out_rows, held_out_labels = [], [], []
    for _ in range(bootstraps):
        rows = rng.choice(len(features), size=int(fraction * len(features)), replace=False)
        in_sample = np.zeros(len(features), dtype=bool)
        in_sample[rows] = True
        refit = fit_clustering(fitted.spec, features[in_sample], seed + 1 + len(scores))
        refit_labels = np.searchsorted(refit.cluster_ids, refit.assign(features))
        scores.append(adjusted_rand_score(reference, refit_labels))
        matched = match_clusters(reference, refit_labels)
        held_out = ~in_sample & (matched >= 0)
        held_out_rows.append(np.flatnonzero(held_out))
        held_out_labels.append(matched[held_out])
    if not scores:
        return float("nan"), float("nan")
    rows = np.concatenate(held_out_rows)
    temperature = calibrate_temperature(
        squared_distances(space[rows], fitted.centroids), np.concatenate(held_out_labels)
    )
    return float(np.mean(scores)), temperature
