"""Where the dashboard's data comes from.

- The inference outputs ``player_archetypes``, ``archetype_profiles`` and ``similarity_vectors``,
  through the project's own Kedro catalog (``conf/``: paths are written down once, there), on a
  local disk or in a bucket (``KEDRO_ENV=cloud``). Where the outputs are versioned, the three of
  the run that ``inference_manifest`` names, read once per load: never two runs' outputs mixed.
- The champion's details from the MLflow registry and tracking server (``MlflowClient``).
- The run state: the scheduler's status (``scheduler_status``: last and next refresh), when a
  scheduler runs, and how the last ``kedro run`` ended (``last_run_status``).

The catalog is built without a ``KedroSession`` (``framework.config``): a session runs the
project hooks, and kedro-mlflow's would create experiments on the tracking server (and the
reachability check would refuse to start when MLflow is down), none of which a read-only
dashboard should do.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow import MlflowClient

from nba_cluster.clustering.selection import rank_candidates
from nba_cluster.datasets.locations import version_of
from nba_cluster.datasets.names import (
    INFERENCE_MANIFEST,
    INFERENCE_OUTPUTS,
    LAST_RUN_STATUS,
    SCHEDULER_STATUS,
)
from nba_cluster.framework.config import project_catalog, project_config
from nba_cluster.model_registry import CHAMPION, MODEL_NAME, find_version

# as kedro-mlflow registers it
MLFLOW_CONFIG_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]
# A change to one of these is new data (versioned outputs change through the manifest only).
WATCHED = (*INFERENCE_OUTPUTS, INFERENCE_MANIFEST, SCHEDULER_STATUS)


class CatalogSource:
    """The inference outputs and the run state through the project's Kedro catalog."""

    def __init__(self, project_path: str | Path, env: str | None = None) -> None:
        self.project_path = Path(project_path).expanduser().resolve()
        self._loader = project_config(self.project_path, env, mlflow=MLFLOW_CONFIG_PATTERNS)
        self.catalog = project_catalog(self.project_path, (*WATCHED, LAST_RUN_STATUS), self._loader)
        self.filepaths = {name: self.catalog.get(name).filepath for name in WATCHED}
        catalog_config = self._loader["catalog"]
        self._versioned = {name for name in INFERENCE_OUTPUTS
                           if catalog_config[name].get("versioned")}  # fmt: skip

    def tracking_uri(self) -> str:
        """MLFLOW_TRACKING_URI, else what the project's mlflow.yml says (a relative SQLite
        path is taken relative to the project, as ``kedro run`` from its root would)."""
        uri = os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            try:
                uri = self._loader["mlflow"]["server"]["mlflow_tracking_uri"]
            except Exception:  # no mlflow.yml: MLflow's own default
                uri = None
        uri = uri or "sqlite:///mlflow.db"
        if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
            uri = f"sqlite:///{self.project_path / uri.removeprefix('sqlite:///')}"
        return uri

    def signature(self) -> tuple:
        """(name, version) of each watched file or object: cheap (a stat or a HEAD request),
        and changes whenever one is rewritten (``datasets.locations.version_of``)."""
        return tuple(
            (name, version_of(self.filepaths[name]))
            for name in WATCHED
            if name not in self._versioned
        )

    def publication(self) -> dict | None:
        """The inference manifest: which run's outputs to read, and when it published them;
        None before the first inference run (or while unreadable)."""
        return self._run_state(INFERENCE_MANIFEST)

    def load(self, name: str, publication: dict | None = None) -> pd.DataFrame | None:
        """An output, at the version ``publication`` names when the output is versioned."""
        if name in self._versioned:
            if publication is None:
                return None
            return self.catalog.load(name, version=publication["version"])
        if not self.catalog.exists(name):
            return None
        return self.catalog.load(name)

    def data_timestamp(self, signature: tuple, publication: dict | None) -> datetime | None:
        """When the outputs shown were published: the manifest says so; outputs written
        before there was one are dated by their files' mtimes."""
        if publication and publication.get("published_at"):
            return datetime.fromisoformat(publication["published_at"])
        mtimes = [
            version[1]
            for name, version in signature
            if name in INFERENCE_OUTPUTS and version is not None and isinstance(version[1], int)
        ]
        return datetime.fromtimestamp(max(mtimes) / 1e9, tz=UTC) if mtimes else None

    def scheduler_status(self) -> dict | None:
        """The scheduler's status, or None without a scheduler (or while it is unreadable:
        the scheduler replaces it atomically, so that only happens if it is damaged)."""
        return self._run_state(SCHEDULER_STATUS)

    def last_run_status(self) -> dict | None:
        """How the last ``kedro run`` ended, or None when none recorded it (or unreadable)."""
        status = self._run_state(LAST_RUN_STATUS)
        return status if isinstance(status, dict) and "status" in status else None

    def _run_state(self, name: str) -> dict | None:
        try:
            return self.load(name)
        except Exception:
            return None


@dataclass(frozen=True, eq=False)
class Champion:
    """The registry's champion, the run that trained it and its training run's leaderboard."""

    version: str
    run_id: str
    run_name: str
    experiment_id: str
    family: str | None
    registered_at: datetime | None
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    parent_run_id: str | None = None
    parent_tags: Mapping[str, str] = field(default_factory=dict)
    selection: Mapping[str, Any] | None = None
    # one row per candidate of the training run: candidate, model_family, run_id, metrics,
    # eligible, score (the training pipeline's own rule), is_champion; best first
    leaderboard: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


