"""The production stack with no shared disk (docker-compose.yml + docker/compose.storage.yml),
end to end, in a real Docker engine: SeaweedFS holds every dataset and MLflow's artifacts.

The image is built from this checkout; secrets come from docker/make-secrets.sh. The pipeline
runs once against the stats.nba.com replay; then: both dashboard replicas show the new champion
within 10 s of the run's end; no named volume is mounted by two services (but the proxy's own
runtime folder, written by its one-shot: an init container's volume on a cluster); one replica
stopped, the proxy still answers 200 for 30 s; replicas recreated show the same data; a job
started while training holds the job lease waits and says so; backup -> `down -v` -> restore
brings back the bucket objects, the champion and the dashboard's data.

    pytest -m docker tests/docker/test_storage_stack.py -s
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.docker import docker_unavailable_reason
from tests.support.ports import free_ports
from tests.support.production import (
    FIRST_SEASON,
    LAST_SEASON,
    PIPELINE_PARAMS,
    PUBLIC_HOST,
    REGISTRY,
    ProductionStack,
)
from tests.support.project import PROJECT_ROOT, SHARED_NBA_STATS, shared_data_available

pytestmark = pytest.mark.docker

UP_TIMEOUT = 15 * 60
PIPELINE_TIMEOUT = 30 * 60
NEW_CHAMPION_SECONDS = 10
# The project's clock for the refresh job: the recorded 2025-26 capture is the season under way.
TODAY = "2026-02-22"
ENTRYPOINT = "/opt/nba-cluster/entrypoint.py"


DASHBOARD_REFRESH_SECONDS = 5  # the dashboard's default re-read period


@dataclass(kw_only=True)
class StorageStack(ProductionStack):
    files: tuple[str, ...] = ("docker-compose.yml", "docker/compose.storage.yml")
    champion_seconds: float | None = None

    def replicas(self) -> list[str]:
        return sorted(c["ID"] for c in self.containers() if c["Service"] == "dashboard"
                      and c["State"] == "running")  # fmt: skip

    def replica_health(self, container: str) -> dict:
        probe = (
            "import urllib.request as u; "
            "print(u.urlopen('http://127.0.0.1:8050/healthz').read().decode())"
        )
        out = self.run(["docker", "exec", container, "python", "-c", probe], timeout=60).stdout
        return json.loads(out)

    def wait_replicas(self, champion: str, timeout: float) -> list[dict]:
        """Until every running replica reports ``champion``'s labels; their health answers."""
        deadline = time.monotonic() + timeout
        while True:
            health = [self.replica_health(container) for container in self.replicas()]
            if len(health) == 2 and all(
                h["champion_version"] == champion == h["data_model_version"]
                and h["player_seasons"] > 0
                for h in health
            ):
                return health
            if time.monotonic() > deadline:
                raise AssertionError(f"replicas do not show champion {champion}: {health}")
            time.sleep(0.5)

    def settled_replicas(self, champion: str, timeout: float) -> list[dict]:
        """As ``wait_replicas``, once two reads a dashboard refresh apart agree: a job that
        just published new outputs (the refresh of the lease test) has been picked up."""
        deadline = time.monotonic() + timeout
        previous = None
        while (health := self.wait_replicas(champion, timeout)) != previous:
            assert time.monotonic() < deadline, f"replicas still changing: {health}"
            previous = health
            time.sleep(DASHBOARD_REFRESH_SECONDS + 1)
        return health

    def objects(self, service: str, url: str) -> list[str]:
        listing = f"import fsspec; print('\\n'.join(fsspec.filesystem('s3').find('{url}')))"
        return self.compose("run", "--rm", "--no-deps", "-T", service, "python", "-c",
                            listing).stdout.split()  # fmt: skip

    def in_scheduler(self, *command: str, detach: bool = False) -> str:
        """A command in the scheduler's container, through the image's entrypoint (``exec``
        skips it): the bucket's and MLflow's secrets are read from their files there."""
        return self.compose("exec", "-d" if detach else "-T", "scheduler", "python",
                            ENTRYPOINT, *command).stdout  # fmt: skip

    def scheduler_status(self) -> dict:
        out = self.in_scheduler("python", "-m", "nba_cluster.services.scheduler", "status")
        return json.loads(out[out.index("{") :])


