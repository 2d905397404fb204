"""The archetypes: representative players, signature traits, the heatmap."""

from __future__ import annotations

import json

import pandas as pd

from nba_cluster.dashboard.components import Links
from nba_cluster.dashboard.views.archetypes import (
    best_known_players,
    hybrid_summary,
    layout,
    profile_heatmap,
    representative_players,
    signature_traits,
)
from tests.dashboard import fakes


def test_representative_players_are_central_regulars_once_each():
    frame = pd.DataFrame({
        "PLAYER_ID": [1, 1, 2, 3, 4], "ARCHETYPE_ID": [0, 0, 0, 0, 1],
        "MIN": [2000, 2500, 300, 1800, 3000], "PLAYOFF_MIN": [0, None, 0, 200, 0],
        "CENTROID_DISTANCE": [0.5, 0.4, 0.1, 0.9, 0.2],
    })  # fmt: skip
    best = representative_players(frame, 0, n=5)
    # player 2 is closest but plays little; player 1 appears once, with his closer season
    assert best["PLAYER_ID"].tolist() == [1, 3]
    assert best["CENTROID_DISTANCE"].tolist() == [0.4, 0.9]
    assert representative_players(frame, 9).empty


def test_signature_traits_are_the_largest_deviations():
    snapshot = fakes.snapshot()
    traits = signature_traits(snapshot.profile_table.loc[2], n=2)
    assert traits == [("Blocks per 36", 1.8), ("Assists per 36", -0.8)]


def test_best_known_members_are_the_confident_ones_with_most_minutes_one_per_era():
    frame = pd.DataFrame({
        "PLAYER_ID": [1, 1, 2, 3, 4, 5], "SEASON": ["a", "b", "a", "b", "c", "c"],
        "ARCHETYPE_ID": [0, 0, 0, 0, 0, 1], "CONFIDENCE": [0.95, 0.95, 0.5, 0.92, 0.99, 1.0],
        "MIN": [3000, 3100, 3500, 2000, 1000, 3000], "PLAYOFF_MIN": [0, None, 0, 0, 0, 0],
    })  # fmt: skip
    known = best_known_players(frame, 0, ("a", "b", "c"))
    # era a: player 2 has more minutes but is not a confident member; era b: player 1 is
    # already listed, so his other season does not take the place of player 3
    assert list(zip(known["PLAYER_ID"], known["SEASON"], strict=True)) == [
        (1, "a"), (3, "b"), (4, "c")]  # fmt: skip


def test_the_defensive_roles_have_their_own_cards():
    snapshot = fakes.snapshot()
    page = json.dumps(layout(snapshot, Links()).to_plotly_json(), default=str)
    for name in [*fakes.ARCHETYPES.values(), *fakes.DEFENSIVE_ROLES.values()]:
        assert name in page
    members = snapshot.archetypes[snapshot.archetypes["DEFENSIVE_ROLE_ID"] == 1]
    assert set(members["PLAYER_NAME"]) & {"Shaquille O'Neal", "Karl-Anthony Towns"}


def test_the_heatmap_serialises():
    snapshot = fakes.snapshot()
    for axis in snapshot.axes:
        assert json.dumps(profile_heatmap(snapshot.axis(axis)).to_plotly_json(), default=str)


def test_the_card_says_how_many_members_are_hybrids_and_with_whom():
    snapshot = fakes.snapshot()
    members = (snapshot.archetypes["ARCHETYPE_ID"] == 1).sum()
    assert hybrid_summary(snapshot.archetypes, 1) == (
        f"{1 / members:.0%} hybrids, most often with Rim protector."
    )
    assert hybrid_summary(snapshot.archetypes, 0) == ("No hybrids: its members are firmly in it.")
