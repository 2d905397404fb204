"""The production stack (docker-compose.yml) under test: its compose project, secrets, TLS and
the HTTP calls through the proxy, as an operator or an attacker makes them."""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from tests.support.compose import ComposeProject
from tests.support.project import PROJECT_ROOT

REGISTRY = "127.0.0.1:5000"
PUBLIC_HOST = "nba.test"
# The contract as an outside client sees it, spelled out rather than imported.
EXPERIMENT = "nba_cluster"
MODEL_NAME = "nba-player-archetypes"
WRITER, READER, PROXY_USER = "pipeline", "dashboard", "nba"
DASHBOARD_REFRESH_TIMEOUT = 120

# Two seasons keep training short; the replay serves recorded or synthetic data for them.
FIRST_SEASON, LAST_SEASON = "2018-19", "2019-20"
# The replayed seasons, and a single k-means candidate (the search itself is tested elsewhere;
# `--params` cannot carry a list of several values: Kedro splits it on commas).
PIPELINE_PARAMS = ",".join(
    (
        f"ingestion.first_season={FIRST_SEASON}",
        f"ingestion.last_season={LAST_SEASON}",
        "ingestion.http.pause_seconds=0",
        "training.axes.offense.search_space.kmeans.n_clusters=[8]",
        "training.axes.defense.search_space.kmeans.n_clusters=[4]",
        "training.evaluation.bootstraps=2",
    )
)
# The clear-text secrets docker/make-secrets.sh writes: none may show outside the processes
# that use them (the proxy's htpasswd is a hash; the TLS files are empty until given).
SECRET_NAMES = (
    "postgres_password",
    "mlflow_admin_password",
    "mlflow_flask_secret_key",
    "mlflow_writer_password",
    "mlflow_reader_password",
    "proxy_password",
)
SERVERS = ("postgres", "mlflow", "kedro-viz", "dashboard", "proxy")
ONE_SHOTS = ("mlflow-setup",)
PROXY_CERTIFICATE = "/run/secrets/tls_certificate"  # the one the proxy serves

RELEASE_TIMEOUT = 30 * 60
UP_TIMEOUT = 10 * 60
PIPELINE_TIMEOUT = 30 * 60


def registry_answers() -> bool:
    try:
        urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=5).close()
    except (OSError, urllib.error.URLError):
        return False
    return True


@dataclass(kw_only=True)
class ProductionStack(ComposeProject):
    """docker-compose.yml, with the replay's file added for the calls that need it."""

    files: tuple[str, ...] = ("docker-compose.yml",)
    secrets: Path
    ports: dict[str, int]
    revision: str = ""
    tls_context: ssl.SSLContext | None = None

    def compose(self, *args: str, replay: bool = False, **kwargs):
        files = (*self.files, "docker/compose.replay.yml") if replay else None
        return super().compose(*args, files=files, **kwargs)

    def logs(self) -> str:
        result = self.compose("logs", "--no-color", "--tail=200", replay=True, check=False)
        return result.stdout + result.stderr

    def down(self) -> None:
        self.compose(
            "down", "--volumes", "--remove-orphans", "--timeout", "20", replay=True, check=False
        )

    def containers(self) -> list[dict]:
        out = self.compose("ps", "--all", "--format", "json", replay=True).stdout.strip()
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def script(self, name: str, *args: str, timeout: float = 600) -> str:
        """One of docker/'s operations scripts, on this stack (``COMPOSE``); its output."""
        return self.script_outcome(name, *args, timeout=timeout, check=True).stdout.strip()

    def script_outcome(self, name: str, *args: str, timeout: float = 600, check: bool = False):
        """The same, as a completed process, by default whatever its exit status."""
        env = self.env | {"COMPOSE": " ".join(self.command())}
        return self.run(
            [str(PROJECT_ROOT / "docker" / name), *args], env=env, timeout=timeout, check=check
        )

    def sql(self, query: str, database: str = "mlflow") -> list[str]:
        out = self.compose(
            "exec",
            "-T",
            "postgres",
            "psql",
            "--username=mlflow",
            f"--dbname={database}",
            "-tAc",
            query,
        ).stdout
        return [line for line in out.splitlines() if line.strip()]

    def trust_proxy_certificate(self) -> None:
        """Verify the proxy with the certificate it serves (docker/make-secrets.sh made it
        self-signed). The name is checked apart: requests go to 127.0.0.1 with the public name
        in the Host header."""
        certificate = self.compose("exec", "-T", "proxy", "cat", PROXY_CERTIFICATE)
        self.tls_context = ssl.create_default_context(cadata=certificate.stdout)
        self.tls_context.check_hostname = False

    def secret(self, name: str) -> str:
        return (self.secrets / name).read_text().strip()

    # -- HTTP through the proxy -------------------------------------------------------------
    def request(
        self,
        host: str,
        path: str,
        user: tuple[str, str] | None = None,
        *,
        payload: dict | None = None,
        method: str | None = None,
        scheme: str = "https",
    ) -> tuple[int, Message, str]:
        port = self.ports[scheme]
        headers = {"Host": f"{host}:{port}", "Content-Type": "application/json"}
        if user:
            token = base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{scheme}://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
        )
        # No redirect following: a redirect is an answer to check, not to chase.
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self.tls_context), _NoRedirect()
        )
        try:
            with opener.open(request, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                return response.status, response.headers, body
        except urllib.error.HTTPError as error:
            # Headers stay a Message: names are case-insensitive (uvicorn sends them lower case).
            return error.code, error.headers, error.read().decode("utf-8", "replace")

    def mlflow(self, endpoint: str, user: tuple[str, str], **query: str) -> dict:
        path = f"/api/2.0/mlflow/{endpoint}"
        if query:
            path += "?" + urllib.parse.urlencode(query)
        status, _, body = self.request(f"mlflow.{PUBLIC_HOST}", path, user)
        assert status == 200, f"{endpoint}: {status} {body[:300]}"
        return json.loads(body)

    def reader(self) -> tuple[str, str]:
        return READER, self.secret("mlflow_reader_password")

    def proxy_login(self) -> tuple[str, str]:
        return PROXY_USER, self.secret("proxy_password")

    def run_ids(self) -> set[str]:
        experiment = self.mlflow(
            "experiments/get-by-name", self.reader(), experiment_name=EXPERIMENT
        )
        status, _, body = self.request(
            f"mlflow.{PUBLIC_HOST}",
            "/api/2.0/mlflow/runs/search",
            self.reader(),
            payload={
                "experiment_ids": [experiment["experiment"]["experiment_id"]],
                "max_results": 1000,
            },
        )
        assert status == 200, body[:300]
        return {run["info"]["run_id"] for run in json.loads(body).get("runs", [])}

    def champion_version(self) -> str:
        found = self.mlflow(
            "registered-models/alias", self.reader(), name=MODEL_NAME, alias="champion"
        )
        return found["model_version"]["version"]

    def dashboard_health(self) -> dict:
        status, _, body = self.request(PUBLIC_HOST, "/healthz", self.proxy_login())
        assert status == 200, body[:300]
        return json.loads(body)

    def wait_dashboard_reports(self, champion: str) -> dict:
        deadline = time.monotonic() + DASHBOARD_REFRESH_TIMEOUT
        while True:
            health = self.dashboard_health()
            if health["champion_version"] == champion and health["player_seasons"] > 0:
                return health
            if time.monotonic() > deadline:
                raise AssertionError(f"the dashboard does not report champion {champion}: {health}")
            time.sleep(3)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
