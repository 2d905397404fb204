"""Project hooks: a tracking server that does not answer stops the run at once, named."""

from __future__ import annotations

import os
import subprocess
import sys


def test_unreachable_tracking_server_fails_fast_naming_it(project):
    url = "http://127.0.0.1:9"  # the discard port: nothing listens
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--pipeline", "training"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "MLFLOW_TRACKING_URI": url},
    )
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    assert f"MLflow tracking server {url} is unreachable" in output
