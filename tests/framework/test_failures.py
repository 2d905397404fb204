"""Guidance, not tracebacks, for the failures an operator meets: an unknown pipeline name, an
unreadable data file, a malformed answer from stats.nba.com, a full or read-only disk, a first
season after the latest one. Real files, real mounts, a real replay server and the real CLI."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest

from nba_cluster.framework.failures import GuidedFailure
from tests.support.kedro_session import run_kedro
from tests.support.replay import fixture_params


@contextlib.contextmanager
def mounted(target: Path, *options: str) -> Path:
    """``target`` as a fresh mount (``mount`` options), unmounted afterwards; the test is
    skipped where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", *options, str(target)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "--lazy", str(target)], check=True)


def test_an_unknown_pipeline_lists_the_valid_names_in_a_few_lines(project):
    result = subprocess.run(
        [sys.executable, "-m", "nba_cluster", "--pipelines", "trainng"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "There is no pipeline named 'trainng'" in result.stderr
    assert "feature_engineering, inference, ingestion, refresh, training" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 6


def test_an_unreadable_parquet_file_says_which_and_how_to_rebuild_it(project):
    features = project / "data" / "05_model_input" / "player_features.parquet"
    features.parent.mkdir(parents=True, exist_ok=True)
    features.write_bytes(b"PAR1 half a file")

    with pytest.raises(GuidedFailure) as failed:
        run_kedro(project, "training")

    assert failed.value.message.startswith("A data file could not be read: ")
    assert "player_features.parquet" in failed.value.message
    assert "feature_engineering" in failed.value.message


@pytest.mark.parametrize(
    "answer", [b"<html>Access Denied</html>", b'{"resultSets": [{"name": 1}]}']
)
def test_a_malformed_answer_from_the_stats_api_is_explained(project, replay, answer):
    replay.responses[("2003-04", "Regular Season")] = answer

    with pytest.raises(GuidedFailure) as failed:
        run_kedro(project, "ingestion", fixture_params(replay))

    message = failed.value.message
    assert message.startswith(f"stats.nba.com ({replay.base_url}) answered something that is not")
    assert "2003-04 Regular Season" in message and "run again later" in message


def test_a_full_disk_says_so(project, replay):
    with mounted(project / "data" / "01_raw", "-t", "tmpfs", "-o", "size=16k", "tmpfs"):
        with pytest.raises(GuidedFailure) as failed:
            run_kedro(project, "ingestion", fixture_params(replay))

    assert "No space left on device" in failed.value.message
    assert "free space" in failed.value.message


def test_a_read_only_disk_says_so(project, replay):
    raw = project / "data" / "01_raw"
    raw.mkdir(parents=True)
    with mounted(raw, "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"):
        with pytest.raises(GuidedFailure) as failed:
            run_kedro(project, "ingestion", fixture_params(replay))

    assert "Read-only file system" in failed.value.message
    assert str(raw) in failed.value.message and "writable" in failed.value.message


@pytest.mark.parametrize(
    ("last_season", "latest"), [(None, "the latest completed season"), ("current", "under way")]
)
def test_a_first_season_after_the_latest_one_is_refused_at_start(
    project, replay, monkeypatch, last_season, latest
):
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-22")
    params = fixture_params(
        replay, **{"ingestion.first_season": "2030-31", "ingestion.last_season": last_season}
    )

    with pytest.raises(GuidedFailure) as failed:
        run_kedro(project, "ingestion", params)

    assert "first_season 2030-31 is after" in failed.value.message
    assert latest in failed.value.message
    assert replay.requests == []
