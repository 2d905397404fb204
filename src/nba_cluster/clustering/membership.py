"""Soft membership: how much a player-season belongs to each archetype.

Shares are a softmax of the negative squared distances to the archetype centroids,
``exp(-d_j^2 / T) / sum_i exp(-d_i^2 / T)``, with one temperature ``T`` per model calibrated
on held-out refits: each stability refit (on a seeded subsample) labels the rows it did not
see, its clusters are matched one to one to the model's, and ``T`` is the value under which
the shares best predict those held-out labels (lowest cross-entropy). A share of 0.7 then
means about seven refits in ten put the player-season in that archetype: the shares say how
firmly the data place him there, not how typical he is.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment, minimize_scalar
from scipy.special import log_softmax, softmax

# Bounds of the calibrated temperature, in squared model-space units: far below any
# centroid gap (hard labels) to far above the spread of the data (uniform shares).
TEMPERATURE_BOUNDS = (1e-3, 1e3)


def squared_distances(space: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """``(rows, clusters)`` squared Euclidean distances."""
    return ((space[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)


def membership_shares(squared: np.ndarray, temperature: float) -> np.ndarray:
    """Each row's shares over the clusters (columns); rows sum to 1."""
    return softmax(-squared / temperature, axis=1)


def match_clusters(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``other``'s labels renamed to the ``reference`` cluster they overlap most, one to one
    (Hungarian on the contingency table); labels are positions ``0..n-1``, and a cluster of
    ``other`` left without a partner (it found more clusters) becomes -1."""
    overlap = np.zeros((other.max() + 1, reference.max() + 1))
    np.add.at(overlap, (other, reference), 1)
    rows, columns = linear_sum_assignment(-overlap)
    renamed = np.full(len(overlap), -1)
    renamed[rows] = columns
    return renamed[other]


def calibrate_temperature(squared: np.ndarray, held_out_labels: np.ndarray) -> float:
    """The temperature whose shares best predict held-out labels (positions into the
    columns of ``squared``), by minimum cross-entropy over a log-scaled search."""
    rows = np.arange(len(held_out_labels))

    def cross_entropy(log_temperature: float) -> float:
        log_shares = log_softmax(-squared / np.exp(log_temperature), axis=1)
        return -float(log_shares[rows, held_out_labels].mean())

    low, high = np.log(TEMPERATURE_BOUNDS)
    return float(np.exp(minimize_scalar(cross_entropy, bounds=(low, high), method="bounded").x))
