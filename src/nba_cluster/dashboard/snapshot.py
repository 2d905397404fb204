"""One version of the data: the inference outputs, the champion, and what the views derive
from them, read-only. A new version is a new :class:`Snapshot` (see ``store.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import numpy as np
import pandas as pd

from nba_cluster.clustering.columns import AXIS_COLUMNS
from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.dashboard.bounds import without_paths
from nba_cluster.dashboard.search import normalize_name
from nba_cluster.dashboard.sources import Champion
from nba_cluster.features.table import AXES

# Role colours, in map order (left to right on the map), enough for 14 roles per axis: 14
# hues 25.7 degrees apart (no two roles share a hue), dark and light in turn, handed out so
# that any first k are spread around the wheel. Readable on white, and still told apart
# under protanopia, deuteranopia and tritanopia (tests/dashboard/test_palette.py).
PALETTE = (
    "#DD5A40",
    "#1C879C",
    "#629C1C",
    "#8740DD",
    "#1C9C43",
    "#DD40AD",
    "#9C681C",
    "#DADD40",
    "#53DD40",
    "#40DDB4",
    "#4080DD",
    "#1F1C9C",
    "#8D1C9C",
    "#9C1C3D",
)

# What lists of player-seasons (similar players) show.
DISPLAY_COLUMNS = (
    "PLAYER_ID", "PLAYER_NAME", "SEASON", "TEAM_ABBREVIATION", "ARCHETYPE_ID", "ARCHETYPE_NAME",
    "DEFENSIVE_ROLE_ID", "DEFENSIVE_ROLE_NAME", "ARCHETYPE_DISPLAY",
    "PTS_PER36", "OREB_PER36", "DREB_PER36", "AST_PER36", "MIN",
)  # fmt: skip


def membership_text(row, axis: str = "offense") -> str:
    """``"Shot creator / Scoring wing, 0.55 / 0.35"`` for a hybrid, else the role's share
    (models registered before soft membership only have ``CONFIDENCE``)."""
    c = AXIS_COLUMNS[axis]
    if row.get(c["HYBRID_NAME"], row[c["NAME"]]) != row[c["NAME"]]:
        return (
            f"{row[c['HYBRID_NAME']]}, {row[c['CONFIDENCE']]:.2f} / {row[c['RUNNER_UP_SHARE']]:.2f}"
        )
    return f"{row[c['NAME']]}, {row[c['CONFIDENCE']]:.2f}"


@dataclass(frozen=True, eq=False)
class AxisView:
    """One axis of a snapshot (the offensive or the defensive role): its roles in map order,
    names, colours, centroid table and map arrays, computed once."""

    snapshot: Snapshot
    axis: str

    @property
    def columns(self) -> dict[str, str]:
        """This axis's labelled columns by field (``ID``, ``NAME``, ``MAP_X``, ...)."""
        return AXIS_COLUMNS[self.axis]

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """This axis's rows of archetype_profiles (labels from before the two axes: all)."""
        profiles = self.snapshot.profiles
        if "AXIS" not in profiles:
            return profiles
        return profiles[profiles["AXIS"] == self.axis].reset_index(drop=True)

    @cached_property
    def features(self) -> list[str]:
        """The axis's features: the centroid columns its profiles fill, in their order."""
        z = [c for c in self.profiles.columns if c.endswith("_Z")]
        return [c for c in z if self.profiles[c].notna().any()]

    @cached_property
    def archetype_order(self) -> list[int]:
        """Role ids ordered by their mean position along the map's first axis, so
        neighbours on the map are neighbours in legends, tables and stacks."""
        frame = self.snapshot.archetypes
        centre = frame.groupby(self.columns["ID"])[self.columns["MAP_X"]].mean()
        ids = [int(i) for i in self.profiles["ARCHETYPE_ID"]]
        return sorted(ids, key=lambda i: (centre.get(i, np.inf), i))

    @cached_property
    def archetype_names(self) -> dict[int, str]:
        return {
            int(i): str(n)
            for i, n in zip(
                self.profiles["ARCHETYPE_ID"], self.profiles["ARCHETYPE_NAME"], strict=True
            )
        }

    @cached_property
    def colors(self) -> dict[int, str]:
        return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(self.archetype_order)}

    @cached_property
    def profile_table(self) -> pd.DataFrame:
        """Centroid z-scores, one row per role id (map order), feature columns."""
        table = self.profiles.set_index("ARCHETYPE_ID")[self.features].astype(float)
        return table.reindex(self.archetype_order)

    @cached_property
    def map_arrays(self) -> dict[str, np.ndarray]:
        """Per-row arrays the map figure is cut from (coordinates as float32: half the bytes)."""
        frame = self.snapshot.archetypes
        text = (
            frame["PLAYER_NAME"].astype(str)
            + "<br>"
            + frame["SEASON"].astype(str)
            + " · "
            + frame["TEAM_ABBREVIATION"].fillna("").astype(str)
        )
        # customdata goes as plain numbers, not a base64 typed array: dcc.Graph copies a
        # clicked point's customdata from the figure as sent, and cannot index a typed array
        stats = (
            np.column_stack(
                [
                    frame["PLAYER_ID"],
                    frame["SEASON"].astype(str).str[:4].astype(int),
                    frame["PTS_PER36"],
                    frame["OREB_PER36"] + frame["DREB_PER36"],
                    frame["AST_PER36"],
                    frame["TS_PCT"] * 100.0,
                    frame["FG3A_SHARE"] * 100.0,
                ]
            )
            .astype(np.float64)
            .round(1)
        )
        axis = self.axis
        return {
            "x": frame[self.columns["MAP_X"]].to_numpy(dtype=np.float32),
            "y": frame[self.columns["MAP_Y"]].to_numpy(dtype=np.float32),
            "archetype": frame[self.columns["ID"]].to_numpy(dtype=np.int64),
            "text": text.to_numpy(dtype=object),
            "membership": frame.apply(membership_text, axis=1, args=(axis,)).to_numpy(dtype=object),
            "customdata": np.ascontiguousarray(stats),
        }


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything one version of the data says, read-only. Derived tables are computed on
    first use and kept with it (``cached_property``), so each is computed once per change."""

    key: tuple
    archetypes: pd.DataFrame | None = None  # player_archetypes, row order = SEASON order
    profiles: pd.DataFrame | None = None
    similarity: SimilarityIndex | None = None
    champion: Champion | None = None
    champion_error: str | None = None
    load_error: str | None = None
    broken_output: str | None = None  # the output that failed to load, if any
    data_timestamp: datetime | None = None
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tracking_uri: str | None = None
    scheduler: dict | None = None  # the scheduler's status, when one runs

    # --- state ---------------------------------------------------------------------------
    @property
    def has_data(self) -> bool:
        return self.archetypes is not None and not self.archetypes.empty

    @property
    def ready(self) -> bool:
        """Both a champion and labelled player-seasons: otherwise the page is an empty state."""
        return self.has_data and self.champion is not None

    @property
    def empty_reason(self) -> str | None:
        return None if self.ready else without_paths(self._empty_reason())

    def _empty_reason(self) -> str:
        if self.load_error:
            return f"The pipeline outputs could not be read: {self.load_error}"
        if self.champion is None and self.champion_error:
            return (
                f"The MLflow tracking server ({self.tracking_uri}) could not be reached: "
                f"{self.champion_error}"
            )
        if self.champion is None:
            return (
                "No champion model in the MLflow registry yet. Run the pipelines "
                "(kedro run), or at least training and inference, then reload this page."
            )
        return (
            "The champion is registered but no player-season has been labelled yet. Run "
            "the inference pipeline (kedro run --pipeline inference), then reload this page."
        )

    @property
    def data_model_version(self) -> str | None:
        if not self.has_data or "MODEL_VERSION" not in self.archetypes:
            return None
        versions = self.archetypes["MODEL_VERSION"].astype(str).unique()
        return ", ".join(sorted(versions))

    @property
    def stale_labels(self) -> bool:
        """The labels were written by another version than today's champion."""
        return bool(self.ready and self.data_model_version != self.champion.version)

    @property
    def refresh_times(self) -> tuple[datetime | None, datetime | None]:
        """(last successful refresh, next refresh) from the scheduler's status."""
        refresh = ((self.scheduler or {}).get("jobs") or {}).get("refresh") or {}
        return _timestamp(refresh.get("last_success")), _timestamp(refresh.get("next_run"))

    # --- derived tables ---------------------------------------------------------------------
    @cached_property
    def seasons(self) -> tuple[str, ...]:
        return tuple(sorted(self.archetypes["SEASON"].astype(str).unique()))

    @cached_property
    def partial_seasons(self) -> dict[str, str]:
        """Seasons still under way when fetched, and the last day their data covers."""
        if "SEASON_THROUGH" not in self.archetypes:
            return {}
        partial = self.archetypes.dropna(subset=["SEASON_THROUGH"])
        return partial.groupby("SEASON")["SEASON_THROUGH"].max().astype(str).to_dict()

    def season_label(self, season: str) -> str:
        """``"2025-26"``, or ``"2025-26, through 2026-02-21"`` for a season under way."""
        through = self.partial_seasons.get(season)
        return f"{season}, through {through}" if through else season

    @cached_property
    def axes(self) -> tuple[str, ...]:
        """The role axes the labels hold: both, or the offensive one alone for labels written
        before the defensive role existed."""
        return AXES if AXIS_COLUMNS["defense"]["ID"] in self.archetypes else AXES[:1]

    def axis(self, name: str | None = "offense") -> AxisView:
        """One axis's view (an unknown or absent axis: the offensive role)."""
        name = name if name in self.axes else "offense"
        return self._axis_views[name]

    @cached_property
    def _axis_views(self) -> dict[str, AxisView]:
        return {name: AxisView(self, name) for name in self.axes}

    # The offensive role is the archetype (ARCHETYPE_ID): what views without a switch show.
    @property
    def features(self) -> list[str]:
        return self.axis().features

    @property
    def archetype_order(self) -> list[int]:
        return self.axis().archetype_order

    @property
    def archetype_names(self) -> dict[int, str]:
        return self.axis().archetype_names

    @property
    def colors(self) -> dict[int, str]:
        return self.axis().colors

    @property
    def profile_table(self) -> pd.DataFrame:
        return self.axis().profile_table

    @property
    def map_arrays(self) -> dict[str, np.ndarray]:
        return self.axis().map_arrays

    @cached_property
    def players(self) -> pd.DataFrame:
        """One row per player for the search: latest name, normalised name, career span."""
        frame = self.archetypes
        minutes = frame["MIN"] + frame["PLAYOFF_MIN"].fillna(0)
        grouped = frame.assign(_M=minutes).groupby("PLAYER_ID", sort=False)
        players = pd.DataFrame(
            {
                "PLAYER_NAME": grouped["PLAYER_NAME"].last(),
                "FIRST_SEASON": grouped["SEASON"].min(),
                "LAST_SEASON": grouped["SEASON"].max(),
                "N_SEASONS": grouped.size(),
                "TOTAL_MIN": grouped["_M"].sum(),
            }
        ).reset_index()
        players["NAME_KEY"] = [normalize_name(n) for n in players["PLAYER_NAME"]]
        return players.sort_values("TOTAL_MIN", ascending=False, ignore_index=True)

    @cached_property
    def player_rows(self) -> dict[int, np.ndarray]:
        """Row positions of each player's seasons, in season order."""
        groups = self.archetypes.groupby("PLAYER_ID", sort=False).indices
        return {int(pid): rows for pid, rows in groups.items()}

    @cached_property
    def row_of(self) -> dict[tuple[int, str], int]:
        ids = self.archetypes["PLAYER_ID"].to_numpy()
        seasons = self.archetypes["SEASON"].astype(str).to_numpy()
        return {(int(p), s): row for row, (p, s) in enumerate(zip(ids, seasons, strict=True))}

    @cached_property
    def season_index(self) -> np.ndarray:
        position = {s: i for i, s in enumerate(self.seasons)}
        return self.archetypes["SEASON"].astype(str).map(position).to_numpy(dtype=np.int16)

    @cached_property
    def display_table(self) -> pd.DataFrame:
        """The columns lists of player-seasons show (narrow: cheap to slice per request)."""
        return self.archetypes[[c for c in DISPLAY_COLUMNS if c in self.archetypes]]

    def player_name(self, player_id: int) -> str | None:
        rows = self.player_rows.get(int(player_id))
        return None if rows is None else str(self.archetypes["PLAYER_NAME"].iat[rows[-1]])

    def player_seasons(self, player_id: int) -> pd.DataFrame:
        rows = self.player_rows.get(int(player_id))
        return self.archetypes.iloc[rows if rows is not None else []]

    def has_player_season(self, player_id, season) -> bool:
        return player_id is not None and (int(player_id), str(season)) in self.row_of

    def player_season(self, player_id: int, season: str) -> pd.Series | None:
        row = self.row_of.get((int(player_id), str(season)))
        return None if row is None else self.archetypes.iloc[row]

    def similar(
        self,
        player_id: int,
        season: str,
        k: int = 10,
        in_season: str | None = None,
        space: str = "combined",
    ) -> pd.DataFrame:
        """The ``k`` most similar player-seasons of other players, with their display
        columns, in ``space`` (both roles' spaces, or the offensive one)."""
        if self.similarity is None:
            return pd.DataFrame()
        try:
            found = self.similarity.most_similar(
                int(player_id), str(season), k=k, in_season=in_season, space=space
            )
        except KeyError:
            return pd.DataFrame()
        rows = [
            self.row_of.get((int(p), str(s)))
            for p, s in zip(found["PLAYER_ID"], found["SEASON"], strict=True)
        ]
        keep = [i for i, row in enumerate(rows) if row is not None]
        details = self.display_table.iloc[[rows[i] for i in keep]].reset_index(drop=True)
        return details.assign(DISTANCE=found["DISTANCE"].to_numpy()[keep])


def _timestamp(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
