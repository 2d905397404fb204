"""The model input's contract: training and inference refuse NaN, infinities, empty and tiny
tables before any fit, naming the column, the rows and the seasons."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.validation import DataValidationError
from mlflow import MlflowClient

from nba_cluster.framework.failures import GuidedFailure
from tests.support.kedro_session import run_kedro
from tests.support.training import synthetic_player_features


@pytest.fixture(scope="module")
def features(synthetic_league) -> pd.DataFrame:
    return synthetic_player_features(synthetic_league)


def write_features(project, table: pd.DataFrame) -> bytes:
    path = project / "data" / "05_model_input" / "player_features.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(path)
    return path.read_bytes()


def damaged(features: pd.DataFrame, value: float, rows: list[int]) -> pd.DataFrame:
    table = features.copy()
    table.loc[table.index[rows], "AST_PER36_Z"] = value
    return table


CASES = {
    "nan": (lambda f: damaged(f, np.nan, [3, 150]), ["column AST_PER36_Z", "in 2 rows, seasons"]),
    "infinity": (lambda f: damaged(f, np.inf, [7]), ["column AST_PER36_Z", "finite", "in 1 rows"]),
    "empty": (lambda f: f.iloc[:0], ["has 0 rows, fewer than the 100", "seasons: none"]),
    "tiny": (lambda f: f.iloc[:3], ["has 3 rows, fewer than the 100", "seasons: 2003-04"]),
}


@pytest.mark.parametrize("case", CASES)
def test_training_refuses_a_broken_model_input_before_any_fit(project, features, case):
    make, expected = CASES[case]
    table = make(features)
    on_disk = write_features(project, table)

    with pytest.raises(GuidedFailure) as refused:
        run_kedro(project, "training")

    message = refused.value.message
    assert "player_features" in message
    for fragment in expected:
        assert fragment in message
    if case in ("nan", "infinity"):
        broken = table[~np.isfinite(table["AST_PER36_Z"])]
        for name, season in zip(broken["PLAYER_NAME"], broken["SEASON"], strict=True):
            assert f"{name} {season}" in message
    assert "kedro run --pipeline feature_engineering" in message
    # nothing fitted or logged, the input left as it was
    client = MlflowClient(os.environ["MLFLOW_TRACKING_URI"])
    experiment = client.get_experiment_by_name("nba_cluster")
    nested = [
        run
        for run in client.search_runs([experiment.experiment_id])
        if "mlflow.parentRunId" in run.data.tags
    ]
    assert nested == []
    assert (project / "data" / "05_model_input" / "player_features.parquet").read_bytes() == on_disk


def test_inference_loads_its_input_through_the_same_contract(project, features):
    write_features(project, damaged(features, np.nan, [0]))
    bootstrap_project(project)
    with KedroSession.create(project_path=project) as session:
        catalog = session.load_context().catalog

        with pytest.raises(DataValidationError, match="column AST_PER36_Z"):
            catalog.load("player_features")


def test_a_sound_model_input_passes_unchanged(project, features):
    write_features(project, features)
    bootstrap_project(project)
    with KedroSession.create(project_path=project) as session:
        loaded = session.load_context().catalog.load("player_features")

    pd.testing.assert_frame_equal(loaded, features)
