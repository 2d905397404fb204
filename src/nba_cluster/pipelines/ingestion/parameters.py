"""``ingestion`` parameters (conf/base/parameters_ingestion.yml), validated at start-up."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from nba_cluster.nba_stats import seasons
from nba_cluster.nba_stats.seasons import FIRST_SEASON, SEASON_TYPES, season_start_year
from nba_cluster.pipelines.parameters import StrictParameters, bar_list


def _served_season(season: str) -> str:
    if season_start_year(season) < season_start_year(FIRST_SEASON):
        raise ValueError(f"the endpoint serves seasons from {FIRST_SEASON} on")
    return season


def _last_season(season: str | None) -> str | None:
    return season if season in (None, CURRENT) else _served_season(season)


CURRENT = "current"  # the season under way
Season = Annotated[str, AfterValidator(_served_season)]
SeasonType = Literal[SEASON_TYPES]


class HttpParameters(StrictParameters):
    timeout_seconds: float = Field(gt=0, le=300)
    max_attempts: int = Field(ge=1, le=10)
    backoff_initial_seconds: float = Field(ge=0, le=60)
    backoff_max_seconds: float = Field(ge=0, le=600)
    pause_seconds: float = Field(ge=0, le=60)


class PlausibleResponse(StrictParameters):
    """A season's response smaller than this is truncated or wrong, not a season."""

    min_players: int = Field(ge=1)
    min_games: int = Field(ge=1)


class IngestionParameters(StrictParameters):
    first_season: Season
    # null: the latest completed season; "current": the season under way
    last_season: Annotated[str | None, AfterValidator(_last_season)] = None
    season_types: Annotated[bar_list(SeasonType), Field(min_length=1)]
    refresh: bool
    # how old a stored response of the season under way may be before it is fetched again;
    # 0 fetches it on every run
    current_season_max_age_hours: float = Field(default=20, ge=0)
    plausible: PlausibleResponse
    base_url: str = Field(pattern=r"^https?://[^/\s]+")
    http: HttpParameters

    @model_validator(mode="after")
    def _ordered(self) -> IngestionParameters:
        if self.last_season not in (None, CURRENT) and season_start_year(
            self.last_season
        ) < season_start_year(self.first_season):
            raise ValueError(
                f"last_season {self.last_season} comes before first_season {self.first_season}"
            )
        latest = (
            seasons.current_season() if self.last_season == CURRENT else
            seasons.latest_completed_season()
        )  # fmt: skip
        if self.last_season in (None, CURRENT) and season_start_year(
            self.first_season
        ) > season_start_year(latest):
            meaning = "the season under way" if self.last_season else "the latest completed season"
            raise ValueError(
                f"first_season {self.first_season} is after {latest}, {meaning} on "
                f"{seasons.now().date()} (last_season={self.last_season or 'null'}); set "
                f"first_season to {latest} or earlier, or last_season=current for the season "
                "under way"
            )
        if len(set(self.season_types)) != len(self.season_types):
            raise ValueError(f"season_types {self.season_types} repeats a season type")
        return self
