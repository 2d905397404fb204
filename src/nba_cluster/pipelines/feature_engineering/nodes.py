"""Feature-engineering nodes: raw Totals responses -> one era-adjusted row per player-season."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from nba_cluster.features.table import (
    FEATURES,
    FOULS_DRAWN_FEATURES,
    RATE_FEATURES,
    Z_SUFFIX,
    RateInputs,
)
from nba_cluster.nba_stats.response import (
    COUNT_COLUMNS,
    ImplausibleSeasonError,
    implausibly_small,
    parse_league_dash_response,
    response_size,
    summarize_schema_errors,
)
from nba_cluster.nba_stats.seasons import (
    SEASON_TYPES,
    parse_partition_key,
    season_end,
    season_range,
)

logger = logging.getLogger(__name__)

DISPLAY_COLUMNS = [
    "PLAYER_ID",
    "PLAYER_NAME",
    "SEASON",
    "TEAM_ABBREVIATION",
    "TEAM_COUNT",
    "AGE",
    "GP",
    "PLAYOFF_GP",
    "MIN",
    "PLAYOFF_MIN",
    "PFD_RECORDED",
    "SEASON_PARTIAL",
    "SEASON_THROUGH",
]
FULL_SEASON_GAMES = 82


def assemble_season_totals(
    raw_responses: dict[str, Callable[[], bytes]], ingestion: dict[str, Any]
) -> pd.DataFrame:
    """Parse every stored response in the configured range into one long table.

    ``SEASON_THROUGH`` is the last day a season still in progress when its response was fetched
    covers (the day before the fetch), empty for a completed season. Files that name no season
    are ignored with a warning. A completed season's file too small to be the whole season
    (ingestion's plausibility rule) fails the run, naming it, whoever put it there (ingestion
    refuses such answers; a rebuild from dated copies does not go through ingestion)."""
    wanted_seasons = set(season_range(ingestion["first_season"], ingestion["last_season"]))
    frames, implausible = [], []
    for key, load in sorted(raw_responses.items()):
        try:
            season, season_type = parse_partition_key(key)
        except ValueError:
            logger.warning("Ignoring raw file %r: its name is not <season>_<season type>", key)
            continue
        if season in wanted_seasons and season_type in ingestion["season_types"]:
            body, through = load(), _season_through(load, season)
            if through is None:  # completed when fetched
                why = implausibly_small(
                    response_size(body, season, season_type), ingestion["plausible"]
                )
                if why:
                    implausible.append(f"{key}: {why}")
            players = parse_league_dash_response(body, season, season_type)
            frames.append(players.assign(SEASON_THROUGH=through))
    if implausible:
        raise ImplausibleSeasonError(
            "Raw responses too small to be whole seasons: " + "; ".join(implausible) + ".\n"
            "Likely cause: a truncated answer or a copy of the wrong day put in data/01_raw "
            "by hand (ingestion refuses such answers).\n"
            "What to do: fetch them again (kedro run --pipeline ingestion --params "
            "ingestion.refresh=true,ingestion.first_season=<season>,ingestion.last_season="
            "<season>), or copy back a complete dated copy from data/01_raw/"
            "leaguedashplayerstats_history/ (docs/live-season.md)."
        )
    if not frames:
        raise ValueError(
            f"No raw responses on disk for {ingestion['first_season']}..{ingestion['last_season']}"
            f" {ingestion['season_types']}: run the ingestion pipeline first"
        )
    totals = pd.concat(frames, ignore_index=True)
    if "TEAM_COUNT" not in totals:  # responses before 2023 do not report it
        totals["TEAM_COUNT"] = np.nan
    logger.info("Parsed %d responses, %d player rows", len(frames), len(totals))
    return totals


def _season_through(load: Callable[[], bytes], season: str) -> str | None:
    """The day before the fetch, for a season fetched before it ended (the raw store records
    when; a file without a record predates live seasons and holds a completed one)."""
    fetched_at = getattr(load, "fetched_at", None)
    if fetched_at is None or fetched_at.date() >= season_end(season):
        return None
    return (fetched_at.date() - pd.Timedelta(days=1)).isoformat()


def _season_through_column(table: pd.DataFrame) -> pd.Series:
    """``SEASON_THROUGH``; tables built before partial seasons existed hold completed ones."""
    return table.get("SEASON_THROUGH", pd.Series(None, index=table.index, dtype=object))


def season_share_played(player_seasons: pd.DataFrame) -> pd.Series:
    """Per row, the share of its season played: the most games any player has played in a
    partial season over a full season's 82, 1 for a completed season (lockout years included)."""
    partial = _season_through_column(player_seasons).notna()
    most_games = player_seasons.groupby("SEASON")["GP"].transform("max")
    return (most_games / FULL_SEASON_GAMES).clip(upper=1.0).where(partial, 1.0)


