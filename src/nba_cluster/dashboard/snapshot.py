"""One version of the data: the inference outputs, the champion, and what the views derive
from them, read-only. A new version is a new :class:`Snapshot` (see ``store.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import numpy as np
import pandas as pd

from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.dashboard.bounds import without_paths
from nba_cluster.dashboard.search import normalize_name
from nba_cluster.dashboard.sources import Champion

# Archetype colours, in map order (left to right on the map): distinct, colour-blind-aware
# (Okabe-Ito first, then Tableau), readable on white.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#8C6D31",
    "#7F7F7F",
    "#B279A2",
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#E15759",
    "#76B7B2",
)

# What lists of player-seasons (similar players) show.
DISPLAY_COLUMNS = (
    "PLAYER_ID", "PLAYER_NAME", "SEASON", "TEAM_ABBREVIATION", "ARCHETYPE_ID", "ARCHETYPE_NAME",
    "PTS_PER36", "OREB_PER36", "DREB_PER36", "AST_PER36", "MIN",
)  # fmt: skip


def membership_text(row) -> str:
    """``"Primary creator / Stretch big, 0.55 / 0.35"`` for a hybrid, else the archetype's
    share (models registered before soft membership only have ``CONFIDENCE``)."""
    if row.get("HYBRID_NAME", row["ARCHETYPE_NAME"]) != row["ARCHETYPE_NAME"]:
        return f"{row['HYBRID_NAME']}, {row['CONFIDENCE']:.2f} / {row['RUNNER_UP_SHARE']:.2f}"
    return f"{row['ARCHETYPE_NAME']}, {row['CONFIDENCE']:.2f}"


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
    def features(self) -> list[str]:
        """The model's features: the centroid columns of the profiles, in their order."""
        return [c for c in self.profiles.columns if c.endswith("_Z")]

    @cached_property
    def archetype_order(self) -> list[int]:
        """Archetype ids ordered by their mean position along the map's first axis, so
        neighbours on the map are neighbours in legends, tables and stacks."""
        centre = self.archetypes.groupby("ARCHETYPE_ID")["MAP_X"].mean()
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
        """Centroid z-scores, one row per archetype id (map order), feature columns."""
        table = self.profiles.set_index("ARCHETYPE_ID")[self.features].astype(float)
        return table.reindex(self.archetype_order)

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
    def map_arrays(self) -> dict[str, np.ndarray]:
        """Per-row arrays the map figure is cut from (coordinates as float32: half the bytes)."""
        frame = self.archetypes
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
        return {
            "x": frame["MAP_X"].to_numpy(dtype=np.float32),
            "y": frame["MAP_Y"].to_numpy(dtype=np.float32),
            "archetype": frame["ARCHETYPE_ID"].to_numpy(dtype=np.int64),
            "text": text.to_numpy(dtype=object),
            "membership": frame.apply(membership_text, axis=1).to_numpy(dtype=object),
            "customdata": np.ascontiguousarray(stats),
        }

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
        self, player_id: int, season: str, k: int = 10, in_season: str | None = None
    ) -> pd.DataFrame:
        """The ``k`` most similar player-seasons of other players, with their display columns."""
        if self.similarity is None:
            return pd.DataFrame()
        try:
            found = self.similarity.most_similar(
                int(player_id), str(season), k=k, in_season=in_season
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
