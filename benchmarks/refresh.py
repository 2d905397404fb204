"""Time the daily refresh of the season under way, and measure the idle scheduler's memory.

Replays the 29 recorded seasons of ``../shared/nba-stats`` and the 2025-26 capture (the season in
progress from 2026-02-22 by the project's clock) on 127.0.0.1. In a throwaway copy of the
project it builds everything once with a small training search (not timed: that is the
one-shot build), then runs the scheduler's shipped ``refresh`` job the way the service does
(``python -m nba_cluster.services.scheduler run refresh``) on three following days, the polite pause
between requests included, and times each run. Then it starts the scheduler on the shipped
schedules and reads its resident memory while it waits for the next tick. The figures go to
docs/measurements.md (unless ``--no-record``).

    uv run python -m benchmarks.refresh [--shared PATH] [--no-record]
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from benchmarks._measurements import command_line, record
from benchmarks._recorded import parse_arguments, timed_kedro_run
from nba_cluster.datasets.names import SCHEDULER_STATUS
from nba_cluster.nba_stats.replay import ReplayServer, live_capture
from tests.support.project import copy_project
from tests.support.run_state import read_state

FIRST_DAY = dt.date(2026, 2, 22)
REFRESH_DAYS = 3
TARGET_REFRESH_SECONDS = 30.0


def small_training_search(root: Path) -> None:
    """A quick search for the untimed build, written over the throwaway copy's base file: a
    parameters file in conf/local would make Kedro 1.7 drop the ``ingestion`` keys that
    ``--params`` does not name."""
    path = root / "conf/base/parameters_training.yml"
    training = yaml.safe_load(path.read_text())
    training["training"]["pca_components"] = [None]
    for axis in training["training"]["axes"].values():
        low = axis["cluster_count_range"][0]
        axis["search_space"] = {"kmeans": {"n_clusters": [low, low + 1]}}
    training["training"]["evaluation"]["bootstraps"] = 2
    path.write_text(yaml.safe_dump(training))


def scheduler(root: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nba_cluster.services.scheduler", "--project", str(root), *args],
        **kwargs,
    )


def rss_mib(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, from /proc (MiB)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))


def idle_memory(root: Path) -> tuple[float, float]:
    """The serving scheduler's memory once it has published its next runs and sleeps."""
    process = scheduler(root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = (read_state(root, SCHEDULER_STATUS) or {}).get("scheduler", {})
            if state.get("pid") == process.pid and state.get("state") == "idle":
                break
            time.sleep(0.5)
        else:
            sys.exit("the scheduler did not reach its idle state in 60 s")
        time.sleep(2)
        return rss_mib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__.split("\n\n")[0], argv)
    live = live_capture(args.shared)
    if not live:
        sys.exit(f"No 2025-26 capture in {args.shared}: pass --shared.")
    os.environ["NBA_CLUSTER_TODAY"] = FIRST_DAY.isoformat()  # the replay and the jobs read it
    server = ReplayServer(args.responses, live=live).start()
    try:
        with tempfile.TemporaryDirectory(prefix="nba-cluster-refresh-") as tmp:
            root = copy_project(Path(tmp))
            tracking = f"sqlite:///{root / 'mlflow.db'}"
            os.environ |= {"NBA_STATS_BASE_URL": server.base_url, "MLFLOW_TRACKING_URI": tracking}
            print(f"One-shot build of 1996-97..2025-26 in {root} (not timed) ...", flush=True)
            small_training_search(root)
            build = ["--params", "ingestion.last_season=current,ingestion.http.pause_seconds=0"]
            build_seconds = timed_kedro_run(root, build, tracking)

            refresh_seconds, counts = [], []
            for offset in range(1, REFRESH_DAYS + 1):
                os.environ["NBA_CLUSTER_TODAY"] = (FIRST_DAY + dt.timedelta(offset)).isoformat()
                server.requests.clear()
                started = time.perf_counter()
                job = scheduler(root, "run", "refresh", stdout=subprocess.PIPE, text=True,
                                stderr=subprocess.STDOUT)  # fmt: skip
                output, _ = job.communicate()
                refresh_seconds.append(time.perf_counter() - started)
                if job.returncode != 0:
                    sys.exit("the refresh job failed:\n" + "\n".join(output.splitlines()[-40:]))
                counts.append(server.request_counts())
            labels = pd.read_parquet(root / "data/07_model_output/player_archetypes.parquet")
            live_rows = labels[labels["SEASON_PARTIAL"]]
            idle_rss, idle_peak = idle_memory(root)
    finally:
        server.stop()

    print(f"one-shot build:        {build_seconds:6.1f} s")
    print(f"requests per refresh:  {counts[-1]}")
    partial = (
        f"{sorted(set(live_rows['SEASON']))} through {sorted(set(live_rows['SEASON_THROUGH']))}"
    )
    print(
        f"labelled:              {len(labels)} player-seasons, {len(live_rows)} partial {partial}"
    )
    measures = [
        ("refresh wall time (median of 3)", statistics.median(refresh_seconds),
         TARGET_REFRESH_SECONDS, "s"),
        ("refresh wall time (slowest)", max(refresh_seconds), TARGET_REFRESH_SECONDS, "s"),
    ]  # fmt: skip
    reported = [
        ("scheduler idle RSS", idle_rss, "MiB"),
        ("scheduler peak RSS (its own process, jobs excluded)", idle_peak, "MiB"),
    ]
    print(
        f"machine: {os.cpu_count()} cores; each refresh: {[round(s, 1) for s in refresh_seconds]}"
    )
    print("| figure | value | target |\n| --- | --- | --- |")
    for label, value, target, unit in measures:
        verdict = "PASS" if value <= target else "FAIL"
        print(f"| {label} | {value:.1f} {unit} | <= {target:g} {unit} ({verdict}) |")
    for label, value, unit in reported:
        print(f"| {label} | {value:.1f} {unit} | none set (reported) |")
    if not args.no_record:
        rows = [
            *((label, f"{value:.1f} {unit}", f"<= {target:g} {unit}")
              for label, value, target, unit in measures),
            *((label, f"{value:.1f} {unit}", "none set") for label, value, unit in reported),
        ]  # fmt: skip
        print(f"recorded in {record('refresh', command_line('benchmarks.refresh', argv), rows)}")
    return 0 if all(value <= target for _, value, target, _ in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
