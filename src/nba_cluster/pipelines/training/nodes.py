"""Training nodes: search the candidates, each in a nested MLflow run, then register the best.

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
    evaluate,
    expand_search_space,
    fit_clustering,
    sampled_silhouette,
)
from nba_cluster.clustering.model import ArchetypeModel
from nba_cluster.clustering.selection import rank_candidates, selection_score
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
    """Fit and score every candidate of the search space; one nested MLflow run each, with
    its parameters and metrics, written while the next candidate is fitted. The selection
    score over the cluster count is logged to the parent run as a table and a figure.

    Returns the leaderboard: one row per candidate with its spec, run and metrics.
    """
    values = player_features[training["features"]].to_numpy(dtype=float)
    specs = expand_search_space(training["search_space"], training["pca_components"])
    logger.info(
        "Searching %d candidates on %d player-seasons x %d features",
        len(specs),
        len(values),
        len(training["features"]),
    )
    rows = []
    search_started = time.perf_counter()
    with CandidateRuns() as runs:
        for index, spec in enumerate(specs, start=1):
            started = time.perf_counter()
            run = runs.open(spec.name)
            metrics = score_candidate(spec, values, training)
            params = {
                "model_family": spec.family,
                "pca_components": spec.pca_components,
                "seed": training["seed"],
                "n_rows": len(values),
                "n_features": len(training["features"]),
                **spec.params,
            }
            runs.close(run, params, metrics)
            rows.append(leaderboard_row(spec, metrics))
            logger.info(
                "[%d/%d] %s: %d clusters, stability %.3f, silhouette %.3f (%.1f s)",
                index,
                len(specs),
                spec.name,
                metrics["n_clusters"],
                metrics["stability"],
                metrics["silhouette"],
                time.perf_counter() - started,
            )
    for row, run_id in zip(rows, runs.run_ids(), strict=True):
        row["run_id"] = run_id
    # what the search cost with its tracking, apart from process start and registration
    mlflow.log_metric("search_seconds", time.perf_counter() - search_started)
    leaderboard = pd.DataFrame(rows)
    _log_selection_curve(rank_candidates(leaderboard, training["selection"]))
    return leaderboard


def leaderboard_row(spec: CandidateSpec, metrics: dict[str, float]) -> dict[str, Any]:
    """A candidate as the leaderboard keeps it: its spec, to rebuild the winner, and metrics."""
    return {"candidate": spec.name, "model_family": spec.family, "spec": spec.to_json()} | metrics


def score_candidate(spec, values: np.ndarray, training: dict[str, Any]) -> dict[str, float]:
    """Fit one candidate and measure it, with no tracking: what the search computes.

    One thread per process: the fits are small, and on a shared machine BLAS and OpenMP
    thread pools spin against each other (measured: 0.2 s single-threaded against 6.7 s
    for a k-means fit on a loaded 2-core host).
    """
    with threadpool_limits(limits=1):
        fitted = fit_clustering(spec, values, training["seed"])
        return evaluate(fitted, values, seed=training["seed"], **training["evaluation"])


def _log_selection_curve(ranked: pd.DataFrame) -> None:
    """The selection score and its parts against the cluster count, per family, in the
    parent run: ``selection_curve.json`` (table) and ``selection_curve.png``."""
    curve = ranked[["candidate", "model_family", "n_clusters", "score", *CURVE_METRICS,
                    "eligible"]].sort_values(["model_family", "n_clusters"])  # fmt: skip
    mlflow.log_table(curve, artifact_file="selection_curve.json")
    figure = Figure(figsize=(7.0, 4.0))
    axes = figure.subplots()
    for family, points in curve.groupby("model_family"):
        axes.plot(points["n_clusters"], points["score"], marker="o", label=family)
    best = ranked.iloc[0]
    axes.scatter([best["n_clusters"]], [best["score"]], s=160, facecolors="none",
                 edgecolors="black", label=f"chosen: {best['candidate']}")  # fmt: skip
    axes.set_xlabel("number of archetypes")
    axes.set_ylabel("selection score")
    axes.set_title("Selection score over the cluster count")
    axes.legend(fontsize="small")
    figure.tight_layout()
    mlflow.log_figure(figure, "selection_curve.png")


def register_best(
    leaderboard: pd.DataFrame, player_features: pd.DataFrame, training: dict[str, Any]
) -> RegisteredCandidate:
    """Register the run's best eligible candidate: refitted (same seed, same fit as in the
    search), its archetypes continuing the current champion's where their centroids match,
    logged as a full model in its candidate run with its profiles."""
    started = time.perf_counter()
    current = load_champion()
    best = best_candidate(leaderboard, training, incumbent(current, training))
    model = build_model(
        best, player_features, training, None if current is None else current.archetype_model
    )
    model_uri = _log_model(model, best["run_id"], player_features)
    # signed: only signed versions are ever loaded (model_provenance)
    version = str(register(model_uri).version)  # int from SQLite
    _log_profiles(best["run_id"], model)
    mlflow.log_metric("register_seconds", time.perf_counter() - started)
    return RegisteredCandidate(
        version=version,
        candidate=best["candidate"],
        run_id=best["run_id"],
        stability=float(best["stability"]),
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
    candidate_score = score_model(registered.model, registered.stability, player_features, training)
    current_score = None
    if current is not None:
        current_score = score_model(
            current.archetype_model,
            champion_stability(current, leaderboard, training),
            player_features,
            training,
        )
    alias = CHAMPION if current_score is None or candidate_score >= current_score else CHALLENGER
    decision = {
        "version": registered.version,
        "alias": alias,
        "candidate": registered.candidate,
        "candidate_run_id": registered.run_id,
        "candidate_score": candidate_score,
        "previous_champion_version": None if current is None else current.version,
        "previous_champion_score": current_score,
    }
    logger.info(
        "Registered %s version %s (%s, score %.4f) as %s; previous champion: %s",
        MODEL_NAME, registered.version, registered.candidate, candidate_score, alias,
        "none" if current is None else f"version {current.version}, score {current_score:.4f}",
    )  # fmt: skip
    _log_decision(decision)
    return decision, decision


@dataclass(frozen=True)
class RegisteredCandidate:
    """The version ``register_best`` registered, handed in memory to ``decide_champion``."""

    version: str
    candidate: str
    run_id: str
    stability: float
    model: ArchetypeModel
    champion_seen: RegisteredModel | None  # the champion when it was built


def load_champion(already_loaded: RegisteredModel | None = None) -> RegisteredModel | None:
    """The champion now; ``already_loaded`` is reused while the alias still points at it."""
    version = find_version(CHAMPION)
    if version is None:
        return None
    if already_loaded is not None and already_loaded.version == str(version.version):
        return already_loaded
    return load_version(version)


def incumbent(current: RegisteredModel | None, training: dict[str, Any]) -> str | None:
    """The current champion's candidate name when it was trained on the same features."""
    if current is None or current.archetype_model.features != training["features"]:
        return None
    return current.archetype_model.clustering.spec.name


