"""``kedro run`` in-process, in a project copy, with ``--params`` as the CLI takes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook


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
