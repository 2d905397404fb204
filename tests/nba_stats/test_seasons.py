"""Seasons ("1996-97" form), the latest completed one, and partition keys of raw responses."""

import datetime as dt

import pytest

from nba_cluster.nba_stats.seasons import (
    current_season,
    latest_completed_season,
    now,
    parse_partition_key,
    partition_key,
    season_range,
    today,
)


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


# --- the project's clock and the season under way ---------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2026, 2, 22), "2025-26"),
        (dt.date(2026, 6, 30), "2025-26"),  # the finals
        (dt.date(2026, 7, 1), "2026-27"),  # off-season: the next one, no games yet
        (dt.date(2026, 12, 1), "2026-27"),
    ],
)
def test_the_current_season_turns_over_on_july_first(on, expected):
    assert current_season(on) == expected


def test_today_comes_from_nba_cluster_today_and_current_includes_the_season_under_way(
    monkeypatch,
):
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-22")
    assert today() == dt.date(2026, 2, 22)
    assert season_range("2023-24", "current") == ["2023-24", "2024-25", "2025-26"]
    assert season_range("2023-24", None) == ["2023-24", "2024-25"]
    before = now()
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-23")
    assert dt.timedelta(hours=24) <= now() - before < dt.timedelta(hours=24, seconds=5)


def test_a_malformed_nba_cluster_today_is_named(monkeypatch):
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "22/02/2026")
    with pytest.raises(ValueError, match="NBA_CLUSTER_TODAY='22/02/2026' is not an ISO date"):
        today()
