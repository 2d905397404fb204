"""The default ``kedro run`` on the recorded seasons, every dataset on the local disk vs every
dataset in an S3 bucket (KEDRO_ENV=cloud), side by side; then the dashboard on each run's
outputs (benchmarks.dashboard: first page and both callbacks, p95).

Replays the recorded stats.nba.com responses of ``../shared/nba-stats`` on 127.0.0.1 (no pause
between requests), and runs SeaweedFS from the overlay's image (``docker/seaweedfs``, built when
missing) on 127.0.0.1. Each round times one ``kedro run`` (all four pipelines, default
parameters, a SQLite MLflow of its own) in a fresh project copy writing to ``data/``, then one
in another fresh copy writing to a new bucket; the rounds alternate so that a busy moment of
the machine weighs on both. The last round's two projects then serve the dashboard under
gunicorn (2 workers x 2 threads, as the compose stacks run it). The figures go to
docs/measurements.md (unless ``--no-record``).

    uv run python -m benchmarks.storage [--shared PATH] [--rounds N] [--no-record]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import boto3

from benchmarks import dashboard as dashboard_benchmark
from benchmarks._measurements import add_no_record_argument, command_line, record
from benchmarks._recorded import ingestion_params, timed_kedro_run
from nba_cluster.nba_stats.replay import ReplayServer
from tests.support.project import PROJECT_ROOT, SHARED_NBA_STATS, copy_project
from tests.support.replay import recorded_league

SEAWEEDFS_IMAGE = "nba-cluster-seaweedfs:4.48"
TARGET_RATIO = 1.3
KEYS = {"AWS_ACCESS_KEY_ID": "benchmark", "AWS_DEFAULT_REGION": "us-east-1"}


def start_seaweedfs(folder: Path) -> tuple[str, str, str]:
    """(endpoint, secret, container id) of a SeaweedFS container published on 127.0.0.1."""
    if subprocess.run(["docker", "image", "inspect", SEAWEEDFS_IMAGE],
                      capture_output=True, check=False).returncode:  # fmt: skip
        subprocess.run(["docker", "build", "-q", "-t", SEAWEEDFS_IMAGE,
                        str(PROJECT_ROOT / "docker/seaweedfs")], check=True)  # fmt: skip
    secret = uuid.uuid4().hex
    (folder / "secret").write_text(secret)
    (folder / "secret").chmod(0o644)
    container = subprocess.run(
        ["docker", "run", "-d", "--rm", "-p", "127.0.0.1::8333",
         "-e", f"AWS_ACCESS_KEY_ID={KEYS['AWS_ACCESS_KEY_ID']}",
         "-e", "AWS_SECRET_ACCESS_KEY_FILE=/run/secrets/admin", "-e", "SEAWEEDFS_HOST=127.0.0.1",
         "-v", f"{folder / 'secret'}:/run/secrets/admin:ro", SEAWEEDFS_IMAGE],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    port = subprocess.run(["docker", "port", container, "8333/tcp"], capture_output=True,
                          text=True, check=True).stdout.split(":")[-1].strip()  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/healthz", timeout=2).close()
            return endpoint, secret, container
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextlib.contextmanager
def environment(values: dict[str, str] | None):
    saved = dict(os.environ)
    os.environ.update(values or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_once(root: Path, params: str, cloud_env: dict[str, str] | None) -> float:
    with environment(cloud_env):
        return timed_kedro_run(root, ["--params", params], f"sqlite:///{root / 'mlflow.db'}")


def dashboard_p95(root: Path, cloud_env: dict[str, str] | None, requests: int) -> dict:
    """benchmarks.dashboard's results for ``root``'s outputs, gunicorn 2x2."""
    results = root / "dashboard.json"
    tracking = {"MLFLOW_TRACKING_URI": f"sqlite:///{root}/mlflow.db"}
    arguments = ["--project", str(root), "--configs", "2x2", "--requests", str(requests),
                 "--json", str(results), "--no-record"]  # fmt: skip
    with environment({**(cloud_env or {}), **tracking}):
        dashboard_benchmark.main(arguments)
    return json.loads(results.read_text())["best"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED_NBA_STATS)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="per dashboard callback")
    add_no_record_argument(parser)
    args = parser.parse_args(argv)
    server = ReplayServer(recorded_league(args.shared)).start()
    params = ingestion_params(server.base_url, ingestion__http__pause_seconds=0)
    local, bucket = [], []
    with tempfile.TemporaryDirectory(prefix="nba-cluster-storage-") as tmp:
        endpoint, secret, container = start_seaweedfs(Path(tmp))
        client_env = {**KEYS, "AWS_ENDPOINT_URL_S3": endpoint, "AWS_SECRET_ACCESS_KEY": secret}
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=secret)  # fmt: skip
        try:
            for round_ in range(args.rounds):
                print(f"round {round_ + 1}: kedro run, local disk ...", flush=True)
                local_root = copy_project(Path(tmp) / f"local-{round_}")
                local.append(run_once(local_root, params, None))
                bucket_name = f"bench-{round_}-{uuid.uuid4().hex[:8]}"
                client.create_bucket(Bucket=bucket_name)
                cloud = {**client_env, "KEDRO_ENV": "cloud",
                         "NBA_CLUSTER_STORAGE_URL": f"s3://{bucket_name}/data"}  # fmt: skip
                print(f"round {round_ + 1}: kedro run, bucket ...", flush=True)
                bucket_root = copy_project(Path(tmp) / f"bucket-{round_}")
                bucket.append(run_once(bucket_root, params, cloud))
                print(f"  local {local[-1]:.1f} s, bucket {bucket[-1]:.1f} s", flush=True)
            print("dashboard on the local outputs ...", flush=True)
            local_dashboard = dashboard_p95(local_root, None, args.requests)
            print("dashboard on the bucket's outputs ...", flush=True)
            bucket_dashboard = dashboard_p95(bucket_root, cloud, args.requests)
        finally:
            subprocess.run(["docker", "stop", container], capture_output=True, check=False)
            server.stop()

    local_s, bucket_s = statistics.median(local), statistics.median(bucket)
    ratio = bucket_s / local_s
    print(f"\n{'kedro run (all pipelines)':28} {'local disk':>12} {'S3 bucket':>12}")
    for round_, (a, b) in enumerate(zip(local, bucket, strict=True), start=1):
        print(f"{f'round {round_}':28} {a:11.1f}s {b:11.1f}s")
    print(f"{'median':28} {local_s:11.1f}s {bucket_s:11.1f}s   ratio {ratio:.2f}x "
          f"(target <= {TARGET_RATIO}x)")  # fmt: skip
    dashboard_rows = []
    for label, key in (("first page", "first_page"), ("similar-players callback", "similar"),
                       ("map callback", "map")):  # fmt: skip
        local_ms, bucket_ms = local_dashboard[key]["p95_ms"], bucket_dashboard[key]["p95_ms"]
        print(f"{'dashboard ' + label + ' p95':28} {local_ms:10.1f}ms {bucket_ms:10.1f}ms")
        dashboard_rows.append((f"dashboard {label} p95, local / bucket (ms)",
                               f"{local_ms} / {bucket_ms}", "unchanged within noise"))  # fmt: skip
    if not args.no_record:
        page = record(
            "storage",
            command_line("benchmarks.storage", argv),
            [
                ("default kedro run, local disk, median (s)", local_s, "-"),
                ("default kedro run, SeaweedFS bucket, median (s)", bucket_s, "-"),
                ("bucket / local", ratio, f"<= {TARGET_RATIO}"),
                (
                    "each round, local / bucket (s)",
                    ", ".join(f"{a:.1f} / {b:.1f}" for a, b in zip(local, bucket, strict=True)),
                    "-",
                ),
                *dashboard_rows,
            ],
        )
        print(f"recorded in {page}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
