"""The scheduler service in a real Docker engine, on the live season the replay plays.

docker-compose.local.yml with the replay override and the `live` profile; the clock set to
2026-02-22, when the recorded 2025-26 capture (to 2026-02-21) is the season in progress; a
schedule of seconds mounted as conf/local/schedules.yml. The one-shot pipeline builds 2023-24
and 2024-25 and a champion, then the scheduler refreshes: the second refresh fetches only the
season under way (the replay's request counts), player_archetypes holds 2025-26 marked partial,
the dashboard's data timestamp moves without a restart, and a scheduler killed in the middle
of a job and started again leaves no stale lock and no half-written file.

    pytest -m docker tests/docker/test_live_stack.py -s
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.compose import LOCAL_FILES, LocalStack, local_stack_env
from tests.support.docker import docker_unavailable_reason as _docker_unavailable_reason
from tests.support.ports import free_ports
from tests.support.project import PROJECT_ROOT, SHARED_NBA_STATS

pytestmark = pytest.mark.docker

TODAY = "2026-02-22"
FIRST, LAST_COMPLETED, LIVE = "2023-24", "2024-25", "2025-26"
LIVE_CAPTURE = SHARED_NBA_STATS / "swar__nba_api"
REFRESH_EVERY_SECONDS = 15
JOB_TIMEOUT = 10 * 60
# the same params a user would put in conf/local/schedules.yml for a fast, local replay
SCHEDULES = {
    "refresh": {
        "cron": f"* * * * * */{REFRESH_EVERY_SECONDS}",
        "pipelines": ["refresh"],
        "params": {
            "ingestion.first_season": FIRST,
            "ingestion.last_season": "current",
            "ingestion.current_season_max_age_hours": 0,
            "ingestion.http.pause_seconds": 0,
        },
    },
    "training": {"cron": "0 0 1 1 *", "pipelines": ["training", "inference"]},
}
QUICK_SEARCH = {  # per axis, at the low end of each axis's cluster-count range
    "offense": {
        "kmeans": {"n_clusters": [7, 8]},
        "gaussian_mixture": {"n_components": [7], "covariance_type": ["diag"]},
    },
    "defense": {
        "kmeans": {"n_clusters": [4, 5]},
        "gaussian_mixture": {"n_components": [4], "covariance_type": ["diag"]},
    },
}


class LiveStack(LocalStack):
    """The local stack with the scheduler (profile ``live``)."""

    def in_service(self, service: str, code: str) -> str:
        return self.compose("exec", "-T", service, "python", "-c", code).stdout.strip()

    def status(self) -> dict:
        command = ["python", "-m", "nba_cluster.services.scheduler", "status"]
        out = self.compose("exec", "-T", "scheduler", *command, check=False).stdout
        return json.loads(out[out.index("{") :]) if "{" in out else {}

    def replay_counts(self) -> dict[str, int]:
        code = (
            "import urllib.request as u; "
            "print(u.urlopen('http://127.0.0.1:8765/requests', timeout=10).read().decode())"
        )
        return json.loads(self.in_service("stats-replay", code))["by_season"]

    def refreshes(self) -> int:
        logs = self.compose("logs", "--no-color", "scheduler", check=False).stdout
        return logs.count("refresh: succeeded in ")

    def wait_refreshes(self, count: int) -> None:
        deadline = time.monotonic() + JOB_TIMEOUT
        while self.refreshes() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} refreshes after {JOB_TIMEOUT} s")
            time.sleep(3)

    def data_timestamp(self) -> str | None:
        status, body = self.get("dashboard", "/healthz")
        return json.loads(body).get("data_timestamp") if status == 200 else None


@pytest.fixture(scope="module")
def stack() -> Iterator[LiveStack]:
    reason = _docker_unavailable_reason()
    if reason:
        pytest.skip(f"needs a Docker engine with Compose v2: {reason}")
    if not (LIVE_CAPTURE / "leaguedashplayerstats_2025-26_Totals_RegularSeason.json").is_file():
        pytest.skip("needs the recorded 2025-26 capture in ../shared/nba-stats")
    run_id = uuid.uuid4().hex[:8]
    conf_dir = Path(tempfile.mkdtemp(prefix="nba-e2e-schedules-"))
    os.chmod(conf_dir, 0o755)
    schedules = conf_dir / "schedules.yml"
    schedules.write_text(yaml.safe_dump(SCHEDULES))
    schedules.chmod(0o644)
    # a quick search for the one-shot build: this test is about the refreshes, not training
    training = yaml.safe_load((PROJECT_ROOT / "conf/base/parameters_training.yml").read_text())
    training["training"]["pca_components"] = [None]
    for name, axis in training["training"]["axes"].items():
        axis["search_space"] = QUICK_SEARCH[name]
    training["training"]["evaluation"]["bootstraps"] = 2
    quick_training = conf_dir / "parameters_training.yml"
    quick_training.write_text(yaml.safe_dump(training))
    quick_training.chmod(0o644)

    def mounted(source: Path, target: str) -> dict:
        return {"type": "bind", "source": str(source), "target": target, "read_only": True}

    # Over conf/base, not in conf/local: with a parameters file in conf/local, Kedro 1.7 drops
    # the keys of a top-level entry (here `ingestion`) that `--params` does not name.
    override = conf_dir / "compose.e2e.yml"
    override.write_text(yaml.safe_dump({
        "services": {
            "pipeline": {"volumes": [
                mounted(quick_training, "/app/conf/base/parameters_training.yml")
            ]},
            "scheduler": {"volumes": [mounted(schedules, "/app/conf/local/schedules.yml")]},
        }
    }))  # fmt: skip
    ports = dict(zip(("mlflow", "kedro-viz", "dashboard"), free_ports(3), strict=True))
    image = f"nba-cluster:e2e-live-{run_id}"
    env = local_stack_env(image, ports) | {
        "NBA_STATS_DIR": str(SHARED_NBA_STATS),
        "REPLAY_FIRST_SEASON": FIRST,
        "REPLAY_LAST_SEASON": LAST_COMPLETED,
        "NBA_CLUSTER_TODAY": TODAY,
    }
    stack = LiveStack(
        project=f"nba-e2e-live-{run_id}",
        files=(*LOCAL_FILES, str(override)),
        profiles=("live",),
        ports=ports,
        env=env,
        image=image,
    )
    try:
        with stack.logs_on_failure():
            stack.compose("build", timeout=30 * 60)
            servers = ("mlflow", "stats-replay", "kedro-viz", "dashboard")
            stack.compose("up", "--detach", *servers, timeout=30 * 60)
            stack.wait_healthy(("mlflow", "stats-replay"), timeout=600, patient=True)
            stack.compose("up", "--detach", timeout=30 * 60)  # the pipeline, then the scheduler
            stack.wait_completed("pipeline")
        yield stack
    finally:
        stack.remove()
        shutil.rmtree(conf_dir, ignore_errors=True)


def test_two_refreshes_fetch_only_the_live_season_and_relabel_without_restart(stack):
    with stack.logs_on_failure():
        stack.wait_healthy(("dashboard",))
        stack.wait_refreshes(1)
        first_counts, first_stamp = stack.replay_counts(), stack.data_timestamp()
        stack.wait_refreshes(2)
        second_counts = stack.replay_counts()
        deadline = time.monotonic() + 90  # the dashboard re-reads its files periodically
        while stack.data_timestamp() == first_stamp and time.monotonic() < deadline:
            time.sleep(2)

        new_requests = {
            key: count - first_counts.get(key, 0)
            for key, count in second_counts.items()
            if count != first_counts.get(key, 0)
        }
        # the completed seasons came from disk; the live one was asked again (0 h max age)
        assert set(new_requests) <= {f"{LIVE} Regular Season", f"{LIVE} Playoffs"}, new_requests
        assert new_requests.get(f"{LIVE} Regular Season", 0) >= 1, new_requests
        assert second_counts[f"{FIRST} Regular Season"] == 1  # only the one-shot build asked
        assert stack.data_timestamp() > first_stamp

        summary = json.loads(stack.in_service("scheduler", (
            "import json, pandas as pd; "
            "t = pd.read_parquet('data/07_model_output/player_archetypes.parquet'); "
            f"live = t[t.SEASON == '{LIVE}']; "
            "print(json.dumps({'rows': len(live), 'partial': bool(live.SEASON_PARTIAL.all()), "
            "'through': sorted(set(live.SEASON_THROUGH)), 'seasons': sorted(set(t.SEASON))}))"
        )))  # fmt: skip
        assert summary["rows"] > 300
        assert summary["partial"]
        assert summary["through"] == ["2026-02-21"]
        assert summary["seasons"] == [FIRST, LAST_COMPLETED, LIVE]
        status = stack.status()
        assert status["jobs"]["refresh"]["last_run"]["result"] == "succeeded"
        assert status["jobs"]["refresh"]["next_run"]


def test_a_scheduler_killed_mid_job_restarts_without_stale_lock_or_half_written_file(stack):
    with stack.logs_on_failure():
        deadline = time.monotonic() + JOB_TIMEOUT
        while not (stack.status().get("running") or {}).get("job_pid"):
            assert time.monotonic() < deadline, "no job started"
            time.sleep(1)
        time.sleep(3)  # in the middle of the job
        done_before = stack.refreshes()
        stack.compose("kill", "scheduler")  # SIGKILL: no chance to clean up
        stack.compose("up", "--detach", "--no-deps", "scheduler")
        stack.wait_refreshes(done_before + 1)

        status = stack.status()
        assert status["jobs"]["refresh"]["last_run"]["result"] == "succeeded"
        check = json.loads(stack.in_service("scheduler", (
            "import json, pathlib, pandas as pd; "
            "data = pathlib.Path('data'); "
            "tmp = [str(p) for p in data.rglob('*') if p.name.endswith('.tmp')]; "
            "raw = list(data.glob('01_raw/leaguedashplayerstats/*.json')); "
            "[json.loads(p.read_bytes()) for p in raw]; "
            "rows = len(pd.read_parquet('data/07_model_output/player_archetypes.parquet')); "
            "print(json.dumps({'tmp': tmp, 'raw': len(raw), 'rows': rows}))"
        )))  # fmt: skip
        assert check["tmp"] == []
        # 2023-24, 2024-25 both types; 2025-26's regular season and its playoffs' "no games yet"
        assert check["raw"] == 6
        assert check["rows"] > 1000
        logs = stack.compose("logs", "--no-color", "scheduler", check=False).stdout
        assert "was interrupted: it runs again at its next tick" in logs
