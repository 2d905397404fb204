"""The outcome of the last ``kedro run``, in a small JSON file the dashboard reads to say why
it has nothing to show (written by the project hooks, atomically)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from nba_cluster.datasets.atomic import write_atomically

STATUS_FILE = Path("data") / "08_reporting" / "last_run.json"
_MAX_MESSAGE = 600  # what a status line can show; the log has the rest


def record(project_path: Path, *, pipelines: list[str], error: str | None) -> None:
    status = {
        "status": "failed" if error else "succeeded",
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pipelines": pipelines,
        "error": error[:_MAX_MESSAGE] if error else None,
    }
    write_atomically(project_path / STATUS_FILE, json.dumps(status, indent=2).encode())


def read(project_path: Path) -> dict[str, Any] | None:
    """The last outcome, or None when no run recorded one (or the file is unreadable)."""
    try:
        status = json.loads((project_path / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) and "status" in status else None
