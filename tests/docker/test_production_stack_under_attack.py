"""The production stack (the package's ``stack``, tests/docker/conftest.py) as an attacker or a
careless operator would treat it: capabilities, telemetry, a flood of anonymous uploads,
password guessing, damaged backups, a planted champion. The moves live in
tests/support/production_probes.py.

    pytest -m docker tests/docker/ -k production -s
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support import production_probes as probes
from tests.support.production import (
    MODEL_NAME,
    ONE_SHOTS,
    PIPELINE_PARAMS,
    PIPELINE_TIMEOUT,
    PROXY_USER,
    PUBLIC_HOST,
    SERVERS,
    UP_TIMEOUT,
)

pytestmark = pytest.mark.docker


def test_every_service_drops_all_capabilities_and_privilege_gain(stack):
    """cap_drop: [ALL] and no-new-privileges on every service, one-shots included: none needs
    more (docs/production.md, Least privilege)."""
    with stack.logs_on_failure():
        containers = stack.containers()
        assert {c["Service"] for c in containers} >= {*SERVERS, *ONE_SHOTS}
        for container in containers:
            host_config = stack.inspect(container["ID"])["HostConfig"]
            assert host_config["CapDrop"] == ["ALL"], container["Service"]
            assert "no-new-privileges:true" in host_config["SecurityOpt"], container["Service"]
        for service in SERVERS:
            status = stack.compose("exec", "-T", service, "cat", "/proc/1/status").stdout
            capabilities = dict(line.split(":\t") for line in status.splitlines() if ":\t" in line)
            assert int(capabilities["CapEff"], 16) == 0, service
            assert capabilities["NoNewPrivs"].strip() == "1", service


def test_no_container_reports_telemetry_enabled(stack):
    with stack.logs_on_failure():
        of_the_image = [
            c["Service"]
            for c in stack.containers()
            if c["State"] == "running" and c["Image"] == stack.image
        ]
        assert {"mlflow", "dashboard", "kedro-viz"} <= set(of_the_image)
        for service in of_the_image:
            out = stack.compose("exec", "-T", service, "python", "-c", probes.telemetry_report())
            report = probes.parse_last_json(out.stdout)
            assert report == {"mlflow_disabled": True, "kedro_consent": False}, service
        status, _, body = stack.request(f"viz.{PUBLIC_HOST}", "/api/version", stack.proxy_login())
        version = json.loads(body)
        assert status == 200 and version["latest"] == version["installed"]


def test_anonymous_uploads_never_take_the_proxy_down(stack):
    """20 anonymous 200 MB uploads to MLflow's host, one after the other: each is refused
    before its body is read; /healthz answers 200 throughout; the proxy never restarts."""
    with stack.logs_on_failure():
        proxy = stack.containers()
        proxy_id = next(c["ID"] for c in proxy if c["Service"] == "proxy")
        before = stack.inspect(proxy_id)["State"]
        health = probes.Poller(
            lambda: stack.request(PUBLIC_HOST, "/healthz", stack.proxy_login())[0]
        )
        health.start()
        answers = [
            probes.anonymous_upload(
                stack.ports["https"], f"mlflow.{PUBLIC_HOST}", stack.tls_context
            )
            for _ in range(20)
        ]
        statuses = health.stop()
        after = stack.inspect(proxy_id)["State"]
        assert set(answers) <= {401, 413}, answers
        assert statuses and set(statuses) == {200}, statuses
        assert after["StartedAt"] == before["StartedAt"] and not after["OOMKilled"]
        assert stack.inspect(proxy_id)["RestartCount"] == 0


def test_password_guessing_and_floods_are_throttled(stack):
    with stack.logs_on_failure():
        # 40 wrong proxy logins from 8 clients at once: each failure is delayed.
        def guess(_):
            return stack.request(PUBLIC_HOST, "/", (PROXY_USER, "guess"))[0]

        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            guesses = list(pool.map(guess, range(40)))
        assert set(guesses) <= {401, 429}
        assert time.monotonic() - started >= 2, "40 wrong logins answered in under 2 s"
        # A flood from one address (32 connections, each anonymous refusal delayed like a
        # failed login): beyond the rate and its burst, 429 before any work.
        flood = probes.flood(stack.ports["https"], f"mlflow.{PUBLIC_HOST}", stack.tls_context,
                             requests=640, clients=32)  # fmt: skip
        assert 429 in flood and set(flood) <= {401, 429}
        time.sleep(6)  # the bucket refills (20 requests/s, burst 100) for the tests after this


def test_a_restore_of_a_damaged_archive_changes_nothing(stack, tmp_path):
    with stack.logs_on_failure():
        runs_before = stack.run_ids()
        champion_before = stack.champion_version()
        dashboard_before = stack.wait_dashboard_reports(champion_before)
        archive = Path(stack.script("backup.sh", str(tmp_path)).splitlines()[-1])
        for damage, expected in (
            ("sql", "tracking.sql does not load"),
            ("truncated", "tracking.sql is cut short"),
        ):
            damaged = probes.damaged_archive(archive, tmp_path / f"{damage}.tar.gz", damage)
            result = stack.script_outcome("restore.sh", str(damaged), timeout=UP_TIMEOUT)
            assert result.returncode != 0, damage
            assert f"restore of {damaged} failed" in result.stderr and expected in result.stderr
            assert stack.run_ids() == runs_before, damage
            assert stack.champion_version() == champion_before, damage
            dashboard_after = stack.wait_dashboard_reports(champion_before)
            assert dashboard_after["player_seasons"] == dashboard_before["player_seasons"]
        leftovers = stack.sql("SELECT datname FROM pg_database WHERE datname LIKE '%restor%'")
        assert leftovers == [], leftovers


def test_the_reader_cannot_own_the_model_and_a_planted_version_is_refused(stack):
    """The squat of issue 21: the reader cannot create our model (it exists from the first
    start, before any run) nor a version of it; a version forged straight into the database
    and made champion is refused by inference and training without its code running."""
    with stack.logs_on_failure():
        status, _, body = stack.request(
            f"mlflow.{PUBLIC_HOST}", "/api/2.0/mlflow/registered-models/create", stack.reader(),
            payload={"name": MODEL_NAME}, method="POST",
        )  # fmt: skip
        assert status in (400, 403) and ("RESOURCE_ALREADY_EXISTS" in body or status == 403), body
        status, _, _ = stack.request(
            f"mlflow.{PUBLIC_HOST}", "/api/2.0/mlflow/model-versions/create", stack.reader(),
            payload={"name": MODEL_NAME, "source": "models:/m-x"}, method="POST",
        )  # fmt: skip
        assert status == 403
        created_before_any_run = stack.sql(
            f"SELECT (SELECT creation_time FROM registered_models WHERE name = '{MODEL_NAME}') "
            "< (SELECT min(start_time) FROM runs)"
        )
        assert created_before_any_run == ["t"]

        champion = stack.champion_version()
        planted = probes.parse_last_json(
            stack.compose("exec", "-T", "dashboard", "python", "-c", probes.PLANT_MODEL).stdout
        )
        forged = stack.sql(probes.forge_version_sql(MODEL_NAME, champion, planted))[-1]
        try:
            for pipeline in ("inference", "training"):
                result = stack.compose(
                    "run", "--rm", "pipeline", "kedro", "run", "--pipeline", pipeline,
                    "--params", PIPELINE_PARAMS, replay=True, timeout=PIPELINE_TIMEOUT, check=False,
                )  # fmt: skip
                output = result.stdout + result.stderr
                assert result.returncode != 0, pipeline
                assert f"Refusing to load {MODEL_NAME} version {forged}" in output, output[-3000:]
                marker = stack.compose(
                    "run", "--rm", "--no-deps", "--entrypoint", "ls", "pipeline", "/app/data",
                ).stdout  # fmt: skip
                assert Path(probes.PLANTED_MARKER).name not in marker, pipeline
        finally:
            stack.sql(
                f"UPDATE registered_model_aliases SET version = {champion} "
                f"WHERE name = '{MODEL_NAME}' AND alias = 'champion'; "
                f"DELETE FROM model_versions WHERE name = '{MODEL_NAME}' AND version = {forged}"
            )
