"""The real ingestion and feature_engineering pipelines, through nba_api, against a replay."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from nba_cluster.nba_stats.seasons import season_range
from tests.support.kedro_session import run_kedro
from tests.support.project import SHARED_NBA_STATS, raw_files, shared_data_available
from tests.support.replay import (
    FAST_HTTP,
    RECORDED_SEASONS,
    fixture_params,
    recorded_league,
    replaying,
)


def features(project) -> pd.DataFrame:
    return pd.read_parquet(project / "data" / "05_model_input" / "player_features.parquet")


def test_fixture_league_end_to_end(project, replay):
    run_kedro(project, "ingestion", fixture_params(replay))
    run_kedro(project, "feature_engineering", fixture_params(replay))

    assert len(raw_files(project)) == 4 * 2
    table = features(project)
    assert not table.duplicated(["PLAYER_ID", "SEASON"]).any()
    assert sorted(table["SEASON"].unique()) == season_range("2003-04", "2006-07")
    assert table.filter(like="_Z").notna().all().all()
    # fouls drawn exist from 2005-06 only, and are never faked as zeros before
    recorded = table.groupby("SEASON")["PFD_RECORDED"].all()
    assert recorded.to_dict() == {
        "2003-04": False,
        "2004-05": False,
        "2005-06": True,
        "2006-07": True,
    }
    assert table.loc[~table["PFD_RECORDED"], "PFD_PER36"].isna().all()


def test_second_run_fetches_only_what_is_missing(project, replay):
    run_kedro(project, "ingestion", fixture_params(replay, **{"ingestion.last_season": "2004-05"}))
    assert len(replay.requests) == 4
    replay.requests.clear()
    run_kedro(project, "ingestion", fixture_params(replay))
    assert sorted(replay.requests) == [
        ("2005-06", "Playoffs"),
        ("2005-06", "Regular Season"),
        ("2006-07", "Playoffs"),
        ("2006-07", "Regular Season"),
    ]
    replay.requests.clear()
    run_kedro(project, "ingestion", fixture_params(replay, **{"ingestion.refresh": True}))
    assert len(replay.requests) == 8


def test_first_requests_failing_with_503_are_retried(project, replay):
    replay.script = [503, 503]
    run_kedro(project, "ingestion", fixture_params(replay))
    assert len(raw_files(project)) == 8


def missing_column_body(replay) -> bytes:
    body = replay.responses[("2003-04", "Regular Season")].decode()
    return body.replace('"FG3A",', '"FG3A_MISSING",', 1).encode()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (lambda replay: b'{"Message": "An error has occurred."}', "An error has occurred"),
        (lambda replay: b'{"resultSets": [', "not JSON"),
        (missing_column_body, "required columns missing: FG3A"),
        (lambda replay: "hang", "after 3 attempts"),
    ],
    ids=["api-message", "malformed-body", "missing-column", "no-answer"],
)
def test_failures_leave_raw_files_untouched(project, replay, fault, message):
    run_kedro(project, "ingestion", fixture_params(replay, **{"ingestion.last_season": "2004-05"}))
    before = raw_files(project)
    replay.script = [fault(replay)] * 3
    with pytest.raises(Exception, match=message):
        run_kedro(project, "ingestion", fixture_params(replay, **{"ingestion.refresh": True}))
    assert raw_files(project) == before


def test_cli_exits_non_zero_with_one_clear_message(project, replay):
    replay.script = ["hang"] * 3
    params = fixture_params(replay, **{"ingestion.last_season": "2003-04"})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kedro",
            "run",
            "--pipeline",
            "ingestion",
            "--params",
            ",".join(f"{key}={value}" for key, value in params.items()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    assert "Could not fetch 2003-04 Regular Season after 3 attempts" in output
    assert "no answer within the timeout" in output and "NBA_API_PROXY" in output
    assert "Traceback" not in output
    assert raw_files(project) == {}


@pytest.mark.real_data
@pytest.mark.skipif(not shared_data_available(), reason="../shared/nba-stats is not present")
def test_real_recorded_seasons_end_to_end(project):
    with replaying(recorded_league(SHARED_NBA_STATS)) as server:
        params = {
            "ingestion.first_season": RECORDED_SEASONS[0],
            "ingestion.last_season": RECORDED_SEASONS[1],
            "ingestion.base_url": server.base_url,
            **FAST_HTTP,
        }
        run_kedro(project, "ingestion", params)
        run_kedro(project, "feature_engineering", params)

    assert len(raw_files(project)) == 29 * 2
    table = features(project)
    print(f"\nplayer_features from 29 real seasons: {len(table)} player-seasons")
    assert table["SEASON"].nunique() == 29
    assert 9000 < len(table) < 14000

    regulars = table[table["MIN"] >= 1000]

    def rank(player: str, season: str, column: str) -> int:
        season_rows = regulars[regulars["SEASON"] == season]
        ranks = season_rows[column].rank(ascending=False, method="min")
        return int(ranks[season_rows["PLAYER_NAME"] == player].iloc[0])

    assert rank("Stephen Curry", "2015-16", "FG3M_PER36") == 1
    assert rank("Dwight Howard", "2009-10", "BLK_PER36") <= 3
    # fouls drawn: junk before 2005-06 (1999-00's partial record included), real after
    recorded = table.groupby("SEASON")["PFD_RECORDED"].all()
    assert list(recorded[~recorded].index) == season_range("1996-97", "2004-05")
    assert recorded[season_range("2005-06", "2024-25")].all()
    # accents survive the round trip from the API to the feature table
    assert "Nikola Jokić" in set(table["PLAYER_NAME"])
