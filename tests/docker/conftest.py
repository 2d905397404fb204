"""The production stack, released, pulled, started and trained once for the package's tests
(test_production_stack.py and test_production_stack_under_attack.py share it;
test_local_stack.py and test_live_stack.py define stacks of their own)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.docker import docker_unavailable_reason
from tests.support.ports import free_ports
from tests.support.production import (
    FIRST_SEASON,
    LAST_SEASON,
    PIPELINE_PARAMS,
    PIPELINE_TIMEOUT,
    PUBLIC_HOST,
    REGISTRY,
    RELEASE_TIMEOUT,
    UP_TIMEOUT,
    ProductionStack,
    registry_answers,
)
from tests.support.project import SHARED_NBA_STATS, shared_data_available


@pytest.fixture(scope="package")
def stack() -> Iterator[ProductionStack]:
    reason = docker_unavailable_reason()
    if reason:
        pytest.skip(f"needs a Docker engine with Compose v2: {reason}")
    if not registry_answers():
        pytest.skip(f"needs a registry on {REGISTRY}: run .ci/ensure-registry.sh")

    run_id = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix="nba-prod-e2e-"))
    recorded = shared_data_available()
    no_recordings = workdir / "no-recordings"
    no_recordings.mkdir()
    for folder in (workdir, no_recordings):
        folder.chmod(0o755)  # the replay's non-root user reads the recordings folder
    http_port, https_port = free_ports(2)
    secrets = workdir / "secrets"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPOSE_") and key != "NBA_STATS_BASE_URL"
    }
    settings = {
        "REGISTRY": REGISTRY,
        "TAG": "",  # the released version, filled in below
        "SECRETS_DIR": str(secrets),
        "PUBLIC_HOST": PUBLIC_HOST,
        "BIND_ADDRESS": "127.0.0.1",
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "NBA_STATS_DIR": str(SHARED_NBA_STATS if recorded else no_recordings),
        "REPLAY_FIRST_SEASON": FIRST_SEASON,
        "REPLAY_LAST_SEASON": LAST_SEASON,
    }
    stack = ProductionStack(
        project=f"nba-prod-{run_id}",
        env_file=str(workdir / "production.env"),
        secrets=secrets,
        ports={"http": http_port, "https": https_port},
        env=env,
    )
    print(f"\ncompose project {stack.project}, ports {stack.ports}, work dir {workdir}")
    try:
        with stack.logs_on_failure():
            secrets_env = {"SECRETS_DIR": str(secrets), "PUBLIC_HOST": PUBLIC_HOST}
            stack.run(["docker/make-secrets.sh"], env=env | secrets_env)
            stack.revision = stack.run(["git", "rev-parse", "HEAD"], text=True).stdout.strip()
            released = (
                stack.run(
                    ["docker/release.sh"],
                    env=env | {"REGISTRY": REGISTRY, "DIST": str(workdir / "dist")},
                    timeout=RELEASE_TIMEOUT,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            stack.image = released
            settings["TAG"] = released.rsplit(":", 1)[1]
            # The replay serves from the released image too: no other image is needed.
            settings["LOCAL_IMAGE"] = released
            Path(stack.env_file).write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
            # Only the registry has it now: `up` must pull exactly that tag.
            stack.run(["docker", "image", "rm", released], text=True)
            missing = stack.run(["docker", "image", "inspect", released], check=False)
            assert missing.returncode != 0, "the released image is still present locally"

            started = time.monotonic()
            stack.compose(
                "up",
                "--detach",
                "--wait",
                "--wait-timeout",
                str(UP_TIMEOUT),
                timeout=UP_TIMEOUT + 60,
            )
            print(f"stack healthy {time.monotonic() - started:.0f} s after `up` (pull included)")
            stack.trust_proxy_certificate()

            started = time.monotonic()
            stack.compose(
                "run",
                "--rm",
                "pipeline",
                "kedro",
                "run",
                "--params",
                PIPELINE_PARAMS,
                replay=True,
                timeout=PIPELINE_TIMEOUT,
            )
            print(f"pipeline (writer credentials) took {time.monotonic() - started:.0f} s")
        yield stack
    finally:
        stack.remove()
        shutil.rmtree(workdir, ignore_errors=True)
