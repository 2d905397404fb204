"""The feature table: one row per player-season feature, the one home of what it is.

Each row gives the column, its formula (as the model card shows it, and as code), the label
names and cards show, its **axis** (``offense`` and ``defense`` features are what each
axis's clusterers see; ``descriptive`` ones are shown beside the roles, never clustered) and
its era adjustment. Feature engineering computes the columns from it, the ``player_features``
contract takes its ranges from it, training takes each axis's columns from it, naming takes
its labels from it, and ``docs/model.md``'s feature table is rendered from it
(``feature_table_markdown``, pinned by a test). Adding a feature is one row here.

Formulas see ``inputs``: ``inputs.player`` (the player-season's summed counts: FGA, AST, ...)
and ``inputs.team`` (his team's totals over the minutes he was on the floor, one fifth of
the team's minutes: FGM, OREB, DREB, POSSESSIONS = FGA + 0.44 FTA - OREB + TOV, PLAYS = FGA
+ 0.44 FTA + TOV), ``inputs.shrunk(made, attempted)`` (a rate shrunk toward the season's
league rate) and ``inputs.ratio(a, b)`` (0 where ``b`` is not positive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Axis = Literal["offense", "defense", "descriptive"]
AXES: tuple[str, str] = ("offense", "defense")  # the clustered axes, offense first
Z_SUFFIX = "_Z"
Z_WITHIN_SEASON = "z-score within its season"
SHRUNK = "shrunk toward the season's league rate (shooting_prior_attempts), then " + Z_WITHIN_SEASON
FOULS_DRAWN = Z_WITHIN_SEASON + "; missing (z = 0) in seasons that do not record fouls drawn"


@dataclass(frozen=True)
class Feature:
    column: str
    formula: str
    label: str
    axis: Axis
    era_adjustment: str
    valid_range: tuple[float, float]
    compute: Callable[[RateInputs], pd.Series]


@dataclass(frozen=True)
class RateInputs:
    player: pd.DataFrame
    team: pd.DataFrame
    shrunk: Callable[[pd.Series, pd.Series], pd.Series]

    @staticmethod
    def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
        """``numerator / denominator``, 0 where the denominator is not positive."""
        return (numerator / denominator.where(denominator > 0)).fillna(0.0)

    @property
    def own_plays(self) -> pd.Series:
        """Plays he finished or passed out of: FGA + 0.44 FTA + AST + TOV."""
        p = self.player
        return p["FGA"] + 0.44 * p["FTA"] + p["AST"] + p["TOV"]

    def per100(self, stat: str) -> pd.Series:
        return 100.0 * self.ratio(self.player[stat], self.team["POSSESSIONS"])


PER36_LABELS = {
    "PTS": "points", "FGA": "FG attempts", "FG3M": "3PM", "FTA": "FT attempts",
    "OREB": "off. rebounds", "DREB": "def. rebounds", "AST": "assists", "TOV": "turnovers",
    "STL": "steals", "BLK": "blocks", "PF": "fouls", "PFD": "fouls drawn",
}  # fmt: skip


def _per36(stat: str) -> Feature:
    return Feature(
        f"{stat}_PER36", f"{stat} x 36 / MIN", f"{PER36_LABELS[stat]} per 36", "descriptive",
        Z_WITHIN_SEASON if stat != "PFD" else FOULS_DRAWN, (0.0, 80.0),
        lambda x: x.player[stat] * 36.0 / x.player["MIN"],
    )  # fmt: skip


PER36_STATS = list(PER36_LABELS)

# fmt: off
FEATURES: tuple[Feature, ...] = (
    *(_per36(stat) for stat in PER36_STATS),
    Feature("FG3A_SHARE", "3PA / FGA", "3PA share", "offense", Z_WITHIN_SEASON, (0.0, 1.0),
            lambda x: x.ratio(x.player["FG3A"], x.player["FGA"])),
    Feature("FTA_RATE", "FTA / FGA", "free-throw rate", "offense", Z_WITHIN_SEASON, (0.0, 10.0),
            lambda x: x.ratio(x.player["FTA"], x.player["FGA"])),
    Feature("AST_RATIO", "AST / (FGA + 0.44 FTA + AST + TOV)", "assist ratio", "offense",
            Z_WITHIN_SEASON, (0.0, 1.0), lambda x: x.ratio(x.player["AST"], x.own_plays)),
    # ball security is a quality more than a role, and clustered it split the creators on
    # their turnovers (stability 0.85 with it, 0.95 without, at k = 8)
    Feature("TOV_RATIO", "TOV / (FGA + 0.44 FTA + AST + TOV)", "turnover ratio", "descriptive",
            Z_WITHIN_SEASON, (0.0, 1.0), lambda x: x.ratio(x.player["TOV"], x.own_plays)),
    Feature("AST_SHARE", "AST / (on-floor team FGM - FGM)", "assist share", "offense",
            Z_WITHIN_SEASON, (0.0, 2.0),
            lambda x: x.ratio(x.player["AST"], x.team["FGM"] - x.player["FGM"])),
    Feature("OREB_SHARE", "OREB / on-floor team OREB", "off. rebound share", "offense",
            Z_WITHIN_SEASON, (0.0, 2.0), lambda x: x.ratio(x.player["OREB"], x.team["OREB"])),
    Feature("DREB_SHARE", "DREB / on-floor team DREB", "def. rebound share", "defense",
            Z_WITHIN_SEASON, (0.0, 2.0), lambda x: x.ratio(x.player["DREB"], x.team["DREB"])),
    Feature("STL_PER100", "STL per 100 on-floor team possessions", "steal rate", "defense",
            Z_WITHIN_SEASON, (0.0, 60.0), lambda x: x.per100("STL")),
    Feature("BLK_PER100", "BLK per 100 on-floor team possessions", "block rate", "defense",
            Z_WITHIN_SEASON, (0.0, 60.0), lambda x: x.per100("BLK")),
    Feature("PF_PER100", "PF per 100 on-floor team possessions", "foul rate", "defense",
            Z_WITHIN_SEASON, (0.0, 60.0), lambda x: x.per100("PF")),
    # who finishes his team's plays while he is on the floor: a role (creator, finisher,
    # spacer), not a tier; efficiency (TS_PCT) stays descriptive
    Feature("USG_PCT", "(FGA + 0.44 FTA + TOV) / on-floor team plays", "usage", "offense",
            Z_WITHIN_SEASON, (0.0, 2.0),
            lambda x: x.ratio(x.player["FGA"] + 0.44 * x.player["FTA"] + x.player["TOV"],
                              x.team["PLAYS"])),
    Feature("PFD_PER100", "PFD per 100 on-floor team possessions", "fouls-drawn rate",
            "descriptive", FOULS_DRAWN, (0.0, 60.0), lambda x: x.per100("PFD")),
    Feature("FG2_PCT", "(FGM - FG3M) / (FGA - FG3A)", "2-point %", "descriptive", SHRUNK,
            (0.0, 1.0),
            lambda x: x.shrunk(x.player["FGM"] - x.player["FG3M"],
                               x.player["FGA"] - x.player["FG3A"])),
    Feature("FG3_PCT", "FG3M / FG3A", "3-point %", "descriptive", SHRUNK, (0.0, 1.0),
            lambda x: x.shrunk(x.player["FG3M"], x.player["FG3A"])),
    Feature("TS_PCT", "PTS / (2 (FGA + 0.44 FTA))", "true shooting", "descriptive",
            Z_WITHIN_SEASON, (0.0, 1.5),
            lambda x: x.ratio(x.player["PTS"], 2 * (x.player["FGA"] + 0.44 * x.player["FTA"]))),
    Feature("AST_TOV", "(AST + 1) / (TOV + 1)", "assists per turnover", "descriptive",
            Z_WITHIN_SEASON, (0.0, 50.0),
            lambda x: (x.player["AST"] + 1) / (x.player["TOV"] + 1)),
)
# fmt: on
RATE_FEATURES = [feature.column for feature in FEATURES]
FOULS_DRAWN_FEATURES = [f.column for f in FEATURES if f.era_adjustment == FOULS_DRAWN]
LABELS = {feature.column: feature.label for feature in FEATURES}


def axis_columns(axis: str) -> list[str]:
    """The ``*_Z`` columns an axis's clusterers see, in table order."""
    if axis not in AXES:
        raise ValueError(f"unknown axis {axis!r}; the clustered axes are {', '.join(AXES)}")
    return [f.column + Z_SUFFIX for f in FEATURES if f.axis == axis]


def label(column: str) -> str:
    """The reader's label of a feature column (``*_Z`` or not); the column itself if unknown."""
    return LABELS.get(column.removesuffix(Z_SUFFIX), column)


def feature_table_markdown() -> str:
    """The model card's feature table (docs/model.md, between its feature-table markers)."""
    rows = [f"| `{f.column}` | {f.label} | {f.axis} | {f.formula} | {f.era_adjustment} |"
            for f in FEATURES]  # fmt: skip
    head = "| column | label | axis | formula | era adjustment |\n| --- | --- | --- | --- | --- |"
    return "\n".join([head, *rows])
