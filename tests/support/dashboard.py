"""The dashboard as a process on 127.0.0.1, where it reads the pipelines' outputs, and its
callbacks called as the browser calls them."""

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


def dash_post(client, output: str, trigger: str, values: dict):
    """Call the callback writing ``output`` (``"id.prop"``) as the browser would when
    ``trigger`` changes: its output key and inputs come from /_dash-dependencies."""
    dependencies = client.get("/_dash-dependencies").get_json()
    callback = next(c for c in dependencies if f"{output}" in c["output"])
    body = {
        "output": callback["output"],
        "outputs": callback_outputs(callback),
        "inputs": [
            # a wildcard input (open-player buttons) is a list of matches: none here
            []
            if i["id"].startswith("{")
            else {**i, "value": values.get(f"{i['id']}.{i['property']}")}
            for i in callback["inputs"]
        ],
        "changedPropIds": [trigger],
        "state": [
            {**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in callback["state"]
        ],
    }
    return client.post("/_dash-update-component", json=body)


def callback_outputs(callback: dict) -> dict | list[dict]:
    """A callback's outputs as Dash's dispatcher expects them in a request body (one output:
    the object itself), from its entry in /_dash-dependencies."""
    outputs = [
        {"id": key.split(".")[0], "property": key.split(".")[1].split("@")[0]}
        for key in callback["output"].strip(".").split("...")
    ]
    return outputs if len(outputs) > 1 else outputs[0]
