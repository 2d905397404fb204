"""Entrypoint of the nba-cluster image in the production stack (docker-compose.yml).

Secrets reach the containers as files (compose `secrets:`, mounted under /run/secrets). For
every environment variable `NAME_FILE` that points there, this sets `NAME` to the file's
content, then execs the command. The values exist only in the environment of the process it
starts: `docker inspect` shows the file paths, never a secret, and nothing is written to the
image. MLflow's clients read MLFLOW_TRACKING_USERNAME/PASSWORD this way.

When POSTGRES_HOST is set (the mlflow and mlflow-setup services), it also composes the
connection URIs that embed the database password: MLFLOW_BACKEND_STORE_URI (tracking
database) and an auth configuration file for `--app-name basic-auth` pointing at the separate
auth database (MLFLOW_AUTH_CONFIG_PATH, a private file under /tmp).

    python /opt/nba-cluster/entrypoint.py <command> [args...]
"""

from __future__ import annotations

import configparser
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

SECRETS_DIR = "/run/secrets/"


def export_secret_files(env: dict[str, str]) -> None:
    for name, path in list(env.items()):
        if name.endswith("_FILE") and path.startswith(SECRETS_DIR):
            value = Path(path).read_text(encoding="utf-8").strip()
            if not value:
                sys.exit(f"entrypoint: secret file {path} ({name}) is empty")
            env[name.removesuffix("_FILE")] = value
            del env[name]


def postgres_uri(env: dict[str, str], database: str) -> str:
    user = quote(env.get("POSTGRES_USER", "mlflow"), safe="")
    password = quote(env["POSTGRES_PASSWORD"], safe="")
    host, port = env["POSTGRES_HOST"], env.get("POSTGRES_PORT", "5432")
    return f"postgresql+psycopg2://{user}:{password}@{host}:{port}/{database}"


def write_auth_config(env: dict[str, str]) -> str:
    config = configparser.ConfigParser(interpolation=None)
    config["mlflow"] = {
        # Every authenticated user may read; only an experiment's or a model's creator (the
        # writer) and admins may change it. The dashboard's reader can never move `champion`.
        "default_permission": "READ",
        "database_uri": postgres_uri(env, env.get("MLFLOW_AUTH_DB", "mlflow_auth")),
        "admin_username": env.get("MLFLOW_AUTH_ADMIN_USERNAME", "admin"),
        "authorization_function": "mlflow.server.auth:authenticate_request_basic_auth",
        # Each request's password check is a scrypt hash (tens of MB, CPU-bound): measured
        # 1.4-9 s per authenticated call on 2 busy cores, and logging one model makes dozens
        # of calls. Caching a verified (user, password) per worker for 2 minutes removes that;
        # passwords change only through mlflow-setup, before the server (re)starts.
        "auth_cache_ttl_seconds": env.get("MLFLOW_AUTH_CACHE_TTL_SECONDS", "120"),
    }
    descriptor, path = tempfile.mkstemp(prefix="mlflow-auth-", suffix=".ini")  # mode 0600
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        config.write(file)
    return path


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: entrypoint.py <command> [args...]")
    env = dict(os.environ)
    export_secret_files(env)
    if env.get("POSTGRES_HOST"):
        env["MLFLOW_BACKEND_STORE_URI"] = postgres_uri(env, env.get("POSTGRES_DB", "mlflow"))
        env["MLFLOW_AUTH_CONFIG_PATH"] = write_auth_config(env)
    os.execvpe(argv[0], argv, env)


if __name__ == "__main__":
    main(sys.argv[1:])
