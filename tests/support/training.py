"""The feature and training pipelines on in-memory catalogs, with MLflow in a SQLite file:
the synthetic league's player features, a throwaway tracking store and a trained champion."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from nba_cluster.datasets import RegisteredModelDataset
from nba_cluster.model_registry import CHAMPION, MODEL_NAME
from nba_cluster.nba_stats.seasons import partition_key
from nba_cluster.pipelines import feature_engineering, training
from tests.support.project import EXPERIMENT, project_parameters
from tests.support.replay import fixture_ingestion_parameters


def feature_catalog(synthetic_league: dict, feature_parameters: dict[str, Any]) -> DataCatalog:
    """The feature_engineering pipeline's inputs: the synthetic league's raw responses as
    PartitionedDataset hands them over (key -> function loading the bytes), the fixture
    seasons and ``feature_parameters``."""
    catalog = DataCatalog()
    catalog["raw_responses"] = {
        partition_key(*response): (lambda body=body: body)
        for response, body in synthetic_league.items()
    }
    catalog["params:ingestion"] = fixture_ingestion_parameters()
    for name, value in feature_parameters.items():
        catalog[f"params:feature_engineering.{name}"] = value
    return catalog


def synthetic_player_features(synthetic_league: dict) -> pd.DataFrame:
    """``player_features`` of the synthetic league, built by the feature pipeline itself with
    the project's parameters."""
    catalog = feature_catalog(synthetic_league, project_parameters("feature_engineering"))
    SequentialRunner().run(feature_engineering.create_pipeline(), catalog)
    return catalog.load("player_features")


@contextmanager
def sqlite_tracking(directory: Path) -> Iterator[str]:
    """MLflow tracking (and so the registry) in a SQLite file under ``directory``, with the
    project's experiment active; the previous tracking URI, or its absence, is restored
    afterwards."""
    previous = mlflow.get_tracking_uri() if mlflow.is_tracking_uri_set() else None
    uri = f"sqlite:///{directory / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    # an earlier in-process kedro run leaves its experiment active: an id this database lacks
    mlflow.set_experiment(EXPERIMENT)
    try:
        yield uri
    finally:
        mlflow.set_tracking_uri(previous)


def champion_dataset() -> RegisteredModelDataset:
    return RegisteredModelDataset(model_name=MODEL_NAME, alias=CHAMPION)


def run_training(player_features: pd.DataFrame, parameters: dict[str, Any]) -> tuple[dict, str]:
    """The training pipeline on an in-memory catalog, inside a parent run as kedro-mlflow
    would open: the registry decision and the parent run's id."""
    catalog = DataCatalog({"champion_model": champion_dataset()})
    catalog["player_features"] = player_features
    catalog["params:training"] = parameters
    with mlflow.start_run() as parent:
        SequentialRunner().run(training.create_pipeline(), catalog)
    return catalog.load("registry_decision"), parent.info.run_id
