"""Feature-engineering nodes on small hand-made tables whose results are worked out by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nba_cluster.nba_stats.response import COUNT_COLUMNS, ImplausibleSeasonError, response_body
from nba_cluster.nba_stats.seasons import SEASON_TYPES, partition_key
from nba_cluster.nba_stats.synthetic import synthetic_responses
from nba_cluster.pipelines.feature_engineering.nodes import (
    RATE_FEATURES,
    assemble_season_totals,
    check_fouls_drawn,
    combine_season_types,
    compute_rate_features,
)
from tests.support.replay import truncated

REGULAR, PLAYOFFS = SEASON_TYPES
PLAYERS_PER_SEASON = 60  # synthetic_responses: 5 archetypes x 12 players, half in the playoffs
# ingestion's plausibility rule, at the synthetic league's size
PLAUSIBLE = {"min_players": 20, "min_games": 1}
Z_COLUMNS = [f"{feature}_Z" for feature in RATE_FEATURES]


# --- assemble_season_totals ---------------------------------------------------------------


@pytest.fixture(scope="module")
def league() -> dict:
    return synthetic_responses(["2003-04", "2004-05", "2005-06", "2006-07"])


def stored(responses: dict) -> dict:
    """What PartitionedDataset hands a node: partition key -> function loading the body."""
    return {
        partition_key(season, season_type): (lambda body=body: body)
        for (season, season_type), body in responses.items()
    }


def must_not_load() -> bytes:
    raise AssertionError("a partition outside the configured range was loaded")


def test_assemble_keeps_only_the_configured_seasons_and_season_types(league):
    in_range = {("2004-05", REGULAR), ("2005-06", REGULAR)}
    partitions = {
        partition_key(*response): (
            (lambda body=body: body) if response in in_range else must_not_load
        )
        for response, body in league.items()
    }
    ingestion = {
        "first_season": "2004-05",
        "last_season": "2005-06",
        "season_types": [REGULAR],
        "plausible": PLAUSIBLE,
    }

    totals = assemble_season_totals(partitions, ingestion)

    assert set(zip(totals["SEASON"], totals["SEASON_TYPE"], strict=True)) == in_range
    assert len(totals) == 2 * PLAYERS_PER_SEASON


def test_assemble_reads_both_season_types(league):
    ingestion = {
        "first_season": "2003-04",
        "last_season": "2003-04",
        "season_types": SEASON_TYPES,
        "plausible": PLAUSIBLE,
    }
    totals = assemble_season_totals(stored(league), ingestion)
    assert totals["SEASON_TYPE"].value_counts().to_dict() == {
        REGULAR: PLAYERS_PER_SEASON,
        PLAYOFFS: PLAYERS_PER_SEASON // 2,
    }


@pytest.mark.parametrize(
    "on_disk",
    [{}, {"1999-00_regular_season": must_not_load}],
    ids=["nothing-on-disk", "only-other-seasons"],
)
def test_assemble_without_responses_in_range_says_to_run_ingestion(on_disk):
    ingestion = {
        "first_season": "2004-05",
        "last_season": "2005-06",
        "season_types": [REGULAR],
        "plausible": PLAUSIBLE,
    }
    with pytest.raises(ValueError, match="run the ingestion pipeline first") as error:
        assemble_season_totals(on_disk, ingestion)
    assert "No raw responses on disk for 2004-05..2005-06" in str(error.value)


def test_a_completed_season_too_small_to_be_whole_is_refused_naming_it(league):
    """The plausibility rule applies however the file got on disk (ingestion refuses such an
    answer; a rebuild from dated copies does not go through ingestion)."""
    responses = dict(league)
    responses[("2004-05", REGULAR)] = truncated(league[("2004-05", REGULAR)], 3)
    ingestion = {"first_season": "2003-04", "last_season": "2005-06", "season_types": [REGULAR],
                 "plausible": PLAUSIBLE}  # fmt: skip

    with pytest.raises(ImplausibleSeasonError) as refused:
        assemble_season_totals(stored(responses), ingestion)

    assert "2004-05_regular_season: 3 players, a completed season has at least 20" in str(
        refused.value
    )
    assert "ingestion.refresh=true" in str(refused.value)


def test_a_season_under_way_may_be_small(league):
    """Early in a season (fetched before its end: SEASON_THROUGH set) few players is normal."""
    body = truncated(league[("2004-05", REGULAR)], 3)
    load = lambda: body  # noqa: E731 - a partition loader with the raw store's fetch time
    load.fetched_at = pd.Timestamp("2004-11-20").to_pydatetime()
    ingestion = {"first_season": "2004-05", "last_season": "2004-05", "season_types": [REGULAR],
                 "plausible": PLAUSIBLE}  # fmt: skip

    totals = assemble_season_totals({"2004-05_regular_season": load}, ingestion)

    assert len(totals) == 3 and set(totals["SEASON_THROUGH"]) == {"2004-11-19"}


def test_assemble_adds_team_count_when_responses_lack_it(league):
    # Responses recorded before 2023 have no TEAM_COUNT column.
    payload = json.loads(league[("2003-04", REGULAR)])
    table = pd.DataFrame(
        payload["resultSets"][0]["rowSet"], columns=payload["resultSets"][0]["headers"]
    )
    old_body = response_body("2003-04", REGULAR, table.drop(columns="TEAM_COUNT"))
    ingestion = {
        "first_season": "2003-04",
        "last_season": "2003-04",
        "season_types": [REGULAR],
        "plausible": PLAUSIBLE,
    }

    totals = assemble_season_totals({"2003-04_regular_season": lambda: old_body}, ingestion)

    assert totals["TEAM_COUNT"].isna().all()
    assert len(totals) == PLAYERS_PER_SEASON


# --- combine_season_types -----------------------------------------------------------------


def totals_row(player_id: int, season_type: str, season: str = "2010-11", **values) -> dict:
    """One row of ``season_totals``: zero counts unless given."""
    return {
        "PLAYER_ID": player_id, "PLAYER_NAME": f"Player {player_id}", "SEASON": season,
        "SEASON_TYPE": season_type, "TEAM_ABBREVIATION": "BOS", "TEAM_COUNT": np.nan,
        "AGE": 25.0, "MIN": 0.0, **dict.fromkeys(COUNT_COLUMNS, 0.0), **values,
    }  # fmt: skip


def one_player(combined: pd.DataFrame, player_id: int) -> pd.Series:
    (row,) = combined[combined["PLAYER_ID"] == player_id].to_dict("records")
    return pd.Series(row)


def test_combine_adds_weighted_playoffs_to_the_regular_season():
    totals = pd.DataFrame([
        totals_row(1, REGULAR, GP=70.0, MIN=2000.0, PTS=1000.0, AST=300.0, FG3A=150.0),
        totals_row(1, PLAYOFFS, GP=10.0, MIN=400.0, PTS=240.0, AST=50.0, FG3A=40.0),
    ])  # fmt: skip

    player = one_player(combine_season_types(totals, playoff_weight=0.5), 1)

    assert player["MIN"] == 2000.0 + 0.5 * 400.0
    assert player["PTS"] == 1000.0 + 0.5 * 240.0
    assert player["AST"] == 300.0 + 0.5 * 50.0
    assert player["FG3A"] == 150.0 + 0.5 * 40.0
    assert player["GP"] == 70.0  # regular-season games: min_games is a regular-season bar
    assert player["PLAYOFF_GP"] == 10.0
    assert player["PLAYOFF_MIN"] == 400.0  # as played, not weighted


def test_a_playoff_weight_of_zero_ignores_the_playoffs():
    regular = totals_row(1, REGULAR, GP=70.0, MIN=2000.0, PTS=1000.0, STL=80.0)
    totals = pd.DataFrame([regular, totals_row(1, PLAYOFFS, GP=10.0, MIN=400.0, PTS=240.0)])

    player = one_player(combine_season_types(totals, playoff_weight=0.0), 1)

    for column in ["MIN", *COUNT_COLUMNS]:
        assert player[column] == regular[column], column
    assert player["PLAYOFF_GP"] == 10.0


def test_team_and_age_come_from_the_regular_season():
    totals = pd.DataFrame([
        totals_row(1, REGULAR, TEAM_ABBREVIATION="HOU", AGE=30.0, GP=50.0, MIN=1500.0),
        totals_row(1, PLAYOFFS, TEAM_ABBREVIATION="LAL", AGE=31.0, GP=12.0, MIN=300.0),
    ])  # fmt: skip

    player = one_player(combine_season_types(totals, playoff_weight=1.0), 1)

    assert (player["TEAM_ABBREVIATION"], player["AGE"]) == ("HOU", 30.0)


def test_players_in_one_table_only_keep_one_row_each():
    totals = pd.DataFrame([
        totals_row(1, REGULAR, GP=60.0, MIN=1500.0, PTS=600.0),
        totals_row(2, PLAYOFFS, GP=4.0, MIN=40.0, PTS=10.0, TEAM_ABBREVIATION="MIA"),
        totals_row(1, REGULAR, season="2011-12", GP=30.0, MIN=700.0, PTS=250.0),
    ])  # fmt: skip

    combined = combine_season_types(totals, playoff_weight=2.0)

    assert sorted(zip(combined["PLAYER_ID"], combined["SEASON"], strict=True)) == [
        (1, "2010-11"), (1, "2011-12"), (2, "2010-11"),
    ]  # fmt: skip
    regular_only = one_player(combined[combined["SEASON"] == "2010-11"], 1)
    assert (regular_only["MIN"], regular_only["PTS"]) == (1500.0, 600.0)
    assert (regular_only["PLAYOFF_GP"], regular_only["PLAYOFF_MIN"]) == (0.0, 0.0)
    playoffs_only = one_player(combined, 2)
    assert (playoffs_only["MIN"], playoffs_only["PTS"]) == (80.0, 20.0)
    assert (playoffs_only["GP"], playoffs_only["PLAYOFF_GP"]) == (0.0, 4.0)
    assert playoffs_only["TEAM_ABBREVIATION"] == "MIA"


# --- compute_rate_features ----------------------------------------------------------------

# 1440 minutes is 40 x 36, so every per-36 figure is the total divided by 40.
TYPICAL_SEASON = {
    "GP": 60.0, "MIN": 1440.0, "PTS": 800.0, "FGM": 288.0, "FGA": 640.0, "FG3M": 64.0,
    "FG3A": 160.0, "FTM": 150.0, "FTA": 192.0, "OREB": 40.0, "DREB": 200.0, "AST": 200.0,
    "TOV": 80.0, "STL": 48.0, "BLK": 20.0, "PF": 100.0, "PFD": 120.0,
}  # fmt: skip


PLAUSIBLE_PFD_PER_FTA = [0.4, 1.5]


def player_season(player_id: int, season: str = "2010-11", **values) -> dict:
    return {"PLAYER_ID": player_id, "SEASON": season, "TEAM_ABBREVIATION": "BOS",
            **TYPICAL_SEASON, **values}  # fmt: skip


def rates(rows: list[dict], min_minutes=500, min_games=10, prior_attempts=0.0) -> pd.DataFrame:
    return compute_rate_features(pd.DataFrame(rows), min_minutes, min_games, prior_attempts)


def test_rates_keep_player_seasons_at_or_above_both_thresholds():
    rows = [
        player_season(1, MIN=499.0),
        player_season(2, MIN=500.0, GP=10.0),
        player_season(3, GP=9.0),
        player_season(4),
    ]
    assert sorted(rates(rows)["PLAYER_ID"]) == [2, 4]


def test_per_36_and_shot_mix_of_a_hand_computed_season():
    player = rates([player_season(1)]).iloc[0]

    expected_per36 = {
        "PTS": 20.0, "FGA": 16.0, "FG3M": 1.6, "FTA": 4.8, "OREB": 1.0, "DREB": 5.0,
        "AST": 5.0, "TOV": 2.0, "STL": 1.2, "BLK": 0.5, "PF": 2.5, "PFD": 3.0,
    }  # fmt: skip
    for stat, value in expected_per36.items():
        assert player[f"{stat}_PER36"] == pytest.approx(value), stat
    assert player["FG3A_SHARE"] == pytest.approx(160 / 640)
    assert player["FTA_RATE"] == pytest.approx(192 / 640)
    assert player["FG2_PCT"] == pytest.approx((288 - 64) / (640 - 160))
    assert player["FG3_PCT"] == pytest.approx(64 / 160)
    assert player["TS_PCT"] == pytest.approx(800 / (2 * (640 + 0.44 * 192)))
    assert player["AST_TOV"] == pytest.approx((200 + 1) / (80 + 1))
    plays = 640 + 0.44 * 192 + 200 + 80
    assert player["AST_RATIO"] == pytest.approx(200 / plays)
    assert player["TOV_RATIO"] == pytest.approx(80 / plays)
    # alone on his team, he plays a fifth of its minutes: the team's totals are five times
    # his while he is on the floor
    assert player["AST_SHARE"] == pytest.approx(200 / (5 * 288 - 288))
    assert player["OREB_SHARE"] == pytest.approx(1 / 5)
    assert player["DREB_SHARE"] == pytest.approx(1 / 5)
    team_possessions = 5 * (640 + 0.44 * 192 - 40 + 80)
    assert player["STL_PER100"] == pytest.approx(100 * 48 / team_possessions)
    assert player["PF_PER100"] == pytest.approx(100 * 100 / team_possessions)
    assert player["USG_PCT"] == pytest.approx(1 / 5)


def test_shares_are_of_the_players_own_team_and_season():
    rows = [
        player_season(1, OREB=30.0, AST=100.0, FGM=100.0),
        player_season(2, OREB=10.0, AST=0.0, FGM=300.0),
        player_season(3, TEAM_ABBREVIATION="MIA", OREB=90.0),  # another team: not counted
        player_season(4, season="2011-12", OREB=90.0),  # another season: not counted
    ]
    table = rates(rows).set_index("PLAYER_ID")
    # two players of equal minutes: each is on the floor for 2.5 team-fifths of minutes
    assert table.loc[1, "OREB_SHARE"] == pytest.approx(30 / (2.5 * 40))
    assert table.loc[2, "OREB_SHARE"] == pytest.approx(10 / (2.5 * 40))
    assert table.loc[1, "AST_SHARE"] == pytest.approx(100 / (2.5 * 400 - 100))
    assert table.loc[3, "OREB_SHARE"] == pytest.approx(1 / 5)


def test_no_field_goal_attempts_give_zero_shares_not_nan():
    non_shooter = player_season(2, FGM=0.0, FGA=0.0, FG3M=0.0, FG3A=0.0, FTA=4.0, PTS=3.0)
    player = one_player(rates([player_season(1), non_shooter], prior_attempts=50.0), 2)

    assert player["FG3A_SHARE"] == 0.0
    assert player["FTA_RATE"] == 0.0
    # with no attempts of his own, a shooter is assumed to shoot at the league rate
    assert player["FG3_PCT"] == pytest.approx(64 / 160)
    assert player["FG2_PCT"] == pytest.approx((288 - 64) / (640 - 160))


def test_shooting_is_shrunk_toward_the_same_seasons_league_rate():
    rows = [
        player_season(1, FG3M=2.0, FG3A=3.0),  # a centre's 2-for-3 from deep
        player_season(2, FG3M=99.0, FG3A=250.0),  # a high-volume shooter
        player_season(3, season="2011-12", FG3M=10.0, FG3A=100.0),  # another season's league
    ]
    league_rate = (2 + 99) / (3 + 250)

    table = rates(rows, prior_attempts=50.0)

    centre, shooter = one_player(table, 1), one_player(table, 2)
    assert centre["FG3_PCT"] == pytest.approx((2 + 50 * league_rate) / (3 + 50))
    assert centre["FG3_PCT"] < 0.45  # not read as elite shooting
    assert shooter["FG3_PCT"] == pytest.approx((99 + 50 * league_rate) / (250 + 50))
    assert abs(shooter["FG3_PCT"] - 99 / 250) < 0.005  # volume speaks for itself


def test_fouls_drawn_count_only_in_seasons_with_a_plausible_league_rate():
    rows = [
        # 1999-00 on the real data: a few players with fouls drawn, 0.096 per FTA league-wide
        player_season(1, season="1999-00", PFD=0.0),
        player_season(2, season="1999-00", PFD=0.0),
        player_season(3, season="1999-00", PFD=50.0),
        # recorded: 0.85 per FTA league-wide, a real zero included
        player_season(4, season="2006-07", PFD=250.0),
        player_season(5, season="2006-07", PFD=240.0),
        player_season(6, season="2006-07", PFD=0.0),
        # implausibly many: 3 per FTA
        player_season(7, season="2007-08", PFD=576.0),
    ]

    table = check_fouls_drawn(rates(rows), PLAUSIBLE_PFD_PER_FTA).set_index("PLAYER_ID")

    assert table["PFD_RECORDED"].to_dict() == {1: False, 2: False, 3: False, 4: True, 5: True,
                                               6: True, 7: False}  # fmt: skip
    for column in ("PFD_PER36", "PFD_PER100"):
        assert table.loc[[1, 2, 3, 7], column].isna().all()
        assert table.loc[6, column] == 0.0  # a real zero in a season that records them
    assert table.loc[4, "PFD_PER36"] == pytest.approx(250.0 / 40)


def test_the_fouls_drawn_band_is_inclusive():
    rows = [player_season(1, PFD=0.4 * 192), player_season(2, season="2011-12", PFD=1.5 * 192)]
    table = check_fouls_drawn(rates(rows), PLAUSIBLE_PFD_PER_FTA)
    assert table["PFD_RECORDED"].all()
