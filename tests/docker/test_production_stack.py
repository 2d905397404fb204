"""The production stack (docker-compose.yml), end to end, in a real Docker engine.

docker/release.sh builds the image and pushes it to the local registry on 127.0.0.1:5000
(.ci/ensure-registry.sh; .ci/run starts it); the local copy is removed, so `up` has to pull
exactly the released tag. Secrets come from docker/make-secrets.sh in a temporary folder.
Then, through the nginx proxy only: every UI and API needs a login, plain HTTP redirects, the
reader cannot move MLflow's `champion`; the pipeline trains with the writer's credentials
against the stats.nba.com replay (docker/compose.replay.yml), and Postgres holds the runs and
the alias; no container runs as root; no secret shows in `docker inspect` or the image
history; backup -> `down -v` -> restore brings back the same runs, champion and dashboard data.

Real Postgres, nginx and registry (stand-ins from Debian packages where the official images
cannot be pulled: .ci/bootstrap-base-images.sh). Compose logs are printed on failure; the
stack and its volumes are always removed (`down -v`).

    pytest -m docker tests/docker/test_production_stack.py -s
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from tests.support.docker import docker_unavailable_reason
from tests.support.ports import free_ports
from tests.support.production import (
    EXPERIMENT,
    MODEL_NAME,
    PUBLIC_HOST,
    REGISTRY,
    WRITER,
    ProductionStack,
    registry_answers,
)
from tests.support.project import SHARED_NBA_STATS, shared_data_available

pytestmark = pytest.mark.docker

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

RELEASE_TIMEOUT = 30 * 60
UP_TIMEOUT = 10 * 60
PIPELINE_TIMEOUT = 30 * 60


@pytest.fixture(scope="module")
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
