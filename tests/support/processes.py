"""Start a server process, wait until its health URL answers, stop it politely."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ServerDidNotStart(RuntimeError):
    """The process exited, or its health URL did not answer in time; the message holds its log."""


def start_server(
    command: list[str],
    *,
    health_url: str,
    log_path: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    request_timeout: float = 30,
) -> subprocess.Popen:
    """``command`` started with its output in ``log_path``, once ``health_url`` answers.
    Raises ServerDidNotStart, quoting the log, when the process exits first or ``timeout``
    seconds pass."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(health_url, timeout=request_timeout):
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            log = log_path.read_text(errors="replace")
            raise ServerDidNotStart(f"{' '.join(command)} did not become healthy:\n{log}")
        time.sleep(0.3)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if the process has not exited after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(command: list[str], **start_arguments) -> Iterator[subprocess.Popen]:
    """``start_server`` for the duration of a with block."""
    process = start_server(command, **start_arguments)
    try:
        yield process
    finally:
        stop(process)
