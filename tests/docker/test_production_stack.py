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

The stack is the package's (tests/docker/conftest.py); test_production_stack_under_attack.py
uses it too.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from cryptography import x509

from tests.support.production import (
    EXPERIMENT,
    MODEL_NAME,
    PROXY_CERTIFICATE,
    PUBLIC_HOST,
    REGISTRY,
    SECRET_NAMES,
    SERVERS,
    UP_TIMEOUT,
    WRITER,
)

pytestmark = pytest.mark.docker


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
        pem = stack.compose("exec", "-T", "proxy", "cat", PROXY_CERTIFICATE).stdout
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
        assert stack.run_ids() == runs_before
        assert stack.champion_version() == champion_before
        dashboard_after = stack.wait_dashboard_reports(champion_before)
        for key in ("champion_version", "data_model_version", "data_timestamp", "player_seasons"):
            assert dashboard_after[key] == dashboard_before[key], key
