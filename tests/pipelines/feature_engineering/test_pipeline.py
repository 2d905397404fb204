"""The feature_engineering pipeline run by a SequentialRunner on the synthetic league."""

from __future__ import annotations

import logging

import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from nba_cluster.nba_stats.seasons import season_range
from nba_cluster.pipelines.feature_engineering import create_pipeline
from nba_cluster.pipelines.feature_engineering.nodes import DISPLAY_COLUMNS, RATE_FEATURES
from tests.support.replay import FIXTURE_SEASONS
from tests.support.training import feature_catalog

# synthetic_responses: 60 players a season, each over 40 games and 720 minutes, so all qualify
PLAYERS_PER_SEASON = 60
FEATURE_PARAMETERS = {
    "playoff_weight": 1.0,
    "min_minutes": 500,
    "min_games": 10,
    "shooting_prior_attempts": 50,
    "plausible_pfd_per_fta": [0.4, 1.5],
    "z_clip": 5.0,
}


@pytest.fixture
def catalog(synthetic_league) -> DataCatalog:
    return feature_catalog(synthetic_league, FEATURE_PARAMETERS)


def test_feature_engineering_pipeline(caplog, catalog):
    caplog.set_level(logging.INFO, logger="kedro")

    SequentialRunner().run(create_pipeline(), catalog)

    assert "Pipeline execution completed successfully" in caplog.text
    features = catalog.load("player_features")
    z_columns = [f"{feature}_Z" for feature in RATE_FEATURES]
    assert list(features.columns) == DISPLAY_COLUMNS + RATE_FEATURES + z_columns
    seasons = season_range(*FIXTURE_SEASONS)
    assert len(features) == PLAYERS_PER_SEASON * len(seasons)
    assert not features.duplicated(["PLAYER_ID", "SEASON"]).any()
    assert sorted(features["SEASON"].unique()) == seasons
    assert features[z_columns].abs().max().max() <= FEATURE_PARAMETERS["z_clip"]
    # the synthetic league sends even player ids to the playoffs
    assert ((features["PLAYOFF_GP"] > 0) == (features["PLAYER_ID"] % 2 == 0)).all()
