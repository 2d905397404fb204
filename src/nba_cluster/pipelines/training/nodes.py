"""Training nodes: search both axes' candidates, each in a nested MLflow run, then register
the best of each axis together as one model version.

kedro-mlflow opens the parent run for ``kedro run`` and logs the parameters; these nodes add
one nested run per candidate (parameters and metrics only: a full model is logged for the
one candidate that is registered), the score curve over the cluster count, register the
best, and hand the decision to the registry dataset (``champion_model``), whose save moves
the alias.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from mlflow.models import infer_signature
from threadpoolctl import threadpool_limits

from nba_cluster.clustering.candidates import (
    CandidateSpec,
    Family,
    fit_clustering,
    sampled_silhouette,
)
from nba_cluster.clustering.model import ArchetypeModel, RoleModel
from nba_cluster.clustering.search import (
    SearchTask,
    axis_selection,
    axis_values,
    score_in_parallel,
    search_tasks,
)
from nba_cluster.clustering.selection import rank_candidates, selection_score
from nba_cluster.features.table import AXES, axis_columns
from nba_cluster.model_registry import (
    CHALLENGER,
    CHAMPION,
    MODEL_NAME,
    RegisteredModel,
    find_version,
    load_version,
    pip_requirements,
    register,
)
from nba_cluster.pipelines.training.candidate_runs import CandidateRuns

logger = logging.getLogger(__name__)
CURVE_METRICS = ["stability", "silhouette", "membership_temperature"]


def search_candidates(player_features: pd.DataFrame, training: dict[str, Any]) -> pd.DataFrame:
    """Fit and score every candidate of both axes' search spaces, spread over
    ``training["search_workers"]`` processes; one nested MLflow run each, with its axis,
    parameters and metrics, written by one writer thread as results come back. The selection
    score over the cluster count is logged to the parent run as a table and a figure.

    Returns the leaderboard: one row per (axis, candidate) with its spec, run and metrics.
    """
    values = axis_values(player_features)
    tasks = search_tasks(training)
    logger.info(
        "Searching %d candidates on %d player-seasons (%s) with %s worker(s)",
        len(tasks),
        len(player_features),
        ", ".join(f"{axis}: {array.shape[1]} features" for axis, array in values.items()),
        training["search_workers"],
    )
    rows: list[dict[str, Any]] = [{}] * len(tasks)
    search_started = time.perf_counter()
    with CandidateRuns() as runs:
        # a candidate's run opens as a worker takes it: RUNNING means being fitted (or next)
        opened: dict[int, Any] = {}

        def open_run(position: int) -> None:
            opened[position] = runs.open(tasks[position].run_name)

        scored = score_in_parallel(tasks, values, training, training["search_workers"], open_run)
        for done, (position, metrics) in enumerate(scored, start=1):
            task = tasks[position]
            params = {
                "axis": task.axis,
                "model_family": task.spec.family,
                "pca_components": task.spec.pca_components,
                "seed": training["seed"],
                "n_rows": len(player_features),
                "n_features": values[task.axis].shape[1],
                **task.spec.params,
            }
            runs.close(opened[position], params, metrics)
            rows[position] = leaderboard_row(task, metrics)
            logger.info(
                "[%d/%d] %s: %d clusters, stability %.3f, silhouette %.3f",
                done,
                len(tasks),
                task.run_name,
                metrics["n_clusters"],
                metrics["stability"],
                metrics["silhouette"],
            )
    for position, row in enumerate(rows):
        row["run_id"] = opened[position].result()
    # what the search cost with its tracking, apart from process start and registration
    mlflow.log_metric("search_seconds", time.perf_counter() - search_started)
    leaderboard = pd.DataFrame(rows)
    _log_selection_curve(leaderboard, training)
    return leaderboard


def leaderboard_row(task: SearchTask, metrics: dict[str, float]) -> dict[str, Any]:
    """A candidate as the leaderboard keeps it: its axis, its spec (to rebuild the winner
    without the search space) and its metrics."""
    return {"axis": task.axis, "candidate": task.spec.name, "model_family": task.spec.family,
            "spec": task.spec.to_json()} | metrics  # fmt: skip


def rank_axis(
    leaderboard: pd.DataFrame,
    training: dict[str, Any],
    axis: str,
    incumbent_candidate: str | None = None,
) -> pd.DataFrame:
    """One axis's candidates ranked by the selection rule with that axis's range."""
    candidates = leaderboard[leaderboard["axis"] == axis].reset_index(drop=True)
    return rank_candidates(candidates, axis_selection(training, axis), incumbent_candidate)


def _log_selection_curve(leaderboard: pd.DataFrame, training: dict[str, Any]) -> None:
    """The selection score and its parts against the cluster count, per axis and family, in
    the parent run: ``selection_curve.json`` (table) and ``selection_curve.png``."""
    figure = Figure(figsize=(7.0, 4.0 * len(AXES)))
    tables = []
    for axes, axis in zip(figure.subplots(len(AXES), 1), AXES, strict=True):
        ranked = rank_axis(leaderboard, training, axis)
        curve = ranked[["axis", "candidate", "model_family", "n_clusters", "score",
                        *CURVE_METRICS, "eligible"]].sort_values(
            ["model_family", "n_clusters"])  # fmt: skip
        tables.append(curve)
        for family, points in curve.groupby("model_family"):
            axes.plot(points["n_clusters"], points["score"], marker="o", label=family)
        best = ranked.iloc[0]
        axes.scatter([best["n_clusters"]], [best["score"]], s=160, facecolors="none",
                     edgecolors="black", label=f"chosen: {best['candidate']}")  # fmt: skip
        low, high = training["axes"][axis]["cluster_count_range"]
        axes.axvspan(low, high, color="0.92", zorder=0)  # the documented range
        axes.set_xlabel(f"number of {axis} roles")
        axes.set_ylabel("selection score")
        axes.set_title(f"{axis.capitalize()}: selection score over the cluster count")
        axes.legend(fontsize="small")
    mlflow.log_table(pd.concat(tables, ignore_index=True), artifact_file="selection_curve.json")
    figure.tight_layout()
    mlflow.log_figure(figure, "selection_curve.png")


def register_best(
    leaderboard: pd.DataFrame, player_features: pd.DataFrame, training: dict[str, Any]
) -> RegisteredCandidate:
    """Register the run's best eligible candidate of each axis as one version: each refitted
    (same seed, same fit as in the search), its roles continuing the current champion's
    where their centroids match, logged as one full model in the offensive best's run with
    both axes' profiles."""
    started = time.perf_counter()
    current = load_champion()
    previous = two_axis_model(current)
    best = {axis: best_candidate(leaderboard, training, axis, incumbent(previous, axis))
            for axis in AXES}  # fmt: skip
    model = build_model(best, player_features, training, previous)
    model_run = best[AXES[0]]["run_id"]
    model_uri = _log_model(model, model_run, player_features)
    # signed: only signed versions are ever loaded (model_provenance)
    version = str(register(model_uri).version)  # int from SQLite
    _log_profiles(model_run, model)
    mlflow.log_metric("register_seconds", time.perf_counter() - started)
    chosen = {axis: {"candidate": row["candidate"], "run_id": row["run_id"]}
              for axis, row in best.items()}  # fmt: skip
    return RegisteredCandidate(
        version=version,
        axes=chosen,
        run_id=model_run,
        stability={axis: float(best[axis]["stability"]) for axis in AXES},
        model=model,
        champion_seen=current,
    )


