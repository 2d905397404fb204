"""The dashboard as a process on 127.0.0.1, and where it reads the pipelines' outputs."""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

from tests.support.ports import free_port
from tests.support.processes import start_server, stop

# A name the tests give one player of the synthetic league (whose names are ASCII), to search
# for it without the accent.
ACCENTED_NAME = "Nikola Jokić"
# For the tests: quick reloads, and browser-facing links they can recognise.
TEST_ENV = {
    "DASHBOARD_REFRESH_SECONDS": "0.5",
    "MLFLOW_UI_URL": "http://mlflow.example",
    "KEDRO_VIZ_URL": "http://viz.example",
}


def output_path(project: Path, name: str) -> Path:
    return project / "data" / "07_model_output" / f"{name}.parquet"


class DashboardServer:
    """``python -m nba_cluster.dashboard`` (``server="module"``) or gunicorn with ``workers`` x
    ``threads``, serving ``project`` with its champion from ``tracking_uri``; started and
    healthy (``/healthz`` answers) once constructed."""

    def __init__(
        self,
        project: Path,
        tracking_uri: str,
        *,
        server: str = "module",
        workers: int = 1,
        threads: int = 4,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        timeout: float = 120,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if server == "gunicorn":
            command = [
                sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers), "--threads", str(threads),
                "nba_cluster.dashboard.app:server",
            ]  # fmt: skip
        else:
            command = [sys.executable, "-m", "nba_cluster.dashboard", "--host", "127.0.0.1",
                       "--port", str(self.port)]  # fmt: skip
        self.log = log_path or project / f"dashboard-{self.port}.log"
        self.process = start_server(
            command,
            health_url=f"{self.url}/healthz",
            log_path=self.log,
            cwd=project,
            env={**os.environ, "MLFLOW_TRACKING_URI": tracking_uri,
                 "KEDRO_DISABLE_TELEMETRY": "true", **(env or {})},
            timeout=timeout,
        )  # fmt: skip

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as response:
            return response.status, response.read()

    def stop(self) -> None:
        stop(self.process)
