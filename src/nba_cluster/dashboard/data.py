"""What the dashboard reads, and when it reads it again.

Sources:

- the inference outputs ``player_archetypes``, ``archetype_profiles`` and ``similarity_vectors``,
  through the project's own Kedro catalog (``conf/``: paths are written down once, there);
- the champion's details from the MLflow registry and tracking server (``MlflowClient``).

The catalog is built from the config loader and ``DataCatalog.from_config`` rather than from a
``KedroSession``: a session runs the project hooks, and kedro-mlflow's would create experiments
on the tracking server (and the reachability check would refuse to start when MLflow is down),
none of which a read-only dashboard should do.

Everything loaded is bundled in a :class:`Snapshot`, built once per change and never mutated;
:class:`DataStore` swaps it atomically when the files' modification times or the champion
version change. That check runs at most once per ``ttl_seconds`` per process, on whichever
request comes first; other requests keep the current snapshot meanwhile.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow import MlflowClient

from nba_cluster.clustering.selection import rank_candidates
from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.model_registry import CHAMPION, MODEL_NAME, find_version

logger = logging.getLogger(__name__)

DATASETS = ("player_archetypes", "archetype_profiles", "similarity_vectors")
MLFLOW_CONFIG_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]  # as kedro-mlflow registers it

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

# Reader-facing names of the rate features (the z-score columns add "_Z").
FEATURE_LABELS = {
    "PTS_PER36": "Points /36",
    "FGA_PER36": "FG attempts /36",
    "FG3M_PER36": "3PM /36",
    "FTA_PER36": "FT attempts /36",
    "OREB_PER36": "Off. rebounds /36",
    "DREB_PER36": "Def. rebounds /36",
    "AST_PER36": "Assists /36",
    "TOV_PER36": "Turnovers /36",
    "STL_PER36": "Steals /36",
    "BLK_PER36": "Blocks /36",
    "PF_PER36": "Fouls /36",
    "PFD_PER36": "Fouls drawn /36",
    "FG3A_SHARE": "3PA share",
    "FTA_RATE": "FT rate",
    "FG2_PCT": "2P%",
    "FG3_PCT": "3P%",
    "TS_PCT": "True shooting",
    "AST_TOV": "AST/TOV",
}


def feature_label(column: str) -> str:
    base = column.removesuffix("_Z")
    return FEATURE_LABELS.get(base, base.replace("_PER36", " /36").replace("_", " ").title())


# --- names ----------------------------------------------------------------------------------

# Letters NFKD does not decompose into a base letter plus accents.
_FOLD = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "\u0131": "i", "þ": "th"}
)


def normalize_name(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form: "Nikola Jokić" -> "nikola jokic",
    "Shaquille O'Neal" -> "shaquille oneal", "Karl-Anthony Towns" -> "karl anthony towns"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = re.sub(r"['\u2019`.]", "", letters)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters.translate(_FOLD)).split())


def search_players(players: pd.DataFrame, query: str | None, limit: int = 20) -> pd.DataFrame:
    """Players whose normalised name contains every word of the query, best first: a name
    starting with the query, then a word starting with each query word, then any match;
    ties go to the player with more minutes. ``players`` is :attr:`Snapshot.players`."""
    words = normalize_name(query or "").split()
    if not words:
        return players.iloc[:0]
    keys = players["NAME_KEY"]
    hits = np.ones(len(players), dtype=bool)
    word_starts = np.ones(len(players), dtype=bool)
    for word in words:
        hits &= keys.str.contains(word, regex=False).to_numpy()
        word_starts &= keys.str.contains(rf"(?:^| ){re.escape(word)}", regex=True).to_numpy()
    found = players[hits].assign(
        _RANK=np.where(
            keys[hits].str.startswith(" ".join(words)), 0, np.where(word_starts[hits], 1, 2)
        )
    )
    found = found.sort_values(["_RANK", "TOTAL_MIN"], ascending=[True, False], kind="stable")
    return found.drop(columns="_RANK").head(limit)


# --- pure views of a snapshot ---------------------------------------------------------------


def representative_players(frame: pd.DataFrame, archetype_id: int, n: int = 5) -> pd.DataFrame:
    """The archetype's most typical players: its player-seasons closest to the centroid among
    those with at least the archetype's median minutes (regular season plus playoffs), one
    season per player."""
    members = frame[frame["ARCHETYPE_ID"] == archetype_id]
    if members.empty:
        return members
    minutes = members["MIN"] + members["PLAYOFF_MIN"].fillna(0)
    regulars = members[minutes >= minutes.median()]
    best = regulars.sort_values("CENTROID_DISTANCE", kind="stable").drop_duplicates("PLAYER_ID")
    return best.head(n)


def era_shares(frame: pd.DataFrame, weight: str = "count") -> pd.DataFrame:
    """Share (%) of each archetype per season: rows are seasons, columns archetype ids.
    ``weight="minutes"`` weighs player-seasons by minutes played instead of counting them."""
    values = (frame["MIN"] + frame["PLAYOFF_MIN"].fillna(0)) if weight == "minutes" else 1.0
    table = (
        frame.assign(_W=values)
        .pivot_table(index="SEASON", columns="ARCHETYPE_ID", values="_W", aggfunc="sum")
        .fillna(0.0)
        .sort_index()
    )
    return table.div(table.sum(axis=1), axis=0) * 100.0


def signature_traits(profile: pd.Series, n: int = 3) -> list[tuple[str, float]]:
    """The centroid's strongest deviations from the league average, as (label, z)."""
    values = profile.astype(float).dropna()
    top = values.reindex(values.abs().sort_values(ascending=False).index).head(n)
    return [(feature_label(column), float(z)) for column, z in top.items()]


