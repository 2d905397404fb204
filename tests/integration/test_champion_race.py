"""Two trainings at once, as when `docker compose run pipeline` overlaps the scheduler's weekly
training, against a real MLflow server and the same data folder (the shared volume): the
champion lease makes the second compare against what the first left (compare-and-set), so
``@champion`` always ends on the higher-scoring version."""

from __future__ import annotations

import os
import subprocess
import sys

from mlflow import MlflowClient

from nba_cluster.features.table import AXES
from nba_cluster.model_registry import CHAMPION, MODEL_NAME
from tests.support.mlflow_server import mlflow_server
from tests.support.project import EXPERIMENT
from tests.support.search_space import small_search_params
from tests.support.training import synthetic_player_features

ROUNDS = 10


def search(clusters: int) -> dict:
    """The small search at one cluster count: both trainings fit as many candidates, so they
    reach the registry within moments of each other. HDBSCAN's clusters are too large to
    pass (all noise), so it never decides."""
    return {
        **small_search_params(),
        **{
            f"training.axes.{axis}.search_space.{setting}": value
            for axis in AXES
            for setting, value in (
                ("kmeans.n_clusters", [clusters]),
                ("gaussian_mixture.n_components", [clusters]),
                ("agglomerative_ward.n_clusters", [clusters]),
                ("hdbscan.min_cluster_size", [200]),
            )
        },
    }


# The synthetic league has five roles: five clusters usually score better than eight (a round
# where the two tie proves nothing, and passes).
GOOD, WORSE = search(5), search(8)


def as_cli(params: dict) -> str:
    """``--params`` as the CLI takes it: lists as ``a|b``, or ``[a]`` when they hold one value."""

    def value(item) -> str:
        return "null" if item is None else str(item)

    def values(items) -> str:
        if not isinstance(items, list):
            return value(items)
        return f"[{value(items[0])}]" if len(items) == 1 else "|".join(map(value, items))

    return ",".join(f"{key}={values(items)}" for key, items in params.items())


def start_training(project, env: dict, params: dict) -> subprocess.Popen:
    command = ["kedro", "run", "--pipelines", "training", "--params", as_cli(params)]
    return subprocess.Popen(
        [sys.executable, "-m", *command], cwd=project, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def scores_by_version(client: MlflowClient, experiment_id: str) -> dict[str, float]:
    runs = client.search_runs([experiment_id], filter_string="tags.registry_decision != ''")
    return {
        run.data.tags["registered_version"]: run.data.metrics["candidate_score"] for run in runs
    }


def test_two_trainings_at_once_leave_the_better_one_champion(project, synthetic_league, tmp_path):
    features = project / "data" / "05_model_input" / "player_features.parquet"
    features.parent.mkdir(parents=True)
    synthetic_player_features(synthetic_league).to_parquet(features)
    with mlflow_server(tmp_path / "mlflow") as url:
        env = {**os.environ, "MLFLOW_TRACKING_URI": url, "COLUMNS": "300"}
        client = MlflowClient(url)
        # As the stack's first run leaves it: two kedro-mlflow starts on a server without the
        # experiment both create it, and the second fails ("already exists"), before any lease.
        client.create_experiment(EXPERIMENT)
        for round_number in range(ROUNDS):
            if round_number:  # both start from no champion: each would take it, unguarded
                client.delete_registered_model_alias(MODEL_NAME, CHAMPION)
            trainings = [start_training(project, env, params) for params in (WORSE, GOOD)]
            for training in trainings:
                _, stderr = training.communicate(timeout=600)
                assert training.returncode == 0, stderr[-3000:]
            experiment = client.get_experiment_by_name(EXPERIMENT).experiment_id
            scores = scores_by_version(client, experiment)
            registered = sorted(scores, key=int)[-2:]  # this round's two versions
            champion = client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version
            this_round = {version: scores[version] for version in registered}
            assert champion in this_round, (round_number, champion, this_round)
            assert scores[champion] == max(this_round.values()), (round_number, this_round)
