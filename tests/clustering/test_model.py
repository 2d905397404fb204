"""One axis's role model on seeded blobs with known memberships, and the registered pyfunc
that holds both axes."""

from __future__ import annotations

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.candidates import NOISE, CandidateSpec, fit_clustering
from nba_cluster.clustering.columns import OUTPUT_COLUMNS, ROLE_FIELDS
from nba_cluster.clustering.model import ArchetypeModel, RoleModel, centroid_profiles
from tests.clustering.blobs import FAMILIES, FEATURES, SEED, every_family

NAMING = {"trait_threshold": 0.75, "continuity_max_distance": 1.0, "hybrid_min_share": 0.25}
# Unit-variance blobs: a Gaussian mixture's posterior is this softmax with T = 2 sigma^2. The
# calibration itself is tested in test_membership.py: on blobs this well separated every
# refit agrees and it would (rightly) make every share 0 or 1.
TEMPERATURE = 2.0


def archetype_model(
    spec: CandidateSpec, features: np.ndarray, axis: str = "offense", columns=FEATURES
) -> RoleModel:
    fitted = fit_clustering(spec, features, SEED)
    table = pd.DataFrame(features, columns=columns)
    return RoleModel(fitted, axis, columns, table, temperature=TEMPERATURE, naming=NAMING)


# --- the archetype model ------------------------------------------------------------------


@every_family
def test_predict_output_columns_and_types(spec, training_blobs, unseen_blobs):
    model = archetype_model(spec, training_blobs[0])
    rows = pd.DataFrame(unseen_blobs[0], columns=FEATURES, index=range(1000, 1200))
    rows.insert(0, "PLAYER_NAME", "somebody")  # extra columns are ignored

    output = model.predict(rows)

    assert list(output.columns) == ROLE_FIELDS
    assert output.index.equals(rows.index)
    assert output["ID"].dtype == np.int64
    assert set(output["ID"]) <= set(model.profiles.index)
    assert output["NAME"].tolist() == [model.names[i] for i in output["ID"]]
    assert output["RUNNER_UP_NAME"].tolist() == [model.names[i] for i in output["RUNNER_UP_ID"]]
    for column in ["CONFIDENCE", "RUNNER_UP_SHARE", "CENTROID_DISTANCE", "MAP_X", "MAP_Y"]:
        assert output[column].dtype == np.float64
        assert np.isfinite(output[column]).all()
    assert output["CONFIDENCE"].between(0.0, 1.0).all()
    assert (output["CENTROID_DISTANCE"] >= 0).all()
    assert adjusted_rand_score(unseen_blobs[1], output["ID"]) > 0.95


