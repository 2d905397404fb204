"""The stats.nba.com replay: where its responses come from and how it answers."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pandas as pd
import pytest

from nba_cluster.nba_stats.replay import (
    RECORDED_TOTALS,
    ReplayServer,
    raw_responses_in,
    recorded_responses,
)
from nba_cluster.nba_stats.response import parse_league_dash_response
from nba_cluster.nba_stats.seasons import partition_key
from tests.support.replay import replaying

SEASON = "2004-05"


def get(base_url: str, path: str = "/stats/leaguedashplayerstats", **query) -> tuple[int, bytes]:
    url = f"{base_url}{path}?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def table_of(body: bytes) -> pd.DataFrame:
    result = json.loads(body)["resultSets"][0]
    return pd.DataFrame(result["rowSet"], columns=result["headers"])


def test_raw_responses_are_read_back_by_partition_key(tmp_path, synthetic_league):
    for key in [(SEASON, "Regular Season"), (SEASON, "Playoffs")]:
        (tmp_path / f"{partition_key(*key)}.json").write_bytes(synthetic_league[key])
    (tmp_path / "notes.txt").write_text("not a response")

    responses = raw_responses_in(tmp_path)

    assert responses == {
        (SEASON, "Regular Season"): synthetic_league[(SEASON, "Regular Season")],
        (SEASON, "Playoffs"): synthetic_league[(SEASON, "Playoffs")],
    }


def test_recorded_tables_become_api_bodies_for_each_season(tmp_path, synthetic_league):
    # the recorded captures: one CSV per season type, every season's players with a SEASON column
    for season_type, relative in RECORDED_TOTALS.items():
        seasons = [("2003-04", season_type), (SEASON, season_type)]
        captured = pd.concat(
            [table_of(synthetic_league[key]).assign(SEASON=key[0]) for key in seasons]
        )
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        captured.to_csv(tmp_path / relative, index=False)

    responses = recorded_responses(tmp_path)

    assert set(responses) == {
        (season, season_type) for season in ("2003-04", SEASON) for season_type in RECORDED_TOTALS
    }
    for (season, season_type), body in responses.items():
        replayed = parse_league_dash_response(body, season, season_type)
        original = parse_league_dash_response(
            synthetic_league[(season, season_type)], season, season_type
        )
        assert replayed["PLAYER_ID"].tolist() == original["PLAYER_ID"].tolist()
        assert replayed["PTS"].tolist() == original["PTS"].tolist()


def test_no_recordings_means_no_responses(tmp_path):
    assert recorded_responses(tmp_path / "absent") == {}


def test_the_server_answers_as_the_api_and_logs_each_request(synthetic_league):
    with replaying(dict(synthetic_league)) as server:
        status, body = get(server.base_url, Season=SEASON, SeasonType="Playoffs", PerMode="Totals")
        assert (status, body) == (200, synthetic_league[(SEASON, "Playoffs")])

        # a season with no games yet: an empty table, as stats.nba.com answers
        status, body = get(
            server.base_url, Season="2030-31", SeasonType="Playoffs", PerMode="Totals"
        )
        assert status == 200
        assert parse_league_dash_response(body, "2030-31", "Playoffs").empty

        assert server.requests == [(SEASON, "Playoffs"), ("2030-31", "Playoffs")]


@pytest.mark.parametrize(
    ("path", "query", "status", "message"),
    [
        ("/stats/leaguedashteamstats", {"PerMode": "Totals"}, 404, "unknown endpoint"),
        ("/stats/leaguedashplayerstats", {"PerMode": "PerGame"}, 400, "PerMode=Totals only"),
    ],
    ids=["other-endpoint", "other-per-mode"],
)
def test_what_the_replay_does_not_serve_is_refused(synthetic_league, path, query, status, message):
    with replaying(dict(synthetic_league)) as server:
        answer = get(server.base_url, path, Season=SEASON, SeasonType="Playoffs", **query)
    assert answer[0] == status
    assert message in json.loads(answer[1])["Message"]


def test_the_live_capture_plays_the_season_in_progress_from_its_day_and_requests_are_counted(
    monkeypatch,
):
    body = b'{"resultSets": []}'  # the replay serves it as given
    live = {("2025-26", "Regular Season"): (pd.Timestamp("2026-02-22").date(), body)}
    query = {"Season": "2025-26", "SeasonType": "Regular Season", "PerMode": "Totals"}
    server = ReplayServer({}, live=live).start()
    try:
        monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-21")  # before the capture: no games
        status, early = get(server.base_url, **query)
        assert status == 200
        assert json.loads(early)["resultSets"][0]["rowSet"] == []
        monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-22")
        assert get(server.base_url, **query) == (200, body)

        status, counts = get(server.base_url, "/requests")
        assert json.loads(counts) == {"by_season": {"2025-26 Regular Season": 2}, "total": 2}
    finally:
        server.stop()
