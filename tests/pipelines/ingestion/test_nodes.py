import time

import pytest

from nba_cluster.nba_stats.client import HttpPolicy, StatsApiError
from nba_cluster.nba_stats.seasons import partition_key
from nba_cluster.pipelines.ingestion.nodes import fetch_raw_responses, plan_requests
from tests.support.replay import fixture_ingestion_parameters

PARAMS = fixture_ingestion_parameters()


def test_plan_skips_what_is_on_disk():
    stored = {partition_key("2003-04", "Regular Season"), partition_key("2005-06", "Playoffs")}
    plan = plan_requests(stored, PARAMS)
    assert len(plan) == 4 * 2 - 2
    assert {"season": "2003-04", "season_type": "Regular Season"} not in plan
    assert {"season": "2003-04", "season_type": "Playoffs"} in plan


def test_refresh_plans_everything():
    stored = {partition_key("2003-04", "Regular Season")}
    assert len(plan_requests(stored, {**PARAMS, "refresh": True})) == 8


def test_fetch_yields_validated_bodies_one_by_one(replay):
    plan = [{"season": "2004-05", "season_type": "Playoffs"}]
    chunks = list(fetch_raw_responses(plan, {**PARAMS, "base_url": replay.base_url}))
    assert chunks == [{"2004-05_playoffs": replay.responses[("2004-05", "Playoffs")]}]


def test_fetch_skips_seasons_without_games(replay, caplog):
    plan = [{"season": "2030-31", "season_type": "Regular Season"}]
    with caplog.at_level("INFO"):
        assert list(fetch_raw_responses(plan, {**PARAMS, "base_url": replay.base_url})) == []
    assert "no games yet, skipped" in caplog.text


def test_503s_are_retried(replay):
    replay.script = [503, 503]
    plan = [{"season": "2003-04", "season_type": "Regular Season"}]
    chunks = list(fetch_raw_responses(plan, {**PARAMS, "base_url": replay.base_url}))
    assert len(chunks) == 1
    assert len(replay.requests) == 3


def test_a_silent_server_fails_within_the_budget(replay):
    replay.script = ["hang"] * 3
    plan = [{"season": "2003-04", "season_type": "Playoffs"}]
    started = time.monotonic()
    with pytest.raises(StatsApiError) as failure:
        list(fetch_raw_responses(plan, {**PARAMS, "base_url": replay.base_url}))
    elapsed = time.monotonic() - started
    # the budget counts waiting only; allow half a second for the client's own work
    assert elapsed <= HttpPolicy(**PARAMS["http"]).worst_case_seconds() + 0.5
    message = str(failure.value)
    assert "2003-04 Playoffs" in message
    assert "after 3 attempts" in message
    assert f"{replay.base_url}/leaguedashplayerstats?" in message


def test_client_errors_are_not_retried(replay):
    replay.script = [404]
    plan = [{"season": "2003-04", "season_type": "Playoffs"}]
    with pytest.raises(StatsApiError, match="HTTP 404"):
        list(fetch_raw_responses(plan, {**PARAMS, "base_url": replay.base_url}))
    assert len(replay.requests) == 1
