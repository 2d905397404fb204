"""The chart's rules, checked on rendered objects. Each rule returns its violations (empty when
the objects obey it), so a test can show both that the chart obeys and that the check bites."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from tests.deploy.chart import containers, workloads

Objects = list[dict[str, Any]]
APP_UID = 1000  # the image's user (Dockerfile: USER 1000:0)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY|_KEY$")
URI_WITH_PASSWORD = re.compile(r"://[^/@\s]+:[^/@\s]+@")
UI_COMPONENTS = ("dashboard", "kedro-viz")


def _name(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def non_root(objects: Objects) -> list[str]:
    """Every pod runs as uid 1000 and refuses root."""
    found = []
    for obj, spec in workloads(objects):
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True or pod.get("runAsUser") != APP_UID:
            found.append(f"{_name(obj)}: pod not runAsNonRoot with runAsUser {APP_UID}")
        for container in containers(spec):
            own = container.get("securityContext", {})
            if own.get("runAsNonRoot") is False or own.get("runAsUser", APP_UID) != APP_UID:
                found.append(f"{_name(obj)}/{container['name']}: overrides the user")
    return found


def read_only_root(objects: Objects) -> list[str]:
    """Read-only root filesystem with an emptyDir on /tmp, no privilege escalation, no
    capability."""
    found = []
    for obj, spec in workloads(objects):
        empty_dirs = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for container in containers(spec):
            where = f"{_name(obj)}/{container['name']}"
            context = container.get("securityContext", {})
            if context.get("readOnlyRootFilesystem") is not True:
                found.append(f"{where}: root filesystem writable")
            if context.get("allowPrivilegeEscalation") is not False:
                found.append(f"{where}: privilege escalation allowed")
            if "ALL" not in context.get("capabilities", {}).get("drop", []):
                found.append(f"{where}: capabilities not all dropped")
            tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            if not tmp or tmp[0]["name"] not in empty_dirs:
                found.append(f"{where}: no emptyDir on /tmp")
    return found


def resources(objects: Objects) -> list[str]:
    """Every container requests and limits CPU and memory."""
    found = []
    for obj, spec in workloads(objects):
        for container in containers(spec):
            declared = container.get("resources", {})
            for kind in ("requests", "limits"):
                missing = {"cpu", "memory"} - set(declared.get(kind) or {})
                if missing:
                    found.append(f"{_name(obj)}/{container['name']}: no {kind} {sorted(missing)}")
    return found


def probes(objects: Objects) -> list[str]:
    """The UIs have HTTP readiness and liveness probes."""
    found = []
    for obj, spec in workloads(objects):
        if obj["metadata"]["labels"].get("app.kubernetes.io/component") not in UI_COMPONENTS:
            continue
        for container in spec["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                if "httpGet" not in container.get(probe, {}):
                    found.append(f"{_name(obj)}/{container['name']}: no HTTP {probe}")
    return found


def secrets_by_reference(objects: Objects) -> list[str]:
    """No Secret in the chart, and credentials reach containers only through secretKeyRef."""
    found = [f"{_name(o)}: the chart renders a Secret" for o in objects if o["kind"] == "Secret"]
    for obj, spec in workloads(objects):
        for container in containers(spec):
            for var in container.get("env", []):
                where = f"{_name(obj)}/{container['name']} {var['name']}"
                by_reference = "secretKeyRef" in var.get("valueFrom", {})
                if SECRET_NAME.search(var["name"]) and not by_reference:
                    found.append(f"{where}: a credential not from a secretKeyRef")
                if URI_WITH_PASSWORD.search(str(var.get("value", ""))):
                    found.append(f"{where}: a password inside a URI")
            if container.get("envFrom"):
                found.append(f"{_name(obj)}/{container['name']}: envFrom hides what is read")
    return found


def no_shared_volume_claim(objects: Objects) -> list[str]:
    """Workloads share data through the bucket: no PersistentVolumeClaim in two of them."""
    users = defaultdict(set)
    for obj, spec in workloads(objects):
        for volume in spec.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                users[volume["persistentVolumeClaim"]["claimName"]].add(_name(obj))
    return [f"claim {c} used by {sorted(u)}" for c, u in users.items() if len(u) > 1]


def one_image(objects: Objects) -> list[str]:
    """Every container of the release starts the same image and tag."""
    images = defaultdict(set)
    for obj, spec in workloads(objects):
        for container in containers(spec):
            images[container["image"]].add(_name(obj))
    return [] if len(images) == 1 else [f"{len(images)} images: {dict(images)}"]


def cron_jobs_forbid_overlap(objects: Objects) -> list[str]:
    """CronJobs never run twice at once and skip ticks missed by far."""
    found = []
    for obj in objects:
        if obj["kind"] != "CronJob":
            continue
        if obj["spec"].get("concurrencyPolicy") != "Forbid":
            found.append(f"{_name(obj)}: concurrencyPolicy is not Forbid")
        if not obj["spec"].get("startingDeadlineSeconds"):
            found.append(f"{_name(obj)}: no startingDeadlineSeconds")
    return found


def dashboard_stays_up(objects: Objects) -> list[str]:
    """Two dashboard replicas or more, a rolling update that keeps them, and a PDB."""
    (deployment,) = [
        o
        for o in objects
        if o["kind"] == "Deployment"
        and o["metadata"]["labels"].get("app.kubernetes.io/component") == "dashboard"
    ]
    found = []
    if deployment["spec"]["replicas"] < 2:
        found.append("dashboard: fewer than 2 replicas")
    strategy = deployment["spec"].get("strategy", {})
    if strategy.get("type") != "RollingUpdate" or strategy["rollingUpdate"]["maxUnavailable"]:
        found.append("dashboard: updates may take replicas down first")
    selector = deployment["spec"]["selector"]["matchLabels"]
    budgets = [
        o
        for o in objects
        if o["kind"] == "PodDisruptionBudget" and o["spec"]["selector"]["matchLabels"] == selector
    ]
    if not budgets:
        found.append("dashboard: no PodDisruptionBudget")
    return found


RULES = (
    non_root,
    read_only_root,
    resources,
    probes,
    secrets_by_reference,
    no_shared_volume_claim,
    one_image,
    cron_jobs_forbid_overlap,
    dashboard_stays_up,
)
