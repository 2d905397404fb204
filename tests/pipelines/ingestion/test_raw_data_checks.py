"""Raw data a careless hand or a bad answer left behind, through `kedro run` as a user types
it: exit status, message, and nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.project import raw_files
from tests.support.replay import fixture_params

RAW = "data/01_raw/leaguedashplayerstats"


def kedro(pipeline: str, params: dict) -> subprocess.CompletedProcess:
    pairs = ",".join(f"{key}={value}" for key, value in params.items())
    command = [sys.executable, "-m", "kedro", "run", "--pipeline", pipeline, "--params", pairs]
    # a wide console: rich would otherwise wrap each message into a column beside its source
    env = {**os.environ, "COLUMNS": "400"}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env=env
    )
    result.output = " ".join((result.stdout + result.stderr).split())
    return result


def said(result: subprocess.CompletedProcess, text: str) -> bool:
    """``text`` in the output, whatever the log's line wrapping did to its spaces."""
    return "".join(text.split()) in "".join(result.output.split())


def three_players(body: bytes) -> bytes:
    payload = json.loads(body)
    payload["resultSets"][0]["rowSet"] = payload["resultSets"][0]["rowSet"][:3]
    return json.dumps(payload).encode()


def test_a_three_player_season_is_refused_and_the_run_fails_naming_it(project, replay):
    replay.responses[("2004-05", "Regular Season")] = three_players(
        replay.responses[("2004-05", "Regular Season")]
    )
    result = kedro("ingestion", fixture_params(replay, **{"ingestion.last_season": "2004-05"}))

    assert result.returncode != 0
    assert said(
        result,
        "IngestionError: No usable response for: 2004-05 Regular Season: implausibly small for "
        "a completed season (3 players, a completed season has at least 20)",
    )
    assert sorted(raw_files(project)) == [
        "2003-04_playoffs.json", "2003-04_regular_season.json", "2004-05_playoffs.json",
    ]  # fmt: skip
    (refused,) = (project / f"{RAW}_rejected").iterdir()
    assert refused.name.startswith("2004-05_regular_season@")
    assert refused.read_bytes() == replay.responses[("2004-05", "Regular Season")]


def test_a_truncated_file_is_fetched_again_and_a_stray_file_ignored(project, replay):
    params = fixture_params(replay, **{"ingestion.last_season": "2004-05"})
    assert kedro("ingestion", params).returncode == 0
    truncated = project / RAW / "2003-04_playoffs.json"
    truncated.write_bytes(truncated.read_bytes()[:2000])  # a copy cut short
    stray = project / RAW / "2003-04_regular_season.bak.json"
    stray.write_bytes(b"a backup someone made")
    replay.requests.clear()

    fetched = kedro("ingestion", params)
    assert fetched.returncode == 0, fetched.output[-2000:]
    assert replay.requests == [("2003-04", "Playoffs")]
    assert truncated.read_bytes() == replay.responses[("2003-04", "Playoffs")]
    assert said(fetched, f"{truncated} is unreadable, fetching it again")
    assert said(fetched, f"Ignoring {stray} in the raw folder")

    features = kedro("feature_engineering", params)
    assert features.returncode == 0, features.output[-2000:]
    assert said(
        features,
        "Ignoring raw file '2003-04_regular_season.bak': its name is not <season>_<season type>",
    )
    assert stray.read_bytes() == b"a backup someone made"  # ignored, never deleted
    assert (project / "data/05_model_input/player_features.parquet").is_file()
