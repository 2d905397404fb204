"""Fixtures of the training and inference pipeline tests: a SQLite MLflow in a temp dir and the
synthetic league's player features."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support.training import sqlite_tracking, synthetic_player_features


@pytest.fixture
def tracking(tmp_path):
    with sqlite_tracking(tmp_path) as uri:
        yield uri


@pytest.fixture(scope="module")
def player_features(synthetic_league) -> pd.DataFrame:
    return synthetic_player_features(synthetic_league)
