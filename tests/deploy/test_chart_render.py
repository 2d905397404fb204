"""The chart lints strictly, renders with each values file, and every object it renders is
valid for Kubernetes 1.33 and 1.37 (strict schemas: an unknown field is an error)."""

from __future__ import annotations

import copy
import itertools
import re

import kubernetes_validate
import pytest
import yaml

from tests.deploy.chart import (
    CHART,
    ROOT,
    VALUES_FILES,
    RenderError,
    component,
    containers,
    helm,
    render,
    workloads,
)

KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
ALL_ON = ("--set", "pipelineJob.enabled=true", "--set", "statsReplay.enabled=true")


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_helm_lint_strict_passes(values_file):
    result = helm("lint", "--strict", str(CHART), "--values", str(CHART / values_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_every_rendered_object_is_valid_kubernetes(values_file, version):
    objects = render(values_file, *ALL_ON)
    assert len(objects) >= 15
    for obj in objects:
        # The schema of exactly this version is used, not an older fallback.
        assert kubernetes_validate.validate(obj, version, strict=True) == version[:4]


def test_strict_validation_refuses_an_unknown_field():
    deployment = copy.deepcopy(component(render(), "Deployment", "dashboard"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="readinessProbes"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("dashboard.replicas=two", "at '/dashboard/replicas': got string, want integer"),
        ("storage.url=/data", "at '/storage/url'"),
        ("cronJobs.refresh.timeZone=", "at '/cronJobs/refresh/timeZone'"),
        ("dashbord.replicas=3", "additional properties 'dashbord' not allowed"),
    ],
)
def test_the_schema_refuses_wrong_values(setting, complaint):
    with pytest.raises(RenderError, match=re.escape(complaint)):
        render("values.yaml", "--set-string", setting)
    lint = helm("lint", "--strict", str(CHART), "--set-string", setting)
    assert lint.returncode != 0 and complaint in lint.stdout + lint.stderr


def test_values_yaml_is_documented_line_by_line():
    """Every key of the first two levels has its own comment right above it."""
    lines = (CHART / "values.yaml").read_text(encoding="utf-8").splitlines()
    undocumented = [
        line
        for previous, line in itertools.pairwise(lines)
        if re.match(r"^( {2})?[A-Za-z][\w-]*:", line) and not previous.lstrip().startswith("#")
    ]
    assert undocumented == []


def test_default_schedules_are_those_of_conf_base():
    schedules = yaml.safe_load((ROOT / "conf" / "base" / "schedules.yml").read_text())
    cron_jobs = yaml.safe_load((CHART / "values.yaml").read_text())["cronJobs"]
    assert {job: c["schedule"] for job, c in cron_jobs.items()} == {
        job: s["cron"] for job, s in schedules.items()
    }


@pytest.mark.parametrize(
    ("setting", "gone"),
    [
        ("kedroViz.enabled=false", "Deployment/nba-cluster-kedro-viz"),
        ("networkPolicy.enabled=false", "NetworkPolicy/nba-cluster-deny-ingress"),
        ("ingress.enabled=false", "Ingress/nba-cluster-ui"),
        ("mlflowSetup.enabled=false", "Job/nba-cluster-mlflow-setup"),
        ("serviceAccount.create=false", "ServiceAccount/nba-cluster"),
    ],
)
def test_each_optional_part_turns_off_and_the_rest_stays_valid(setting, gone):
    objects = render("values.yaml", "--set", setting)
    assert gone not in {f"{o['kind']}/{o['metadata']['name']}" for o in objects}
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES_VERSIONS[-1], strict=True)


def storage_secrets(objects) -> dict[str, set[str]]:
    """Per workload, the Secrets its AWS_* variables come from."""
    found = {}
    for obj, spec in workloads(objects):
        names = {
            variable["valueFrom"]["secretKeyRef"]["name"]
            for container in containers(spec)
            for variable in container.get("env", [])
            if variable["name"].startswith("AWS_") and "valueFrom" in variable
        }
        found[f"{obj['kind']}/{obj['metadata']['name']}"] = names
    return found


def test_the_dashboard_can_get_a_read_only_bucket_key():
    writers = {"CronJob/nba-cluster-refresh", "CronJob/nba-cluster-training",
               "Job/nba-cluster-pipeline-1"}  # fmt: skip
    default = storage_secrets(render("values.yaml", *ALL_ON))
    read_only_key = "storage.readOnlySecret=nba-cluster-storage-read"
    read_only = storage_secrets(render("values.yaml", *ALL_ON, "--set", read_only_key))
    assert default["Deployment/nba-cluster-dashboard"] == {"nba-cluster-storage"}
    assert read_only["Deployment/nba-cluster-dashboard"] == {"nba-cluster-storage-read"}
    for writer in writers:
        assert default[writer] == read_only[writer] == {"nba-cluster-storage"}, writer
    assert read_only["Deployment/nba-cluster-kedro-viz"] == set()
