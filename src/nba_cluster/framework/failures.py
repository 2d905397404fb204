"""Expected failures, worded as guidance: what failed, the likely cause, what to do.

A ``GuidedFailure`` is a Kedro CLI error, so ``kedro run`` (and ``python -m nba_cluster``)
prints its message and exits 1 instead of a rich traceback of several hundred lines; the
traceback, cause chain included, is printed only with ``NBA_CLUSTER_DEBUG=1``. Anything not
recognised here is a bug and keeps its full traceback.
"""

from __future__ import annotations

import errno
import os
import re
import traceback
from collections.abc import Iterator

import click
import requests
from kedro.framework.cli.utils import KedroCliError
from kedro.io import DatasetError
from kedro.validation import DataValidationError
from mlflow.exceptions import MlflowException

from nba_cluster.model_provenance import UnprovenModelError
from nba_cluster.model_registry import IncompatibleModelError, NoChampionError
from nba_cluster.nba_stats.client import StatsApiError
from nba_cluster.nba_stats.response import ImplausibleSeasonError, InvalidResponseError

DEBUG_ENV = "NBA_CLUSTER_DEBUG"

STATS_API_ADVICE = (
    "Likely cause: stats.nba.com blocks many cloud providers and CI networks (requests time "
    "out rather than being refused) and throttles bursts (HTTP 429, 403).\n"
    "What to do:\n"
    "  - run ingestion from a network it accepts, or through a proxy: "
    "NBA_API_PROXY=http://host:port\n"
    "  - fetch from a mirror: NBA_STATS_BASE_URL=https://mirror.example/stats\n"
    "  - for a demo, replay recorded data: python -m nba_cluster.nba_stats.replay --port 8765 "
    "--recorded ../shared/nba-stats (or --synthetic 2015-16:2017-18), then "
    "NBA_STATS_BASE_URL=http://127.0.0.1:8765"
)


def mlflow_advice(tracking_uri: str) -> str:
    return (
        f"Likely cause: the MLflow tracking server at {tracking_uri} is down, restarting or "
        "not reachable from here.\n"
        "What to do: start it (docker compose up -d mlflow) or point MLFLOW_TRACKING_URI at a "
        "running server, then run again; runs left open are marked FAILED at the next start."
    )


class GuidedFailure(KedroCliError):
    """An expected failure whose message says what failed and what to do."""

    def show(self, file=None) -> None:
        if os.environ.get(DEBUG_ENV, "").lower() in ("1", "true", "yes"):
            click.secho(traceback.format_exc(), fg="yellow", file=file, err=True)
        click.secho(f"Error: {self.message}", fg="red", file=file, err=True)
        click.secho(
            f"(set {DEBUG_ENV}=1 for the full traceback)", fg="bright_black", file=file, err=True
        )


def guidance_for(error: BaseException, *, stats_base_url: str, tracking_uri: str) -> str | None:
    """The guidance for an expected failure, or None for anything else (a bug)."""
    chain = list(_cause_chain(error))
    stats_error = next((link for link in chain if isinstance(link, StatsApiError)), None)
    if stats_error is not None:
        return (
            f"Fetching from stats.nba.com ({stats_base_url}) failed: "
            f"{_stats_failure(stats_error)}\n{STATS_API_ADVICE}"
        )
    if any(_is_mlflow_unreachable(link, tracking_uri) for link in chain):
        return (
            f"The MLflow tracking server {tracking_uri} stopped answering: {_first_line(error)}\n"
            + mlflow_advice(tracking_uri)
        )
    if isinstance(error, DataValidationError):
        return (
            f"{error}\nWhat to do: rebuild the input from the raw responses "
            "(kedro run --pipeline feature_engineering) and check what changed it."
        )
    if isinstance(
        error,
        NoChampionError | IncompatibleModelError | UnprovenModelError | ImplausibleSeasonError,
    ):
        return str(error)
    return _data_guidance(error, chain, stats_base_url)


def _data_guidance(
    error: BaseException, chain: list[BaseException], stats_base_url: str
) -> str | None:
    """A disk that refuses writes, an answer that is not the statistics, a damaged file."""
    disk_error = next((link for link in chain if _is_disk_refusal(link)), None)
    if disk_error is not None:
        return _disk_guidance(disk_error)
    answer_error = next((link for link in chain if isinstance(link, InvalidResponseError)), None)
    if answer_error is not None:
        return (
            f"stats.nba.com ({stats_base_url}) answered something that is not the statistics: "
            f"{answer_error}\nLikely cause: an error or block page, a cut-off answer, or a "
            "changed format. Nothing of it was saved; everything fetched before is kept.\n"
            "What to do: run again later; if it persists, look at the answer (curl the URL in "
            "the log) and point NBA_STATS_BASE_URL at a mirror or a replay."
        )
    unreadable = [link for link in chain if isinstance(link, DatasetError)]
    if unreadable and "Failed while loading data" in str(unreadable[-1]):
        return (
            f"A data file could not be read: {_first_line(error).split(':')[0]}: "
            f"{_first_line(chain[-1])}\n"
            "Likely cause: it is damaged or cut short (a full disk, an interrupted copy), or "
            "written by something else.\n"
            "What to do: run again the pipeline that writes it (conf/base/catalog.yml says "
            "which file; data/04_feature and data/05_model_input: feature_engineering, "
            "data/07_model_output: inference), or `kedro run` to rebuild everything."
        )
    return None


# A full disk, a quota, a read-only mount, a folder owned by someone else.
DISK_REFUSALS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def _is_disk_refusal(error: BaseException) -> bool:
    """A write the disk refused; a refused access counts only with a file name (a refused
    socket or process is no disk's doing)."""
    if not isinstance(error, OSError) or error.errno not in DISK_REFUSALS:
        return False
    return error.errno not in (errno.EACCES, errno.EPERM) or bool(error.filename)


def _disk_guidance(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        what = f"Writing {error.filename or 'a data file'} failed: {error.strerror}."
        advice = "free space on the disk or volume holding it (df -h; in Docker: docker system df)"
    else:
        what = f"{error.filename} cannot be written: {error.strerror}."
        advice = (
            f"make it writable by this user (uid {os.getuid()}; in Docker the data volume must "
            "not be mounted read-only, and belongs to uid 1000)"
        )
    return (
        f"{what}\nWhat to do: {advice}, then run again. Files are replaced whole, so nothing "
        "half-written is used."
    )


def _stats_failure(error: StatsApiError) -> str:
    """What went wrong, without the 40-parameter URL nba_api builds (twice)."""
    text = re.sub(r"(https?://[^\s?]+)\?\S*", r"\1?...", str(error))
    cause = error.__cause__
    if isinstance(cause, requests.Timeout):
        return f"{text.split(': ', 1)[0]}: no answer within the timeout"
    if isinstance(cause, requests.ConnectionError):
        return f"{text.split(': ', 1)[0]}: the connection failed (refused, reset or no route)"
    return text.removesuffix(".")


def _cause_chain(error: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _is_mlflow_unreachable(error: BaseException, tracking_uri: str) -> bool:
    if isinstance(error, requests.ConnectionError | requests.Timeout):
        return str(tracking_uri) in str(error.request.url if error.request else "")
    # MLflow's REST client wraps connection errors in a plain MlflowException with the URL
    return isinstance(error, MlflowException) and str(error).startswith("API request to ")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__
