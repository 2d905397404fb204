"""The scheduler with its status in a bucket (KEDRO_ENV=cloud, moto's S3 server on 127.0.0.1):
a job started while another host holds the job lease waits, says so in the status, and runs
once the lease is released."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import fsspec
import yaml

from nba_cluster.datasets.object_lease import ObjectLease
from tests.support.replay import fixture_params


def bucket_status(storage_url: str) -> dict:
    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    try:
        return json.loads(fs.cat_file(f"{storage_url}/08_reporting/scheduler_status.json"))
    except FileNotFoundError:
        return {}


def test_a_job_waits_for_the_lease_another_host_holds(project, replay, storage_url, monkeypatch):
    monkeypatch.setenv("KEDRO_ENV", "cloud")
    monkeypatch.setenv("NBA_CLUSTER_STORAGE_URL", storage_url)
    job = {"cron": "0 0 1 1 *", "pipelines": ["ingestion"], "params": fixture_params(replay)}
    (project / "conf" / "cloud" / "schedules.yml").write_text(yaml.safe_dump({"ingest": job}))
    training_elsewhere = ObjectLease(f"{storage_url}/08_reporting/job.lease", label="training")

    with training_elsewhere.hold(wait=False) as held:
        assert held
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "nba_cluster.services.scheduler", "--project", str(project),
             "run", "ingest"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not bucket_status(storage_url).get("waiting"):
            assert scheduler.poll() is None, scheduler.stdout.read()
            assert time.monotonic() < deadline, "the job never said it waits"
            time.sleep(0.5)
        waiting = bucket_status(storage_url)["waiting"]
        assert waiting["job"] == "ingest"
        assert waiting["lease_holder"]["label"] == "training"
        assert replay.requests == []  # nothing ran meanwhile
        time.sleep(3)
        assert scheduler.poll() is None

    output, _ = scheduler.communicate(timeout=300)
    assert scheduler.returncode == 0, output
    assert "waiting for the job lease" in output
    status = bucket_status(storage_url)
    assert status["waiting"] is None
    assert status["jobs"]["ingest"]["last_run"]["result"] == "succeeded"
    assert replay.requests
    assert ObjectLease(f"{storage_url}/08_reporting/job.lease").holder() is None  # released
