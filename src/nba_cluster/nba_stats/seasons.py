"""NBA seasons as stats.nba.com names them, and the raw-response file names built from them."""

from __future__ import annotations

import datetime as dt
import re

FIRST_SEASON = "1996-97"
SEASON_TYPES = ("Regular Season", "Playoffs")
_SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def season_start_year(season: str) -> int:
    """``"1996-97"`` -> 1996, rejecting anything that is not a real season label."""
    match = _SEASON_PATTERN.match(str(season))
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"Season {season!r} is not of the form '1996-97'")
    return int(match[1])


def season_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def latest_completed_season(today: dt.date | None = None) -> str:
    """The last season whose playoffs are over (they end in June)."""
    today = today or dt.date.today()
    return season_label(today.year - 1 if today.month >= 7 else today.year - 2)


def season_range(first: str, last: str | None) -> list[str]:
    """Every season from ``first`` to ``last`` inclusive; ``last=None`` is the latest completed."""
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


# --- the client ----------------------------------------------------------------------------
