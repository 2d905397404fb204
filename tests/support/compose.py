"""A compose project under test: unique name, free host ports, its own image tag, and the HTTP
calls the end-to-end tests make through its published ports."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from nba_cluster.model_registry import MODEL_NAME
from tests.support.project import EXPERIMENT, PROJECT_ROOT

COMPOSE_FILES = ("docker-compose.local.yml", "docker/compose.replay.yml")
HEALTHY_TIMEOUT = 5 * 60
PIPELINE_TIMEOUT = 30 * 60


@dataclass
class Stack:
    """One compose project: unique name, free host ports, its own image tag."""

    project: str
    ports: dict[str, int]
    env: dict[str, str]
    image: str
    player_names: set[str] = field(default_factory=set)

    # -- compose ------------------------------------------------------------------------------
    def compose(
        self, *args: str, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess:
        files = [arg for name in COMPOSE_FILES for arg in ("-f", str(PROJECT_ROOT / name))]
        # --env-file /dev/null: a developer's .env must not change what is tested.
        command = ["docker", "compose", "--env-file", os.devnull, "-p", self.project, *files, *args]
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"`{' '.join(command)}` exited {result.returncode}\n"
                f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
            )
        return result

    def logs(self) -> str:
        result = self.compose("logs", "--no-color", "--timestamps", "--tail=300", check=False)
        return result.stdout + result.stderr

    @contextlib.contextmanager
    def logs_on_failure(self) -> Iterator[None]:
        """Print the compose logs (shown in pytest's failure report) when the body fails."""
        try:
            yield
        except BaseException:
            print(f"\n===== docker compose logs ({self.project}) =====\n{self.logs()}")
            raise

    def containers(self, *services: str, all_states: bool = True) -> list[dict]:
        args = ["ps", "--format", "json"] + (["--all"] if all_states else []) + list(services)
        out = self.compose(*args).stdout.strip()
        if not out:
            return []
        # Compose v2 prints one JSON object per line (older releases: one JSON array).
        if out.startswith("["):
            return json.loads(out)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def inspect(self, container: str) -> dict:
        command = ["docker", "inspect", container]
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
        return json.loads(out.stdout)[0]

    def wait_healthy(self, services: tuple[str, ...], timeout: float = HEALTHY_TIMEOUT) -> None:
        """Until every service's container reports healthy; fail fast on unhealthy/crash loop."""
        deadline = time.monotonic() + timeout
        while True:
            states = {}
            for service in services:
                found = self.containers(service)
                if not found:
                    states[service] = "missing"
                    continue
                details = self.inspect(found[0]["ID"])
                state = details["State"]
                health = (state.get("Health") or {}).get("Status", "no healthcheck")
                restarts = details.get("RestartCount", 0)
                if health == "unhealthy" or restarts >= 3:
                    raise AssertionError(f"{service} is {health}, restarted {restarts} times")
                if state["Status"] == "exited":
                    raise AssertionError(f"{service} exited with {state['ExitCode']}")
                states[service] = health
            if all(value == "healthy" for value in states.values()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not healthy after {timeout:.0f} s: {states}")
            time.sleep(2)

    def wait_completed(self, service: str, timeout: float = PIPELINE_TIMEOUT) -> None:
        """Until a one-shot service's container has exited; it must exit 0."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.containers(service)
            if found:
                state = self.inspect(found[0]["ID"])["State"]
                if state["Status"] == "exited":
                    assert state["ExitCode"] == 0, f"{service} exited with {state['ExitCode']}"
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"{service} still running after {timeout:.0f} s")
            time.sleep(5)

    # -- HTTP from the host ---------------------------------------------------------------------
    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def get(self, service: str, path: str, timeout: float = 30) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url(service, path), timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def mlflow(self, endpoint: str, payload: dict | None = None, **query: str) -> dict:
        """MLflow REST API 2.0: GET with a query, or POST with a JSON body."""
        url = self.url("mlflow", f"/api/2.0/mlflow/{endpoint}")
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            url, data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    # -- what the checks compare ---------------------------------------------------------------
    def experiment_id(self) -> str:
        return self.mlflow("experiments/get-by-name", experiment_name=EXPERIMENT)["experiment"][
            "experiment_id"
        ]

    def runs(self) -> list[dict]:
        runs, token = [], None
        while True:
            body = {"experiment_ids": [self.experiment_id()], "max_results": 1000}
            if token:
                body["page_token"] = token
            page = self.mlflow("runs/search", payload=body)
            runs += page.get("runs", [])
            token = page.get("next_page_token")
            if not token:
                return runs

    def champion(self) -> dict:
        return self.mlflow("registered-models/alias", name=MODEL_NAME, alias="champion")[
            "model_version"
        ]


def local_stack_env(image: str, ports: dict[str, int]) -> dict[str, str]:
    """The environment for a local stack under test: the caller's, less what would point it
    elsewhere (a COMPOSE_* setting, a stats.nba.com mirror), with its own image tag and free
    host ports on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPOSE_") and key != "NBA_STATS_BASE_URL"
    }
    return env | {
        "LOCAL_IMAGE": image,
        "BIND_ADDRESS": "127.0.0.1",
        "MLFLOW_PORT": str(ports["mlflow"]),
        "KEDRO_VIZ_PORT": str(ports["kedro-viz"]),
        "DASHBOARD_PORT": str(ports["dashboard"]),
    }
