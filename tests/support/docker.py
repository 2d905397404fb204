"""Whether a Docker engine and the Compose v2 plugin answer, for the end-to-end stack tests."""

from __future__ import annotations

import shutil
import subprocess


def docker_unavailable_reason() -> str | None:
    """None when `docker info` and `docker compose version` work, else why not (a skip reason)."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker CLI on PATH"
    try:
        info = subprocess.run(
            [docker, "info"], capture_output=True, text=True, timeout=20, check=False
        )
    except subprocess.TimeoutExpired:
        return "the Docker engine does not answer (docker info timed out)"
    if info.returncode != 0:
        return f"no Docker engine answers: {(info.stderr or info.stdout).strip()[:200]}"
    compose = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=20, check=False
    )
    if compose.returncode != 0:
        return "the Docker Compose v2 plugin is missing (docker compose version failed)"
    return None
