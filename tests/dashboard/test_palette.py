"""The role colours: no two roles share a hue, and they stay apart for colour-blind readers."""

from __future__ import annotations

import colorsys
import itertools

import numpy as np
import pytest

from nba_cluster.dashboard.snapshot import PALETTE

MAX_ROLES = 14  # per axis: the top of the offensive range
MIN_HUE_GAP = 20.0  # degrees between any two colours' hues
MIN_DELTA_E = 5.0  # CIELAB distance under simulated colour-vision deficiency

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
DEFICIENCIES = {
    "none": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}  # fmt: skip
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])  # fmt: skip
WHITE = np.array([0.9505, 1.0, 1.089])


def rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def lab(linear: np.ndarray) -> np.ndarray:
    xyz = linear @ SRGB_TO_XYZ.T / WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def smallest_difference(colors, deficiency: str) -> float:
    srgb = np.array([rgb(c) for c in colors])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    seen = lab(np.clip(linear @ DEFICIENCIES[deficiency].T, 0, 1))
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(seen, 2))


def test_enough_distinct_colours_for_every_role_of_an_axis():
    assert len(PALETTE) >= MAX_ROLES
    assert len({c.upper() for c in PALETTE}) == len(PALETTE)


def test_no_two_roles_share_a_hue():
    hues = [colorsys.rgb_to_hls(*rgb(c))[0] * 360 for c in PALETTE[:MAX_ROLES]]
    gaps = [min(abs(a - b), 360 - abs(a - b)) for a, b in itertools.combinations(hues, 2)]
    assert min(gaps) >= MIN_HUE_GAP


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_colours_stay_apart_for_colour_blind_readers(deficiency):
    assert smallest_difference(PALETTE[:MAX_ROLES], deficiency) >= MIN_DELTA_E


def test_the_old_pinks_would_fail():
    """The check can fail: "Perimeter defender" and "Rim protector" used to share a pink."""
    hues = [colorsys.rgb_to_hls(*rgb(c))[0] * 360 for c in ("#CC79A7", "#B279A2")]
    assert abs(hues[0] - hues[1]) < MIN_HUE_GAP