def combine_season_types(totals: pd.DataFrame, playoff_weight: float) -> pd.DataFrame:
    """One row per player-season: regular season plus ``playoff_weight`` x playoff totals.

    Rates are computed from these sums, so every rate is a minutes-weighted mean of the two
    season types, a playoff minute counting ``playoff_weight`` regular-season minutes
    (0 ignores the playoffs). Team and age come from the regular season.
    """
    keys = ["PLAYER_ID", "SEASON"]
    summed = ["MIN", *COUNT_COLUMNS]
    regular = totals[totals["SEASON_TYPE"] == SEASON_TYPES[0]].set_index(keys)
    playoffs = totals[totals["SEASON_TYPE"] == SEASON_TYPES[1]].set_index(keys)
    combined = regular[summed].add(playoff_weight * playoffs[summed], fill_value=0.0)
    identity_columns = ["PLAYER_NAME", "TEAM_ABBREVIATION", "TEAM_COUNT", "AGE", "SEASON_THROUGH"]
    identity = regular.reindex(columns=identity_columns).combine_first(
        playoffs.reindex(columns=identity_columns)
    )
    combined = combined.join(identity)
    combined["GP"] = regular["GP"].reindex(combined.index).fillna(0)
    combined["PLAYOFF_GP"] = playoffs["GP"].reindex(combined.index).fillna(0)
    combined["PLAYOFF_MIN"] = playoffs["MIN"].reindex(combined.index).fillna(0.0)
    return combined.reset_index()


def compute_rate_features(
    player_seasons: pd.DataFrame, min_minutes: float, min_games: int, prior_attempts: float
) -> pd.DataFrame:
    """Role descriptors that do not grow with playing time, for players above the thresholds.

    Shares of team totals use the team's sums over all its player rows of the same season
    (the API reports a traded player once, under his last team, so his team's totals carry
    his whole season). Shooting percentages are shrunk toward the season's league rate with
    ``prior_attempts`` pseudo-attempts, so a centre's 2-for-3 from deep is not read as elite
    shooting. In a partial season both thresholds scale with the share of the season played,
    so the season under way has players from its second week.
    """
    team = _team_totals(player_seasons)
    share = season_share_played(player_seasons)
    eligible = player_seasons[
        (player_seasons["MIN"] >= min_minutes * share) & (player_seasons["GP"] >= min_games * share)
    ].copy()
    eligible["SEASON_THROUGH"] = _season_through_column(eligible)
    eligible["SEASON_PARTIAL"] = eligible["SEASON_THROUGH"].notna()
    logger.info(
        "%d of %d player-seasons have >= %g minutes and >= %d games",
        len(eligible),
        len(player_seasons),
        min_minutes,
        min_games,
    )
    partial = eligible[eligible["SEASON_PARTIAL"]]
    for (season, through), rows in partial.groupby(["SEASON", "SEASON_THROUGH"]):
        logger.info(
            "%s is partial (through %s): thresholds scaled by %.2f, %d player-seasons",
            season,
            through,
            share[rows.index[0]],
            len(rows),
        )
    # the team's totals over the minutes he was on the floor (one fifth of team minutes)
    team = team.loc[eligible.index]
    on_floor = eligible["MIN"] / (team["MIN"] / 5.0)
    inputs = RateInputs(
        player=eligible,
        team=team.drop(columns="MIN").mul(on_floor, axis=0),
        shrunk=lambda made, attempted: _shrunk_rate(
            made, attempted, eligible["SEASON"], prior_attempts
        ),
    )
    rates = pd.DataFrame({feature.column: feature.compute(inputs) for feature in FEATURES})
    return pd.concat([eligible, rates], axis=1)