def test_confidence_is_near_one_on_a_centroid_and_bounded_far_away(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    centroids = model.profiles[FEATURES]
    on_centroids = model.predict(centroids)
    assert on_centroids["ID"].tolist() == centroids.index.tolist()
    assert (on_centroids["CONFIDENCE"] > 0.99).all()  # well-separated blobs
    np.testing.assert_allclose(on_centroids["CENTROID_DISTANCE"], 0.0, atol=1e-6)

    anywhere = np.random.default_rng(6).uniform(-40, 40, size=(500, len(FEATURES)))
    confidence = model.predict(pd.DataFrame(anywhere, columns=FEATURES))["CONFIDENCE"]
    assert confidence.between(0.0, 1.0).all()
    # halfway between two archetypes, and far from the rest: an even split
    halfway = centroids.iloc[[0]].to_numpy() / 2 + centroids.iloc[[1]].to_numpy() / 2
    split = model.predict(pd.DataFrame(halfway, columns=FEATURES)).iloc[0]
    assert split["CONFIDENCE"] == pytest.approx(split["RUNNER_UP_SHARE"], abs=1e-6)


def test_map_coordinates_are_fixed_at_training(training_blobs, unseen_blobs):
    model = archetype_model(FAMILIES["gaussian_mixture"], training_blobs[0])
    rows = pd.DataFrame(unseen_blobs[0], columns=FEATURES)
    everything = model.predict(rows)
    pd.testing.assert_frame_equal(model.predict(rows), everything)
    # a row's place on the map does not depend on the rows predicted with it
    alone = model.predict(rows.iloc[[7]])
    pd.testing.assert_frame_equal(alone, everything.iloc[[7]])
    # the map separates the archetypes: almost every point is nearest its own one's middle
    coordinates = everything[["MAP_X", "MAP_Y"]].to_numpy()
    middles = everything.groupby("ID")[["MAP_X", "MAP_Y"]].mean()
    squared = ((coordinates[:, None, :] - middles.to_numpy()[None, :, :]) ** 2).sum(axis=2)
    nearest_middle = middles.index[squared.argmin(axis=1)]
    assert (nearest_middle == everything["ID"]).mean() > 0.95


def test_pickled_model_predicts_identically(training_blobs, unseen_blobs):
    model = archetype_model(FAMILIES["kmeans_on_pca"], training_blobs[0])
    restored = cloudpickle.loads(cloudpickle.dumps(model))
    rows = pd.DataFrame(unseen_blobs[0], columns=FEATURES)
    pd.testing.assert_frame_equal(restored.predict(rows), model.predict(rows))


def test_model_keeps_no_training_rows(training_blobs):
    model = archetype_model(FAMILIES["kmeans"], training_blobs[0])
    assert model.clustering.training_space is None
    assert model.clustering.training_labels is None


def test_two_archetypes_still_get_a_two_dimensional_map(training_blobs):
    model = archetype_model(CandidateSpec("kmeans", {"n_clusters": 2}), training_blobs[0])
    output = model.predict(pd.DataFrame(training_blobs[0], columns=FEATURES))
    assert output["ID"].nunique() == 2
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

    output = model.predict(rows)

    hybrid = output.iloc[0]
    assert (hybrid["ID"], hybrid["RUNNER_UP_ID"]) == (first, second)
    assert (hybrid["CONFIDENCE"], hybrid["RUNNER_UP_SHARE"]) == pytest.approx((0.65, 0.35))
    assert hybrid["HYBRID_NAME"] == f"{model.names[first]} / {model.names[second]}"
    pure = output.iloc[1:]
    assert (pure["RUNNER_UP_ID"] != pure["ID"]).all()
    assert (pure["HYBRID_NAME"] == pure["NAME"]).all()  # no hybrid on a centroid
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

    output = model.predict(rows)

    posterior = model.clustering.predictor.predict_proba(rows[FEATURES].to_numpy())
    np.testing.assert_allclose(output["CONFIDENCE"], posterior.max(axis=1))
    assert (output["CONFIDENCE"] >= output["RUNNER_UP_SHARE"]).all()
    point = output.iloc[0]
    nearer_mean = model.clustering.distances(rows[FEATURES].to_numpy()[:1]).argmin()
    assert point["ID"] != model.archetype_ids[nearer_mean]  # the broad component
    assert point["CONFIDENCE"] > 0.9


# --- both axes in one registered model ----------------------------------------------------


def test_the_registered_model_gives_the_offensive_and_the_defensive_role(
    training_blobs, unseen_blobs
):
    """The contract of player_archetypes: ARCHETYPE_* is the offensive role, DEFENSIVE_* the
    defensive one, ARCHETYPE_DISPLAY both; each axis reads only its own columns."""
    offense_columns, defense_columns = FEATURES[:3], [f"D{c}" for c in FEATURES[3:]]
    blobs = training_blobs[0]
    roles = {
        "offense": archetype_model(FAMILIES["kmeans"], blobs[:, :3], "offense", offense_columns),
        "defense": archetype_model(
            CandidateSpec("kmeans", {"n_clusters": 3}), blobs[:, 3:], "defense", defense_columns
        ),
    }
    model = ArchetypeModel(roles)
    rows = pd.DataFrame(unseen_blobs[0], columns=offense_columns + defense_columns)

    output = model.predict(None, rows)

    assert list(output.columns) == OUTPUT_COLUMNS
    assert model.features == offense_columns + defense_columns
    offense = roles["offense"].predict(rows)
    defense = roles["defense"].predict(rows)
    assert output["ARCHETYPE_NAME"].tolist() == offense["NAME"].tolist()
    assert output["DEFENSIVE_ROLE_ID"].tolist() == defense["ID"].tolist()
    assert output["DEFENSIVE_ROLE_NAME"].tolist() == defense["NAME"].tolist()
    for field in ("RUNNER_UP_NAME", "RUNNER_UP_SHARE", "CONFIDENCE", "MAP_X"):
        assert output[f"DEFENSIVE_{field}"].tolist() == defense[field].tolist()
    assert (output["ARCHETYPE_DISPLAY"]
            == offense["NAME"] + " · " + defense["NAME"]).all()  # fmt: skip
    assert set(model.profiles["AXIS"]) == {"offense", "defense"}
    assert len(model.profiles) == 5 + 3
    assert set(model.model_space(rows)) == {"offense", "defense"}


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
