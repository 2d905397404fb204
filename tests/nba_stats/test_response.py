import datetime as dt
import json

import pytest

from nba_cluster.nba_stats.client import HttpPolicy
from nba_cluster.nba_stats.response import InvalidResponseError, parse_league_dash_response
from nba_cluster.nba_stats.seasons import (
    latest_completed_season,
    parse_partition_key,
    partition_key,
    season_range,
)
from nba_cluster.nba_stats.synthetic import synthetic_responses


@pytest.fixture(scope="module")
def good_body() -> bytes:
    return synthetic_responses(["2010-11"])[("2010-11", "Regular Season")]


def with_table(body: bytes, edit) -> bytes:
    payload = json.loads(body)
    edit(payload["resultSets"][0])
    return json.dumps(payload).encode()


def test_season_range_is_inclusive_and_validated():
    assert season_range("1998-99", "2001-02") == ["1998-99", "1999-00", "2000-01", "2001-02"]
    with pytest.raises(ValueError, match="not of the form"):
        season_range("1998-2000", "2001-02")
    with pytest.raises(ValueError, match="comes before"):
        season_range("2001-02", "1998-99")
    with pytest.raises(ValueError, match="from 1996-97 on"):
        season_range("1990-91", "1998-99")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 11, 23), "2025-26"),
        (dt.date(2026, 3, 1), "2024-25"),
        (dt.date(2025, 7, 1), "2024-25"),
    ],
)
def test_latest_completed_season_waits_for_the_playoffs(today, expected):
    assert latest_completed_season(today) == expected


def test_partition_keys_round_trip():
    key = partition_key("1999-00", "Playoffs")
    assert key == "1999-00_playoffs"
    assert parse_partition_key(key) == ("1999-00", "Playoffs")
    with pytest.raises(ValueError):
        parse_partition_key("1999-00_preseason")


def test_parse_keeps_every_player_and_tags_the_season(good_body):
    table = parse_league_dash_response(good_body, "2010-11", "Regular Season")
    assert len(table) == len(json.loads(good_body)["resultSets"][0]["rowSet"])
    assert set(table["SEASON"]) == {"2010-11"}
    assert set(table["SEASON_TYPE"]) == {"Regular Season"}


def test_empty_table_is_not_an_error(good_body):
    body = with_table(good_body, lambda table: table.update(rowSet=[]))
    assert parse_league_dash_response(body, "2010-11", "Regular Season").empty


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>busy</html>", "not JSON"),
        (b'{"Message": "An error has occurred."}', "An error has occurred"),
        (
            b'{"resultSets": [{"name": "Other", "headers": [], "rowSet": []}]}',
            "no LeagueDashPlayerStats",
        ),
    ],
)
def test_unusable_bodies_are_named(body, message):
    with pytest.raises(InvalidResponseError, match=message):
        parse_league_dash_response(body, "2010-11", "Regular Season")


def test_missing_column_is_named(good_body):
    def drop_blk(table):
        index = table["headers"].index("BLK")
        table["headers"].pop(index)
        for row in table["rowSet"]:
            row.pop(index)

    with pytest.raises(InvalidResponseError, match="required columns missing: BLK"):
        parse_league_dash_response(with_table(good_body, drop_blk), "2010-11", "Regular Season")


def test_non_numeric_and_duplicate_players_are_named(good_body):
    def corrupt(table):
        table["rowSet"][0][table["headers"].index("PTS")] = "lots"
        table["rowSet"].append(list(table["rowSet"][1]))

    with pytest.raises(InvalidResponseError) as failure:
        parse_league_dash_response(with_table(good_body, corrupt), "2010-11", "Regular Season")
    assert "column PTS" in str(failure.value)
    assert "PLAYER_ID" in str(failure.value)


def test_response_for_another_season_is_rejected(good_body):
    with pytest.raises(InvalidResponseError, match="for season 2010-11"):
        parse_league_dash_response(good_body, "2011-12", "Regular Season")


def test_worst_case_bounds_retries():
    policy = HttpPolicy(
        timeout_seconds=2, max_attempts=3, backoff_initial_seconds=1, backoff_max_seconds=3
    )
    # 3 timeouts plus waits of at most 1+1 and min(2+1, 3) seconds
    assert policy.worst_case_seconds() == pytest.approx(6 + 2 + 3)
