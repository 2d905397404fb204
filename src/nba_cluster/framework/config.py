"""The project's configuration and catalog as Kedro reads them, for processes that must not
start a ``KedroSession`` (the dashboard and the scheduler: a session runs the project hooks,
and kedro-mlflow's would create experiments on the tracking server)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog
from omegaconf.resolvers import oc

# settings.py hands these to Kedro. `oc.env` only works in credentials by default; parameters,
# catalog and mlflow.yml need it for NBA_STATS_BASE_URL and MLFLOW_TRACKING_URI.
CONFIG_LOADER_ARGS: dict[str, Any] = {
    "base_env": "base",
    "default_run_env": "local",
    "custom_resolvers": {"oc.env": oc.env},
}


def project_config(
    project_path: Path, env: str | None = None, **config_patterns: list[str]
) -> OmegaConfigLoader:
    """``conf/base`` then ``conf/<env>`` (default: ``KEDRO_ENV``, else ``local``); extra
    ``config_patterns`` name files Kedro itself does not read (``schedules``, ``mlflow``)."""
    return OmegaConfigLoader(
        conf_source=str(Path(project_path) / "conf"),
        env=env if env is not None else os.environ.get("KEDRO_ENV"),
        config_patterns=config_patterns or None,
        **CONFIG_LOADER_ARGS,
    )


def project_catalog(
    project_path: Path, names: Iterable[str], config: OmegaConfigLoader | None = None
) -> DataCatalog:
    """The named entries of the project's catalog, relative local paths resolved against the
    project as a Kedro context does, so the caller may run from any working directory."""
    config = config or project_config(project_path)
    entries = {name: _absolute_paths(config["catalog"][name], Path(project_path)) for name in names}
    return DataCatalog.from_config(entries)


def _absolute_paths(entry: dict[str, Any], project_path: Path) -> dict[str, Any]:
    entry = dict(entry)
    path = entry.get("filepath")
    if isinstance(path, str) and "://" not in path and not Path(path).is_absolute():
        entry["filepath"] = (project_path / path).as_posix()
    return entry
