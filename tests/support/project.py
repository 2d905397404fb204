"""The project's paths, throwaway copies of it and the parameters it ships."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_NBA_STATS = PROJECT_ROOT.parent / "shared" / "nba-stats"
# The experiment kedro-mlflow logs to; its one home is conf/base/mlflow.yml.
EXPERIMENT = yaml.safe_load((PROJECT_ROOT / "conf" / "base" / "mlflow.yml").read_text())[
    "tracking"
]["experiment"]["name"]


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


def raw_files(project: Path) -> dict[str, bytes]:
    """The raw stats.nba.com responses ingestion saved in ``project``, by file name."""
    folder = project / "data" / "01_raw" / "leaguedashplayerstats"
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*"))}