# --- the champion ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Champion:
    """The registry's champion, the run that trained it and its training run's leaderboard."""

    version: str
    run_id: str
    run_name: str
    experiment_id: str
    family: str | None
    registered_at: datetime | None
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    parent_run_id: str | None = None
    parent_tags: Mapping[str, str] = field(default_factory=dict)
    selection: Mapping[str, Any] | None = None
    # one row per candidate of the training run: candidate, model_family, run_id, metrics,
    # eligible, score (the training pipeline's own rule), is_champion; best first
    leaderboard: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


class ChampionSource:
    """Champion details through ``MlflowClient`` (the server-side URI, never the browser's)."""

    def __init__(self, tracking_uri: str, model_name: str = MODEL_NAME, alias: str = CHAMPION):
        self.tracking_uri = tracking_uri
        self.model_name = model_name
        self.alias = alias
        self._client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def current_version(self) -> str | None:
        """The version the alias points at; None when there is no such alias or model yet
        Raises when MLflow fails."""
        found = find_version(self.alias, self.model_name, client=self._client)
        return None if found is None else str(found.version)

    def details(self, version: str) -> Champion:
        client = self._client
        model_version = client.get_model_version(self.model_name, version)
        run = client.get_run(model_version.run_id)
        parent_id = run.data.tags.get("mlflow.parentRunId")
        parent = client.get_run(parent_id) if parent_id else None
        selection = _selection_rule(parent.data.params) if parent else None
        leaderboard = pd.DataFrame()
        if parent_id:
            siblings = client.search_runs(
                [run.info.experiment_id],
                filter_string=f"tags.mlflow.parentRunId = '{parent_id}'",
                max_results=5000,
            )
            leaderboard = _leaderboard(siblings, selection, run.info.run_id)
        created = model_version.creation_timestamp
        return Champion(
            version=str(model_version.version),
            run_id=run.info.run_id,
            run_name=run.info.run_name or run.info.run_id,
            experiment_id=run.info.experiment_id,
            family=run.data.params.get("model_family"),
            registered_at=datetime.fromtimestamp(created / 1000, tz=UTC) if created else None,
            params=dict(run.data.params),
            metrics=dict(run.data.metrics),
            parent_run_id=parent_id,
            parent_tags={
                k: v
                for k, v in (parent.data.tags if parent else {}).items()
                if not k.startswith("mlflow.")
            },
            selection=selection,
            leaderboard=leaderboard,
        )


