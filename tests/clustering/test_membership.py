"""Soft membership: shares, cluster matching and the calibrated temperature."""

from __future__ import annotations

import numpy as np
import pytest

from nba_cluster.clustering.membership import (
    calibrate_temperature,
    match_clusters,
    membership_shares,
    squared_distances,
)


def test_shares_sum_to_one_and_favour_the_nearest_centroid():
    centroids = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    rows = np.array([[0.1, 0.0], [2.0, 0.0], [10.0, 10.0]])
    shares = membership_shares(squared_distances(rows, centroids), temperature=1.0)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares[0].argmax() == 0 and shares[0, 0] > 0.99
    np.testing.assert_allclose(shares[1, 0], shares[1, 1])  # halfway: an even split
    assert shares[2, 1] == pytest.approx(shares[2, 2])


def test_clusters_are_matched_one_to_one_by_overlap():
    reference = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    renamed = np.array([2, 2, 1, 0, 0, 1, 1, 1])  # the same partition but one row, renamed
    np.testing.assert_array_equal(match_clusters(reference, renamed), [0, 0, 2, 1, 1, 2, 2, 2])
    finer = np.array([0, 0, 3, 1, 1, 2, 2, 2])  # one cluster more than the reference
    assert list(match_clusters(reference, finer)).count(-1) == 1


@pytest.mark.parametrize("temperature", [0.3, 2.0])
def test_calibration_recovers_the_temperature_that_produced_the_labels(temperature):
    rng = np.random.default_rng(0)
    centroids = rng.normal(0, 2, size=(6, 4))
    rows = rng.normal(0, 2, size=(20000, 4))
    squared = squared_distances(rows, centroids)
    shares = membership_shares(squared, temperature)
    labels = (shares.cumsum(axis=1) > rng.uniform(size=(len(rows), 1))).argmax(axis=1)

    assert calibrate_temperature(squared, labels) == pytest.approx(temperature, rel=0.1)
