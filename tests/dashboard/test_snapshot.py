"""What a snapshot derives from the outputs: order, colours, similar players."""

from __future__ import annotations

from tests.dashboard import fakes


def test_similar_players_come_with_names_and_exclude_the_player():
    snapshot = fakes.snapshot()
    similar = snapshot.similar(203999, "2004-05", k=3)
    assert len(similar) == 3
    assert 203999 not in set(similar["PLAYER_ID"])
    assert similar["DISTANCE"].is_monotonic_increasing
    assert {"PLAYER_NAME", "TEAM_ABBREVIATION", "ARCHETYPE_NAME"} <= set(similar.columns)
    in_season = snapshot.similar(203999, "2004-05", k=10, in_season="2003-04")
    assert set(in_season["SEASON"]) == {"2003-04"}
    assert snapshot.similar(1, "2004-05").empty  # unknown player-season


def test_archetype_order_and_colours_are_stable():
    snapshot = fakes.snapshot()
    # ordered by mean MAP_X: fakes place archetype a around x = 3a
    assert snapshot.archetype_order == [0, 1, 2]
    assert len(set(snapshot.colors.values())) == 3
    assert snapshot.features == fakes.FEATURES
