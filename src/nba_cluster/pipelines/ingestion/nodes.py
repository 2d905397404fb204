"""Ingestion nodes: decide what to fetch, then fetch, validate and hand over each response."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from typing import Any

from nba_cluster.datasets.raw_store import FetchedResponse, StoredCopy
from nba_cluster.nba_stats import seasons
from nba_cluster.nba_stats.client import HttpPolicy, fetch_league_dash_player_stats, use_base_url
from nba_cluster.nba_stats.response import (
    InvalidResponseError,
    ResponseSize,
    implausibly_small,
    parse_league_dash_response,
    response_size,
)
from nba_cluster.nba_stats.seasons import parse_partition_key, partition_key, season_range

logger = logging.getLogger(__name__)


class IngestionError(RuntimeError):
    """Responses that could not be used and left a season without any usable copy."""


def plan_requests(stored: dict[str, StoredCopy], ingestion: dict[str, Any]) -> list[dict[str, Any]]:
    """The (season, season type) pairs to fetch, each with why and the size of the copy on disk.

    Fetched: what is missing; what is unreadable, truncated or (for a completed season)
    implausibly small; the season under way once its copy is older than
    ``current_season_max_age_hours`` on the project's clock; everything with ``refresh``.
    Files that name no season are ignored with a warning.
    """
    now = seasons.now()
    for stray in sorted(key for key in stored if not _names_a_season(key)):
        logger.warning(
            "Ignoring %s in the raw folder: its name is not <season>_<season type>.json",
            stored[stray].path,
        )
    plan = []
    wanted = [
        (season, season_type)
        for season in season_range(ingestion["first_season"], ingestion["last_season"])
        for season_type in ingestion["season_types"]
    ]
    for season, season_type in wanted:
        copy = stored.get(partition_key(season, season_type))
        reason, size = _why_fetch(copy, season, season_type, ingestion=ingestion, now=now)
        if reason:
            plan.append({
                "season": season,
                "season_type": season_type,
                "reason": reason,
                "on_disk": vars(size) if size else None,
            })  # fmt: skip
    logger.info(
        "%d responses in range, %d up to date on disk, %d to fetch%s",
        len(wanted),
        len(wanted) - len(plan),
        len(plan),
        "".join(f"\n  {item['season']} {item['season_type']}: {item['reason']}" for item in plan),
    )
    return plan


def _names_a_season(key: str) -> bool:
    try:
        parse_partition_key(key)
    except ValueError:
        return False
    return True


def _why_fetch(
    copy: StoredCopy | None,
    season: str,
    season_type: str,
    *,
    ingestion: dict[str, Any],
    now: dt.datetime,
) -> tuple[str | None, ResponseSize | None]:
    if copy is None:
        return "not on disk", None
    try:
        size = response_size(copy(), season, season_type)
    except InvalidResponseError as error:
        logger.warning("%s is unreadable, fetching it again: %s", copy.path, error)
        return "unreadable on disk", None
    if in_progress(season, now.date()):
        reason = _out_of_date(copy, now, ingestion)
    else:
        implausible = implausibly_small(size, ingestion["plausible"])
        if implausible:
            logger.warning("%s looks truncated (%s), fetching it again", copy.path, implausible)
            return f"implausible on disk ({implausible})", None
        reason = None
    return reason or ("refresh" if ingestion["refresh"] else None), size


def _out_of_date(copy: StoredCopy, now: dt.datetime, ingestion: dict[str, Any]) -> str | None:
    if copy.fetched_at is None:
        return "under way, fetch time not recorded"
    age = now - copy.fetched_at
    if age >= dt.timedelta(hours=float(ingestion["current_season_max_age_hours"])):
        return f"under way, copy {age.total_seconds() / 3600:.1f} h old"
    return None


def in_progress(season: str, today: dt.date) -> bool:
    return seasons.season_start_year(season) >= seasons.season_start_year(
        seasons.current_season(today)
    )


def fetch_raw_responses(
    requests_to_make: list[dict[str, Any]], ingestion: dict[str, Any]
) -> Iterator[dict[str, FetchedResponse]]:
    """Yield ``{partition key: FetchedResponse}`` one response at a time.

    Kedro saves each yielded response before the next request, so a failure later on keeps
    everything fetched so far. Every body is validated first: an invalid response raises and is
    never saved. A valid one that is smaller than the copy on disk, or implausibly small for a
    completed season, is kept aside (rejected) and reported, never written over the copy on
    disk; if a season is left with no usable copy the run fails at the end, naming it.
    An empty answer for a season under way ("no games yet", e.g. its playoffs) is an answer:
    it is saved with its date like any other, so it is asked again only once it is older than
    ``current_season_max_age_hours``.
    """
    use_base_url(ingestion["base_url"])
    policy = HttpPolicy(**ingestion["http"])
    total = len(requests_to_make)
    unusable = []
    for index, request in enumerate(requests_to_make, start=1):
        season, season_type = request["season"], request["season_type"]
        if index > 1:
            time.sleep(policy.pause_seconds)  # stats.nba.com throttles bursts
        body = fetch_league_dash_player_stats(season, season_type, policy)
        players = parse_league_dash_response(body, season, season_type)
        progress = f"[{index}/{total}] {season} {season_type}"
        now = seasons.now()
        if players.empty and in_progress(season, now.date()):
            logger.info("%s: no games yet, recorded as of %s", progress, now.date())
            yield {partition_key(season, season_type): FetchedResponse(body, now, None)}
            continue
        size = response_size(body, season, season_type)
        rejected = _refusal(size, request, ingestion, now.date())
        if rejected:
            logger.warning("%s: %s; kept aside, not used", progress, rejected)
            if request["on_disk"] is None:
                unusable.append(f"{season} {season_type}: {rejected}")
        else:
            logger.info("%s: %s", progress, size)
        yield {partition_key(season, season_type): FetchedResponse(body, now, rejected)}
    if unusable:
        raise IngestionError(
            "No usable response for: "
            + "; ".join(unusable)
            + ". They are kept aside in the raw store's rejected folder (catalog.yml,"
            " raw_responses); run ingestion again later: stats.nba.com may have answered"
            " only in part."
        )


def _refusal(
    size: ResponseSize, request: dict[str, Any], ingestion: dict[str, Any], today: dt.date
) -> str | None:
    on_disk = ResponseSize(**request["on_disk"]) if request["on_disk"] else None
    if on_disk and size.smaller_than(on_disk):
        return (
            f"smaller than the copy on disk ({size}, {size.player_games} player-games;"
            f" on disk: {on_disk}, {on_disk.player_games} player-games)"
        )
    if not in_progress(request["season"], today):
        implausible = implausibly_small(size, ingestion["plausible"])
        if implausible:
            return f"implausibly small for a completed season ({implausible})"
    return None
