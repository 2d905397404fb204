"""One-shot set-up of MLflow's auth database, run by the mlflow-setup service after
`mlflow db upgrade` has migrated the tracking database and before `mlflow server` starts.

Idempotent, so it runs on every `docker compose up`:
- creates the auth database on the Postgres server when missing (it is separate from the
  tracking database) and migrates its schema (MLflow's auth store does that on init);
- makes the admin, the writer (pipeline, scheduler) and the reader (dashboard) exist with the
  passwords in their secret files: a changed secret file is a password rotation.
- makes the project's registered model exist, managed by the writer only: no other user can
  take the name first (MLflow makes a model's creator its manager, and any logged-in user may
  create one), nor register a version of it or move its aliases.

Reads what entrypoint.py prepared: MLFLOW_AUTH_CONFIG_PATH, POSTGRES_*, and the passwords
MLFLOW_AUTH_ADMIN_PASSWORD, MLFLOW_WRITER_PASSWORD, MLFLOW_READER_PASSWORD.
"""

from __future__ import annotations

import logging
import os

import psycopg2
from mlflow.exceptions import MlflowException
from mlflow.server.auth.config import read_auth_config
from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from psycopg2 import sql

from nba_cluster.model_registry import MODEL_NAME

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


def ensure_model_managed_by(store: SqlAlchemyStore, writer: str, others: list[str]) -> None:
    registry = RegistryStore(os.environ["MLFLOW_BACKEND_STORE_URI"])
    try:
        registry.get_registered_model(MODEL_NAME)
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        registry.create_registered_model(MODEL_NAME)
        logger.info("registered model %s: created", MODEL_NAME)
    store.grant_user_permission(writer, "registered_model", MODEL_NAME, "MANAGE")
    # A stack set up before this step may have let another user create the name first.
    for username in others:
        try:
            store.delete_registered_model_permission(MODEL_NAME, username)
            logger.info("registered model %s: permission of %s removed", MODEL_NAME, username)
        except MlflowException:
            pass  # none to remove
    logger.info("registered model %s: managed by %s", MODEL_NAME, writer)


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
    ensure_model_managed_by(
        store, os.environ["MLFLOW_WRITER_USERNAME"], [os.environ["MLFLOW_READER_USERNAME"]]
    )


if __name__ == "__main__":
    main()