def _selection_rule(parent_params: Mapping[str, str]) -> dict[str, Any] | None:
    """``training.selection`` as kedro-mlflow logged it (flattened with '.', values as text)."""
    prefix = "training.selection."
    flat = {k.removeprefix(prefix): v for k, v in parent_params.items() if k.startswith(prefix)}
    try:
        return {
            "cluster_count_range": list(ast.literal_eval(flat["cluster_count_range"])),
            "max_noise_share": float(flat["max_noise_share"]),
            "weights": {
                "silhouette": float(flat["weights.silhouette"]),
                "stability": float(flat["weights.stability"]),
            },
        }
    except (KeyError, ValueError, SyntaxError, TypeError):
        return None


def _leaderboard(runs: list, selection: Mapping[str, Any] | None, champion_run: str):
    rows = [
        {
            "candidate": r.info.run_name,
            "model_family": r.data.params.get("model_family"),
            "run_id": r.info.run_id,
            **r.data.metrics,
        }
        for r in runs
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    for column in ("n_clusters", "noise_share", "silhouette", "stability"):
        if column not in table:
            table[column] = np.nan
    if selection is not None:
        table = rank_candidates(table, selection)
    else:
        table = table.sort_values("silhouette", ascending=False, ignore_index=True)
    return table.assign(is_champion=table["run_id"] == champion_run)


# --- the snapshot ---------------------------------------------------------------------------


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
    data_timestamp: datetime | None = None
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tracking_uri: str | None = None

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
        if self.ready:
            return None
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

    # --- derived tables ---------------------------------------------------------------------
    @cached_property
    def seasons(self) -> tuple[str, ...]:
        return tuple(sorted(self.archetypes["SEASON"].astype(str).unique()))

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


# --- loading --------------------------------------------------------------------------------


class CatalogSource:
    """The inference outputs through the project's Kedro catalog."""

    def __init__(self, project_path: str | Path, env: str | None = None) -> None:
        from kedro.framework.project import settings  # noqa: PLC0415
        from kedro.framework.startup import bootstrap_project  # noqa: PLC0415
        from kedro.io import DataCatalog  # noqa: PLC0415

        self.project_path = Path(project_path).expanduser().resolve()
        bootstrap_project(self.project_path)  # the project's settings.py (resolvers, envs)
        loader = settings.CONFIG_LOADER_CLASS(
            conf_source=str(self.project_path / settings.CONF_SOURCE),
            env=env if env is not None else os.environ.get("KEDRO_ENV"),
            **settings.CONFIG_LOADER_ARGS,
        )
        entries = {
            name: _absolute_paths(loader["catalog"][name], self.project_path) for name in DATASETS
        }
        self.catalog = DataCatalog.from_config(entries)
        self.filepaths = {name: entry.get("filepath") for name, entry in entries.items()}
        self._loader = loader

    def tracking_uri(self) -> str:
        """MLFLOW_TRACKING_URI, else what the project's mlflow.yml says (a relative SQLite
        path is taken relative to the project, as ``kedro run`` from its root would)."""
        uri = os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            try:
                self._loader.config_patterns.setdefault("mlflow", MLFLOW_CONFIG_PATTERNS)
                uri = self._loader["mlflow"]["server"]["mlflow_tracking_uri"]
            except Exception:  # no mlflow.yml: MLflow's own default
                uri = None
        uri = uri or "sqlite:///mlflow.db"
        if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
            uri = f"sqlite:///{self.project_path / uri.removeprefix('sqlite:///')}"
        return uri

    def signature(self) -> tuple:
        """(name, size, mtime) of each output: cheap, and changes whenever one is rewritten."""
        signature = []
        for name in DATASETS:
            path = self.filepaths[name]
            try:
                stat = os.stat(path)
                signature.append((name, stat.st_size, stat.st_mtime_ns))
            except (OSError, TypeError):
                signature.append((name, None, None))
        return tuple(signature)

    def load(self, name: str) -> pd.DataFrame | None:
        if not self.catalog.exists(name):
            return None
        return self.catalog.load(name)


def _absolute_paths(entry: Mapping[str, Any], project_path: Path) -> dict[str, Any]:
    """Relative local ``filepath``s resolved against the project root, as a Kedro context
    does, so the dashboard works from any working directory."""
    entry = dict(entry)
    path = entry.get("filepath")
    if isinstance(path, str) and "://" not in path and not Path(path).is_absolute():
        entry["filepath"] = (project_path / path).as_posix()
    return entry


class DataStore:
    """The current :class:`Snapshot`, refreshed when the data or the champion change."""

    def __init__(
        self,
        source: CatalogSource,
        champions: ChampionSource,
        ttl_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.champions = champions
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._snapshot: Snapshot | None = None
        self._checked_at = -np.inf
        self._refresh = threading.Lock()

    @classmethod
    def for_project(
        cls, project_path: str | Path, tracking_uri: str | None = None, ttl_seconds: float = 5.0
    ) -> DataStore:
        source = CatalogSource(project_path)
        return cls(source, ChampionSource(tracking_uri or source.tracking_uri()), ttl_seconds)

    def snapshot(self) -> Snapshot:
        """The current snapshot; at most one check for changes per TTL, and a request never
        waits for another one's reload unless there is nothing to show yet."""
        current = self._snapshot
        if current is not None and self._clock() - self._checked_at < self.ttl_seconds:
            return current
        if not self._refresh.acquire(blocking=current is None):
            return current
        try:
            current = self._snapshot
            if current is not None and self._clock() - self._checked_at < self.ttl_seconds:
                return current
            self._snapshot = self._refreshed(current)
            self._checked_at = self._clock()
            return self._snapshot
        finally:
            self._refresh.release()

    def _refreshed(self, current: Snapshot | None) -> Snapshot:
        files = self.source.signature()
        known = current.champion if current is not None else None
        try:
            version, error = self.champions.current_version(), None
        except Exception as exc:  # MLflow down or misconfigured: keep the champion we know
            logger.warning("Champion lookup at %s failed: %s", self.champions.tracking_uri, exc)
            version, error = (known.version, None) if known else (None, _short_error(exc))
        key = (files, version, error)
        if current is not None and current.key == key:
            return current
        try:
            champion = (
                known
                if known is not None and known.version == version
                else (self.champions.details(version) if version is not None else None)
            )
            return self._load(key, files, champion, error)
        except Exception as exc:  # e.g. a file half-written by a running pipeline
            logger.exception("Reading the dashboard data failed")
            if current is not None and current.ready:
                return current  # keep showing the last good data; retried on the next check
            return Snapshot(
                key=(files, version, error, "failed"),
                load_error=_short_error(exc),
                tracking_uri=self.champions.tracking_uri,
            )

    def _load(self, key: tuple, files: tuple, champion: Champion | None, error: str | None):
        started = time.perf_counter()
        archetypes = self.source.load("player_archetypes")
        profiles = self.source.load("archetype_profiles")
        vectors = self.source.load("similarity_vectors")
        if archetypes is not None:
            archetypes = archetypes.sort_values(
                ["SEASON", "PLAYER_ID"], kind="stable", ignore_index=True
            )
        mtimes = [mtime for _, _, mtime in files if mtime is not None]
        snapshot = Snapshot(
            key=key,
            archetypes=archetypes if profiles is not None else None,
            profiles=profiles,
            similarity=SimilarityIndex(vectors) if vectors is not None else None,
            champion=champion,
            champion_error=error,
            data_timestamp=datetime.fromtimestamp(max(mtimes) / 1e9, tz=UTC) if mtimes else None,
            tracking_uri=self.champions.tracking_uri,
        )
        if snapshot.ready:  # warm what every page needs, before the snapshot is shared
            _ = (
                snapshot.players,
                snapshot.map_arrays,
                snapshot.row_of,
                snapshot.player_rows,
                snapshot.colors,
                snapshot.profile_table,
                snapshot.season_index,
            )
        logger.info(
            "Dashboard data loaded in %.2f s: %s player-seasons, champion %s",
            time.perf_counter() - started,
            0 if archetypes is None else len(archetypes),
            champion.version if champion else None,
        )
        return snapshot


def _short_error(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:297] + "..."
