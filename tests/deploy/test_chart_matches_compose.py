"""The chart starts what the compose files start: the same image, commands, environment
variable names and health endpoints, read from both sides (so neither can drift alone)."""

from __future__ import annotations

import pytest

from tests.deploy import compose
from tests.deploy.chart import CHART, component, pod_spec, render

# Names the chart adds for shared storage (issue 19, docs/storage.md), which a compose stack
# on one disk does not need.
STORAGE_CONTRACT = {
    "KEDRO_ENV",
    "NBA_CLUSTER_STORAGE_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}
# Every optional value set, so every variable the chart can set is rendered.
EVERYTHING_SET = (
    "--set",
    "pipelineJob.enabled=true",
    "--set",
    "nbaStats.baseUrl=http://replay:8765/stats",
    "--set",
    "nbaStats.proxy=http://proxy:3128",
    "--set",
    "today=2026-01-15",
    "--set",
    "storage.endpointUrl=http://seaweedfs:8333",
)


@pytest.fixture(scope="module")
def objects():
    return render("values.yaml", *EVERYTHING_SET)


def _container(objects, kind, name):
    (container,) = pod_spec(component(objects, kind, name))["containers"]
    return container


# (compose service, chart kind, chart component, what the chart appends to the command)
ROLES = [
    ("dashboard", "Deployment", "dashboard", []),
    ("kedro-viz", "Deployment", "kedro-viz", []),
    ("pipeline", "Job", "pipeline", []),
    ("scheduler", "CronJob", "refresh", ["run", "refresh"]),
    ("scheduler", "CronJob", "training", ["run", "training"]),
]


@pytest.mark.parametrize(("service", "kind", "name", "appended"), ROLES)
def test_same_command(objects, service, kind, name, appended):
    assert _container(objects, kind, name)["command"] == compose.role(service).command + appended


@pytest.mark.parametrize(("service", "kind", "name", "appended"), ROLES)
def test_same_environment_names(objects, service, kind, name, appended):
    chart_names = {var["name"] for var in _container(objects, kind, name)["env"]}
    # Everything the compose service sets, the chart sets too ...
    assert compose.role(service).env_names <= chart_names
    # ... and the chart invents no name: each is a compose name or the storage contract's.
    assert chart_names - compose.all_env_names() <= STORAGE_CONTRACT


@pytest.mark.parametrize("name", ["dashboard", "kedro-viz"])
def test_same_health_endpoint(objects, name):
    port, path = compose.role(name).health
    container = _container(objects, "Deployment", name)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        request = container[probe]["httpGet"]
        assert (ports[request["port"]], request["path"]) == (port, path), probe


def test_same_image(objects):
    """The compose roles run <REGISTRY>/nba-cluster:<TAG>; every pod of the chart runs one
    image of that name."""
    names = {
        compose.interpolate(compose.role(s).image).rsplit("/", 1)[-1].split(":")[0]
        for s, *_ in ROLES
    }
    images = {c["image"] for obj in objects if pod_spec(obj) for c in pod_spec(obj)["containers"]}
    assert names == {"nba-cluster"}
    assert len(images) == 1
    assert images.pop().rsplit("/", 1)[-1].split(":")[0] == "nba-cluster"


def test_the_mlflow_users_hook_runs_the_compose_setup_script(objects):
    """The compose mlflow-setup runs `mlflow db upgrade && python <script>`; on a cluster the
    MLflow release's migration Job does the upgrade and this hook runs the same script."""
    setup = compose.role("mlflow-setup")
    script_command = setup.command[-1].split("&&")[-1].split()
    container = _container(objects, "Job", "mlflow-setup")
    assert container["command"] == script_command
    (script_source,) = [c["source"] for c in setup.configs if c["target"] == script_command[-1]]
    packaged = CHART / "files" / "mlflow_setup.py"
    assert packaged.resolve() == compose.config_file(script_source).resolve()
    chart_names = {var["name"] for var in container["env"]}
    assert setup.env_names <= chart_names
    # entrypoint.py's part in compose: it reads POSTGRES_PORT and writes the auth config file.
    assert chart_names - setup.env_names <= {"POSTGRES_PORT", "MLFLOW_AUTH_CONFIG_PATH"}


def test_the_replay_runs_the_compose_replay_module():
    """Same program and port; the chart serves the recordings only (no synthetic seasons)."""
    objects = render("values.yaml", "--set", "statsReplay.enabled=true")
    chart = _container(objects, "Deployment", "stats-replay")["command"]
    ours = compose.replay_command()
    assert chart[:3] == ours[:3]  # python -m <module>
    assert chart[chart.index("--port") + 1] == ours[ours.index("--port") + 1]
    assert "--recorded" in chart and "--recorded" in ours


def test_the_compose_reader_resolves_defaults():
    assert compose.interpolate("--workers=${DASHBOARD_WORKERS:-2}") == "--workers=2"
    assert compose.interpolate("${REGISTRY:?set REGISTRY}/x:${TAG-1}") == "/x:1"
    assert compose.interpolate('"$$MLFLOW_BACKEND_STORE_URI"') == '"$MLFLOW_BACKEND_STORE_URI"'
