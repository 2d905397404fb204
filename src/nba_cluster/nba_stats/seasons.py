"""NBA seasons as stats.nba.com names them, the project's clock, and the raw-response file names
built from them."""

from __future__ import annotations

import datetime as dt
import os
import re

FIRST_SEASON = "1996-97"
SEASON_TYPES = ("Regular Season", "Playoffs")
CURRENT = "current"  # ingestion.last_season: the season under way included
TODAY_VARIABLE = "NBA_CLUSTER_TODAY"
_SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
_SEASON_ENDS = (7, 1)  # a season's playoffs are over by July 1st


def today() -> dt.date:
    """The project's "today": ``NBA_CLUSTER_TODAY`` (an ISO date) when set, else the system clock.

    Tests and the replay set it to say which season is under way and how old a raw copy is.
    """
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"{TODAY_VARIABLE}={value!r} is not an ISO date such as 2026-02-22"
        raise ValueError(message) from None


def now() -> dt.datetime:
    """The project's clock (UTC): ``today()`` at the system's time of day, so moving
    ``NBA_CLUSTER_TODAY`` forward one day makes every recorded time one day older."""
    wall = dt.datetime.now(dt.UTC)
    return dt.datetime.combine(today(), wall.timetz())


def season_start_year(season: str) -> int:
    """``"1996-97"`` -> 1996, rejecting anything that is not a real season label."""
    match = _SEASON_PATTERN.match(str(season))
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"Season {season!r} is not of the form '1996-97'")
    return int(match[1])


def season_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def current_season(on: dt.date | None = None) -> str:
    """The season under way (or, from July to its October start, about to begin)."""
    on = on or today()
    return season_label(on.year if (on.month, on.day) >= _SEASON_ENDS else on.year - 1)


def latest_completed_season(on: dt.date | None = None) -> str:
    """The last season whose playoffs are over (they end in June)."""
    return season_label(season_start_year(current_season(on)) - 1)


def season_end(season: str) -> dt.date:
    """The day by which a season, playoffs included, is over."""
    return dt.date(season_start_year(season) + 1, *_SEASON_ENDS)


def season_range(first: str, last: str | None) -> list[str]:
    """Every season from ``first`` to ``last`` inclusive; ``last=None`` is the latest completed
    season, ``last="current"`` the season under way."""
    if last == CURRENT:
        last = current_season()
    start, end = season_start_year(first), season_start_year(last or latest_completed_season())
    if start < season_start_year(FIRST_SEASON):
        raise ValueError(f"The endpoint serves seasons from {FIRST_SEASON} on, not {first}")
    if end < start:
        raise ValueError(f"last_season {last} comes before first_season {first}")
    return [season_label(year) for year in range(start, end + 1)]


def partition_key(season: str, season_type: str) -> str:
    """File name stem of one raw response: ``"1996-97_regular_season"``."""
    if season_type not in SEASON_TYPES:
        raise ValueError(f"Season type {season_type!r} is not one of {SEASON_TYPES}")
    return f"{season}_{season_type.lower().replace(' ', '_')}"


def parse_partition_key(key: str) -> tuple[str, str]:
    season = key.split("_", 1)[0]
    season_start_year(season)
    for season_type in SEASON_TYPES:
        if partition_key(season, season_type) == key:
            return season, season_type
    raise ValueError(f"{key!r} does not name a season and season type")
