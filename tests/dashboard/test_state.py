"""The view's state: URL round trip and what the data can show."""

from __future__ import annotations

from nba_cluster.dashboard.state import ViewState, parse_search, resolve, to_search
from tests.dashboard import fakes


def test_url_state_round_trip_and_defaults():
    seasons, ids = fakes.SEASONS, (0, 1, 2)
    state = ViewState(
        tab="explorer",
        player=977,
        season="2004-05",
        compare_in="2003-04",
        n_similar=5,
        season_from="2004-05",
        archetypes=(2, 0),
        era_weight="minutes",
    )
    search = to_search(state, seasons, ids)
    assert search.startswith("?tab=explorer&player=977&season=2004-05&in=2003-04&n=5")
    assert "arch=0,2" in search
    back = parse_search(search, seasons, ids)
    assert back == ViewState(tab="explorer", player=977, season="2004-05", compare_in="2003-04",
                             n_similar=5, season_from="2004-05", archetypes=(0, 2),
                             era_weight="minutes")  # fmt: skip
    # the default view has an empty search; unknown values fall back to defaults
    full = ViewState(season_from=seasons[0], season_to=seasons[-1], archetypes=ids)
    assert to_search(full, seasons, ids) == ""
    junk = parse_search("?tab=nope&player=x&season=1900-01&n=7&arch=9,1&weight=z", seasons, ids)
    assert junk == ViewState(archetypes=(1,))


def test_the_axis_the_similarity_space_and_the_defensive_filter_travel_in_the_url():
    seasons, ids, defensive_ids = fakes.SEASONS, (0, 1, 2), (0, 1)
    state = ViewState(tab="eras", axis="defense", defensive_roles=(1,), similarity_space="offense")
    search = to_search(state, seasons, ids, defensive_ids)
    assert search == "?tab=eras&space=offense&axis=defense&roles=1"
    assert parse_search(search, seasons, ids, defensive_ids) == state
    # every defensive role, the offensive axis and both roles' space are the defaults
    every = ViewState(defensive_roles=defensive_ids, season_from=seasons[0], season_to=seasons[-1])
    assert to_search(every, seasons, ids, defensive_ids) == ""
    junk = parse_search("?axis=sideways&space=nope&roles=7,0", seasons, ids, defensive_ids)
    assert junk == ViewState(defensive_roles=(0,))


def test_resolve_fills_in_a_players_latest_season():
    snapshot = fakes.snapshot()
    resolved = resolve(ViewState(player=1626157), snapshot)
    assert (resolved.player, resolved.season) == (1626157, "2005-06")
    assert resolved.season_from == "2003-04" and resolved.season_to == "2005-06"
    kept = resolve(ViewState(player=977, season="2003-04"), snapshot)
    assert kept.season == "2003-04"
    assert resolve(ViewState(player=42, season="2003-04"), snapshot).player is None
    swapped = resolve(ViewState(season_from="2005-06", season_to="2003-04"), snapshot)
    assert (swapped.season_from, swapped.season_to) == ("2003-04", "2005-06")
    unknown_role = resolve(ViewState(axis="defense", defensive_roles=(1, 5)), snapshot)
    assert (unknown_role.axis, unknown_role.defensive_roles) == ("defense", (1,))
