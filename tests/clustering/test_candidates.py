"""Clustering candidates and the archetype model on seeded blobs with known memberships."""

from __future__ import annotations

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.candidates import (
    NOISE,
    CandidateSpec,
    evaluate,
    expand_search_space,
    fit_clustering,
)
from nba_cluster.clustering.model import OUTPUT_COLUMNS, ArchetypeModel, centroid_profiles

SEED = 3
FEATURES = ["PTS_PER36_Z", "FG3A_SHARE_Z", "OREB_PER36_Z", "AST_PER36_Z", "STL_PER36_Z",
            "BLK_PER36_Z"]  # fmt: skip
CENTRES = np.random.default_rng(0).uniform(-10, 10, size=(5, len(FEATURES)))
TRAINING_ROWS = 400
WARD_SAMPLE = 150  # smaller than TRAINING_ROWS: Ward fits on a sample, the rest by centroid
EVALUATION = {"silhouette_sample_size": 1000, "bootstraps": 3, "sample_fraction": 0.8}
METRICS = {"silhouette", "calinski_harabasz", "davies_bouldin", "n_clusters", "noise_share",
           "stability"}  # fmt: skip
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


@pytest.fixture(scope="module")
def training_blobs() -> tuple[np.ndarray, np.ndarray]:
    return blobs(TRAINING_ROWS, random_state=1)


@pytest.fixture(scope="module")
def unseen_blobs() -> tuple[np.ndarray, np.ndarray]:
    return blobs(200, random_state=2)


def archetype_model(spec: CandidateSpec, features: np.ndarray) -> ArchetypeModel:
    fitted = fit_clustering(spec, features, SEED)
    table = pd.DataFrame(features, columns=FEATURES)
    return ArchetypeModel(fitted, FEATURES, centroid_profiles(table, fitted.training_labels))


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
    with pytest.raises(ValueError, match="Unknown model family 'spectral'"):
        CandidateSpec("spectral", {"n_clusters": 5}).make_estimator(SEED)


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


# --- the archetype model ------------------------------------------------------------------


@every_family
def test_predict_output_columns_and_types(spec, training_blobs, unseen_blobs):
    model = archetype_model(spec, training_blobs[0])
    rows = pd.DataFrame(unseen_blobs[0], columns=FEATURES, index=range(1000, 1200))
    rows.insert(0, "PLAYER_NAME", "somebody")  # extra columns are ignored

    output = model.predict(None, rows)

    assert list(output.columns) == OUTPUT_COLUMNS
    assert output.index.equals(rows.index)
    assert output["ARCHETYPE_ID"].dtype == np.int64
    assert set(output["ARCHETYPE_ID"]) <= set(model.clustering.cluster_ids)
    assert output["ARCHETYPE_NAME"].tolist() == [model.names[i] for i in output["ARCHETYPE_ID"]]
    for column in ["CONFIDENCE", "CENTROID_DISTANCE", "MAP_X", "MAP_Y"]:
        assert output[column].dtype == np.float64
        assert np.isfinite(output[column]).all()
    assert output["CONFIDENCE"].between(0.0, 1.0).all()
    assert (output["CENTROID_DISTANCE"] >= 0).all()
    assert adjusted_rand_score(unseen_blobs[1], output["ARCHETYPE_ID"]) > 0.95


def test_confidence_is_one_on_a_centroid_and_bounded_far_away(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    centroids = model.profiles[FEATURES]
    on_centroids = model.predict(None, centroids)
    assert on_centroids["ARCHETYPE_ID"].tolist() == centroids.index.tolist()
    np.testing.assert_allclose(on_centroids["CONFIDENCE"], 1.0, atol=1e-6)
    np.testing.assert_allclose(on_centroids["CENTROID_DISTANCE"], 0.0, atol=1e-6)

    anywhere = np.random.default_rng(6).uniform(-40, 40, size=(500, len(FEATURES)))
    confidence = model.predict(None, pd.DataFrame(anywhere, columns=FEATURES))["CONFIDENCE"]
    assert confidence.between(0.0, 1.0).all()
    assert confidence.min() < 0.5  # rows between archetypes are not sure of theirs


def test_map_coordinates_are_fixed_at_training(training_blobs, unseen_blobs):
    model = archetype_model(FAMILIES["gaussian_mixture"], training_blobs[0])
    rows = pd.DataFrame(unseen_blobs[0], columns=FEATURES)
    everything = model.predict(None, rows)
    pd.testing.assert_frame_equal(model.predict(None, rows), everything)
    # a row's place on the map does not depend on the rows predicted with it
    alone = model.predict(None, rows.iloc[[7]])
    pd.testing.assert_frame_equal(alone, everything.iloc[[7]])
    # the map separates the archetypes: almost every point is nearest its own one's middle
    coordinates = everything[["MAP_X", "MAP_Y"]].to_numpy()
    middles = everything.groupby("ARCHETYPE_ID")[["MAP_X", "MAP_Y"]].mean()
    squared = ((coordinates[:, None, :] - middles.to_numpy()[None, :, :]) ** 2).sum(axis=2)
    nearest_middle = middles.index[squared.argmin(axis=1)]
    assert (nearest_middle == everything["ARCHETYPE_ID"]).mean() > 0.95


def test_pickled_model_predicts_identically(training_blobs, unseen_blobs):
    model = archetype_model(FAMILIES["kmeans_on_pca"], training_blobs[0])
    restored = cloudpickle.loads(cloudpickle.dumps(model))
    rows = pd.DataFrame(unseen_blobs[0], columns=FEATURES)
    pd.testing.assert_frame_equal(restored.predict(None, rows), model.predict(None, rows))


def test_model_keeps_no_training_rows(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    assert model.clustering.training_space is None
    assert model.clustering.training_labels is None


def test_two_archetypes_still_get_a_two_dimensional_map(training_blobs):
    model = archetype_model(CandidateSpec("kmeans", {"n_clusters": 2}), training_blobs[0])
    output = model.predict(None, pd.DataFrame(training_blobs[0], columns=FEATURES))
    assert output["ARCHETYPE_ID"].nunique() == 2
    assert np.isfinite(output[["MAP_X", "MAP_Y"]]).all().all()
    assert output["MAP_Y"].std() > 0


def test_model_profiles_are_named_centroids(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    assert list(model.profiles.columns) == [*FEATURES, "ARCHETYPE_NAME"]
    assert model.profiles["ARCHETYPE_NAME"].is_unique
    assert model.profiles["ARCHETYPE_NAME"].to_dict() == model.names


# --- centroid_profiles --------------------------------------------------------------------


def test_centroid_profiles_are_cluster_means_without_noise():
    features = pd.DataFrame(
        {"PTS_PER36_Z": [1.0, 3.0, -2.0, 9.0], "BLK_PER36_Z": [0.0, 2.0, 4.0, 9.0]}
    )
    labels = np.array([0, 0, 1, NOISE])
    profiles = centroid_profiles(features, labels)
    expected = pd.DataFrame(
        {"PTS_PER36_Z": [2.0, -2.0], "BLK_PER36_Z": [1.0, 4.0]},
        index=pd.Index([0, 1], name="ARCHETYPE_ID"),
    )
    pd.testing.assert_frame_equal(profiles, expected)
