"""What the benchmarks on the recorded seasons share: their command line, the recorded
stats.nba.com responses and timed ``kedro run`` processes in a project copy."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._measurements import add_no_record_argument
from tests.support.project import SHARED_NBA_STATS
from tests.support.replay import RECORDED_SEASONS, recorded_league


def parse_arguments(description: str, argv: list[str] | None) -> argparse.Namespace:
    """``--shared`` and ``--no-record``; ``responses`` holds the recorded responses, or the
    command exits saying where it looked."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--shared",
        type=Path,
        default=SHARED_NBA_STATS,
        help="the recorded nba-stats folder (default: ../shared/nba-stats from the repo root)",
    )
    add_no_record_argument(parser)
    args = parser.parse_args(argv)
    try:
        args.responses = recorded_league(args.shared)
    except FileNotFoundError as error:
        parser.error(f"{error}: pass --shared pointing at the shared/nba-stats folder")
    return args


def ingestion_params(base_url: str, **extra: object) -> str:
    """``kedro run --params`` for ingesting every recorded season from ``base_url``;
    ``extra`` as dotted keys with ``__`` for the dots."""
    first, last = RECORDED_SEASONS
    params = {
        "ingestion.first_season": first,
        "ingestion.last_season": last,
        "ingestion.base_url": base_url,
        **{key.replace("__", "."): value for key, value in extra.items()},
    }
    return ",".join(f"{key}={value}" for key, value in params.items())


def timed_kedro_run(root: Path, arguments: list[str], tracking_uri: str) -> float:
    """Wall seconds of one ``kedro run`` subprocess; exits with its log tail if it fails."""
    command = [sys.executable, "-m", "kedro", "run", *arguments]
    log_path = root / f"kedro-{'-'.join(arguments).replace('/', '_')[:60]}.log"
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri}
    with log_path.open("wb") as log:
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-40:]
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n" + "\n".join(tail))
    return seconds


def train_and_label(root: Path, base_url: str, tracking_uri: str, **ingestion: object):
    """Build ``player_features`` from ``base_url`` (no pause between requests; not timed),
    then time ``kedro run`` of training and of inference: ``(training s, inference s)``.
    ``ingestion`` as for ``ingestion_params``."""
    params = ingestion_params(base_url, ingestion__http__pause_seconds=0, **ingestion)
    print("building player_features (ingestion, feature_engineering) ...", flush=True)
    timed_kedro_run(root, ["--pipelines", "ingestion,feature_engineering",
                           "--params", params], tracking_uri)  # fmt: skip
    print("kedro run --pipeline training (real MLflow server) ...", flush=True)
    training_seconds = timed_kedro_run(root, ["--pipeline", "training"], tracking_uri)
    print("kedro run --pipeline inference ...", flush=True)
    inference_seconds = timed_kedro_run(root, ["--pipeline", "inference"], tracking_uri)
    return training_seconds, inference_seconds
