"""The archetype model (the registered pyfunc) on seeded blobs with known memberships."""

from __future__ import annotations

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.candidates import NOISE, CandidateSpec, fit_clustering
from nba_cluster.clustering.model import OUTPUT_COLUMNS, ArchetypeModel, centroid_profiles
from tests.clustering.blobs import FAMILIES, FEATURES, SEED, every_family

NAMING = {"trait_threshold": 0.75, "continuity_max_distance": 1.0, "hybrid_min_share": 0.25}
# Unit-variance blobs: a Gaussian mixture's posterior is this softmax with T = 2 sigma^2. The
# calibration itself is tested in test_membership.py: on blobs this well separated every
# refit agrees and it would (rightly) make every share 0 or 1.
TEMPERATURE = 2.0


def archetype_model(spec: CandidateSpec, features: np.ndarray) -> ArchetypeModel:
    fitted = fit_clustering(spec, features, SEED)
    table = pd.DataFrame(features, columns=FEATURES)
    return ArchetypeModel(fitted, FEATURES, table, temperature=TEMPERATURE, naming=NAMING)


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
    assert set(output["ARCHETYPE_ID"]) <= set(model.profiles.index)
    assert output["ARCHETYPE_NAME"].tolist() == [model.names[i] for i in output["ARCHETYPE_ID"]]
    assert output["RUNNER_UP_NAME"].tolist() == [model.names[i] for i in output["RUNNER_UP_ID"]]
    for column in ["CONFIDENCE", "RUNNER_UP_SHARE", "CENTROID_DISTANCE", "MAP_X", "MAP_Y"]:
        assert output[column].dtype == np.float64
        assert np.isfinite(output[column]).all()
    assert output["CONFIDENCE"].between(0.0, 1.0).all()
    assert (output["CENTROID_DISTANCE"] >= 0).all()
    assert adjusted_rand_score(unseen_blobs[1], output["ARCHETYPE_ID"]) > 0.95


def test_confidence_is_near_one_on_a_centroid_and_bounded_far_away(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    centroids = model.profiles[FEATURES]
    on_centroids = model.predict(None, centroids)
    assert on_centroids["ARCHETYPE_ID"].tolist() == centroids.index.tolist()
    assert (on_centroids["CONFIDENCE"] > 0.99).all()  # well-separated blobs
    np.testing.assert_allclose(on_centroids["CENTROID_DISTANCE"], 0.0, atol=1e-6)

    anywhere = np.random.default_rng(6).uniform(-40, 40, size=(500, len(FEATURES)))
    confidence = model.predict(None, pd.DataFrame(anywhere, columns=FEATURES))["CONFIDENCE"]
    assert confidence.between(0.0, 1.0).all()
    # halfway between two archetypes, and far from the rest: an even split
    halfway = centroids.iloc[[0]].to_numpy() / 2 + centroids.iloc[[1]].to_numpy() / 2
    split = model.predict(None, pd.DataFrame(halfway, columns=FEATURES)).iloc[0]
    assert split["CONFIDENCE"] == pytest.approx(split["RUNNER_UP_SHARE"], abs=1e-6)


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
    assert list(model.profiles.columns) == [*FEATURES, "ARCHETYPE_NAME", "DEFINING_TRAITS"]
    assert model.profiles["ARCHETYPE_NAME"].is_unique
    assert model.profiles["ARCHETYPE_NAME"].to_dict() == model.names


def test_membership_shares_runner_up_and_hybrid_names(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    centroids = model.profiles[FEATURES]
    first, second = centroids.index[:2]
    # on the segment between two archetypes, where the shares are 0.65 / 0.35 (the softmax
    # of the squared distances; the other centroids are far enough to be negligible)
    start, end = centroids.loc[[first]].to_numpy(), centroids.loc[[second]].to_numpy()
    gap = ((end - start) ** 2).sum()
    fraction = (1 - TEMPERATURE * np.log(0.65 / 0.35) / gap) / 2
    between = start + fraction * (end - start)
    rows = pd.DataFrame(np.vstack([between, centroids.to_numpy()]), columns=FEATURES)

    output = model.predict(None, rows)

    hybrid = output.iloc[0]
    assert (hybrid["ARCHETYPE_ID"], hybrid["RUNNER_UP_ID"]) == (first, second)
    assert (hybrid["CONFIDENCE"], hybrid["RUNNER_UP_SHARE"]) == pytest.approx((0.65, 0.35))
    assert hybrid["HYBRID_NAME"] == f"{model.names[first]} / {model.names[second]}"
    pure = output.iloc[1:]
    assert (pure["RUNNER_UP_ID"] != pure["ARCHETYPE_ID"]).all()
    assert (pure["HYBRID_NAME"] == pure["ARCHETYPE_NAME"]).all()  # no hybrid on a centroid
    assert (output["CONFIDENCE"] + output["RUNNER_UP_SHARE"] <= 1.0 + 1e-12).all()


def test_a_mixtures_shares_are_its_posterior_so_the_archetype_always_holds_the_largest():
    """A narrow component beside a broad one: between them, the nearer mean is the narrow
    one's, but the mixture labels the point broad; its share must say so too."""
    rng = np.random.default_rng(SEED)
    narrow = rng.normal(0.0, 0.3, size=(300, len(FEATURES)))
    broad = rng.normal(3.0, 2.0, size=(300, len(FEATURES)))
    spec = CandidateSpec("gaussian_mixture", {"n_components": 2, "covariance_type": "diag"})
    model = archetype_model(spec, np.vstack([narrow, broad]))
    between = pd.DataFrame(np.full((1, len(FEATURES)), 1.2), columns=FEATURES)
    rows = pd.concat([between, pd.DataFrame(np.vstack([narrow, broad]), columns=FEATURES)])

    output = model.predict(None, rows)

    posterior = model.clustering.predictor.predict_proba(rows[FEATURES].to_numpy())
    np.testing.assert_allclose(output["CONFIDENCE"], posterior.max(axis=1))
    assert (output["CONFIDENCE"] >= output["RUNNER_UP_SHARE"]).all()
    point = output.iloc[0]
    nearer_mean = model.clustering.distances(rows[FEATURES].to_numpy()[:1]).argmin()
    assert point["ARCHETYPE_ID"] != model.archetype_ids[nearer_mean]  # the broad component
    assert point["CONFIDENCE"] > 0.9


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
