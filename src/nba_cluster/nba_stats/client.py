"""A polite ``leaguedashplayerstats`` client through nba_api: retries, backoff, a clear error."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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

_JITTER_SECONDS = 1.0


class StatsApiError(RuntimeError):
    """A request that still failed after every retry."""


class _TransientHttpError(Exception):
    """A 5xx or 429 answer: worth another try."""


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
