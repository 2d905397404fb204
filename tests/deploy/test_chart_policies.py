"""The chart's rules hold for every committed values file, and each check fails on a copy of
the values that breaks its rule (so a passing check means something)."""

from __future__ import annotations

import pytest

from tests.deploy import policies
from tests.deploy.chart import VALUES_FILES, render, values_copy

# Every optional workload on, so every pod is checked.
ALL_ON = ("--set", "pipelineJob.enabled=true", "--set", "statsReplay.enabled=true")

# One way to break each rule, written into a copy of values.yaml.
BREAKS = {
    policies.non_root: {"podSecurityContext": {"runAsNonRoot": False, "runAsUser": 0}},
    policies.read_only_root: {"containerSecurityContext": {"readOnlyRootFilesystem": False}},
    policies.resources: {"dashboard": {"resources": {"limits": None}}},
    policies.probes: {"kedroViz": {"livenessProbe": None}},
    policies.secrets_by_reference: {
        "extraEnv": [{"name": "MLFLOW_TRACKING_PASSWORD", "value": "in-clear"}]
    },
    policies.no_shared_volume_claim: {
        "extraVolumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    },
    policies.one_image: {"kedroViz": {"imageTag": "0.0.9"}},
    policies.cron_jobs_forbid_overlap: {"cronJobs": {"training": {"concurrencyPolicy": "Allow"}}},
    policies.dashboard_stays_up: {"dashboard": {"replicas": 1}},
}


def test_every_rule_has_a_way_to_break_it():
    assert set(BREAKS) == set(policies.RULES)


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_the_chart_obeys_every_rule(values_file):
    objects = render(values_file, *ALL_ON)
    violations = {rule.__name__: rule(objects) for rule in policies.RULES}
    assert violations == {rule.__name__: [] for rule in policies.RULES}


@pytest.mark.parametrize("rule", policies.RULES, ids=lambda rule: rule.__name__)
def test_each_check_fails_when_its_rule_is_broken(rule, tmp_path):
    broken = render(values_copy(tmp_path, BREAKS[rule]), *ALL_ON)
    assert rule(broken), f"{rule.__name__} found nothing wrong in a copy that breaks it"
    # The copy breaks this rule alone: the others still hold, so the break is what was caught.
    others = [r for r in policies.RULES if r is not rule and r(broken)]
    assert not others, [r.__name__ for r in others]
