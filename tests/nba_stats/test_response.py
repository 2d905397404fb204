"""Parsing and validating a ``leaguedashplayerstats`` response body."""

import json

import pytest

from nba_cluster.nba_stats.response import InvalidResponseError, parse_league_dash_response
from nba_cluster.nba_stats.synthetic import synthetic_responses


@pytest.fixture(scope="module")
def good_body() -> bytes:
    return synthetic_responses(["2010-11"])[("2010-11", "Regular Season")]


def with_table(body: bytes, edit) -> bytes:
    payload = json.loads(body)
    edit(payload["resultSets"][0])
    return json.dumps(payload).encode()


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