def _team_totals(player_seasons: pd.DataFrame) -> pd.DataFrame:
    """Each row's team sums (same season and team) of minutes, FGM, rebounds, possessions
    (FGA + 0.44 FTA - OREB + TOV) and plays used (FGA + 0.44 FTA + TOV), aligned on the rows.
    A row without a team gets its season's league sums: shares are ratios of per-minute
    rates, so that compares him with the average team."""
    totals = player_seasons.assign(
        POSSESSIONS=lambda t: t["FGA"] + 0.44 * t["FTA"] - t["OREB"] + t["TOV"],
        PLAYS=lambda t: t["FGA"] + 0.44 * t["FTA"] + t["TOV"],
    )
    columns = ["MIN", "FGM", "OREB", "DREB", "POSSESSIONS", "PLAYS"]
    team_key = totals["TEAM_ABBREVIATION"].fillna("")
    by_team = totals.groupby([totals["SEASON"], team_key])[columns].transform("sum")
    by_season = totals.groupby("SEASON")[columns].transform("sum")
    return by_team.where(team_key != "", by_season)


def check_fouls_drawn(rates: pd.DataFrame, plausible_pfd_per_fta: list[float]) -> pd.DataFrame:
    """Keep fouls drawn only in seasons whose league-wide PFD per free-throw attempt lies in
    ``plausible_pfd_per_fta`` (``[low, high]``).

    Every free-throw trip needs a foul drawn, so a league that records fouls drawn shows
    about 0.85 per FTA (0.84-0.92 from 2005-06 to 2025-26 on the recorded data). Before
    2005-06 the API mostly sends zeros, and in 1999-00 a partial record (0.096 per FTA):
    such seasons get NaN fouls-drawn rates and ``PFD_RECORDED`` False, never a fake rate.
    """
    low, high = plausible_pfd_per_fta
    by_season = rates.groupby("SEASON")
    league_ratio = by_season["PFD"].transform("sum") / by_season["FTA"].transform("sum").replace(
        0, np.nan
    )
    checked = rates.assign(PFD_RECORDED=league_ratio.between(low, high).to_numpy(dtype=bool))
    checked.loc[~checked["PFD_RECORDED"], FOULS_DRAWN_FEATURES] = np.nan
    rejected = sorted(checked.loc[~checked["PFD_RECORDED"], "SEASON"].unique())
    if rejected:
        logger.info(
            "Fouls drawn ignored in %d season(s) whose league PFD/FTA is outside [%g, %g]: %s",
            len(rejected),
            low,
            high,
            ", ".join(rejected),
        )
    return checked


def _shrunk_rate(made: pd.Series, attempted: pd.Series, season: pd.Series, prior: float):
    league_rate = made.groupby(season).transform("sum") / attempted.groupby(season).transform(
        "sum"
    ).replace(0, np.nan)
    league_rate = league_rate.fillna(0.0)
    # with no attempts (and no prior) a player's rate is the league's: no information
    return ((made + prior * league_rate) / (attempted + prior)).fillna(league_rate)


def standardize_within_season(features: pd.DataFrame, z_clip: float) -> pd.DataFrame:
    """Add ``<feature>_Z``: each rate as a z-score among the same season's players.

    This is the era adjustment: a 1998 centre's 3PA share is compared with his league's, not
    with 2024's, so archetypes describe roles rather than eras. Scores are clipped to
    ``+-z_clip`` so a handful of extreme seasons cannot own a cluster. Where a feature is not
    recorded (fouls drawn in the seasons ``check_fouls_drawn`` rejects) the score is 0, the
    league average, so it neither pulls a player toward nor away from any role.
    """
    by_season = features.groupby("SEASON")[RATE_FEATURES]
    z_scores = (features[RATE_FEATURES] - by_season.transform("mean")) / by_season.transform(
        "std"
    ).replace(0.0, np.nan)
    z_scores = z_scores.fillna(0.0).clip(-z_clip, z_clip).add_suffix(Z_SUFFIX)
    table = pd.concat([features[DISPLAY_COLUMNS + RATE_FEATURES], z_scores], axis=1)
    return table.sort_values(["SEASON", "PLAYER_ID"]).reset_index(drop=True)


