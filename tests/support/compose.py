"""The compose projects the Docker tests drive: one driver (``ComposeProject``) for the local,
live-season and production stacks alike."""

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

LOCAL_FILES = ("docker-compose.local.yml", "docker/compose.replay.yml")
HEALTHY_TIMEOUT = 5 * 60
PIPELINE_TIMEOUT = 30 * 60


@dataclass(kw_only=True)
class ComposeProject:
    """The one driver of the Docker tests: a compose project with a unique name, its files,
    environment and profiles, and what every test asks of it (run, inspect, wait, logs)."""

    project: str
    files: tuple[str, ...]
    env: dict[str, str]
    # --env-file /dev/null by default: a developer's .env must not change what is tested.
    env_file: str = os.devnull
    profiles: tuple[str, ...] = ()
    image: str = ""  # the project's own image tag, removed with the project

    def command(self, files: tuple[str, ...] | None = None) -> list[str]:
        """``docker compose`` with this project's name, files and profiles."""
        file_args = [arg for name in files or self.files for arg in ("-f", name)]
        profile_args = [arg for name in self.profiles for arg in ("--profile", name)]
        return ["docker", "compose", "--env-file", self.env_file, "-p", self.project,
                *file_args, *profile_args]  # fmt: skip

    def run(
        self,
        command: list[str],
        *,
        timeout: float = 600,
        check: bool = True,
        env: dict[str, str] | None = None,
        text: bool = True,
    ) -> subprocess.CompletedProcess:
        """A command in the project folder; a failure shows its output's tail."""
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env or self.env,
            capture_output=True,
            text=text,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            out, err = (
                (result.stdout, result.stderr)
                if text
                else (
                    result.stdout.decode(errors="replace"),
                    result.stderr.decode(errors="replace"),
                )
            )
            raise AssertionError(
                f"`{' '.join(command)}` exited {result.returncode}\n"
                f"--- stdout ---\n{out[-6000:]}\n--- stderr ---\n{err[-6000:]}"
            )
        return result

    def compose(
        self,
        *args: str,
        files: tuple[str, ...] | None = None,
        timeout: float = 600,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        return self.run([*self.command(files), *args], timeout=timeout, check=check)

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

    def down(self) -> None:
        """Remove the project's containers, networks and volumes, whatever state they are in."""
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "20", check=False)

    def remove(self) -> None:
        """``down``, and the project's own image."""
        self.down()
        if self.image:
            subprocess.run(["docker", "image", "rm", self.image], capture_output=True, check=False)

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
        return json.loads(self.run(["docker", "inspect", container], timeout=60).stdout)[0]

    def wait_healthy(
        self, services: tuple[str, ...], timeout: float = HEALTHY_TIMEOUT, patient: bool = False
    ) -> None:
        """Until every service's container reports healthy. Fails fast on a crash loop, and on
        an unhealthy service unless ``patient`` (a service whose start can outlast its health
        checks on a busy machine, as MLflow's, gets the time to recover)."""
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
                if (health == "unhealthy" and not patient) or restarts >= 3:
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


@dataclass(kw_only=True)
class LocalStack(ComposeProject):
    """The local stack (docker-compose.local.yml) on free host ports with its own image tag,
    and the HTTP calls the tests make through its published ports."""

    files: tuple[str, ...] = LOCAL_FILES
    ports: dict[str, int] = field(default_factory=dict)
    player_names: set[str] = field(default_factory=set)

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
