"""stats.nba.com ``leaguedashplayerstats`` through nba_api: seasons, a polite client, parsing.

Everything that knows the shape of the API lives here, so ingestion (validate before saving)
and feature engineering (parse what was saved) read a response the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
import requests
from nba_api.stats.endpoints import LeagueDashPlayerStats
from nba_api.stats.library.http import NBAStatsHTTP
from tenacity import (
    RetryError,
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://stats.nba.com/stats"
RESULT_SET = "LeagueDashPlayerStats"
FIRST_SEASON = "1996-97"
SEASON_TYPES = ("Regular Season", "Playoffs")
_SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
_JITTER_SECONDS = 1.0

IDENTITY_COLUMNS = ["PLAYER_ID", "PLAYER_NAME", "TEAM_ABBREVIATION"]
COUNT_COLUMNS = [
    "GP",
    "FGM",
    "FGA",
    "FG3M",
    "FG3A",
    "FTM",
    "FTA",
    "OREB",
    "DREB",
    "AST",
    "TOV",
    "STL",
    "BLK",
    "PF",
    "PFD",
    "PTS",
]
REQUIRED_COLUMNS = [*IDENTITY_COLUMNS, "AGE", "MIN", *COUNT_COLUMNS]


class InvalidResponseError(ValueError):
    """A response that is not a usable ``leaguedashplayerstats`` table."""


class StatsApiError(RuntimeError):
    """A request that still failed after every retry."""


class _TransientHttpError(Exception):
    """A 5xx or 429 answer: worth another try."""


# --- seasons -------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class HttpPolicy:
    """How politely and how long to ask (``ingestion.http`` parameters)."""

    timeout_seconds: float = 20.0
    max_attempts: int = 4
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 20.0
    pause_seconds: float = 0.6

    def worst_case_seconds(self) -> float:
        """Upper bound on the time one request may take, retries and jitter included."""
        waits = sum(
            min(
                self.backoff_initial_seconds * 2**attempt + _JITTER_SECONDS,
                self.backoff_max_seconds,
            )
            for attempt in range(self.max_attempts - 1)
        )
        return self.max_attempts * self.timeout_seconds + waits


def use_base_url(base_url: str) -> None:
    """Point every nba_api stats endpoint at ``{base_url}/{endpoint}`` (a mirror or a replay)."""
    NBAStatsHTTP.base_url = base_url.rstrip("/") + "/{endpoint}"


def fetch_league_dash_player_stats(season: str, season_type: str, policy: HttpPolicy) -> bytes:
    """One ``leaguedashplayerstats`` response (Base, Totals), as the server sent it.

    Timeouts, connection errors, 5xx and 429 are retried with exponential backoff and jitter;
    after the last attempt a ``StatsApiError`` names the season, season type and URL.
    """
    endpoint = LeagueDashPlayerStats(
        season=season,
        season_type_all_star=season_type,
        per_mode_detailed="Totals",
        measure_type_detailed_defense="Base",
        timeout=policy.timeout_seconds,
        get_request=False,
    )
    url = (
        requests.Request(
            "GET",
            NBAStatsHTTP.base_url.format(endpoint=endpoint.endpoint),
            params=sorted(endpoint.parameters.items()),
        )
        .prepare()
        .url
    )

    def attempt() -> bytes:
        response = NBAStatsHTTP().send_api_request(
            endpoint=endpoint.endpoint,
            parameters=endpoint.parameters,
            timeout=policy.timeout_seconds,
        )
        status = response._status_code
        if status == 429 or status >= 500:
            raise _TransientHttpError(f"HTTP {status}")
        if status != 200:
            raise StatsApiError(
                f"{season} {season_type}: the server answered HTTP {status} for {url}"
            )
        return response.get_response().encode("utf-8")

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=wait_exponential_jitter(
            multiplier=policy.backoff_initial_seconds,
            max=policy.backoff_max_seconds,
            jitter=_JITTER_SECONDS,
        ),
        retry=retry_if_exception_type(
            (requests.Timeout, requests.ConnectionError, _TransientHttpError)
        ),
        before_sleep=before_sleep_log(logger, logging.WARNING),
    )
    try:
        return retrying(attempt)
    except RetryError as exhausted:
        cause = exhausted.last_attempt.exception()
        raise StatsApiError(
            f"Could not fetch {season} {season_type} after {policy.max_attempts} attempts "
            f"({policy.timeout_seconds:g} s timeout each): {type(cause).__name__}: {cause}. "
            f"URL: {url}"
        ) from cause


# --- parsing -------------------------------------------------------------------------------

RAW_SCHEMA = pa.DataFrameSchema(
    {
        "PLAYER_ID": pa.Column(int, pa.Check.gt(0)),
        "PLAYER_NAME": pa.Column(str),
        "TEAM_ABBREVIATION": pa.Column(str, nullable=True),
        "AGE": pa.Column(float, pa.Check.in_range(15, 50), nullable=True, coerce=True),
        "MIN": pa.Column(float, pa.Check.ge(0), coerce=True),
        **{name: pa.Column(float, pa.Check.ge(0), coerce=True) for name in COUNT_COLUMNS},
    },
    unique=["PLAYER_ID"],
    report_duplicates="exclude_first",
)


def parse_league_dash_response(body: bytes, season: str, season_type: str) -> pd.DataFrame:
    """The player table of one response, with ``SEASON`` and ``SEASON_TYPE`` columns.

    Raises ``InvalidResponseError`` naming what is wrong: not JSON, an API ``Message``, no
    ``LeagueDashPlayerStats`` result set, missing columns, non-numeric values, duplicate
    players, or a response for another season than asked. An empty table is returned as is:
    a season with no games yet is not an error.
    """
    where = f"{season} {season_type}"
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidResponseError(f"{where}: the response is not JSON ({error})") from None
    if not isinstance(payload, dict):
        raise InvalidResponseError(f"{where}: the response is not a JSON object")
    result_sets = payload.get("resultSets", payload.get("resultSet"))
    if result_sets is None:
        message = payload.get("Message") or payload.get("message")
        detail = f"the API said: {message!r}" if message else "it has no resultSets"
        raise InvalidResponseError(f"{where}: not a {RESULT_SET} response, {detail}")
    if isinstance(result_sets, dict):
        result_sets = [result_sets]
    table = next((rs for rs in result_sets if rs.get("name") == RESULT_SET), None)
    if table is None:
        names = [rs.get("name") for rs in result_sets]
        raise InvalidResponseError(f"{where}: no {RESULT_SET} result set (found {names})")

    echoed_season = (payload.get("parameters") or {}).get("Season")
    if echoed_season not in (None, season):
        raise InvalidResponseError(f"{where}: the response is for season {echoed_season}")

    headers, rows = table.get("headers") or [], table.get("rowSet") or []
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        raise InvalidResponseError(f"{where}: required columns missing: {', '.join(missing)}")
    frame = pd.DataFrame(rows, columns=headers)
    if frame.empty:
        return frame.assign(SEASON=pd.Series(dtype=str), SEASON_TYPE=pd.Series(dtype=str))
    try:
        frame = RAW_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise InvalidResponseError(f"{where}: {summarize_schema_errors(errors)}") from None
    return frame.assign(SEASON=season, SEASON_TYPE=season_type)


def summarize_schema_errors(errors: pa.errors.SchemaErrors, examples: int = 3) -> str:
    """One line per failed check, naming the column and a few offending values."""
    cases = errors.failure_cases
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        values = ", ".join(repr(value) for value in group["failure_case"].head(examples))
        lines.append(f"column {column}: {check} failed for {len(group)} row(s), e.g. {values}")
    return "; ".join(lines)
