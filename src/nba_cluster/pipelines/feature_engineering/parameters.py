"""``feature_engineering`` parameters (conf/base/parameters_feature_engineering.yml)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat, field_validator

from nba_cluster.pipelines.parameters import StrictParameters, bar_list


class FeatureEngineeringParameters(StrictParameters):
    playoff_weight: float = Field(ge=0, le=10)
    min_minutes: float = Field(ge=0, le=4000)
    min_games: int = Field(ge=0, le=82)
    # fouls drawn per free-throw attempt a season must show for its PFD to count as recorded
    plausible_pfd_per_fta: Annotated[bar_list(NonNegativeFloat), Field(min_length=2, max_length=2)]
    shooting_prior_attempts: float = Field(ge=0)
    # below 1 the clip would flatten most of every season's spread
    z_clip: float = Field(ge=1, le=20)

    @field_validator("plausible_pfd_per_fta")
    @classmethod
    def _ordered(cls, bounds: list[float]) -> list[float]:
        if bounds[0] > bounds[1]:
            raise ValueError(f"[{bounds[0]}, {bounds[1]}] is reversed: [low, high] expected")
        return bounds
