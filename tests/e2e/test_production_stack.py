"""The production stack (docker-compose.yml), end to end, in a real Docker engine.

docker/release.sh builds the image and pushes it to the local registry on 127.0.0.1:5000
(docker/ensure-registry.sh; .ci/run starts it); the local copy is removed, so `up` has to pull
exactly the released tag. Secrets come from docker/make-secrets.sh in a temporary folder.
Then, through the nginx proxy only: every UI and API needs a login, plain HTTP redirects, the
reader cannot move MLflow's `champion`; the pipeline trains with the writer's credentials
against the stats.nba.com replay (docker/compose.replay.yml), and Postgres holds the runs and
the alias; no container runs as root; no secret shows in `docker inspect` or the image
history; backup -> `down -v` -> restore brings back the same runs, champion and dashboard data.

Real Postgres, nginx and registry (stand-ins from Debian packages where the official images
cannot be pulled: docker/bootstrap-base-images.sh). Compose logs are printed on failure; the
stack and its volumes are always removed (`down -v`).

    pytest -m docker tests/e2e/test_production_stack.py -s
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import ssl
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from cryptography import x509

from tests.e2e import production_probes as probes
from tests.support.docker import docker_unavailable_reason
from tests.support.ports import free_ports
from tests.support.project import PROJECT_ROOT, SHARED_NBA_STATS, shared_data_available

pytestmark = pytest.mark.docker

REGISTRY = "127.0.0.1:5000"
PUBLIC_HOST = "nba.test"
# Two seasons keep training short; the replay serves recorded or synthetic data for them.
FIRST_SEASON, LAST_SEASON = "2018-19", "2019-20"
# The replayed seasons, and a single k-means candidate (the search itself is tested elsewhere;
# `--params` cannot carry a list of several values: Kedro splits it on commas).
PIPELINE_PARAMS = ",".join(
    (
        f"ingestion.first_season={FIRST_SEASON}",
        f"ingestion.last_season={LAST_SEASON}",
        "ingestion.http.pause_seconds=0",
        "training.search_space.kmeans.n_clusters=[8]",
        "training.evaluation.bootstraps=2",
    )
)
EXPERIMENT = "nba_cluster"
MODEL_NAME = "nba-player-archetypes"
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
ONE_SHOTS = ("mlflow-setup", "proxy-init")
WRITER, READER, PROXY_USER = "pipeline", "dashboard", "nba"

RELEASE_TIMEOUT = 30 * 60
UP_TIMEOUT = 10 * 60
PIPELINE_TIMEOUT = 30 * 60
DASHBOARD_REFRESH_TIMEOUT = 120


def _registry_answers() -> bool:
    try:
        urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=5).close()
    except (OSError, urllib.error.URLError):
        return False
    return True


@dataclass
class ProductionStack:
    project: str
    env_file: Path
    secrets: Path
    ports: dict[str, int]
    env: dict[str, str]
    image: str
    revision: str = ""
    tls_context: ssl.SSLContext | None = None

    # -- compose and the scripts ------------------------------------------------------------
    def compose_prefix(self, replay: bool = False) -> list[str]:
        files = ["-f", "docker-compose.yml"]
        if replay:
            files += ["-f", "docker/compose.replay.yml"]
        return ["docker", "compose", "--env-file", str(self.env_file), "-p", self.project, *files]

    def run(
        self,
        command: list[str],
        timeout: float = 600,
        check: bool = True,
        env: dict[str, str] | None = None,
        **kwargs,
    ):
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env or self.env,
            capture_output=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if check and result.returncode != 0:
            out = result.stdout if isinstance(result.stdout, str) else result.stdout.decode()
            err = result.stderr if isinstance(result.stderr, str) else result.stderr.decode()
            raise AssertionError(
                f"`{' '.join(command)}` exited {result.returncode}\n"
                f"--- stdout ---\n{out[-6000:]}\n--- stderr ---\n{err[-6000:]}"
            )
        return result

    def compose(self, *args: str, replay: bool = False, timeout: float = 600, check=True):
        return self.run(
            [*self.compose_prefix(replay), *args], timeout=timeout, check=check, text=True
        )

    def script(self, name: str, *args: str, timeout: float = 600, check: bool = True):
        """The script's stdout; with check=False, the completed process instead."""
        env = self.env | {"COMPOSE": " ".join(self.compose_prefix())}
        result = subprocess.run(
            [str(PROJECT_ROOT / "docker" / name), *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if not check:
            return result
        assert result.returncode == 0, f"{name}: {result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        return result.stdout.strip()

    @contextlib.contextmanager
    def logs_on_failure(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            logs = self.compose("logs", "--no-color", "--tail=200", replay=True, check=False)
            print(f"\n===== docker compose logs ({self.project}) =====\n{logs.stdout}{logs.stderr}")
            raise

    def containers(self) -> list[dict]:
        out = self.compose("ps", "--all", "--format", "json", replay=True).stdout.strip()
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def inspect(self, name: str) -> dict:
        out = self.run(["docker", "inspect", name], text=True).stdout
        return json.loads(out)[0]

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
        """Verify the proxy with the certificate it serves now (self-signed on a first start;
        a restore onto empty volumes is a first start). The name is checked apart: requests
        go to 127.0.0.1 with the public name in the Host header."""
        certificate = self.compose("exec", "-T", "proxy", "cat", "/etc/nginx/runtime/tls.crt")
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


@pytest.fixture(scope="module")
def stack() -> Iterator[ProductionStack]:
    reason = docker_unavailable_reason()
    if reason:
        pytest.skip(f"needs a Docker engine with Compose v2: {reason}")
    if not _registry_answers():
        pytest.skip(f"needs a registry on {REGISTRY}: run docker/ensure-registry.sh")

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
        env_file=workdir / "production.env",
        secrets=secrets,
        ports={"http": http_port, "https": https_port},
        env=env,
        image="",
    )
    print(f"\ncompose project {stack.project}, ports {stack.ports}, work dir {workdir}")
    try:
        with stack.logs_on_failure():
            stack.run(["docker/make-secrets.sh"], env=env | {"SECRETS_DIR": str(secrets)})
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
            stack.env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
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
        stack.compose(
            "down", "--volumes", "--remove-orphans", "--timeout", "20", replay=True, check=False
        )
        if stack.image:
            subprocess.run(["docker", "image", "rm", stack.image], capture_output=True, check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_released_image_was_pulled_with_its_sbom_and_labels(stack):
    with stack.logs_on_failure():
        image = stack.inspect(stack.image)
        assert any(digest.startswith(f"{REGISTRY}/nba-cluster@") for digest in image["RepoDigests"])
        labels = image["Config"]["Labels"]
        assert labels["org.opencontainers.image.version"] == stack.image.rsplit(":", 1)[1]
        assert labels["org.opencontainers.image.revision"].startswith(stack.revision)
        sbom = json.loads(stack.compose("exec", "-T", "mlflow", "cat", "/app/sbom.cdx.json").stdout)
        assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.5"
        assert {"mlflow", "psycopg2-binary", "flask-wtf"} <= {c["name"] for c in sbom["components"]}


def test_only_the_proxy_publishes_ports(stack):
    with stack.logs_on_failure():
        publishing = {
            container["Service"]
            for container in stack.containers()
            if any(p.get("PublishedPort") for p in container.get("Publishers") or [])
        }
        assert publishing == {"proxy"}


def test_every_ui_needs_a_login_and_opens_with_one(stack):
    proxy_login, reader = stack.proxy_login(), stack.reader()
    checks = (
        (PUBLIC_HOST, "/", proxy_login),
        (PUBLIC_HOST, "/healthz", proxy_login),
        (f"viz.{PUBLIC_HOST}", "/api/main", proxy_login),
        (f"mlflow.{PUBLIC_HOST}", "/", reader),
        (f"mlflow.{PUBLIC_HOST}", "/api/2.0/mlflow/experiments/search?max_results=5", reader),
    )
    with stack.logs_on_failure():
        for host, path, login in checks:
            status, headers, _ = stack.request(host, path)
            assert status == 401, f"{host}{path} without a login: {status}"
            assert headers.get("WWW-Authenticate", "").startswith("Basic")
            status, _, body = stack.request(host, path, (login[0], "wrong-password"))
            assert status == 401, f"{host}{path} with a wrong password: {status}"
            status, headers, body = stack.request(host, path, login)
            assert status == 200, f"{host}{path} with a login: {status} {body[:300]}"
            assert headers.get("Strict-Transport-Security", "").startswith("max-age=")
            assert headers.get("X-Content-Type-Options") == "nosniff"
        # The proxy's login does not open MLflow: it has its own users.
        status, _, _ = stack.request(f"mlflow.{PUBLIC_HOST}", "/", proxy_login)
        assert status == 401


def test_plain_http_redirects_to_https(stack):
    with stack.logs_on_failure():
        status, headers, _ = stack.request(f"viz.{PUBLIC_HOST}", "/api/main?x=1", scheme="http")
        assert status == 301
        expected = f"https://viz.{PUBLIC_HOST}:{stack.ports['https']}/api/main?x=1"
        assert headers["Location"] == expected


def test_the_certificate_is_made_for_the_public_host(stack):
    with stack.logs_on_failure():
        pem = stack.compose("exec", "-T", "proxy", "cat", "/etc/nginx/runtime/tls.crt").stdout
        names = (
            x509.load_pem_x509_certificate(pem.encode())
            .extensions.get_extension_for_class(x509.SubjectAlternativeName)
            .value.get_values_for_type(x509.DNSName)
        )
        assert set(names) == {PUBLIC_HOST, f"*.{PUBLIC_HOST}"}


def test_the_pipeline_wrote_runs_and_champion_to_postgres_as_the_writer(stack):
    with stack.logs_on_failure():
        runs = stack.sql(
            "SELECT count(*) FROM runs JOIN experiments USING (experiment_id) "
            f"WHERE experiments.name = '{EXPERIMENT}'"
        )
        assert int(runs[0]) >= 2, runs  # the pipeline's run and its candidate's
        champion = stack.sql(
            "SELECT version FROM registered_model_aliases "
            f"WHERE name = '{MODEL_NAME}' AND alias = 'champion'"
        )
        assert champion == [stack.champion_version()]
        # The writer created the model: MLflow granted its user role MANAGE on it.
        managers = stack.sql(
            "SELECT u.username, p.permission FROM role_permissions p "
            "JOIN user_role_assignments a ON a.role_id = p.role_id "
            f"JOIN users u ON u.id = a.user_id WHERE p.resource_pattern = '{MODEL_NAME}'",
            database="mlflow_auth",
        )
        assert managers == [f"{WRITER}|MANAGE"], managers


def test_the_reader_cannot_change_the_registry(stack):
    with stack.logs_on_failure():
        champion = stack.champion_version()
        for user, expected in ((stack.reader(), 403), ((WRITER, "wrong-password"), 401)):
            status, _, body = stack.request(
                f"mlflow.{PUBLIC_HOST}",
                "/api/2.0/mlflow/registered-models/alias",
                user,
                payload={"name": MODEL_NAME, "alias": "champion", "version": "1"},
                method="POST",
            )
            assert status == expected, f"{user[0]}: {status} {body[:300]}"
        status, _, _ = stack.request(
            f"mlflow.{PUBLIC_HOST}",
            "/api/2.0/mlflow/registered-models/delete",
            stack.reader(),
            payload={"name": MODEL_NAME},
            method="DELETE",
        )
        assert status == 403
        assert stack.champion_version() == champion


def test_no_container_runs_as_root(stack):
    with stack.logs_on_failure():
        for container in stack.containers():
            details = stack.inspect(container["ID"])
            user = details["Config"]["User"]
            assert user.split(":")[0] not in ("", "0", "root"), f"{container['Service']}: {user!r}"
        for service in SERVERS:
            uid = stack.compose("exec", "-T", service, "id", "-u").stdout.strip()
            assert uid != "0", service
        assert stack.compose("exec", "-T", "postgres", "id", "-un").stdout.strip() == "postgres"


def test_no_secret_in_docker_inspect_or_the_image_history(stack):
    secrets = [stack.secret(name) for name in SECRET_NAMES]
    with stack.logs_on_failure():
        inspected = [stack.inspect(c["ID"]) for c in stack.containers()]
        history = stack.run(
            ["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", stack.image],
            text=True,
        ).stdout
        texts = [json.dumps(details) for details in inspected] + [
            history,
            json.dumps(stack.inspect(stack.image)),
        ]
        for secret in secrets:
            assert not any(secret in text for text in texts)
        # ...while the processes do get them (the entrypoint exported them).
        environ = stack.compose(
            "exec",
            "-T",
            "dashboard",
            "sh",
            "-c",
            "tr '\\0' '\\n' < /proc/1/environ; "
            "for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ; done 2>/dev/null",
        ).stdout
        assert f"MLFLOW_TRACKING_PASSWORD={stack.secret('mlflow_reader_password')}" in environ


def _archive_bytes(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as outer:
        members = {m.name: outer.extractfile(m).read() for m in outer.getmembers() if m.isfile()}
    for name in [n for n in members if n.endswith(".tar")]:
        with tarfile.open(fileobj=io.BytesIO(members[name])) as inner:
            for member in inner.getmembers():
                if member.isfile():
                    members[f"{name}/{member.name}"] = inner.extractfile(member).read()
    return members


def test_backup_then_restore_onto_empty_volumes_brings_everything_back(stack, tmp_path):
    with stack.logs_on_failure():
        runs_before = stack.run_ids()
        champion_before = stack.champion_version()
        dashboard_before = stack.wait_dashboard_reports(champion_before)

        archive = Path(stack.script("backup.sh", str(tmp_path)).splitlines()[-1])
        assert (
            archive.name.startswith("nba-cluster-backup-") and archive.stat().st_mode & 0o077 == 0
        )
        contents = _archive_bytes(archive)
        assert {"tracking.sql", "auth.sql", "mlflow-artifacts.tar", "data.tar"} <= set(contents)
        for name in SECRET_NAMES:
            secret = stack.secret(name).encode()
            leaks = [member for member, data in contents.items() if secret in data]
            assert not leaks, f"{name} in clear in {leaks}"

        stack.compose("down", "--volumes", "--timeout", "20", replay=True)
        volumes = stack.run(
            [
                "docker",
                "volume",
                "ls",
                "-q",
                "--filter",
                f"label=com.docker.compose.project={stack.project}",
            ],
            text=True,
        ).stdout.split()
        assert volumes == [], volumes

        stack.script("restore.sh", str(archive), timeout=UP_TIMEOUT)
        stack.trust_proxy_certificate()
        assert stack.run_ids() == runs_before
        assert stack.champion_version() == champion_before
        dashboard_after = stack.wait_dashboard_reports(champion_before)
        for key in ("champion_version", "data_model_version", "data_timestamp", "player_seasons"):
            assert dashboard_after[key] == dashboard_before[key], key


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
            result = stack.script("restore.sh", str(damaged), timeout=UP_TIMEOUT, check=False)
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
