"""``feature_engineering`` parameters (conf/base/parameters_feature_engineering.yml)."""

from __future__ import annotations

from pydantic import Field

from nba_cluster.parameters import StrictParameters


class FeatureEngineeringParameters(StrictParameters):
    playoff_weight: float = Field(ge=0, le=10)
    min_minutes: float = Field(ge=0, le=4000)
    min_games: int = Field(ge=0, le=82)
    shooting_prior_attempts: float = Field(ge=0)
    # below 1 the clip would flatten most of every season's spread
    z_clip: float = Field(ge=1, le=20)
