"""Ingestion nodes: decide what to fetch, then fetch, validate and hand over each response."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from nba_cluster.nba_stats.client import HttpPolicy, fetch_league_dash_player_stats, use_base_url
from nba_cluster.nba_stats.response import parse_league_dash_response
from nba_cluster.nba_stats.seasons import partition_key, season_range

logger = logging.getLogger(__name__)


def plan_requests(stored_keys: set[str], ingestion: dict[str, Any]) -> list[dict[str, str]]:
    """The (season, season type) pairs to fetch: all in range, less those on disk unless refresh."""
    wanted = [
        {"season": season, "season_type": season_type}
        for season in season_range(ingestion["first_season"], ingestion["last_season"])
        for season_type in ingestion["season_types"]
    ]
    todo = [
        request
        for request in wanted
        if ingestion["refresh"] or partition_key(**request) not in stored_keys
    ]
    logger.info(
        "%d responses in range, %d already on disk, %d to fetch%s",
        len(wanted),
        len(wanted) - len(todo) if not ingestion["refresh"] else 0,
        len(todo),
        " (refresh)" if ingestion["refresh"] else "",
    )
    return todo


def fetch_raw_responses(
    requests_to_make: list[dict[str, str]], ingestion: dict[str, Any]
) -> Iterator[dict[str, bytes]]:
    """Yield ``{partition key: response body}`` one response at a time.

    Kedro saves each yielded response before the next request, so a failure later on keeps
    everything fetched so far. Every body is validated first: a bad response raises and is
    never saved over a good file. Seasons with no games yet are skipped with a log line.
    """
    use_base_url(ingestion["base_url"])
    policy = HttpPolicy(**ingestion["http"])
    total = len(requests_to_make)
    for index, request in enumerate(requests_to_make, start=1):
        if index > 1:
            time.sleep(policy.pause_seconds)  # stats.nba.com throttles bursts
        body = fetch_league_dash_player_stats(request["season"], request["season_type"], policy)
        players = parse_league_dash_response(body, request["season"], request["season_type"])
        progress = f"[{index}/{total}] {request['season']} {request['season_type']}"
        if players.empty:
            logger.info("%s: no games yet, skipped", progress)
            continue
        logger.info("%s: %d players", progress, len(players))
        yield {partition_key(**request): body}
