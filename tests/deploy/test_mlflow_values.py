"""deploy/helm/mlflow-values.yaml cannot be rendered here (the official chart's registry is out
of reach; the kind workflow renders it). What can be checked offline: it agrees with the
project's chart on every name they share, and it keeps the project's pod rules."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import yaml

from tests.deploy.chart import CHART, ROOT, default_values
from tests.deploy.policies import APP_UID, SECRET_NAME

MLFLOW_VALUES = ROOT / "deploy" / "helm" / "mlflow-values.yaml"
RELEASE = "mlflow"  # the release name of the documented `helm install`


def mlflow_values() -> dict:
    return yaml.safe_load(MLFLOW_VALUES.read_text(encoding="utf-8"))


def env(values: dict) -> dict[str, dict]:
    return {var["name"]: var for var in values["env"]}


def test_the_project_reaches_the_mlflow_release():
    project, mlflow = default_values()["mlflow"], mlflow_values()
    service = mlflow["fullnameOverride"]
    assert project["serviceName"] == service
    assert urlsplit(project["trackingUri"]).hostname == service
    assert urlsplit(project["trackingUri"]).port == project["servicePort"]
    assert mlflow["server"]["value_options"]["port"] == project["servicePort"]
    # The official chart's selector labels: its name and the release's.
    assert project["podLabels"] == {
        "app.kubernetes.io/name": "mlflow",
        "app.kubernetes.io/instance": RELEASE,
    }
    allowed = mlflow["server"]["value_options"]["allowed_hosts"].split(",")
    assert {service, f"{service}:{project['servicePort']}"} <= set(allowed)


def test_both_releases_read_the_same_secrets():
    project, variables = default_values()["mlflow"], env(mlflow_values())
    admin = variables["MLFLOW_AUTH_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"]
    assert (admin["name"], admin["key"]) == (
        project["users"]["existingSecret"],
        project["users"]["adminPasswordKey"],
    )
    assert variables["MLFLOW_AUTH_ADMIN_USERNAME"]["value"] == project["users"]["adminUsername"]
    auth_volume = next(v for v in mlflow_values()["extraVolumes"] if "secret" in v)
    assert auth_volume["secret"]["secretName"] == project["authConfigSecret"]
    mount = next(
        m for m in mlflow_values()["extraVolumeMounts"] if m["name"] == auth_volume["name"]
    )
    config_path = variables["MLFLOW_AUTH_CONFIG_PATH"]["value"]
    assert config_path == f"{mount['mountPath']}/{project['authConfigKey']}"


def test_one_image_for_server_and_clients():
    production = yaml.safe_load((CHART / "values-production.yaml").read_text(encoding="utf-8"))
    assert mlflow_values()["image"] == {**default_values()["image"], **production["image"]}


def test_the_server_keeps_the_compose_servers_settings():
    """Basic auth, proxied artifacts in the bucket, two replicas, migrations before start."""
    mlflow = mlflow_values()
    assert mlflow["server"]["value_options"]["app_name"] == "basic-auth"
    assert "serve_artifacts" in mlflow["server"]["flag_options"]
    assert mlflow["mlflow"]["artifactsDestination"].startswith("s3://")
    assert mlflow["replicaCount"] >= 2
    assert mlflow["migrations"]["enabled"] is True
    assert "secretKeyRef" in mlflow["mlflow"]["backendStoreUriFrom"]
    assert "MLFLOW_FLASK_SERVER_SECRET_KEY" in env(mlflow)


def test_the_pod_rules_hold():
    mlflow = mlflow_values()
    assert mlflow["podSecurityContext"]["runAsNonRoot"] is True
    assert mlflow["podSecurityContext"]["runAsUser"] == APP_UID
    assert mlflow["securityContext"]["readOnlyRootFilesystem"] is True
    assert mlflow["securityContext"]["allowPrivilegeEscalation"] is False
    assert mlflow["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert {"requests", "limits"} <= set(mlflow["resources"])
    for name, var in env(mlflow).items():
        if SECRET_NAME.search(name):
            assert "secretKeyRef" in var.get("valueFrom", {}), name


def test_one_chart_version_everywhere():
    """The version the values were written for, as the docs and the kind workflow install it."""
    version = re.search(r"--version (\S+)", MLFLOW_VALUES.read_text()).group(1)
    workflow = (ROOT / ".github" / "workflows" / "kind.yml").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "kubernetes.md").read_text(encoding="utf-8")
    assert f'MLFLOW_CHART_VERSION: "{version}"' in workflow
    assert f"mlflow --version {version}" in docs
