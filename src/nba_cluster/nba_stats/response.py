"""The ``leaguedashplayerstats`` response format: reading a body (validated) and writing one.

Everything that knows the shape of the API lives here, so ingestion (validate before saving),
feature engineering (parse what was saved) and the replay (serve tables) agree on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

RESULT_SET = "LeagueDashPlayerStats"

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


class ImplausibleSeasonError(ValueError):
    """Stored responses of completed seasons too small to be whole seasons."""


BASE_HEADERS = [
    "PLAYER_ID",
    "PLAYER_NAME",
    "NICKNAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "AGE",
    "GP",
    "W",
    "L",
    "W_PCT",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "TOV",
    "STL",
    "BLK",
    "BLKA",
    "PF",
    "PFD",
    "PTS",
    "PLUS_MINUS",
    "TEAM_COUNT",
]


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


@dataclass(frozen=True)
class ResponseSize:
    """How much of a season a response holds: players, and games (the most any player played,
    and all players' games summed). Within a season none of them ever goes down."""

    players: int
    games: int
    player_games: int

    def smaller_than(self, other: ResponseSize) -> bool:
        return self.players < other.players or self.player_games < other.player_games

    def __str__(self) -> str:
        return f"{self.players} players, up to {self.games} games"


def implausibly_small(size: ResponseSize, plausible: dict[str, int]) -> str | None:
    """Why a completed season's response is too small to be the whole season, if it is
    (``plausible``: ``min_players`` and ``min_games``, ingestion's ``plausible`` parameters).
    The one home of the rule: ingestion refuses such an answer, feature engineering refuses
    such a file, however it got on disk."""
    if size.players < plausible["min_players"]:
        return f"{size.players} players, a completed season has at least {plausible['min_players']}"
    if size.games < plausible["min_games"]:
        return f"at most {size.games} games a player, expected {plausible['min_games']} or more"
    return None


def parse_league_dash_response(body: bytes, season: str, season_type: str) -> pd.DataFrame:
    """The player table of one response, with ``SEASON`` and ``SEASON_TYPE`` columns.

    Raises ``InvalidResponseError`` naming what is wrong: not JSON, an API ``Message``, no
    ``LeagueDashPlayerStats`` result set, missing columns, non-numeric values, duplicate
    players, or a response for another season than asked. An empty table is returned as is:
    a season with no games yet is not an error.
    """
    where = f"{season} {season_type}"
    headers, rows = _player_rows(body, season, where)
    frame = pd.DataFrame(rows, columns=headers)
    if frame.empty:
        return frame.assign(SEASON=pd.Series(dtype=str), SEASON_TYPE=pd.Series(dtype=str))
    try:
        frame = RAW_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise InvalidResponseError(f"{where}: {summarize_schema_errors(errors)}") from None
    return frame.assign(SEASON=season, SEASON_TYPE=season_type)


def response_size(body: bytes, season: str, season_type: str) -> ResponseSize:
    """Players and games in a response, reading only its structure (cheap enough to check every
    stored file on each run); ``InvalidResponseError`` when it is unreadable or truncated."""
    headers, rows = _player_rows(body, season, f"{season} {season_type}")
    gp = headers.index("GP")
    games = [int(row[gp] or 0) for row in rows]
    return ResponseSize(players=len(rows), games=max(games, default=0), player_games=sum(games))


def _player_rows(body: bytes, season: str, where: str) -> tuple[list[str], list[list]]:
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
    return headers, rows


def summarize_schema_errors(errors: pa.errors.SchemaErrors, examples: int = 3) -> str:
    """One line per failed check, naming the column and a few offending values."""
    cases = errors.failure_cases
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        values = ", ".join(repr(value) for value in group["failure_case"].head(examples))
        lines.append(f"column {column}: {check} failed for {len(group)} row(s), e.g. {values}")
    return "; ".join(lines)


def response_body(season: str, season_type: str, table: pd.DataFrame) -> bytes:
    """A body shaped like stats.nba.com's, for one table of players (headers in its order)."""
    rows = [
        [None if _is_missing(value) else _plain(value) for value in row]
        for row in table.itertuples(index=False)
    ]
    payload = {
        "resource": "leaguedashplayerstats",
        "parameters": {
            "MeasureType": "Base",
            "PerMode": "Totals",
            "Season": season,
            "SeasonType": season_type,
        },
        "resultSets": [{"name": RESULT_SET, "headers": list(table.columns), "rowSet": rows}],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
