"""A real ``mlflow server`` on 127.0.0.1 with a SQLite backend."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port
from tests.support.processes import running_server


@contextmanager
def mlflow_server(root: Path) -> Iterator[str]:
    """A server keeping its database, artifacts (served over HTTP) and log under ``root``
    (created if missing); yields its URL and stops it with SIGTERM afterwards."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--serve-artifacts", "--artifacts-destination", str(root / "artifacts"),
        "--workers", "1",
    ]  # fmt: skip
    # the job runner and its consumers are not needed for tracking and the registry, and
    # slow start-up past the wait on two busy cores
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with running_server(
        command, health_url=f"{url}/health", log_path=root / "server.log", env=env,
        request_timeout=2,
    ):  # fmt: skip
        yield url
