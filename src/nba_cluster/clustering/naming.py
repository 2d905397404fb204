"""Role names earned by their centroids' defining traits, per axis, and kept across retrains.

A centroid's **defining traits** are the features whose mean era-adjusted z-score lies
beyond ``trait_threshold`` from 0 (0.4 by default: a centroid averages hundreds of
player-seasons, so 0.4 of a season's standard deviation is a real difference, far beyond the
noise of such a mean). A role name is **earned** only when every one of its conditions
holds **and** it rests on at least two defining traits, or on one of at least
``SINGLE_TRAIT_MIN`` (1.5): a name never stands on one modest trait. Each axis has its own
vocabulary, saying what a player does (``OFFENSIVE_ROLES``: "Shot creator", "Post scorer",
...; ``DEFENSIVE_ROLES``: "Rim protector", "Perimeter disruptor", ...). Clusters are matched
one to one to the names they earn (Hungarian, maximising the earned traits' total strength),
so names are distinct; a cluster that earns none is named after its strongest defining trait
("High steal rate"), and one without any trait gets its axis's generic name.

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

from nba_cluster.features.table import label

INF = math.inf
SINGLE_TRAIT_MIN = 1.5
Conditions = dict[str, tuple[float, float]]
# name -> {feature: (lowest, highest) centroid z-score}; features named without "_Z". A bound
# away from 0 (lowest > 0 or highest < 0) is a trait the name rests on; one on the other side
# of 0 only rules a profile out ("Pass-first playmaker": not a high-usage scorer).
OFFENSIVE_ROLES: dict[str, Conditions] = {
    "Shot creator": {"USG_PCT": (1.0, INF), "AST_SHARE": (0.75, INF)},
    "Scoring wing": {"USG_PCT": (0.4, INF), "OREB_SHARE": (-INF, -0.4), "AST_SHARE": (-INF, 0.5)},
    "Post scorer": {"USG_PCT": (0.5, INF), "FG3A_SHARE": (-INF, -0.5), "OREB_SHARE": (0.4, INF)},
    "Pass-first playmaker": {
        "AST_RATIO": (1.5, INF),
        "AST_SHARE": (1.0, INF),
        "USG_PCT": (-INF, 0.75),
    },
    "Secondary playmaker": {"AST_RATIO": (0.75, INF), "AST_SHARE": (0.4, INF)},
    "Spot-up shooter": {"FG3A_SHARE": (0.75, INF), "USG_PCT": (-INF, -0.25)},
    "Rim runner": {"FTA_RATE": (1.0, INF), "OREB_SHARE": (1.0, INF), "FG3A_SHARE": (-INF, -0.5)},
    "Offensive rebounder": {"OREB_SHARE": (0.5, INF), "USG_PCT": (-INF, -0.5)},
    "Stretch big": {"FG3A_SHARE": (0.5, INF), "OREB_SHARE": (0.25, INF)},
    "Slashing scorer": {"FTA_RATE": (0.75, INF), "USG_PCT": (0.4, INF), "FG3A_SHARE": (-INF, 0.0)},
}
DEFENSIVE_ROLES: dict[str, Conditions] = {
    "Rim protector": {"BLK_PER100": (1.5, INF), "DREB_SHARE": (0.4, INF)},
    "Perimeter disruptor": {"STL_PER100": (0.75, INF), "DREB_SHARE": (-INF, -0.4)},
    "Defensive rebounder": {"DREB_SHARE": (0.5, INF), "PF_PER100": (0.25, INF),
                            "BLK_PER100": (-INF, 1.0)},
    "Physical interior defender": {"PF_PER100": (1.0, INF), "DREB_SHARE": (0.4, INF),
                                   "BLK_PER100": (-INF, 1.0)},
    "Low-event defender": {"BLK_PER100": (-INF, -0.4), "DREB_SHARE": (-INF, -0.4),
                           "PF_PER100": (-INF, -0.25)},
}  # fmt: skip
ROLES = {"offense": OFFENSIVE_ROLES, "defense": DEFENSIVE_ROLES}
GENERIC_NAMES = {"offense": "Balanced role player", "defense": "Balanced defender"}
MAX_TRAITS_SHOWN = 4


def _feature(column: str) -> str:
    return column.removesuffix("_Z")


def defining_traits(centroid: pd.Series, trait_threshold: float) -> list[tuple[str, float]]:
    """``(feature, z)`` beyond the threshold, strongest first."""
    traits = [(_feature(c), float(z)) for c, z in centroid.items() if abs(z) >= trait_threshold]
    return sorted(traits, key=lambda trait: -abs(trait[1]))


def describe_traits(traits: list[tuple[str, float]]) -> str:
    """E.g. ``"block rate +2.6, 3PA share -1.1"``; empty when there is none."""
    return ", ".join(f"{label(feature)} {z:+.1f}" for feature, z in traits[:MAX_TRAITS_SHOWN])


def supporting_traits(
    centroid: pd.Series, conditions: Conditions, trait_threshold: float
) -> list[tuple[str, float]]:
    """``(feature, z)`` of the conditions pointing away from 0 that the centroid meets by at
    least ``trait_threshold``: what a name earned by ``conditions`` rests on."""
    z = {_feature(column): float(value) for column, value in centroid.items()}
    return [
        (feature, z[feature])
        for feature, (low, high) in conditions.items()
        if feature in z
        and ((low > 0 and z[feature] >= max(low, trait_threshold))
             or (high < 0 and z[feature] <= min(high, -trait_threshold)))
    ]  # fmt: skip


def well_supported(traits: list[tuple[str, float]]) -> bool:
    """At least two traits, or one of at least ``SINGLE_TRAIT_MIN``."""
    return len(traits) >= 2 or any(abs(z) >= SINGLE_TRAIT_MIN for _, z in traits)


def role_strength(centroid: pd.Series, conditions: Conditions, trait_threshold: float) -> float:
    """How strongly a centroid earns a role: the sum of its z-scores in the direction of the
    role's conditions, or NaN when a condition fails (or its feature is not modelled) or the
    name would rest on a single trait below ``SINGLE_TRAIT_MIN``."""
    z = {_feature(column): value for column, value in centroid.items()}
    strength = 0.0
    for feature, (low, high) in conditions.items():
        if feature not in z or not low <= z[feature] <= high:
            return math.nan
        strength += abs(z[feature]) if (low > 0 or high < 0) else 0.0
    if not well_supported(supporting_traits(centroid, conditions, trait_threshold)):
        return math.nan
    return strength


def name_archetypes(
    centroids: pd.DataFrame,
    trait_threshold: float,
    axis: str,
    taken: frozenset[str] = frozenset(),
) -> dict[int, str]:
    """``{row label: name}`` for one axis's centroids given as rows of z-scores (feature
    columns may carry a ``_Z`` suffix); names in ``taken`` are not handed out again."""
    vocabulary = ROLES[axis]
    roles = [name for name in vocabulary if name not in taken]
    strength = np.array(
        [
            [role_strength(row, vocabulary[name], trait_threshold) for name in roles]
            for _, row in centroids.iterrows()
        ]
    ).reshape(len(centroids), len(roles))
    names: dict[int, str] = {}
    if roles and len(centroids):
        earned = np.where(np.isnan(strength), -1e6, strength)
        for row, column in zip(*linear_sum_assignment(-earned), strict=True):
            if not np.isnan(strength[row, column]):
                names[int(centroids.index[row])] = roles[column]
    used = set(taken) | set(names.values())
    for cluster, row in centroids.iterrows():
        if int(cluster) not in names:
            names[int(cluster)] = _generic_name(row, trait_threshold, GENERIC_NAMES[axis], used)
            used.add(names[int(cluster)])
    return names


def _generic_name(centroid: pd.Series, trait_threshold: float, generic: str, used: set[str]) -> str:
    """ "High steal rate" after its strongest trait, adding the next ones until the name is
    not taken; ``generic`` first when no trait reaches the threshold."""
    ranked = sorted(
        ((_feature(column), float(z)) for column, z in centroid.items()), key=lambda t: -abs(t[1])
    )
    prefix = [] if ranked and abs(ranked[0][1]) >= trait_threshold else [generic]
    phrases = [f"{'high' if z > 0 else 'low'} {label(f)}" for f, z in ranked]
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
    axis: str,
) -> tuple[dict[int, int], dict[int, str]]:
    """Archetype ids and names for a new model's clusters on ``axis`` (rows of ``profiles``:
    centroid z-scores), continuing ``previous`` (the champion's profiles: ``ARCHETYPE_ID`` index,
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
    fresh = profiles.loc[[cluster for cluster in profiles.index if int(cluster) not in ids]]
    fresh_names = name_archetypes(fresh, trait_threshold, axis, taken=frozenset(names.values()))
    for cluster in fresh.index:
        ids[int(cluster)] = next_id
        names[next_id] = fresh_names[int(cluster)]
        next_id += 1
    return ids, names


def name_rests_on(
    name: str, centroid: pd.Series, axis: str, trait_threshold: float
) -> list[tuple[str, float]]:
    """The traits a given name stands on: a vocabulary name's supporting traits, a generic
    trait name's named traits ("High steal rate, low block rate": two), none for the generic
    name. What the acceptance rule "no name on a single trait below 1.5 z" is checked on."""
    if name in ROLES[axis]:
        return supporting_traits(centroid, ROLES[axis][name], trait_threshold)
    if name.startswith(GENERIC_NAMES[axis]):
        return []
    return defining_traits(centroid, trait_threshold)[: name.count(",") + 1]