def decide_champion(
    registered: RegisteredCandidate,
    leaderboard: pd.DataFrame,
    player_features: pd.DataFrame,
    training: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``champion`` if the registered version scores at least as well as the current champion
    on the same data, ``challenger`` otherwise. Returns the decision twice: as a report, and
    for the registry dataset, whose save moves the alias."""
    current = load_champion(already_loaded=registered.champion_seen)
    previous = two_axis_model(current)
    candidate_score = score_model(registered.model, registered.stability, player_features,
                                  training)  # fmt: skip
    current_score = None
    if previous is not None:
        stability = {axis: champion_stability(previous, leaderboard, axis) for axis in AXES}
        current_score = score_model(previous, stability, player_features, training)
    alias = CHAMPION if current_score is None or candidate_score >= current_score else CHALLENGER
    decision = {
        "version": registered.version,
        "alias": alias,
        "candidate": registered.candidate,
        "candidate_run_id": registered.run_id,
        "axes": registered.axes,
        "candidate_score": candidate_score,
        "previous_champion_version": None if current is None else current.version,
        "previous_champion_score": current_score,
    }
    logger.info(
        "Registered %s version %s (%s, score %.4f) as %s; previous champion: %s",
        MODEL_NAME, registered.version, registered.candidate, candidate_score, alias,
        "none" if current is None else f"version {current.version}, score {current_score}",
    )  # fmt: skip
    _log_decision(decision)
    return decision, decision


@dataclass(frozen=True)
class RegisteredCandidate:
    """The version ``register_best`` registered, handed in memory to ``decide_champion``."""

    version: str
    axes: dict[str, dict[str, str]]  # axis -> its candidate and run
    run_id: str  # the run the model is logged in: the offensive best's
    stability: dict[str, float]  # per axis
    model: ArchetypeModel
    champion_seen: RegisteredModel | None  # the champion when it was built

    @property
    def candidate(self) -> str:
        """Both axes' candidates: "offense: kmeans-n_clusters=8; defense: ..."."""
        return "; ".join(f"{axis}: {chosen['candidate']}" for axis, chosen in self.axes.items())


def load_champion(already_loaded: RegisteredModel | None = None) -> RegisteredModel | None:
    """The champion now; ``already_loaded`` is reused while the alias still points at it."""
    version = find_version(CHAMPION)
    if version is None:
        return None
    if already_loaded is not None and already_loaded.version == str(version.version):
        return already_loaded
    return load_version(version)


def two_axis_model(current: RegisteredModel | None) -> ArchetypeModel | None:
    """The current champion when it has both axes on today's feature table: what the new
    model continues and is compared with. A champion of the single-axis model (before
    issue 17) or on other features is none: its ids, names and scores mean other things."""
    model = None if current is None else current.archetype_model
    if model is None or set(getattr(model, "roles", {})) != set(AXES):
        return None
    if any(model.roles[axis].features != axis_columns(axis) for axis in AXES):
        return None
    return model


def incumbent(previous: ArchetypeModel | None, axis: str) -> str | None:
    """The current champion's candidate name on ``axis``, if there is a champion."""
    return None if previous is None else previous.roles[axis].clustering.spec.name


def best_candidate(
    leaderboard: pd.DataFrame, training: dict[str, Any], axis: str, incumbent_name: str | None
) -> pd.Series:
    ranked = rank_axis(leaderboard, training, axis, incumbent_name)
    if not ranked["eligible"].iloc[0]:
        raise ValueError(
            f"No {axis} candidate meets the selection rule "
            f"({axis_selection(training, axis)}); widen the search space or the rule"
        )
    return ranked.iloc[0]


def champion_stability(previous: ArchetypeModel, leaderboard: pd.DataFrame, axis: str) -> float:
    """The champion's candidate's stability as searched today, or as measured when it was
    chosen if today's search did not include it."""
    same = leaderboard[(leaderboard["axis"] == axis)
                       & (leaderboard["candidate"] == incumbent(previous, axis))]  # fmt: skip
    return float(same["stability"].iloc[0]) if len(same) else previous.roles[axis].stability


def build_model(
    best: dict[str, pd.Series],
    player_features: pd.DataFrame,
    training: dict[str, Any],
    previous: ArchetypeModel | None,
) -> ArchetypeModel:
    """Each axis's best candidate as a registrable model, its roles continuing the previous
    champion's where they match. When an axis's best is the champion's own candidate
    (k-means, no PCA), the refit starts from the champion's centroids: a retrain on one more
    season then refines the roles instead of drawing new ones."""
    roles = {}
    for axis, values in axis_values(player_features).items():
        spec = CandidateSpec.from_json(best[axis]["spec"])
        before = None if previous is None else previous.roles[axis]
        warm_start = (
            before is not None
            and before.clustering.spec == spec
            and spec.family == Family.KMEANS
            and spec.pca_components is None
        )
        with threadpool_limits(limits=1):
            fitted = fit_clustering(
                spec, values, training["seed"], before.clustering.centroids if warm_start else None
            )
        roles[axis] = RoleModel(
            fitted,
            axis,
            axis_columns(axis),
            player_features,
            temperature=best[axis]["membership_temperature"],
            naming=training["naming"],
            stability=best[axis]["stability"],
            previous_profiles=None if before is None else before.profiles,
        )
    return ArchetypeModel(roles)


def _log_model(model: ArchetypeModel, run_id: str, player_features: pd.DataFrame) -> str:
    """Log the full model in a candidate's (finished) nested run; returns its URI."""
    input_example = player_features[model.features].head(5)
    with mlflow.start_run(run_id=run_id, nested=True):
        return mlflow.pyfunc.log_model(
            name="model",
            python_model=model,
            signature=infer_signature(input_example, model.predict(None, input_example)),
            input_example=input_example,
            pip_requirements=pip_requirements(),
        ).model_uri


def score_model(
    model: ArchetypeModel,
    stability: dict[str, float],
    player_features: pd.DataFrame,
    training: dict,
) -> float:
    """A model's score on today's data: the mean over the axes of each axis's selection score,
    its silhouette on these player-seasons with every row labelled through the model's own
    assignment rule (noise included, unlike the leaderboard's fit-time silhouette), and the
    stability of its candidate."""
    scores = []
    for axis, values in axis_values(player_features).items():
        labels = model.roles[axis].predict(player_features)["ID"].to_numpy()
        silhouette = sampled_silhouette(
            values, labels, training["evaluation"]["silhouette_sample_size"], training["seed"]
        )
        scores.append(selection_score(float(silhouette), float(stability[axis]),
                                      training["selection"]["weights"]))  # fmt: skip
    return float(np.mean(scores))


def _log_decision(decision: dict[str, Any]) -> None:
    scores = {"candidate_score": decision["candidate_score"]}
    if decision["previous_champion_score"] is not None:
        scores["previous_champion_score"] = decision["previous_champion_score"]
    mlflow.log_metrics(scores)
    mlflow.set_tags({"registry_decision": decision["alias"],
                     "registered_version": decision["version"],
                     "best_candidate": decision["candidate"]})  # fmt: skip


def _log_profiles(run_id: str, model: ArchetypeModel) -> None:
    """The registered model's role profiles (axis, names, defining traits, centroid z-scores)
    and one heatmap per axis, in its run."""
    client = mlflow.MlflowClient()
    client.log_table(run_id, data=model.profiles, artifact_file="archetype_profiles.json")
    for axis, role in model.roles.items():
        z_scores = role.profiles.set_index("ARCHETYPE_NAME").drop(columns="DEFINING_TRAITS")
        figure = Figure(figsize=(1.5 + 0.6 * z_scores.shape[1], 1.0 + 0.5 * len(z_scores)))
        axes = figure.subplots()
        image = axes.imshow(z_scores.to_numpy(dtype=float), cmap="RdBu_r", vmin=-2, vmax=2)
        axes.set_xticks(
            range(z_scores.shape[1]),
            [c.removesuffix("_Z") for c in z_scores.columns],
            rotation=60,
            ha="right",
        )
        axes.set_yticks(range(len(z_scores)), z_scores.index)
        figure.colorbar(image, ax=axes, label="era-adjusted z-score")
        axes.set_title(f"{axis.capitalize()} role centroids")
        figure.tight_layout()
        client.log_figure(run_id, figure, f"archetype_heatmap_{axis}.png")
