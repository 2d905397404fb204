"""Time ingestion + feature_engineering over the 29 recorded seasons, at the default pause.

Replays the real stats.nba.com responses recorded in ``../shared/nba-stats`` on 127.0.0.1,
runs ``kedro run --pipelines ingestion,feature_engineering`` in a throwaway copy of the
project, and checks wall time and the kedro process's peak memory against the targets.

    uv run python benchmarks/ingest_features.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from nba_cluster.nba_stats.replay import ReplayServer, recorded_responses

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIRST_SEASON, LAST_SEASON = "1996-97", "2024-25"
TARGET_SECONDS = 90.0
TARGET_PEAK_MIB = 1024.0


def copy_project(root: Path) -> None:
    """The project's config without conf/local; the package itself is installed in the venv."""
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root)
    shutil.copy(PROJECT_ROOT / ".telemetry", root)
    shutil.copytree(PROJECT_ROOT / "conf", root / "conf", ignore=shutil.ignore_patterns("local"))
    (root / "conf" / "local").mkdir()
    (root / "src").mkdir()  # Kedro only checks that the source folder exists


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


def run_kedro(root: Path, base_url: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``kedro run``; exits if the run fails."""
    params = {
        "ingestion.first_season": FIRST_SEASON,
        "ingestion.last_season": LAST_SEASON,
        "ingestion.base_url": base_url,
    }  # pause_seconds stays at its default: the target is set for the polite pace
    arguments = [
        "--pipelines", "ingestion,feature_engineering",
        "--params", ",".join(f"{key}={value}" for key, value in params.items()),
    ]  # fmt: skip
    seconds = timed_kedro_run(root, arguments, f"sqlite:///{root / 'mlflow.db'}")
    # The only child this process waits for is kedro, so the children's peak is kedro's.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_bytes = peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB
    return seconds, peak_bytes / 2**20


def start_recorded_replay(description: str, argv: list[str] | None) -> ReplayServer:
    """Parse ``--shared`` and start a replay of the recorded data, or exit saying why not."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--shared",
        type=Path,
        default=PROJECT_ROOT.parent / "shared" / "nba-stats",
        help="the recorded nba-stats folder (default: ../shared/nba-stats from the repo root)",
    )
    args = parser.parse_args(argv)
    responses = recorded_responses(args.shared)
    if not responses:
        sys.exit(
            f"No recorded leaguedashplayerstats tables in {args.shared}: "
            "pass --shared pointing at the shared/nba-stats folder."
        )
    return ReplayServer(responses).start()


def main(argv: list[str] | None = None) -> int:
    server = start_recorded_replay(__doc__.split("\n\n")[0], argv)
    try:
        with tempfile.TemporaryDirectory(prefix="nba-cluster-bench-") as tmp:
            root = Path(tmp)
            copy_project(root)
            print(f"Replaying {len(server.responses)} recorded responses on {server.base_url}")
            print(f"kedro run --pipelines ingestion,feature_engineering in {root} ...", flush=True)
            seconds, peak_mib = run_kedro(root, server.base_url)
            raw_files = len(list((root / "data/01_raw/leaguedashplayerstats").glob("*.json")))
            rows = pq.read_metadata(root / "data/05_model_input/player_features.parquet").num_rows
    finally:
        server.stop()

    print(f"raw files:            {raw_files}")
    print(f"player_features rows: {rows}")
    measures = [
        ("wall time", seconds, TARGET_SECONDS, "s"),
        ("peak RSS (kedro)", peak_mib, TARGET_PEAK_MIB, "MiB"),
    ]
    for label, value, target, unit in measures:
        verdict = "PASS" if value <= target else "FAIL"
        print(f"{label + ':':22}{value:6.1f} {unit:4} (target <= {target:g} {unit}) {verdict}")
    return 0 if all(value <= target for _, value, target, _ in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
