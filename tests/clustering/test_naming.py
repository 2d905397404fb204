"""Archetype names: centroids made from the prototypes themselves get the prototypes' names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_cluster.clustering.naming import PROTOTYPES, name_archetypes

FEATURES = sorted({feature for prototype in PROTOTYPES.values() for feature in prototype})


def prototype_centroids(names: list[str], seed: int, noise: float = 0.1) -> pd.DataFrame:
    """One centroid row per name: its prototype's z-scores (0 where it is silent) plus a
    little noise, under ``_Z`` columns and cluster ids that are not the prototypes' order."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(PROTOTYPES).T.reindex(index=names, columns=FEATURES).fillna(0.0)
    table += rng.normal(0.0, noise, size=table.shape)
    table.columns = [f"{feature}_Z" for feature in FEATURES]
    table.index = pd.Index(100 + rng.permutation(len(names)), name="ARCHETYPE_ID")
    return table


def expected_names(centroids: pd.DataFrame, names: list[str]) -> dict[int, str]:
    return dict(zip(centroids.index.tolist(), names, strict=True))


def test_every_prototype_is_recognised():
    names = list(PROTOTYPES)
    centroids = prototype_centroids(names, seed=1)
    assert name_archetypes(centroids) == expected_names(centroids, names)


def test_a_few_prototypes_are_recognised_among_all():
    names = ["Spot-up shooter", "Rim protector", "Primary creator", "Energy rebounder",
             "Low-usage role player", "Stretch big"]  # fmt: skip
    for seed in range(5):
        centroids = prototype_centroids(names, seed=seed)
        assert name_archetypes(centroids) == expected_names(centroids, names)


def test_names_are_unique_even_for_look_alike_centroids():
    # twelve noisy copies of two prototypes: each still gets a name of its own
    names = ["Scoring guard"] * 6 + ["Rim-running big"] * 6
    named = name_archetypes(prototype_centroids(names, seed=2, noise=0.3))
    assert len(set(named.values())) == len(names)


def test_more_clusters_than_prototypes_get_numbered_names():
    extra = ["Stretch big", "Stretch big", "Defensive stopper"]
    names = list(PROTOTYPES) + extra
    named = name_archetypes(prototype_centroids(names, seed=3))
    assert len(named) == len(names)
    assert len(set(named.values())) == len(names)
    assert set(PROTOTYPES) <= set(named.values())
    numbered = sorted(set(named.values()) - set(PROTOTYPES))
    assert numbered == ["Defensive stopper 2", "Stretch big 2", "Stretch big 3"]


def test_z_suffix_is_optional():
    names = ["Pass-first point guard", "3-and-D wing", "Post scorer", "Playmaking big"]
    with_suffix = prototype_centroids(names, seed=4)
    without_suffix = with_suffix.rename(columns=lambda column: column.removesuffix("_Z"))
    assert name_archetypes(without_suffix) == name_archetypes(with_suffix)
    assert name_archetypes(without_suffix) == expected_names(with_suffix, names)


def test_features_without_a_prototype_do_not_stop_the_naming():
    names = ["Rim protector", "Spot-up shooter", "Slashing scorer"]
    centroids = prototype_centroids(names, seed=5).assign(PFD_PER36_Z=[0.3, -0.2, 0.1])
    assert name_archetypes(centroids) == expected_names(centroids, names)
