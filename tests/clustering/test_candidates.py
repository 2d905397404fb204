"""Clustering candidates on seeded blobs with known memberships: the search space, fitting,
assigning rows never seen and evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.candidates import (
    NOISE,
    CandidateSpec,
    evaluate,
    expand_search_space,
    fit_clustering,
)
from tests.clustering.blobs import FAMILIES, FEATURES, SEED, every_family

EVALUATION = {"silhouette_sample_size": 1000, "bootstraps": 3, "sample_fraction": 0.8}
METRICS = {"silhouette", "calinski_harabasz", "davies_bouldin", "n_clusters", "noise_share",
           "stability", "membership_temperature"}  # fmt: skip


# --- search space -------------------------------------------------------------------------


def test_search_space_is_every_grid_combination_with_every_pca_option():
    space = {
        "kmeans": {"n_clusters": [5, 6]},
        "gaussian_mixture": {"n_components": [4], "covariance_type": ["full", "diag"]},
    }
    specs = expand_search_space(space, [None, 8])
    assert len(specs) == (2 + 1 * 2) * 2
    assert {spec.name for spec in specs} == {
        "kmeans-n_clusters=5", "kmeans-n_clusters=5-pca8",
        "kmeans-n_clusters=6", "kmeans-n_clusters=6-pca8",
        "gaussian_mixture-covariance_type=full-n_components=4",
        "gaussian_mixture-covariance_type=full-n_components=4-pca8",
        "gaussian_mixture-covariance_type=diag-n_components=4",
        "gaussian_mixture-covariance_type=diag-n_components=4-pca8",
    }  # fmt: skip
    diagonal = {"n_components": 4, "covariance_type": "diag"}
    assert CandidateSpec("gaussian_mixture", diagonal, pca_components=8) in specs


def test_unknown_family_is_rejected():
    with pytest.raises(ValueError, match="'spectral' is not a valid Family"):
        CandidateSpec("spectral", {"n_clusters": 5})


def test_a_spec_survives_the_leaderboard():
    spec = CandidateSpec("gaussian_mixture", {"n_components": 4, "covariance_type": "diag"}, 8)
    assert CandidateSpec.from_json(spec.to_json()) == spec


# --- fitting and assignment ---------------------------------------------------------------


@every_family
def test_each_family_recovers_the_blobs(spec, training_blobs):
    features, truth = training_blobs
    fitted = fit_clustering(spec, features, SEED)
    assert len(fitted.training_labels) == len(features)
    assert list(fitted.cluster_ids) == [0, 1, 2, 3, 4]
    assert adjusted_rand_score(truth, fitted.training_labels) > 0.95


@every_family
def test_fitted_clustering_labels_rows_it_never_saw(spec, training_blobs, unseen_blobs):
    fitted = fit_clustering(spec, training_blobs[0], SEED)
    features, truth = unseen_blobs
    labels = fitted.assign(features)
    assert set(labels) <= set(fitted.cluster_ids)
    assert adjusted_rand_score(truth, labels) > 0.95


def test_hdbscan_noise_points_get_the_nearest_centroid(training_blobs):
    features, _ = training_blobs
    scattered = np.random.default_rng(5).uniform(-30, 30, size=(20, len(FEATURES)))
    with_noise = np.vstack([features, scattered])
    fitted = fit_clustering(FAMILIES["hdbscan"], with_noise, SEED)
    noise = fitted.training_labels == NOISE
    assert noise.sum() >= 10

    labels = fitted.assign(with_noise)
    assert NOISE not in labels
    nearest = fitted.cluster_ids[fitted.distances(with_noise[noise]).argmin(axis=1)]
    np.testing.assert_array_equal(labels[noise], nearest)
    np.testing.assert_array_equal(labels[~noise], fitted.training_labels[~noise])


@every_family
def test_same_seed_same_labels_and_metrics(spec, training_blobs):
    features, _ = training_blobs
    first, second = (fit_clustering(spec, features, SEED) for _ in range(2))
    np.testing.assert_array_equal(first.training_labels, second.training_labels)
    assert evaluate(first, features, seed=SEED, **EVALUATION) == evaluate(
        second, features, seed=SEED, **EVALUATION
    )


# --- evaluation ---------------------------------------------------------------------------


def test_evaluate_reports_every_metric(training_blobs):
    features, _ = training_blobs
    fitted = fit_clustering(FAMILIES["kmeans"], features, SEED)
    metrics = evaluate(fitted, features, seed=SEED, **EVALUATION)
    assert set(metrics) == METRICS
    assert all(np.isfinite(value) for value in metrics.values())
    assert (metrics["n_clusters"], metrics["noise_share"]) == (5.0, 0.0)
    assert metrics["silhouette"] > 0.6
    assert metrics["davies_bouldin"] < 0.5


def test_noise_share_counts_hdbscan_noise(training_blobs):
    features, _ = training_blobs
    scattered = np.random.default_rng(5).uniform(-30, 30, size=(20, len(FEATURES)))
    with_noise = np.vstack([features, scattered])
    fitted = fit_clustering(FAMILIES["hdbscan"], with_noise, SEED)
    metrics = evaluate(fitted, with_noise, seed=SEED, **EVALUATION)
    assert metrics["noise_share"] == pytest.approx(np.mean(fitted.training_labels == NOISE))


def test_stability_is_high_for_blobs_and_lower_for_uniform_noise(training_blobs):
    blob_features, _ = training_blobs
    uniform = np.random.default_rng(4).uniform(-1, 1, size=blob_features.shape)
    spec = FAMILIES["kmeans"]
    on_blobs = evaluate(fit_clustering(spec, blob_features, SEED), blob_features, seed=SEED,
                        **EVALUATION)  # fmt: skip
    on_noise = evaluate(fit_clustering(spec, uniform, SEED), uniform, seed=SEED, **EVALUATION)
    assert on_blobs["stability"] > 0.95
    assert on_noise["stability"] < 0.7
    assert on_noise["silhouette"] < on_blobs["silhouette"]


def test_no_cluster_found_is_one_cluster_with_the_worst_scores():
    uniform = np.random.default_rng(4).uniform(-1, 1, size=(100, len(FEATURES)))
    spec = CandidateSpec("hdbscan", {"min_cluster_size": 90, "min_samples": 5})
    fitted = fit_clustering(spec, uniform, SEED)
    assert list(fitted.cluster_ids) == [0]
    metrics = evaluate(fitted, uniform, seed=SEED, **EVALUATION)
    assert (metrics["n_clusters"], metrics["silhouette"]) == (1.0, -1.0)
