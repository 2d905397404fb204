"""The image and the compose stack, end to end, in a real Docker engine.

Builds the image, brings up docker-compose.local.yml with the stats.nba.com replay override
(docker/compose.replay.yml), waits for every healthcheck and for the one-shot pipeline, then
checks through HTTP what a user would see: MLflow's experiment, runs and champion, Kedro-Viz's
pipelines, the dashboard. Then: re-running a pipeline in the container, MLflow reachable from
another container, nobody runs as root, and `down` + `up` keeps runs and champion.

The replay serves the recorded real responses in ../shared/nba-stats when present, a synthetic
league otherwise (seasons 2015-16..2019-20 either way). Compose logs are printed when something
fails; the stack and its volumes are always removed at the end (`down -v`).

    pytest -m docker tests/docker/test_local_stack.py -s   # needs an engine and Compose v2
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator

import pytest

from nba_cluster.model_registry import MODEL_NAME
from nba_cluster.nba_stats.seasons import season_range
from nba_cluster.nba_stats.synthetic import synthetic_responses
from tests.support.compose import LocalStack, local_stack_env
from tests.support.docker import docker_unavailable_reason as _docker_unavailable_reason
from tests.support.ports import free_ports
from tests.support.project import SHARED_NBA_STATS

pytestmark = pytest.mark.docker

RECORDED_REGULAR_SEASON = (
    "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/regular_raw.csv"
)
FIRST_SEASON, LAST_SEASON = "2015-16", "2019-20"

PIPELINES = {"ingestion", "feature_engineering", "training", "inference"}
LONG_RUNNING = ("mlflow", "kedro-viz", "dashboard", "stats-replay")
# The fixture waits for these; the dashboard is awaited by the tests that use it, so a broken
# dashboard fails those tests and not every check of the stack.
CORE = ("mlflow", "kedro-viz", "stats-replay")

BUILD_TIMEOUT = 30 * 60
DASHBOARD_REFRESH_TIMEOUT = 90


def _model_families(runs: list[dict]) -> set[str]:
    return {
        param["value"]
        for run in runs
        for param in run.get("data", {}).get("params", [])
        if param["key"] == "model_family"
    }


def _replay_player_names(recorded: bool) -> set[str]:
    """Names the replay serves for the tested seasons: the players the dashboard can show."""
    seasons = list(season_range(FIRST_SEASON, LAST_SEASON))
    if recorded:
        with (SHARED_NBA_STATS / RECORDED_REGULAR_SEASON).open(encoding="utf-8") as file:
            return {row["PLAYER_NAME"] for row in csv.DictReader(file) if row["SEASON"] in seasons}
    names = set()
    for body in synthetic_responses(seasons).values():
        table = json.loads(body)["resultSets"][0]
        index = table["headers"].index("PLAYER_NAME")
        names |= {row[index] for row in table["rowSet"]}
    return names


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    reason = _docker_unavailable_reason()
    if reason:
        pytest.skip(f"needs a Docker engine with Compose v2: {reason}")

    run_id = uuid.uuid4().hex[:8]
    recorded = (SHARED_NBA_STATS / RECORDED_REGULAR_SEASON).is_file()
    empty_dir = tempfile.mkdtemp(prefix="nba-e2e-no-recordings-")
    os.chmod(empty_dir, 0o755)  # mkdtemp's 0700 would shut out the replay's non-root user
    ports = dict(zip(("mlflow", "kedro-viz", "dashboard"), free_ports(3), strict=True))
    image = f"nba-cluster:e2e-{run_id}"
    env = local_stack_env(image, ports) | {
        "NBA_STATS_DIR": str(SHARED_NBA_STATS if recorded else empty_dir),
        "REPLAY_FIRST_SEASON": FIRST_SEASON,
        "REPLAY_LAST_SEASON": LAST_SEASON,
    }
    stack = LocalStack(project=f"nba-e2e-{run_id}", ports=ports, env=env, image=image)
    stack.player_names = _replay_player_names(recorded)
    source = "recorded" if recorded else "synthetic"
    print(f"\ncompose project {stack.project}, ports {ports}, replay: {source} data")
    try:
        with stack.logs_on_failure():
            stack.compose("build", timeout=BUILD_TIMEOUT)
            stack.compose("up", "--detach", timeout=BUILD_TIMEOUT)
            stack.wait_healthy(CORE)
            stack.wait_completed("pipeline")
        yield stack
    finally:
        stack.remove()
        shutil.rmtree(empty_dir, ignore_errors=True)


def test_mlflow_has_experiment_model_families_and_champion(stack):
    with stack.logs_on_failure():
        runs = stack.runs()
        families = _model_families(runs)
        assert len(families) >= 4, f"model families among {len(runs)} runs: {families}"
        champion = stack.champion()
        assert champion["name"] == MODEL_NAME
        assert "champion" in champion.get("aliases", [])


def test_mlflow_api_is_reachable_from_other_containers(stack):
    """Not just /health (exempt from MLflow's Host check): the REST API, as mlflow:5000."""
    probe = (
        "import json, urllib.request as u; "
        "print(json.load(u.urlopen('http://mlflow:5000/api/2.0/mlflow/registered-models/alias"
        f"?name={MODEL_NAME}&alias=champion', timeout=10))['model_version']['version'])"
    )
    with stack.logs_on_failure():
        version = stack.champion()["version"]
        in_kedro_viz = stack.compose("exec", "-T", "kedro-viz", "python", "-c", probe)
        assert in_kedro_viz.stdout.strip() == version
        in_pipeline = stack.compose("run", "--rm", "--no-deps", "pipeline", "python", "-c", probe)
        assert in_pipeline.stdout.strip().splitlines()[-1] == version


def test_kedro_viz_lists_the_pipelines(stack):
    with stack.logs_on_failure():
        status, body = stack.get("kedro-viz", "/api/main")
        assert status == 200, body[:500]
        listed = {pipeline["id"] for pipeline in json.loads(body)["pipelines"]}
        assert listed >= PIPELINES, listed


def test_dashboard_reports_the_champion_and_names_players(stack):
    with stack.logs_on_failure():
        stack.wait_healthy(("dashboard",))
        champion_version = stack.champion()["version"]
        # The dashboard started before training ended and re-reads its sources periodically:
        # give it a moment to pick up the new champion and the inference outputs.
        deadline = time.monotonic() + DASHBOARD_REFRESH_TIMEOUT
        while True:
            status, health = stack.get("dashboard", "/healthz")
            page = "".join(stack.get("dashboard", path)[1] for path in ("/", "/_dash-layout"))
            named = {name for name in stack.player_names if name in page}
            reports_champion = (
                status == 200 and "champion" in health.lower() and champion_version in health
            )
            if (reports_champion and len(named) >= 3) or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert status == 200, health[:500]
        assert "champion" in health.lower(), health[:500]
        assert champion_version in health, f"champion v{champion_version} not in {health[:500]}"
        assert len(named) >= 3, f"the dashboard names {len(named)} of the replayed players"


def test_a_single_pipeline_reruns_in_the_container(stack):
    with stack.logs_on_failure():
        stack.compose(
            "run", "--rm", "pipeline", "kedro", "run", "--pipeline", "inference", timeout=1200
        )


def test_no_container_runs_as_root(stack):
    with stack.logs_on_failure():
        for service in (*LONG_RUNNING, "pipeline"):
            for container in stack.containers(service):
                user = stack.inspect(container["ID"])["Config"]["User"]
                assert user.split(":")[0] not in ("", "0", "root"), f"{service}: user {user!r}"
        # The uid processes really get: in the running servers, and in a fresh container of the
        # one-shot pipeline and of the dashboard (whose own process may not be up).
        for service in CORE:
            uid = stack.compose("exec", "-T", service, "id", "-u").stdout.strip()
            assert uid != "0", service
        for service in ("pipeline", "dashboard"):
            result = stack.compose("run", "--rm", "--no-deps", service, "id", "-u")
            assert result.stdout.strip().splitlines()[-1] != "0", service


def test_down_and_up_keep_runs_and_champion(stack):
    """Named volumes: runs and registry survive `down` (without -v) and a new `up`."""
    with stack.logs_on_failure():
        runs_before = {run["info"]["run_id"] for run in stack.runs()}
        champion_before = stack.champion()["version"]

        stack.compose("down", "--timeout", "20")
        # Only the servers: a new pipeline run would create runs of its own.
        stack.compose("up", "--detach", "mlflow", "kedro-viz", "dashboard")
        stack.wait_healthy(("mlflow", "kedro-viz"))

        runs_after = {run["info"]["run_id"] for run in stack.runs()}
        assert runs_after == runs_before
        assert stack.champion()["version"] == champion_before
