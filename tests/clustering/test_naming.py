"""Archetype names earned by defining traits, and their continuity across retrains."""

from __future__ import annotations

import pandas as pd
import pytest

from nba_cluster.clustering.naming import (
    GENERIC_NAME,
    ROLES,
    continue_identities,
    defining_traits,
    describe_traits,
    name_archetypes,
)

THRESHOLD = 0.75
FEATURES = [
    f"{feature}_Z"
    for feature in ("FG3A_SHARE", "FTA_RATE", "AST_RATIO", "TOV_RATIO", "AST_SHARE", "OREB_SHARE",
                    "DREB_SHARE", "STL_PER100", "BLK_PER100", "PF_PER100")
]  # fmt: skip


def centroids(*rows: dict[str, float]) -> pd.DataFrame:
    """Centroids given by their non-zero z-scores (features without the _Z suffix)."""
    table = pd.DataFrame([{f"{k}_Z": v for k, v in row.items()} for row in rows])
    return table.reindex(columns=FEATURES).fillna(0.0)


RIM_PROTECTOR = {"BLK_PER100": 2.6, "OREB_SHARE": 1.4, "DREB_SHARE": 1.2, "FG3A_SHARE": -1.1}
CREATOR = {"AST_SHARE": 2.0, "AST_RATIO": 1.8, "STL_PER100": 1.2}
SHOOTER = {"FG3A_SHARE": 1.2, "FTA_RATE": -0.9, "AST_SHARE": -0.5}
NEAR_AVERAGE = {"AST_RATIO": -0.5, "OREB_SHARE": -0.2, "STL_PER100": 0.3}


def test_names_are_earned_by_traits_of_sufficient_magnitude():
    named = name_archetypes(centroids(RIM_PROTECTOR, CREATOR, SHOOTER, NEAR_AVERAGE), THRESHOLD)
    assert named == {
        0: "Rim protector",
        1: "Primary creator",
        2: "Spot-up shooter",
        3: GENERIC_NAME,  # no trait reaches the threshold: no specialist's name
    }


def test_direction_without_magnitude_earns_nothing():
    # a quarter of a rim protector's profile points the same way (cosine similarity 1), but
    # no z-score reaches the threshold
    faint = {feature: z / 4 for feature, z in RIM_PROTECTOR.items()}
    assert name_archetypes(centroids(faint), THRESHOLD) == {0: GENERIC_NAME}


def test_a_trait_without_a_role_gives_a_truthful_generic_name():
    named = name_archetypes(centroids({"TOV_RATIO": 1.3, "PF_PER100": 0.2}), THRESHOLD)
    assert named == {0: "High turnover ratio"}


def test_names_are_distinct_even_when_two_clusters_earn_the_same_role():
    twins = centroids(CREATOR, {**CREATOR, "AST_SHARE": 1.7}, NEAR_AVERAGE, NEAR_AVERAGE)
    named = name_archetypes(twins, THRESHOLD)
    assert len(set(named.values())) == 4
    assert named[0] == "Primary creator"  # the stronger claim wins the name
    assert named[1] == "Secondary playmaker"


def test_names_in_use_are_not_handed_out_again():
    named = name_archetypes(centroids(CREATOR), THRESHOLD, taken=frozenset({"Primary creator"}))
    assert named == {0: "Secondary playmaker"}


def test_every_role_is_reachable_from_the_modelled_features():
    modelled = {feature.removesuffix("_Z") for feature in FEATURES}
    for name, conditions in ROLES.items():
        assert set(conditions) <= modelled, name


def test_defining_traits_are_the_strong_ones_strongest_first():
    row = centroids(RIM_PROTECTOR).iloc[0]
    traits = defining_traits(row, THRESHOLD)
    assert [feature for feature, _ in traits] == [
        "BLK_PER100", "OREB_SHARE", "DREB_SHARE", "FG3A_SHARE"]  # fmt: skip
    assert describe_traits(traits) == (
        "block rate +2.6, off. rebound share +1.4, def. rebound share +1.2, 3PA share -1.1"
    )


# --- continuity ----------------------------------------------------------------------------


def previous_champion(profiles: pd.DataFrame, ids: list[int], names: list[str]) -> pd.DataFrame:
    return profiles.set_axis(pd.Index(ids, name="ARCHETYPE_ID")).assign(ARCHETYPE_NAME=names)


def test_matching_archetypes_keep_their_ids_and_names():
    old = centroids(RIM_PROTECTOR, CREATOR, SHOOTER)
    previous = previous_champion(old, [4, 7, 2], ["Rim protector", "Creator (old name)", "X"])
    # retrained: the same roles in another cluster order, slightly moved
    new = centroids(SHOOTER, RIM_PROTECTOR, CREATOR) + 0.1

    ids, names = continue_identities(new, previous, THRESHOLD, continuity_max_distance=1.0)

    assert ids == {0: 2, 1: 4, 2: 7}
    assert names == {2: "X", 4: "Rim protector", 7: "Creator (old name)"}


def test_a_new_archetype_gets_a_fresh_id_and_an_unused_name():
    old = centroids(RIM_PROTECTOR, CREATOR)
    previous = previous_champion(old, [0, 1], ["Rim protector", "Primary creator"])
    new = centroids(CREATOR, RIM_PROTECTOR, SHOOTER, {**CREATOR, "AST_SHARE": 1.6})

    ids, names = continue_identities(new, previous, THRESHOLD, continuity_max_distance=1.0)

    assert (ids[0], ids[1]) == (1, 0)
    assert {ids[2], ids[3]} == {2, 3}
    assert names[ids[2]] == "Spot-up shooter"
    assert names[ids[3]] == "Secondary playmaker"  # "Primary creator" is kept by id 1
    assert len(set(names.values())) == 4


def test_an_archetype_that_moved_too_far_is_not_continued():
    previous = previous_champion(centroids(CREATOR), [5], ["Primary creator"])
    moved = centroids(RIM_PROTECTOR)
    ids, names = continue_identities(moved, previous, THRESHOLD, continuity_max_distance=1.0)
    assert ids == {0: 6}
    assert names == {6: "Rim protector"}


@pytest.mark.parametrize("previous", [None, "other features"])
def test_without_a_comparable_previous_champion_ids_start_at_zero(previous):
    new = centroids(RIM_PROTECTOR, CREATOR)
    if previous is not None:
        previous = previous_champion(
            pd.DataFrame({"PTS_PER36_Z": [1.0]}), [3], ["Scorer"]
        )  # trained on other features: nothing to match
    ids, names = continue_identities(new, previous, THRESHOLD, continuity_max_distance=1.0)
    assert sorted(ids.values()) == ([0, 1] if previous is None else [4, 5])
    assert set(names.values()) == {"Rim protector", "Primary creator"}
