"""Seasons ("1996-97" form), the latest completed one, and partition keys of raw responses."""

import datetime as dt

import pytest

from nba_cluster.nba_stats.seasons import (
    latest_completed_season,
    parse_partition_key,
    partition_key,
    season_range,
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
