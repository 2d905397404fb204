"""Role names earned by defining traits, per axis, and their continuity across retrains."""

from __future__ import annotations

import pandas as pd
import pytest

from nba_cluster.clustering.naming import (
    GENERIC_NAMES,
    ROLES,
    continue_identities,
    defining_traits,
    describe_traits,
    name_archetypes,
    name_rests_on,
    well_supported,
)
from nba_cluster.features.table import AXES, axis_columns

THRESHOLD = 0.4
OFFENSE = axis_columns("offense")
DEFENSE = axis_columns("defense")


def centroids(*rows: dict[str, float], columns=OFFENSE) -> pd.DataFrame:
    """Centroids given by their non-zero z-scores (features without the _Z suffix)."""
    table = pd.DataFrame([{f"{k}_Z": v for k, v in row.items()} for row in rows])
    return table.reindex(columns=columns).fillna(0.0)


CREATOR = {"USG_PCT": 1.7, "AST_SHARE": 1.4, "OREB_SHARE": -0.5}
PLAYMAKER = {"AST_RATIO": 2.0, "AST_SHARE": 2.0, "OREB_SHARE": -0.8}
SHOOTER = {"FG3A_SHARE": 1.3, "FTA_RATE": -0.9, "USG_PCT": -0.7}
NEAR_AVERAGE = {"AST_RATIO": -0.3, "OREB_SHARE": -0.2, "USG_PCT": 0.3}
RIM_PROTECTOR = {"BLK_PER100": 2.0, "DREB_SHARE": 1.2, "PF_PER100": 1.0}
DISRUPTOR = {"STL_PER100": 1.4, "DREB_SHARE": -0.5}


def test_names_are_earned_by_traits_of_sufficient_magnitude():
    named = name_archetypes(
        centroids(CREATOR, PLAYMAKER, SHOOTER, NEAR_AVERAGE), THRESHOLD, "offense"
    )
    assert named == {
        0: "Shot creator",
        1: "Pass-first playmaker",
        2: "Spot-up shooter",
        3: GENERIC_NAMES["offense"],  # no trait reaches the threshold: no specialist's name
    }


def test_each_axis_names_from_its_own_vocabulary():
    named = name_archetypes(centroids(RIM_PROTECTOR, DISRUPTOR, columns=DEFENSE), THRESHOLD,
                            "defense")  # fmt: skip
    assert named == {0: "Rim protector", 1: "Perimeter disruptor"}


def test_direction_without_magnitude_earns_nothing():
    faint = {feature: z / 5 for feature, z in CREATOR.items()}
    assert name_archetypes(centroids(faint), THRESHOLD, "offense") == {0: GENERIC_NAMES["offense"]}


def test_a_name_never_rests_on_one_trait_below_one_and_a_half():
    """With traits counted from 0.75, a shooter whose usage is only slightly low meets every
    condition of "Spot-up shooter" but rests on one trait (+1.0): not earned."""
    one_trait = centroids({"FG3A_SHARE": 1.0, "USG_PCT": -0.3})
    assert name_archetypes(one_trait, 0.75, "offense") == {0: "High 3PA share"}
    assert name_archetypes(one_trait, 0.25, "offense") == {0: "Spot-up shooter"}
    assert not well_supported([("FG3A_SHARE", 1.0)])
    assert well_supported([("BLK_PER100", 1.6)])
    assert well_supported([("FG3A_SHARE", 0.5), ("USG_PCT", -0.5)])


def test_a_trait_without_a_role_gives_a_truthful_generic_name():
    named = name_archetypes(centroids({"FTA_RATE": 1.3}), THRESHOLD, "offense")
    assert named == {0: "High free-throw rate"}


def test_what_each_name_rests_on():
    rows = centroids(CREATOR, NEAR_AVERAGE, {"FTA_RATE": 1.3})
    assert name_rests_on("Shot creator", rows.iloc[0], "offense", THRESHOLD) == [
        ("USG_PCT", 1.7), ("AST_SHARE", 1.4)]  # fmt: skip
    assert name_rests_on(GENERIC_NAMES["offense"], rows.iloc[1], "offense", THRESHOLD) == []
    assert name_rests_on("High free-throw rate", rows.iloc[2], "offense", THRESHOLD) == [
        ("FTA_RATE", 1.3)]  # fmt: skip


