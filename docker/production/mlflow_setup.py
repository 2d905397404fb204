"""One-shot set-up of MLflow's auth database, run by the mlflow-setup service after
`mlflow db upgrade` has migrated the tracking database and before `mlflow server` starts.

Idempotent, so it runs on every `docker compose up`:
- creates the auth database on the Postgres server when missing (it is separate from the
  tracking database) and migrates its schema (MLflow's auth store does that on init);
- makes the admin, the writer (pipeline, scheduler) and the reader (dashboard) exist with the
  passwords in their secret files: a changed secret file is a password rotation.

Reads what entrypoint.py prepared: MLFLOW_AUTH_CONFIG_PATH, POSTGRES_*, and the passwords
MLFLOW_AUTH_ADMIN_PASSWORD, MLFLOW_WRITER_PASSWORD, MLFLOW_READER_PASSWORD.
"""

from __future__ import annotations

import logging
import os

import psycopg2
from mlflow.server.auth.config import read_auth_config
from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore
from psycopg2 import sql

logging.basicConfig(level=logging.INFO, format="mlflow-setup: %(message)s")
logger = logging.getLogger("mlflow-setup")


def ensure_database(name: str) -> None:
    connection = psycopg2.connect(
        host=os.environ["POSTGRES_HOST"],
        port=os.environ.get("POSTGRES_PORT", "5432"),
        user=os.environ.get("POSTGRES_USER", "mlflow"),
        password=os.environ["POSTGRES_PASSWORD"],
        dbname=os.environ.get("POSTGRES_DB", "mlflow"),
    )
    connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                logger.info("created database %s", name)
    finally:
        connection.close()


def ensure_user(store: SqlAlchemyStore, username: str, password: str, is_admin: bool) -> None:
    if store.has_user(username):
        store.update_user(username, password=password, is_admin=is_admin)
        logger.info("user %s: password set from its secret", username)
    else:
        store.create_user(username, password, is_admin=is_admin)
        logger.info("user %s: created", username)


def main() -> None:
    ensure_database(os.environ.get("MLFLOW_AUTH_DB", "mlflow_auth"))
    config = read_auth_config()
    store = SqlAlchemyStore()
    store.init_db(config.database_uri)
    users = (
        (config.admin_username, os.environ["MLFLOW_AUTH_ADMIN_PASSWORD"], True),
        (os.environ["MLFLOW_WRITER_USERNAME"], os.environ["MLFLOW_WRITER_PASSWORD"], False),
        (os.environ["MLFLOW_READER_USERNAME"], os.environ["MLFLOW_READER_PASSWORD"], False),
    )
    for username, password, is_admin in users:
        ensure_user(store, username, password, is_admin)


if __name__ == "__main__":
    main()