@pytest.fixture(scope="module")
def stack() -> Iterator[StorageStack]:
    reason = docker_unavailable_reason()
    if reason:
        pytest.skip(f"needs a Docker engine with Compose v2: {reason}")
    run_id = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix="nba-storage-e2e-"))
    no_recordings = workdir / "no-recordings"
    no_recordings.mkdir()
    for folder in (workdir, no_recordings):
        folder.chmod(0o755)
    http_port, https_port = free_ports(2)
    image = f"{REGISTRY}/nba-cluster:storage-e2e-{run_id}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COMPOSE_") and k != "NBA_STATS_BASE_URL"}  # fmt: skip
    settings = {
        "REGISTRY": REGISTRY,
        "TAG": image.rsplit(":", 1)[1],
        "LOCAL_IMAGE": image,  # the replay's image
        "SECRETS_DIR": str(workdir / "secrets"),
        "PUBLIC_HOST": PUBLIC_HOST,
        "BIND_ADDRESS": "127.0.0.1",
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "NBA_STATS_DIR": str(SHARED_NBA_STATS if shared_data_available() else no_recordings),
        "REPLAY_FIRST_SEASON": FIRST_SEASON,
        "REPLAY_LAST_SEASON": LAST_SEASON,
        "NBA_CLUSTER_TODAY": TODAY,
    }
    (workdir / "storage.env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    stack = StorageStack(
        project=f"nba-storage-{run_id}",
        env_file=str(workdir / "storage.env"),
        secrets=workdir / "secrets",
        ports={"http": http_port, "https": https_port},
        env=env,
        image=image,
    )
    print(f"\ncompose project {stack.project}, ports {stack.ports}, work dir {workdir}")
    try:
        with stack.logs_on_failure():
            secrets_env = {"SECRETS_DIR": str(stack.secrets), "PUBLIC_HOST": PUBLIC_HOST}
            stack.run(["docker/make-secrets.sh"], env=env | secrets_env)
            stack.run(["docker", "build", "-q", "-t", image, str(PROJECT_ROOT)], timeout=UP_TIMEOUT)
            stack.compose("up", "--detach", "--wait", "--wait-timeout", str(UP_TIMEOUT),
                          timeout=UP_TIMEOUT + 60)  # fmt: skip
            stack.trust_proxy_certificate()
            started = time.monotonic()
            stack.compose("run", "--rm", "pipeline", "kedro", "run", "--params", PIPELINE_PARAMS,
                          replay=True, timeout=PIPELINE_TIMEOUT)  # fmt: skip
            ended = time.monotonic()
            print(f"pipeline took {ended - started:.0f} s")
            stack.wait_replicas(stack.champion_version(), timeout=120)
            stack.champion_seconds = time.monotonic() - ended
        yield stack
    finally:
        stack.remove()
        shutil.rmtree(workdir, ignore_errors=True)


def test_every_dataset_and_artifact_is_in_the_buckets(stack):
    with stack.logs_on_failure():
        data = stack.objects("pipeline", "nba-cluster/data")
        for expected in ("01_raw/leaguedashplayerstats/2019-20_regular_season.json",
                         "05_model_input/player_features.parquet",
                         "07_model_output/inference_manifest.json",
                         "08_reporting/last_run.json"):  # fmt: skip
            assert f"nba-cluster/data/{expected}" in data
        assert any("/player_archetypes.parquet/" in key for key in data)
        artifacts = stack.objects("mlflow", "nba-cluster-mlflow/artifacts")
        assert any(key.endswith("MLmodel") for key in artifacts), artifacts


def test_both_replicas_showed_the_new_champion_within_ten_seconds(stack):
    print(f"both replicas showed the champion {stack.champion_seconds:.1f} s after the run")
    assert stack.champion_seconds <= NEW_CHAMPION_SECONDS


def test_no_named_volume_is_mounted_by_two_services(stack):
    with stack.logs_on_failure():
        services_of: dict[str, set[str]] = {}
        for container in stack.containers():
            for mount in stack.inspect(container["ID"])["Mounts"]:
                if mount["Type"] == "volume":
                    services_of.setdefault(mount["Name"], set()).add(container["Service"])
        shared = {name: services for name, services in services_of.items() if len(services) > 1}
        assert services_of, "no named volume at all: the inspection found nothing to compare"
        assert shared == {}, shared