def best_candidate(
    leaderboard: pd.DataFrame, training: dict[str, Any], incumbent_name: str | None
) -> pd.Series:
    ranked = rank_candidates(leaderboard, training["selection"], incumbent_name)
    if not ranked["eligible"].iloc[0]:
        raise ValueError(
            "No candidate meets the selection rule "
            f"({training['selection']}); widen the search space or the rule"
        )
    return ranked.iloc[0]


def champion_stability(
    current: RegisteredModel, leaderboard: pd.DataFrame, training: dict[str, Any]
) -> float:
    """Today's stability of the champion's candidate when it was searched again on these
    data, else the stability its training run logged."""
    searched_again = leaderboard.loc[
        leaderboard["candidate"] == incumbent(current, training), "stability"
    ]
    if len(searched_again):
        return float(searched_again.iloc[0])
    return mlflow.get_run(current.run_id).data.metrics.get("stability", 0.0)


def build_model(
    best: pd.Series,
    player_features: pd.DataFrame,
    training: dict[str, Any],
    previous: ArchetypeModel | None,
) -> ArchetypeModel:
    """The best candidate as a registrable model, its archetypes continuing the previous
    champion's where they match. When the best is the champion's own candidate (k-means on
    the same features, no PCA), the refit starts from the champion's centroids: a retrain
    on one more season then refines the archetypes instead of drawing new ones."""
    spec = CandidateSpec.from_json(best["spec"])
    values = player_features[training["features"]].to_numpy(dtype=float)
    warm_start = (
        previous is not None
        and previous.features == training["features"]
        and previous.clustering.spec == spec
        and spec.family == Family.KMEANS
        and spec.pca_components is None
    )
    with threadpool_limits(limits=1):
        fitted = fit_clustering(
            spec, values, training["seed"], previous.clustering.centroids if warm_start else None
        )
    return ArchetypeModel(
        fitted,
        training["features"],
        player_features,
        temperature=best["membership_temperature"],
        naming=training["naming"],
        previous_profiles=None if previous is None else previous.profiles,
    )


def _log_model(model: ArchetypeModel, run_id: str, player_features: pd.DataFrame) -> str:
    """Log the full model in its candidate's (finished) nested run; returns its URI."""
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
    model: ArchetypeModel, stability: float, player_features: pd.DataFrame, training: dict
) -> float:
    """A model's score on today's data: its silhouette on these player-seasons, every row
    labelled through the model's own assignment rule (noise included, unlike the
    leaderboard's fit-time silhouette), and the stability of its method and parameters."""
    labels = model.predict(None, player_features)["ARCHETYPE_ID"].to_numpy()
    values = player_features[training["features"]].to_numpy(dtype=float)
    silhouette = sampled_silhouette(
        values, labels, training["evaluation"]["silhouette_sample_size"], training["seed"]
    )
    return selection_score(float(silhouette), float(stability), training["selection"]["weights"])


def _log_decision(decision: dict[str, Any]) -> None:
    scores = {"candidate_score": decision["candidate_score"]}
    if decision["previous_champion_score"] is not None:
        scores["previous_champion_score"] = decision["previous_champion_score"]
    mlflow.log_metrics(scores)
    mlflow.set_tags({"registry_decision": decision["alias"],
                     "registered_version": decision["version"],
                     "best_candidate": decision["candidate"]})  # fmt: skip


def _log_profiles(run_id: str, model: ArchetypeModel) -> None:
    """The registered candidate's profile table (names, defining traits, centroid z-scores)
    and heatmap, in its run."""
    profiles = model.profiles.set_index("ARCHETYPE_NAME")
    client = mlflow.MlflowClient()
    client.log_table(run_id, data=profiles.reset_index(), artifact_file="archetype_profiles.json")
    z_scores = profiles.drop(columns="DEFINING_TRAITS")
    figure = Figure(figsize=(1.0 + 0.6 * z_scores.shape[1], 1.0 + 0.5 * len(z_scores)))
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
    axes.set_title("Archetype centroids")
    figure.tight_layout()
    client.log_figure(run_id, figure, "archetype_heatmap.png")
