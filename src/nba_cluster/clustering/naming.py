"""Archetype names earned by their centroids' defining traits, and kept across retrains.

A centroid's **defining traits** are the features whose mean era-adjusted z-score lies
beyond ``trait_threshold`` (0.75 by default: three quarters of a standard deviation from the
season's average player). A role name is **earned** only when every one of its conditions
holds (e.g. "Rim protector": block rate at least 1.5). Clusters are matched one to one to
the names they earn (Hungarian, maximising the earned traits' total strength), so names are
distinct; a cluster that earns none is named after its strongest defining trait ("High
steal rate"), and one without any trait is called "Balanced all-rounder".

**Continuity**: a retrained model's centroids are matched one to one to the previous
champion's (Hungarian on Euclidean distance between centroid profiles); pairs closer than
``continuity_max_distance`` keep the previous archetype's id and name, so a retrain does not
relabel the league at random. The rest get fresh ids and earn names not already taken.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

INF = math.inf
# name -> {feature: (lowest, highest) centroid z-score}; features named without "_Z".
ROLES: dict[str, dict[str, tuple[float, float]]] = {
    "Primary creator": {"AST_SHARE": (1.5, INF), "AST_RATIO": (0.75, INF)},
    "Secondary playmaker": {"AST_SHARE": (0.75, INF), "AST_RATIO": (0.75, INF)},
    "Rim protector": {"BLK_PER100": (1.5, INF)},
    "Interior finisher": {"FTA_RATE": (0.75, INF), "OREB_SHARE": (0.75, INF),
                          "FG3A_SHARE": (-INF, -0.75)},
    "Rebounding big": {"OREB_SHARE": (0.75, INF), "DREB_SHARE": (0.75, INF)},
    "Stretch big": {"DREB_SHARE": (0.75, INF), "FG3A_SHARE": (0.0, INF)},
    "Energy big": {"PF_PER100": (0.75, INF), "OREB_SHARE": (0.5, INF)},
    "3-and-D wing": {"FG3A_SHARE": (0.75, INF), "STL_PER100": (0.5, INF)},
    "Spot-up shooter": {"FG3A_SHARE": (0.75, INF), "AST_SHARE": (-INF, 0.0)},
    "Perimeter defender": {"STL_PER100": (0.75, INF), "AST_SHARE": (-INF, 0.75)},
    "Slashing scorer": {"FTA_RATE": (0.75, INF), "FG3A_SHARE": (-INF, 0.0),
                        "OREB_SHARE": (-INF, 0.75)},
}  # fmt: skip
GENERIC_NAME = "Balanced all-rounder"
TRAIT_LABELS = {
    "FG3A_SHARE": "3PA share",
    "FTA_RATE": "free-throw rate",
    "AST_RATIO": "assist ratio",
    "TOV_RATIO": "turnover ratio",
    "AST_SHARE": "assist share",
    "OREB_SHARE": "off. rebound share",
    "DREB_SHARE": "def. rebound share",
    "STL_PER100": "steal rate",
    "BLK_PER100": "block rate",
    "PF_PER100": "foul rate",
    "PFD_PER100": "fouls-drawn rate",
}
MAX_TRAITS_SHOWN = 4


def _feature(column: str) -> str:
    return column.removesuffix("_Z")


def defining_traits(centroid: pd.Series, trait_threshold: float) -> list[tuple[str, float]]:
    """``(feature, z)`` beyond the threshold, strongest first."""
    traits = [(_feature(c), float(z)) for c, z in centroid.items() if abs(z) >= trait_threshold]
    return sorted(traits, key=lambda trait: -abs(trait[1]))


def describe_traits(traits: list[tuple[str, float]]) -> str:
    """E.g. ``"block rate +2.6, 3PA share -1.1"``; empty when there is none."""
    return ", ".join(
        f"{TRAIT_LABELS.get(feature, feature)} {z:+.1f}" for feature, z in traits[:MAX_TRAITS_SHOWN]
    )


def role_strength(centroid: pd.Series, conditions: dict[str, tuple[float, float]]) -> float:
    """How strongly a centroid earns a role: the sum of its z-scores in the direction of the
    role's conditions, or NaN when a condition fails (or its feature is not modelled)."""
    z = {_feature(column): value for column, value in centroid.items()}
    strength = 0.0
    for feature, (low, high) in conditions.items():
        if feature not in z or not low <= z[feature] <= high:
            return math.nan
        strength += abs(z[feature]) if (low > 0 or high < 0) else 0.0
    return strength


