"""Throwaway copies of the project, and ``kedro run`` in-process in them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_NBA_STATS = PROJECT_ROOT.parent / "shared" / "nba-stats"


def shared_data_available() -> bool:
    """Whether the recorded stats.nba.com data sits beside the repository."""
    return (SHARED_NBA_STATS / "PROVENANCE.md").is_file()


def copy_project(root: Path) -> Path:
    """The project's config in ``root`` (created if missing), without conf/local and without
    data: the package itself is installed in the venv."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root)
    shutil.copy(PROJECT_ROOT / ".telemetry", root)
    shutil.copytree(PROJECT_ROOT / "conf", root / "conf", ignore=shutil.ignore_patterns("local"))
    (root / "conf" / "local").mkdir()
    (root / "src").mkdir()  # Kedro only checks that the source folder exists
    return root


def project_parameters(pipeline: str) -> dict[str, Any]:
    """The parameters the project ships in ``conf/base/parameters_<pipeline>.yml``."""
    path = PROJECT_ROOT / "conf" / "base" / f"parameters_{pipeline}.yml"
    return yaml.safe_load(path.read_text())[pipeline]


def apply_params(parameters: dict, params: dict[str, Any]) -> dict:
    """``parameters`` with each dotted key of ``params`` set in it, the way ``--params a.b=1``
    sets ``{"a": {"b": 1}}``; returns ``parameters``, changed in place."""
    for dotted, value in params.items():
        *parents, leaf = dotted.split(".")
        node = parameters
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return parameters


def run_kedro(project: Path, pipeline: str | None = None, params: dict | None = None) -> None:
    """``kedro run`` in-process, the way the CLI does it; ``params`` as ``--params`` takes them
    (dotted keys)."""
    bootstrap_project(project)
    # kedro-mlflow's hook is a process-wide singleton that keeps the last run id even when a
    # later pipeline has tracking disabled, then re-opens that run before every node; each CLI
    # run is a fresh process, so only in-process sessions like these need the reset.
    mlflow_hook.run_id = None
    runtime_params = apply_params({}, params or {})
    with KedroSession.create(project_path=project, runtime_params=runtime_params) as session:
        session.run(pipeline_names=[pipeline] if pipeline else None)


def raw_files(project: Path) -> dict[str, bytes]:
    """The raw stats.nba.com responses ingestion saved in ``project``, by file name."""
    folder = project / "data" / "01_raw" / "leaguedashplayerstats"
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*"))}
