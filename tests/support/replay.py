"""stats.nba.com replays: the synthetic league the tests ingest, and the recorded real seasons."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nba_cluster.nba_stats.replay import ReplayServer, recorded_responses
from nba_cluster.nba_stats.seasons import season_range
from nba_cluster.nba_stats.synthetic import ResponseKey, synthetic_responses

FIXTURE_SEASONS = ("2003-04", "2006-07")  # spans the season fouls drawn start to be recorded
RECORDED_SEASONS = ("1996-97", "2024-25")  # what ../shared/nba-stats holds

# Fast, bounded HTTP settings for tests: a fault costs fractions of a second, not minutes.
FAST_HTTP = {
    "ingestion.http.timeout_seconds": 1.0,
    "ingestion.http.max_attempts": 3,
    "ingestion.http.backoff_initial_seconds": 0.05,
    "ingestion.http.backoff_max_seconds": 0.2,
    "ingestion.http.pause_seconds": 0.0,
}
# The synthetic league has 60 players a season (30 in the playoffs): a real season's
# plausibility floor (ingestion.plausible) would refuse it as truncated.
SYNTHETIC_PLAUSIBLE = {"ingestion.plausible.min_players": 20}


def fixture_league() -> dict[ResponseKey, bytes]:
    """The synthetic league's responses for the fixture seasons."""
    return synthetic_responses(season_range(*FIXTURE_SEASONS))


def recorded_league(shared_dir: Path) -> dict[ResponseKey, bytes]:
    """The recorded real responses in ``shared_dir``; FileNotFoundError when it has none."""
    responses = recorded_responses(shared_dir)
    if not responses:
        raise FileNotFoundError(f"No recorded leaguedashplayerstats tables in {shared_dir}")
    return responses


@contextmanager
def replaying(responses: dict[ResponseKey, bytes]) -> Iterator[ReplayServer]:
    """A replay of ``responses`` on 127.0.0.1 for the duration of a with block."""
    server = ReplayServer(responses).start()
    try:
        yield server
    finally:
        server.stop()


def fixture_ingestion_parameters(**overrides) -> dict:
    """``params:ingestion`` as a node gets it, for the fixture seasons with fast HTTP settings."""
    first, last = FIXTURE_SEASONS
    return {
        "first_season": first,
        "last_season": last,
        "season_types": ["Regular Season", "Playoffs"],
        "refresh": False,
        "current_season_max_age_hours": 20,
        "plausible": {"min_players": 20, "min_games": 10},
        "http": {key.rsplit(".", 1)[1]: value for key, value in FAST_HTTP.items()},
        **overrides,
    }


def fixture_params(server: ReplayServer, **overrides) -> dict:
    """``--params`` for ingesting the fixture seasons from ``server`` with fast HTTP settings."""
    first, last = FIXTURE_SEASONS
    return {
        "ingestion.first_season": first,
        "ingestion.last_season": last,
        "ingestion.base_url": server.base_url,
        **FAST_HTTP,
        **SYNTHETIC_PLAUSIBLE,
        **overrides,
    }


def truncated(body: bytes, players: int) -> bytes:
    """A valid response holding only the first ``players`` rows."""
    payload = json.loads(body)
    payload["resultSets"][0]["rowSet"] = payload["resultSets"][0]["rowSet"][:players]
    return json.dumps(payload).encode()
