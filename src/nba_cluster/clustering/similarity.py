"""Most similar player-seasons: exact nearest neighbours in the champion's model space.

About 10,000 player-seasons by a dozen dimensions is small enough that one vectorised pass
over all of them (distances, one sort) takes about a millisecond, so no approximate index is
needed. By default a list holds one season per other player, his closest to the query: a
great player's many similar seasons would otherwise crowd everyone else out (seven of
Shaquille O'Neal 1999-00's ten nearest were Tim Duncan seasons).

The vectors hold both axes' model spaces (``O0..`` offense, ``D0..`` defense); a query
measures distance in the combined space by default, or in the offensive space alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY_COLUMNS = ["PLAYER_ID", "SEASON"]
VECTOR_PREFIXES = {"offense": "O", "defense": "D"}
SPACES = {"combined": ("offense", "defense"), "offense": ("offense",)}


def vectors_frame(keys: pd.DataFrame, spaces: dict[str, np.ndarray]) -> pd.DataFrame:
    """The stored form: ``PLAYER_ID``, ``SEASON``, ``O0..On`` (offense), ``D0..Dm`` (defense)."""
    frames = [keys[KEY_COLUMNS].reset_index(drop=True)]
    for axis, vectors in spaces.items():
        columns = [f"{VECTOR_PREFIXES[axis]}{i}" for i in range(vectors.shape[1])]
        frames.append(pd.DataFrame(vectors, columns=columns))
    return pd.concat(frames, axis=1)


def _axis_columns(frame: pd.DataFrame, axis: str) -> list[str]:
    prefix = VECTOR_PREFIXES[axis]
    return [c for c in frame.columns if c.startswith(prefix) and c[len(prefix) :].isdigit()]


class SimilarityIndex:
    """Built once from the stored vectors; queries are read-only and thread-safe."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._player_ids = frame["PLAYER_ID"].to_numpy()
        self._seasons = frame["SEASON"].to_numpy()
        self._vectors = {
            space: frame[[c for axis in axes for c in _axis_columns(frame, axis)]].to_numpy(
                dtype=np.float64
            )
            for space, axes in SPACES.items()
        }
        keys = zip(self._player_ids, self._seasons, strict=True)
        self._row_of = {key: row for row, key in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._player_ids)

    def most_similar(
        self,
        player_id: int,
        season: str,
        k: int = 5,
        *,
        in_season: str | None = None,
        all_seasons: bool = False,
        space: str = "combined",
    ) -> pd.DataFrame:
        """The ``k`` nearest player-seasons of other players (optionally only in one season),
        nearest first, with their Euclidean ``DISTANCE`` in ``space`` (``SPACES``: both roles'
        spaces, or the offensive one): each player's closest season only, unless
        ``all_seasons``."""
        row = self._row_of.get((player_id, season))
        if row is None:
            raise KeyError(f"No player-season ({player_id}, {season}) in the index")
        vectors = self._vectors[space]
        distances = np.sqrt(((vectors - vectors[row]) ** 2).sum(axis=1))
        candidates = self._player_ids != player_id
        if in_season is not None:
            candidates &= self._seasons == in_season
        rows = np.flatnonzero(candidates)
        rows = rows[np.argsort(distances[rows], kind="stable")]
        if not all_seasons:
            _, first_of_player = np.unique(self._player_ids[rows], return_index=True)
            rows = rows[np.sort(first_of_player)]
        rows = rows[:k]
        return pd.DataFrame(
            {
                "PLAYER_ID": self._player_ids[rows],
                "SEASON": self._seasons[rows],
                "DISTANCE": distances[rows],
            }
        )
