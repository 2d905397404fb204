"""The synthetic league: seeded, five roles, half of it in the playoffs, fouls drawn as recorded."""

from __future__ import annotations

import pandas as pd

from nba_cluster.nba_stats.response import parse_league_dash_response
from nba_cluster.nba_stats.synthetic import ARCHETYPES, synthetic_responses

SEASONS = ["2004-05", "2005-06"]


def table(league: dict, season: str, season_type: str = "Regular Season") -> pd.DataFrame:
    return parse_league_dash_response(league[(season, season_type)], season, season_type)


def test_the_same_seed_gives_the_same_league():
    assert synthetic_responses(SEASONS) == synthetic_responses(SEASONS)
    assert synthetic_responses(SEASONS, seed=8) != synthetic_responses(SEASONS)


def test_each_role_has_its_players_and_even_ids_reach_the_playoffs():
    league = synthetic_responses(SEASONS, players_per_archetype=4)
    regular, playoffs = table(league, "2004-05"), table(league, "2004-05", "Playoffs")

    roles = regular["PLAYER_NAME"].str.split().str[0]
    assert roles.value_counts().to_dict() == {name.split()[0]: 4 for name in ARCHETYPES}
    even = regular["PLAYER_ID"][regular["PLAYER_ID"] % 2 == 0]
    assert sorted(playoffs["PLAYER_ID"]) == sorted(even)
    # the same players return the next season, a year older
    next_season = table(league, "2005-06")
    assert next_season["PLAYER_ID"].tolist() == regular["PLAYER_ID"].tolist()
    assert (next_season["AGE"] - regular["AGE"]).eq(1).all()


def test_fouls_drawn_are_zero_before_2005_06_as_in_the_real_data():
    league = synthetic_responses(SEASONS)
    assert (table(league, "2004-05")["PFD"] == 0).all()
    assert (table(league, "2005-06")["PFD"] > 0).mean() > 0.9
