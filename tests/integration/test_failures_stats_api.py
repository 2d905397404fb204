"""An unreachable, blocking, throttling or silent stats.nba.com ends ingestion with guidance:
what failed, the likely cause, what to do. Everything fetched before stays as it was."""

from __future__ import annotations

import pytest

from nba_cluster.datasets.names import LAST_RUN_STATUS
from nba_cluster.framework.failures import GuidedFailure
from tests.support.kedro_session import run_kedro
from tests.support.project import raw_files
from tests.support.replay import fixture_params
from tests.support.run_state import read_state

ADVICE = ["blocks many cloud providers", "NBA_API_PROXY", "NBA_STATS_BASE_URL",
          "python -m nba_cluster.nba_stats.replay"]  # fmt: skip


@pytest.mark.parametrize(
    ("script", "what"),
    [
        (["hang"] * 3, "no answer within the timeout"),  # blocked: requests time out
        ([429] * 3, "HTTP 429"),  # throttled, every retry
        ([403], "the server answered HTTP 403"),  # refused outright
    ],
)
def test_a_failing_stats_api_ends_with_guidance_and_keeps_what_was_fetched(
    project, replay, script, what
):
    run_kedro(project, "ingestion", fixture_params(replay, **{"ingestion.last_season": "2003-04"}))
    before = raw_files(project)
    replay.script = list(script)

    with pytest.raises(GuidedFailure) as failed:
        run_kedro(project, "ingestion", fixture_params(replay, **{"ingestion.refresh": True}))

    message = failed.value.message
    assert message.startswith(f"Fetching from stats.nba.com ({replay.base_url}) failed: ")
    assert "Could not fetch 2003-04" in message or "2003-04 Regular Season" in message
    assert what in message
    for advice in ADVICE:
        assert advice in message
    assert "?College=" not in message  # the 40-parameter query string is left out
    assert raw_files(project) == before
    status = read_state(project, LAST_RUN_STATUS)
    assert status["status"] == "failed" and status["pipelines"] == ["ingestion"]


def test_an_unreachable_stats_api_says_the_connection_failed(project):
    params = fixture_params(type("Down", (), {"base_url": "http://127.0.0.1:9"})())

    with pytest.raises(GuidedFailure, match="the connection failed"):
        run_kedro(project, "ingestion", params)

    assert not (project / "data" / "01_raw").exists() or raw_files(project) == {}