class ChampionSource:
    """Champion details through ``MlflowClient`` (the server-side URI, never the browser's)."""

    def __init__(self, tracking_uri: str, model_name: str = MODEL_NAME, alias: str = CHAMPION):
        self.tracking_uri = tracking_uri
        self.model_name = model_name
        self.alias = alias
        self._client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def current_version(self) -> str | None:
        """The version the alias points at; None when there is no such alias or model yet
        Raises when MLflow fails."""
        found = find_version(self.alias, self.model_name, client=self._client)
        return None if found is None else str(found.version)

    def details(self, version: str) -> Champion:
        client = self._client
        model_version = client.get_model_version(self.model_name, version)
        run = client.get_run(model_version.run_id)
        parent_id = run.data.tags.get("mlflow.parentRunId")
        parent = client.get_run(parent_id) if parent_id else None
        selection = _selection_rule(parent.data.params) if parent else None
        leaderboard = pd.DataFrame()
        if parent_id:
            siblings = client.search_runs(
                [run.info.experiment_id],
                filter_string=f"tags.mlflow.parentRunId = '{parent_id}'",
                max_results=5000,
            )
            chosen = _chosen_by_axis(parent.data.tags.get("best_candidate", "") if parent else "")
            leaderboard = _leaderboard(siblings, selection, run.info.run_id, chosen)
        created = model_version.creation_timestamp
        return Champion(
            version=str(model_version.version),
            run_id=run.info.run_id,
            run_name=run.info.run_name or run.info.run_id,
            experiment_id=run.info.experiment_id,
            family=run.data.params.get("model_family"),
            registered_at=datetime.fromtimestamp(created / 1000, tz=UTC) if created else None,
            params=dict(run.data.params),
            metrics=dict(run.data.metrics),
            parent_run_id=parent_id,
            parent_tags={
                k: v
                for k, v in (parent.data.tags if parent else {}).items()
                if not k.startswith("mlflow.")
            },
            selection=selection,
            leaderboard=leaderboard,
        )


def _chosen_by_axis(best_candidate: str) -> dict[str, str]:
    """``{axis: candidate}`` from the training run's ``best_candidate`` tag, which names
    both axes' ("offense: kmeans-n_clusters=8; defense: kmeans-n_clusters=4")."""
    pairs = (part.split(": ", 1) for part in best_candidate.split("; ") if ": " in part)
    return {axis: candidate for axis, candidate in pairs}


def _selection_rule(parent_params: Mapping[str, str]) -> dict[str, Any] | None:
    """``training.selection`` as kedro-mlflow logged it (flattened with '.', values as text),
    with each axis's cluster-count range (``{axis: [low, high]}``; one range for runs trained
    before the two axes)."""
    prefix = "training.selection."
    flat = {k.removeprefix(prefix): v for k, v in parent_params.items() if k.startswith(prefix)}
    ranges = {
        k.removeprefix("training.axes.").split(".")[0]: list(ast.literal_eval(v))
        for k, v in parent_params.items()
        if k.startswith("training.axes.") and k.endswith(".cluster_count_range")
    }
    try:
        return {
            "cluster_count_range": ranges or list(ast.literal_eval(flat["cluster_count_range"])),
            "max_noise_share": float(flat["max_noise_share"]),
            "weights": {
                "silhouette": float(flat["weights.silhouette"]),
                "stability": float(flat["weights.stability"]),
            },
            # absent from runs trained before the margins existed
            "incumbent_margin": float(flat.get("incumbent_margin", 0.0)),
            "parsimony_margin": float(flat.get("parsimony_margin", 0.0)),
        }
    except (KeyError, ValueError, SyntaxError, TypeError):
        return None


def _ranked(candidates: pd.DataFrame, selection: Mapping[str, Any] | None, axis: str):
    """One axis's candidates by the selection rule with that axis's range (by silhouette
    when the run logged no rule)."""
    ranges = (selection or {}).get("cluster_count_range")
    if isinstance(ranges, dict) and axis in ranges:
        return rank_candidates(candidates, {**selection, "cluster_count_range": ranges[axis]})
    if selection is not None and not isinstance(ranges, dict):
        return rank_candidates(candidates, selection)
    return candidates.sort_values("silhouette", ascending=False, ignore_index=True)


def _leaderboard(
    runs: list,
    selection: Mapping[str, Any] | None,
    champion_run: str,
    chosen: Mapping[str, str] | None = None,
):
    """Every candidate run, ranked by the selection rule within its axis (offense first),
    ``RANK`` counting from 1 on each axis; ``is_champion`` marks the registered model's
    candidate on each axis."""
    rows = [
        {
            "axis": r.data.params.get("axis", ""),
            "candidate": r.info.run_name,
            "model_family": r.data.params.get("model_family"),
            "run_id": r.info.run_id,
            **r.data.metrics,
        }
        for r in runs
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    for column in ("n_clusters", "noise_share", "silhouette", "stability"):
        if column not in table:
            table[column] = np.nan
    ranked = []
    for axis, group in sorted(table.groupby("axis"), key=lambda pair: pair[0] != "offense"):
        candidates = _ranked(group.reset_index(drop=True), selection, axis)
        chosen_name = f"{axis}: {(chosen or {}).get(axis)}"
        champion = (candidates["run_id"] == champion_run) | (candidates["candidate"] == chosen_name)
        ranked.append(candidates.assign(rank=range(1, len(candidates) + 1), is_champion=champion))
    return pd.concat(ranked, ignore_index=True)
