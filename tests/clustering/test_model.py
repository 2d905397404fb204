"""The archetype model (the registered pyfunc) on seeded blobs with known memberships."""

from __future__ import annotations

import cloudpickle
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.candidates import NOISE, CandidateSpec, fit_clustering
from nba_cluster.clustering.model import OUTPUT_COLUMNS, ArchetypeModel, centroid_profiles
from tests.clustering.blobs import FAMILIES, FEATURES, SEED, every_family


def archetype_model(spec: CandidateSpec, features: np.ndarray) -> ArchetypeModel:
    fitted = fit_clustering(spec, features, SEED)
    table = pd.DataFrame(features, columns=FEATURES)
    return ArchetypeModel(fitted, FEATURES, centroid_profiles(table, fitted.training_labels))


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