def test_the_proxy_answers_while_one_replica_is_stopped(stack):
    with stack.logs_on_failure():
        stopped = stack.replicas()[0]
        stack.run(["docker", "stop", stopped])
        try:
            answers, deadline = [], time.monotonic() + 30
            while time.monotonic() < deadline:
                answers.append(stack.request(PUBLIC_HOST, "/", stack.proxy_login())[0])
                time.sleep(0.2)
            assert set(answers) == {200}, answers
            print(f"{len(answers)} requests in 30 s with one replica stopped: all 200")
        finally:
            stack.run(["docker", "start", stopped])


def test_replicas_recreated_without_volumes_show_the_same_data(stack):
    with stack.logs_on_failure():
        champion = stack.champion_version()
        before = stack.settled_replicas(champion, timeout=120)[0]
        stack.compose("up", "--detach", "--wait", "--force-recreate", "--no-deps", "dashboard",
                      timeout=UP_TIMEOUT)  # fmt: skip
        for container in stack.replicas():
            assert not [m for m in stack.inspect(container)["Mounts"] if m["Type"] == "volume"]
        for after in stack.wait_replicas(champion, timeout=120):
            for key in ("champion_version", "player_seasons", "data_timestamp"):
                assert after[key] == before[key], key


def test_a_job_started_while_training_holds_the_lease_waits_and_says_so(stack):
    with stack.logs_on_failure():
        stack.in_scheduler("python", "-m", "nba_cluster.services.scheduler", "run", "training",
                           detach=True)  # fmt: skip
        deadline = time.monotonic() + 120
        while (stack.scheduler_status().get("running") or {}).get("job") != "training":
            assert time.monotonic() < deadline, "training never started"
            time.sleep(1)
        # Another container, as another host would: the pipeline service's.
        refresh = subprocess.Popen(
            [*stack.command((*stack.files, "docker/compose.replay.yml")), "run", "--rm", "-T",
             "-e", f"NBA_CLUSTER_TODAY={TODAY}", "pipeline",
             "python", "-m", "nba_cluster.services.scheduler", "run", "refresh"],
            cwd=PROJECT_ROOT, env=stack.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not (waiting := stack.scheduler_status().get("waiting")):
            assert refresh.poll() is None, refresh.stdout.read()
            assert time.monotonic() < deadline, "the refresh never said it waits"
            time.sleep(1)
        assert waiting["job"] == "refresh"
        assert waiting["lease_holder"]["label"] == "training"
        output, _ = refresh.communicate(timeout=PIPELINE_TIMEOUT)
        assert refresh.returncode == 0, output
        jobs = stack.scheduler_status()["jobs"]
        assert jobs["training"]["last_run"]["result"] == "succeeded"
        assert jobs["refresh"]["last_run"]["result"] == "succeeded"
        training, refresh_run = jobs["training"]["last_run"], jobs["refresh"]["last_run"]
        assert training["finished_at"] <= refresh_run["started_at"]  # never overlapped


def test_backup_then_restore_brings_back_the_bucket_objects(stack, tmp_path):
    with stack.logs_on_failure():
        champion = stack.champion_version()
        before = stack.settled_replicas(champion, timeout=120)[0]
        objects = stack.objects("pipeline", "nba-cluster/data")

        archive = Path(stack.script("backup.sh", str(tmp_path)).splitlines()[-1])
        contents = subprocess.run(["tar", "-tzf", str(archive)], capture_output=True, text=True,
                                  check=True).stdout.split()  # fmt: skip
        assert {"tracking.sql", "auth.sql", "data-objects.tar",
                "mlflow-artifact-objects.tar"} <= set(contents)  # fmt: skip

        stack.down()
        stack.script("restore.sh", str(archive), timeout=UP_TIMEOUT)
        assert stack.champion_version() == champion
        assert stack.objects("pipeline", "nba-cluster/data") == objects
        for after in stack.wait_replicas(champion, timeout=180):
            for key in ("champion_version", "player_seasons", "data_timestamp"):
                assert after[key] == before[key], key