def name_archetypes(
    centroids: pd.DataFrame, trait_threshold: float, taken: frozenset[str] = frozenset()
) -> dict[int, str]:
    """``{row label: name}`` for centroids given as rows of z-scores (feature columns may carry
    a ``_Z`` suffix); names in ``taken`` are not handed out again."""
    roles = [name for name in ROLES if name not in taken]
    strength = np.array(
        [[role_strength(row, ROLES[name]) for name in roles] for _, row in centroids.iterrows()]
    ).reshape(len(centroids), len(roles))
    names: dict[int, str] = {}
    if roles and len(centroids):
        earned = np.where(np.isnan(strength), -1e6, strength)
        for row, column in zip(*linear_sum_assignment(-earned), strict=True):
            if not np.isnan(strength[row, column]):
                names[int(centroids.index[row])] = roles[column]
    used = set(taken) | set(names.values())
    for label, row in centroids.iterrows():
        if int(label) not in names:
            names[int(label)] = _generic_name(row, trait_threshold, used)
            used.add(names[int(label)])
    return names


def _generic_name(centroid: pd.Series, trait_threshold: float, used: set[str]) -> str:
    """ "High steal rate" after its strongest trait, adding the next ones until the name is
    not taken; "Balanced all-rounder" first when no trait reaches the threshold."""
    ranked = sorted(
        ((_feature(column), float(z)) for column, z in centroid.items()), key=lambda t: -abs(t[1])
    )
    prefix = [] if ranked and abs(ranked[0][1]) >= trait_threshold else [GENERIC_NAME]
    phrases = [f"{'high' if z > 0 else 'low'} {TRAIT_LABELS.get(f, f)}" for f, z in ranked]
    for count in range(0 if prefix else 1, len(phrases) + 1):
        name = ", ".join(prefix + phrases[:count])
        name = name[0].upper() + name[1:]
        if name not in used:
            return name
    return f"{name} {len(used) + 1}"  # only for identical centroids


def continue_identities(
    profiles: pd.DataFrame,
    previous: pd.DataFrame | None,
    trait_threshold: float,
    continuity_max_distance: float,
) -> tuple[dict[int, int], dict[int, str]]:
    """Archetype ids and names for a new model's clusters (rows of ``profiles``: centroid
    z-scores), continuing ``previous`` (the champion's profiles: ``ARCHETYPE_ID`` index,
    ``ARCHETYPE_NAME`` and the same feature columns) where centroids match.

    Returns ``{cluster: archetype id}`` and ``{archetype id: name}``.
    """
    ids: dict[int, int] = {}
    names: dict[int, str] = {}
    features = list(profiles.columns)
    if previous is not None and set(features) <= set(previous.columns):
        old = previous[features].to_numpy(dtype=float)
        new = profiles.to_numpy(dtype=float)
        distance = np.sqrt(((new[:, None, :] - old[None, :, :]) ** 2).sum(axis=2))
        for row, column in zip(*linear_sum_assignment(distance), strict=True):
            if distance[row, column] <= continuity_max_distance:
                archetype = int(previous.index[column])
                ids[int(profiles.index[row])] = archetype
                names[archetype] = str(previous["ARCHETYPE_NAME"].iloc[column])
    next_id = max([*ids.values(), *([] if previous is None else previous.index), -1]) + 1
    fresh = profiles.loc[[label for label in profiles.index if int(label) not in ids]]
    fresh_names = name_archetypes(fresh, trait_threshold, taken=frozenset(names.values()))
    for label in fresh.index:
        ids[int(label)] = next_id
        names[next_id] = fresh_names[int(label)]
        next_id += 1
    return ids, names
