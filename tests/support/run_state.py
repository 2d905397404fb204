"""The run state of a test project (``datasets.names``: last run, open MLflow runs, scheduler
status), read and written through its catalog as the project and the dashboard do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nba_cluster.framework.config import project_catalog


def read_state(project: Path, name: str) -> Any:
    catalog = project_catalog(project, [name])
    return catalog.load(name) if catalog.exists(name) else None


def write_state(project: Path, name: str, value: Any) -> None:
    project_catalog(project, [name]).save(name, value)
