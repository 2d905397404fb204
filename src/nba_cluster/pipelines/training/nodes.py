"""Training nodes: search the candidates, each in a nested MLflow run, then register the best.

kedro-mlflow opens the parent run for ``kedro run`` and logs the parameters; these nodes add
one nested run per candidate, register the best, and hand the decision to the registry
dataset (``champion_model``), whose save moves the alias.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import mlflow
import pandas as pd
from matplotlib.figure import Figure
from mlflow import MlflowClient
from mlflow.models import infer_signature

from nba_cluster.clustering.candidates import (
    evaluate,
    expand_search_space,
    fit_clustering,
    sampled_silhouette,
)
from nba_cluster.clustering.model import ArchetypeModel, centroid_profiles
from nba_cluster.clustering.selection import rank_candidates, selection_score
from nba_cluster.model_registry import (
    CHALLENGER,
    CHAMPION,
    MODEL_NAME,
    find_version,
    load_version,
    pip_requirements,
)

logger = logging.getLogger(__name__)


def search_candidates(player_features: pd.DataFrame, training: dict[str, Any]) -> pd.DataFrame:
    """Fit and score every candidate of the search space; one nested MLflow run each.

    Returns the leaderboard: one row per candidate with its run, logged model and metrics.
    """
    features = training["features"]
    table = player_features[features]
    values = table.to_numpy(dtype=float)
    specs = expand_search_space(training["search_space"], training["pca_components"])
    logger.info(
        "Searching %d candidates on %d player-seasons x %d features",
        len(specs),
        len(values),
        len(features),
    )
    input_example = table.head(5)
    rows = []
    for index, spec in enumerate(specs, start=1):
        started = time.perf_counter()
        with mlflow.start_run(run_name=spec.name, nested=True) as run:
            fitted = fit_clustering(spec, values, training["seed"])
            metrics = evaluate(fitted, values, seed=training["seed"], **training["evaluation"])
            model = ArchetypeModel(
                fitted, features, centroid_profiles(table, fitted.training_labels)
            )
            mlflow.log_params(
                {
                    "model_family": spec.family,
                    "pca_components": spec.pca_components,
                    "seed": training["seed"],
                    "n_rows": len(values),
                    "n_features": len(features),
                    **spec.params,
                }
            )
            mlflow.log_metrics(metrics)
            model_info = mlflow.pyfunc.log_model(
                name="model",
                python_model=model,
                signature=infer_signature(input_example, model.predict(None, input_example)),
                input_example=input_example,
                pip_requirements=pip_requirements(),
            )
        rows.append(
            {
                "run_id": run.info.run_id,
                "model_uri": model_info.model_uri,
                "candidate": spec.name,
                "model_family": spec.family,
                **metrics,
            }
        )
        logger.info(
            "[%d/%d] %s: %d clusters, silhouette %.3f, stability %.3f (%.1f s)",
            index,
            len(specs),
            spec.name,
            metrics["n_clusters"],
            metrics["silhouette"],
            metrics["stability"],
            time.perf_counter() - started,
        )
    return pd.DataFrame(rows)


def register_best(
    leaderboard: pd.DataFrame,
    player_features: pd.DataFrame,
    training: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register the run's best candidate; it becomes ``champion`` only if it scores at least
    as well as the current champion on the same data, ``challenger`` otherwise.

    Returns the decision twice: as a report, and for the registry dataset, whose save moves
    the alias.
    """
    ranked = rank_candidates(leaderboard, training["selection"])
    if not ranked["eligible"].iloc[0]:
        raise ValueError(
            "No candidate meets the selection rule "
            f"({training['selection']}); widen the search space or the rule"
        )
    best = ranked.iloc[0]
    current = find_version(CHAMPION)
    registered = mlflow.register_model(best["model_uri"], MODEL_NAME)
    version = str(registered.version)  # int from a SQLite store, str over REST
    # Both are scored the same way here: every row labelled through the model's own
    # assignment rule (noise included), unlike the leaderboard's fit-time silhouette.
    candidate_score = _score_registered(registered, player_features, training)
    current_score = (
        None if current is None else _score_registered(current, player_features, training)
    )
    alias = CHAMPION if current_score is None or candidate_score >= current_score else CHALLENGER
    decision = {
        "version": version,
        "alias": alias,
        "candidate": best["candidate"],
        "candidate_run_id": best["run_id"],
        "candidate_score": candidate_score,
        "previous_champion_version": None if current is None else str(current.version),
        "previous_champion_score": current_score,
    }
    logger.info(
        "Registered %s version %s (%s, score %.4f) as %s; previous champion: %s",
        MODEL_NAME, version, best["candidate"], candidate_score, alias,
        "none" if current is None else f"version {current.version}, score {current_score:.4f}",
    )  # fmt: skip
    scores = {"candidate_score": candidate_score}
    if current_score is not None:
        scores["previous_champion_score"] = current_score
    mlflow.log_metrics(scores)
    mlflow.set_tags({"registry_decision": alias, "registered_version": version,
                     "best_candidate": best["candidate"]})  # fmt: skip
    _log_profiles(best["run_id"], best["model_uri"])
    return decision, decision


def _score_registered(model_version, player_features: pd.DataFrame, training: dict) -> float:
    """A registered version's score on today's data: its silhouette on these player-seasons,
    and the stability measured when it was trained (a property of its method and parameters)."""
    registered = load_version(model_version)
    features = player_features[registered.archetype_model.features]
    labels = registered.model.predict(features)["ARCHETYPE_ID"].to_numpy()
    values = player_features[training["features"]].to_numpy(dtype=float)
    silhouette = sampled_silhouette(
        values, labels, training["evaluation"]["silhouette_sample_size"], training["seed"]
    )
    stability = mlflow.get_run(model_version.run_id).data.metrics.get("stability", 0.0)
    return selection_score(float(silhouette), float(stability), training["selection"]["weights"])


def _log_profiles(run_id: str, model_uri: str) -> None:
    """The centroid profile table and heatmap of the registered candidate, in its run."""
    client = MlflowClient()
    model: ArchetypeModel = mlflow.pyfunc.load_model(model_uri).unwrap_python_model()
    profiles = model.profiles.set_index("ARCHETYPE_NAME")
    client.log_table(run_id, data=profiles.reset_index(), artifact_file="archetype_profiles.json")
    figure = Figure(figsize=(1.0 + 0.6 * profiles.shape[1], 1.0 + 0.5 * len(profiles)))
    axes = figure.subplots()
    image = axes.imshow(profiles.to_numpy(dtype=float), cmap="RdBu_r", vmin=-2, vmax=2)
    axes.set_xticks(
        range(profiles.shape[1]),
        [c.removesuffix("_Z") for c in profiles.columns],
        rotation=60,
        ha="right",
    )
    axes.set_yticks(range(len(profiles)), profiles.index)
    figure.colorbar(image, ax=axes, label="era-adjusted z-score")
    axes.set_title("Archetype centroids")
    figure.tight_layout()
    client.log_figure(run_id, figure, "archetype_heatmap.png")
