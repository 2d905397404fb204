"""Time ingestion + feature_engineering over the 29 recorded seasons, at the default pause.

Replays the real stats.nba.com responses recorded in ``../shared/nba-stats`` on 127.0.0.1,
runs ``kedro run --pipelines ingestion,feature_engineering`` in a throwaway copy of the
project, checks wall time and the kedro process's peak memory against the targets, and
records the figures in docs/measurements.md (unless ``--no-record``).

    uv run python -m benchmarks.ingest_features [--shared PATH] [--no-record]
"""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks._measurements import command_line, record
from benchmarks._recorded import ingestion_params, parse_arguments, timed_kedro_run
from tests.support.project import copy_project
from tests.support.replay import replaying

TARGET_SECONDS = 90.0
TARGET_PEAK_MIB = 1024.0


def run_kedro(root: Path, base_url: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``kedro run``; exits if the run fails."""
    # pause_seconds stays at its default: the target is set for the polite pace
    arguments = ["--pipelines", "ingestion,feature_engineering",
                 "--params", ingestion_params(base_url)]  # fmt: skip
    seconds = timed_kedro_run(root, arguments, f"sqlite:///{root / 'mlflow.db'}")
    # The only child this process waits for is kedro, so the children's peak is kedro's.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_bytes = peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB
    return seconds, peak_bytes / 2**20


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__.split("\n\n")[0], argv)
    with (
        replaying(args.responses) as server,
        tempfile.TemporaryDirectory(prefix="nba-cluster-bench-") as tmp,
    ):
        root = copy_project(Path(tmp))
        print(f"Replaying {len(server.responses)} recorded responses on {server.base_url}")
        print(f"kedro run --pipelines ingestion,feature_engineering in {root} ...", flush=True)
        seconds, peak_mib = run_kedro(root, server.base_url)
        raw_files = len(list((root / "data/01_raw/leaguedashplayerstats").glob("*.json")))
        rows = pq.read_metadata(root / "data/05_model_input/player_features.parquet").num_rows

    print(f"raw files:            {raw_files}")
    print(f"player_features rows: {rows}")
    measures = [
        ("wall time", seconds, TARGET_SECONDS, "s"),
        ("peak RSS (kedro)", peak_mib, TARGET_PEAK_MIB, "MiB"),
    ]
    for label, value, target, unit in measures:
        verdict = "PASS" if value <= target else "FAIL"
        print(f"{label + ':':22}{value:6.1f} {unit:4} (target <= {target:g} {unit}) {verdict}")
    if not args.no_record:
        figures = [("raw files", raw_files, "-"), ("player_features rows", rows, "-")]
        figures += [(label, f"{value:.1f} {unit}", f"<= {target:g} {unit}")
                    for label, value, target, unit in measures]  # fmt: skip
        page = record("ingest_features", command_line("benchmarks.ingest_features", argv), figures)
        print(f"recorded in {page}")
    return 0 if all(value <= target for _, value, target, _ in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