def _player_features_schema(
    z_clip: float, plausible_pfd_per_fta: list[float]
) -> pa.DataFrameSchema:
    rate_ranges = {feature.column: feature.valid_range for feature in FEATURES}
    return pa.DataFrameSchema(
        {
            "PLAYER_ID": pa.Column(int, pa.Check.gt(0)),
            "PLAYER_NAME": pa.Column(str),
            "SEASON": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
            "TEAM_ABBREVIATION": pa.Column(str, nullable=True),
            "TEAM_COUNT": pa.Column(float, pa.Check.ge(1), nullable=True),
            "AGE": pa.Column(float, pa.Check.in_range(15, 50), nullable=True),
            "GP": pa.Column(float, pa.Check.ge(1)),
            "PLAYOFF_GP": pa.Column(float, pa.Check.ge(0)),
            "MIN": pa.Column(float, pa.Check.gt(0)),
            "PLAYOFF_MIN": pa.Column(float, pa.Check.ge(0)),
            "PFD_RECORDED": pa.Column(bool),
            "SEASON_PARTIAL": pa.Column(bool),
            # an ISO date or None (object: coercing to str would make None a string NA dtype)
            "SEASON_THROUGH": pa.Column(
                object, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"), nullable=True
            ),
            **{
                name: pa.Column(
                    float, pa.Check.in_range(low, high), nullable=name in FOULS_DRAWN_FEATURES
                )
                for name, (low, high) in rate_ranges.items()
            },
            **{
                name + Z_SUFFIX: pa.Column(float, pa.Check.in_range(-z_clip, z_clip))
                for name in RATE_FEATURES
            },
        },
        checks=[
            pa.Check(
                lambda table: table["PFD_PER36"].isna() == ~table["PFD_RECORDED"],
                error="fouls-drawn rates are missing exactly where PFD_RECORDED is False",
            ),
            pa.Check(
                lambda table: _recorded_pfd_is_plausible(table, plausible_pfd_per_fta),
                error=f"seasons with PFD_RECORDED have league PFD/FTA in {plausible_pfd_per_fta}",
            ),
        ],
        unique=["PLAYER_ID", "SEASON"],
        strict=True,
        coerce=True,
    )


def _recorded_pfd_is_plausible(table: pd.DataFrame, plausible_pfd_per_fta: list[float]):
    """Per row: its season does not record fouls drawn, or its league PFD/FTA is in range."""
    minutes = table["MIN"] / 36.0
    by_season = table.assign(PFD=table["PFD_PER36"] * minutes, FTA=table["FTA_PER36"] * minutes)
    sums = by_season.groupby("SEASON")[["PFD", "FTA"]].transform("sum")
    ratio = sums["PFD"] / sums["FTA"].replace(0, np.nan)
    return ~table["PFD_RECORDED"] | ratio.between(*plausible_pfd_per_fta)


def validate_player_features(
    table: pd.DataFrame, z_clip: float, plausible_pfd_per_fta: list[float]
) -> pd.DataFrame:
    """The model-input contract: one row per player-season, documented ranges, no NaN in
    model features (``*_Z``), no inf anywhere, fouls drawn only from plausible seasons."""
    numeric = table.select_dtypes("number")
    if np.isinf(numeric.to_numpy(dtype=float)).any():
        raise ValueError(
            f"player_features has inf in {list(numeric.columns[np.isinf(numeric).any()])}"
        )
    try:
        schema = _player_features_schema(z_clip, plausible_pfd_per_fta)
        return schema.validate(table.reset_index(drop=True), lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise ValueError(
            f"player_features breaks its contract: {summarize_schema_errors(errors)}"
        ) from None
