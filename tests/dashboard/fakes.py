"""Small hand-made inference outputs, a stand-in for the MLflow registry, and a snapshot and a
store built from them."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.sources import CatalogSource, Champion
from nba_cluster.dashboard.store import DataStore

SEASONS = ("2003-04", "2004-05", "2005-06")
FEATURES = ["PTS_PER36_Z", "AST_PER36_Z", "BLK_PER36_Z"]
ARCHETYPES = {0: "Scoring guard", 1: "Pass-first point guard", 2: "Rim protector"}
# (player id, name, archetype, seasons played); accents and punctuation on purpose
PLAYERS = [
    (203999, "Nikola Jokić", 1, SEASONS),
    (406, "Shaquille O'Neal", 2, SEASONS),
    (1626157, "Karl-Anthony Towns", 2, SEASONS[1:]),
    (977, "Kobe Bryant", 0, SEASONS),
    (735, "Bryant Reeves", 2, SEASONS[:2]),
    (203992, "Bogdan Bogdanović", 0, SEASONS),
    (101, "Steve Nash", 1, SEASONS),
    (102, "Jason Kidd", 1, SEASONS[:1]),
]
CENTROIDS = {0: [1.5, 0.2, -0.6], 1: [0.1, 1.6, -0.7], 2: [0.0, -0.8, 1.8]}
# the defensive role: a perimeter one for the guards (archetypes 0 and 1), an interior one
# for the bigs (2), on features of its own
DEFENSIVE_FEATURES = ["STL_PER100_Z", "DREB_SHARE_Z"]
DEFENSIVE_ROLES = {0: "Perimeter disruptor", 1: "Interior anchor"}
DEFENSIVE_CENTROIDS = {0: [1.2, -0.6], 1: [-0.4, 1.5]}
HYBRID = (203999, "2004-05")  # between his archetype and the rim protectors, 0.55 / 0.35


def outputs(version: str = "3", seed: int = 0) -> dict[str, pd.DataFrame]:
    """player_archetypes, archetype_profiles and similarity_vectors, shaped as inference
    writes them."""
    rng = np.random.default_rng(seed)
    rows = []
    for player_id, name, archetype, seasons in PLAYERS:
        for season in seasons:
            z = np.array(CENTROIDS[archetype]) + rng.normal(0, 0.3, 3)
            minutes = float(rng.uniform(800, 3000))
            hybrid = (player_id, season) == HYBRID
            runner_up = 2 if hybrid else (archetype + 1) % 3
            defense = 1 if archetype == 2 else 0
            d = np.array(DEFENSIVE_CENTROIDS[defense]) + rng.normal(0, 0.3, 2)
            rows.append({
                "PLAYER_ID": player_id, "PLAYER_NAME": name, "SEASON": season,
                "TEAM_ABBREVIATION": "LAL", "TEAM_COUNT": 1.0, "AGE": 25.0, "GP": 70.0,
                "PLAYOFF_GP": 0.0, "MIN": minutes,
                "PLAYOFF_MIN": np.nan if player_id % 2 else 100.0,
                "PTS_PER36": 20 + 5 * z[0], "OREB_PER36": 1.5, "DREB_PER36": 5.0,
                "AST_PER36": 5 + 2 * z[1], "STL_PER36": 1.1, "BLK_PER36": 1 + z[2],
                "TS_PCT": 0.56, "FG3A_SHARE": 0.3,
                **dict(zip(FEATURES, z, strict=True)),
                "ARCHETYPE_ID": archetype, "ARCHETYPE_NAME": ARCHETYPES[archetype],
                "CONFIDENCE": 0.55 if hybrid else 0.9,
                "RUNNER_UP_ID": runner_up, "RUNNER_UP_NAME": ARCHETYPES[runner_up],
                "RUNNER_UP_SHARE": 0.35 if hybrid else 0.08,
                "HYBRID_NAME": f"{ARCHETYPES[archetype]} / {ARCHETYPES[runner_up]}" if hybrid
                else ARCHETYPES[archetype],
                "CENTROID_DISTANCE": float(np.linalg.norm(z - CENTROIDS[archetype])),
                "MAP_X": float(archetype * 3 + z[0]), "MAP_Y": float(z[1]),
                **dict(zip(DEFENSIVE_FEATURES, d, strict=True)),
                "DEFENSIVE_ROLE_ID": defense, "DEFENSIVE_ROLE_NAME": DEFENSIVE_ROLES[defense],
                "DEFENSIVE_CONFIDENCE": 0.95, "DEFENSIVE_RUNNER_UP_ID": 1 - defense,
                "DEFENSIVE_RUNNER_UP_NAME": DEFENSIVE_ROLES[1 - defense],
                "DEFENSIVE_RUNNER_UP_SHARE": 0.05,
                "DEFENSIVE_HYBRID_NAME": DEFENSIVE_ROLES[defense],
                "DEFENSIVE_CENTROID_DISTANCE": float(
                    np.linalg.norm(d - DEFENSIVE_CENTROIDS[defense])),
                "DEFENSIVE_MAP_X": float(defense * 3 + d[0]), "DEFENSIVE_MAP_Y": float(d[1]),
                "ARCHETYPE_DISPLAY": f"{ARCHETYPES[archetype]} · {DEFENSIVE_ROLES[defense]}",
                "MODEL_VERSION": version,
            })  # fmt: skip
    archetypes = pd.DataFrame(rows)
    offense = pd.DataFrame(
        [{"ARCHETYPE_ID": a, **dict(zip(FEATURES, c, strict=True))} for a, c in CENTROIDS.items()]
    ).assign(
        ARCHETYPE_NAME=lambda f: f["ARCHETYPE_ID"].map(ARCHETYPES),
        SIZE=lambda f: f["ARCHETYPE_ID"].map(archetypes["ARCHETYPE_ID"].value_counts()),
        AXIS="offense",
    )
    defense = pd.DataFrame(
        [{"ARCHETYPE_ID": a, **dict(zip(DEFENSIVE_FEATURES, c, strict=True))}
         for a, c in DEFENSIVE_CENTROIDS.items()]
    ).assign(
        ARCHETYPE_NAME=lambda f: f["ARCHETYPE_ID"].map(DEFENSIVE_ROLES),
        SIZE=lambda f: f["ARCHETYPE_ID"].map(archetypes["DEFENSIVE_ROLE_ID"].value_counts()),
        AXIS="defense",
    )  # fmt: skip
    profiles = pd.concat([offense, defense], ignore_index=True).assign(MODEL_VERSION=version)
    vectors = archetypes[["PLAYER_ID", "SEASON"]].assign(
        **{f"O{i}": archetypes[c] for i, c in enumerate(FEATURES)},
        **{f"D{i}": archetypes[c] for i, c in enumerate(DEFENSIVE_FEATURES)},
    )
    return {"player_archetypes": archetypes, "archetype_profiles": profiles,
            "similarity_vectors": vectors}  # fmt: skip


def write_outputs(project: Path, frames: dict[str, pd.DataFrame]) -> None:
    folder = project / "data" / "07_model_output"
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet")


def champion(version: str = "3") -> Champion:
    leaderboard = pd.DataFrame({
        "candidate": ["kmeans-n_clusters=3", "kmeans-n_clusters=4"],
        "model_family": ["kmeans", "kmeans"], "run_id": ["run-a", "run-b"],
        "n_clusters": [3.0, 4.0], "silhouette": [0.31, 0.25], "stability": [0.9, 0.8],
        "noise_share": [0.0, 0.0], "eligible": [True, True], "score": [0.49, 0.41],
        "is_champion": [True, False],
    })  # fmt: skip
    return Champion(
        version=version, run_id="run-a", run_name="kmeans-n_clusters=3", experiment_id="1",
        family="kmeans", registered_at=datetime(2026, 1, 2, tzinfo=UTC),
        params={"model_family": "kmeans", "n_clusters": "3"},
        metrics={"silhouette": 0.31, "stability": 0.9, "n_clusters": 3.0, "noise_share": 0.0},
        parent_run_id="parent", parent_tags={"registry_decision": "champion"},
        selection={"cluster_count_range": [2, 6], "max_noise_share": 0.15,
                   "weights": {"silhouette": 1.0, "stability": 0.2}},
        leaderboard=leaderboard,
    )  # fmt: skip


class FakeChampions:
    """Stands in for ``ChampionSource``: a settable champion version, calls counted."""

    tracking_uri = "http://mlflow.test:5000"

    def __init__(self, version: str | None = "3") -> None:
        self.version = version
        self.failure: Exception | None = None
        self.lookups = 0
        self.detail_calls = 0

    def current_version(self) -> str | None:
        self.lookups += 1
        if self.failure is not None:
            raise self.failure
        return self.version

    def details(self, version: str) -> Champion:
        self.detail_calls += 1
        return champion(version)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@functools.cache
def snapshot() -> Snapshot:
    """A ready snapshot of :func:`outputs` (shared: a snapshot is never mutated)."""
    frames = outputs()
    return Snapshot(
        key=("test",),
        archetypes=frames["player_archetypes"].sort_values(
            ["SEASON", "PLAYER_ID"], ignore_index=True
        ),
        profiles=frames["archetype_profiles"],
        similarity=SimilarityIndex(frames["similarity_vectors"]),
        champion=champion(),
    )


def store(project, champions=None, ttl=5.0, clock=None) -> tuple[DataStore, Clock]:
    """A store on ``project``'s catalog with a fake registry and a fake clock."""
    clock = clock or Clock()
    return DataStore(CatalogSource(project), champions or FakeChampions(), ttl, clock), clock