def test_names_are_distinct_even_when_two_clusters_earn_the_same_role():
    twins = centroids(PLAYMAKER, {**PLAYMAKER, "AST_SHARE": 1.2}, NEAR_AVERAGE, NEAR_AVERAGE)
    named = name_archetypes(twins, THRESHOLD, "offense")
    assert len(set(named.values())) == 4
    assert named[0] == "Pass-first playmaker"  # the stronger claim wins the name
    assert named[1] == "Secondary playmaker"


def test_names_in_use_are_not_handed_out_again():
    named = name_archetypes(centroids(PLAYMAKER), THRESHOLD, "offense",
                            taken=frozenset({"Pass-first playmaker"}))  # fmt: skip
    assert named == {0: "Secondary playmaker"}


@pytest.mark.parametrize("axis", AXES)
def test_every_role_is_reachable_from_its_axis_features(axis):
    modelled = {feature.removesuffix("_Z") for feature in axis_columns(axis)}
    for name, conditions in ROLES[axis].items():
        assert set(conditions) <= modelled, name


def test_defining_traits_are_the_strong_ones_strongest_first():
    row = centroids(RIM_PROTECTOR, columns=DEFENSE).iloc[0]
    traits = defining_traits(row, THRESHOLD)
    assert [feature for feature, _ in traits] == ["BLK_PER100", "DREB_SHARE", "PF_PER100"]
    assert describe_traits(traits) == "block rate +2.0, def. rebound share +1.2, foul rate +1.0"


# --- continuity ----------------------------------------------------------------------------


def previous_champion(profiles: pd.DataFrame, ids: list[int], names: list[str]) -> pd.DataFrame:
    return profiles.set_axis(pd.Index(ids, name="ARCHETYPE_ID")).assign(ARCHETYPE_NAME=names)


def continued(new, previous):
    return continue_identities(new, previous, THRESHOLD, continuity_max_distance=1.0,
                               axis="offense")  # fmt: skip


def test_matching_archetypes_keep_their_ids_and_names():
    old = centroids(CREATOR, PLAYMAKER, SHOOTER)
    previous = previous_champion(old, [4, 7, 2], ["Shot creator", "Playmaker (old name)", "X"])
    # retrained: the same roles in another cluster order, slightly moved
    new = centroids(SHOOTER, CREATOR, PLAYMAKER) + 0.1

    ids, names = continued(new, previous)

    assert ids == {0: 2, 1: 4, 2: 7}
    assert names == {2: "X", 4: "Shot creator", 7: "Playmaker (old name)"}


def test_a_new_archetype_gets_a_fresh_id_and_an_unused_name():
    old = centroids(CREATOR, PLAYMAKER)
    previous = previous_champion(old, [0, 1], ["Shot creator", "Pass-first playmaker"])
    new = centroids(PLAYMAKER, CREATOR, SHOOTER, {**PLAYMAKER, "AST_SHARE": 0.9})

    ids, names = continued(new, previous)

    assert (ids[0], ids[1]) == (1, 0)
    assert {ids[2], ids[3]} == {2, 3}
    assert names[ids[2]] == "Spot-up shooter"
    assert names[ids[3]] == "Secondary playmaker"  # "Pass-first playmaker" is kept by id 1
    assert len(set(names.values())) == 4


def test_an_archetype_that_moved_too_far_is_not_continued():
    previous = previous_champion(centroids(PLAYMAKER), [5], ["Pass-first playmaker"])
    ids, names = continued(centroids(SHOOTER), previous)
    assert ids == {0: 6}
    assert names == {6: "Spot-up shooter"}


@pytest.mark.parametrize("previous", [None, "other features"])
def test_without_a_comparable_previous_champion_ids_start_at_zero(previous):
    new = centroids(CREATOR, PLAYMAKER)
    if previous is not None:
        previous = previous_champion(
            pd.DataFrame({"PTS_PER36_Z": [1.0]}), [3], ["Scorer"]
        )  # trained on other features: nothing to match
    ids, names = continued(new, previous)
    assert sorted(ids.values()) == ([0, 1] if previous is None else [4, 5])
    assert set(names.values()) == {"Shot creator", "Pass-first playmaker"}
