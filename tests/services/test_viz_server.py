"""Kedro-Viz as the stacks serve it: the pipeline graph, no deploy API, no update check."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.support.ports import free_port


def test_the_graph_is_served_and_the_deploy_api_is_not(project):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nba_cluster.services.viz_server", "--port", str(port)],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/main", timeout=5) as response:
                    graph = json.load(response)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"viz_server did not start: {server.stderr.read()[-2000:]}")
                time.sleep(0.5)
        assert {p["id"] for p in graph["pipelines"]} >= {"ingestion", "training", "__default__"}

        for path in ("/api/deploy", "/api//deploy/", "/API/Deploy"):
            deploy = urllib.request.Request(
                base + path,
                data=b'{"platform": "aws", "endpoint": "http://x", "bucket_name": "b"}',
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(deploy, timeout=10)
            assert refused.value.code == 404, path

        # No question to PyPI: the installed version is the answer (offline, the real route
        # would report "None" as the latest version after up to 30 s).
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/api/version", timeout=10) as response:
            version = json.load(response)
        assert version["latest"] == version["installed"] and version["is_outdated"] is False
        assert time.monotonic() - started < 5
    finally:
        server.terminate()
        server.wait(timeout=20)
