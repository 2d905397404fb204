"""When the dashboard reads its data again.

:class:`DataStore` holds the current :class:`Snapshot` and swaps it atomically when the
outputs' size or modification time or the champion version change. That check runs at most
once per ``ttl_seconds`` per process, on whichever request comes first; other requests keep the
current snapshot meanwhile.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from pathlib import Path

import numpy as np

from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.dashboard.bounds import without_paths
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.sources import CatalogSource, Champion, ChampionSource

logger = logging.getLogger(__name__)
# How long a request may wait for MLflow beyond the state already cached; a slower answer is
# used by a later check, and the champion already known is kept meanwhile.
MLFLOW_WAIT_SECONDS = 1.0


class BrokenOutputError(RuntimeError):
    """An inference output that exists but cannot be read."""

    def __init__(self, dataset: str, error: Exception) -> None:
        super().__init__(f"{dataset}: {type(error).__name__}: {error}")
        self.dataset = dataset


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
        self._lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="champion-lookup")
        self._lookup: Future | None = None

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
            version, error = self._current_version(), None
        except Exception as exc:  # MLflow down, slow or misconfigured: keep what we know
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
        except Exception as exc:  # e.g. a file damaged outside the pipelines
            logger.exception("Reading the dashboard data failed")
            broken = exc.dataset if isinstance(exc, BrokenOutputError) else None
            if current is not None and current.ready:  # keep showing the last good data
                return dataclasses.replace(
                    current, key=key, load_error=_short_error(exc), broken_output=broken
                )
            return Snapshot(
                key=key,
                load_error=_short_error(exc),
                broken_output=broken,
                tracking_uri=self.champions.tracking_uri,
            )

    def _current_version(self) -> str | None:
        """The champion's version, waiting at most ``MLFLOW_WAIT_SECONDS`` for MLflow: a
        frozen server must not hold requests for the client's full timeout."""
        if self._lookup is None:
            self._lookup = self._lookups.submit(self.champions.current_version)
        try:
            version = self._lookup.result(timeout=MLFLOW_WAIT_SECONDS)
        except LookupTimeout:
            raise TimeoutError(
                f"no answer within {MLFLOW_WAIT_SECONDS:g} s (still waiting in the background)"
            ) from None
        except Exception:
            self._lookup = None
            raise
        self._lookup = None
        return version

    def _load(self, key: tuple, files: tuple, champion: Champion | None, error: str | None):
        started = time.perf_counter()
        publication = self.source.publication()  # once: the three outputs of one run
        archetypes, profiles, vectors = (
            self._read(name, publication)
            for name in ("player_archetypes", "archetype_profiles", "similarity_vectors")
        )
        if archetypes is not None:
            archetypes = archetypes.sort_values(
                ["SEASON", "PLAYER_ID"], kind="stable", ignore_index=True
            )
        snapshot = Snapshot(
            key=key,
            archetypes=archetypes if profiles is not None else None,
            profiles=profiles,
            similarity=SimilarityIndex(vectors) if vectors is not None else None,
            champion=champion,
            champion_error=error,
            # the outputs' age, not the scheduler status's (it changes at every tick)
            data_timestamp=self.source.data_timestamp(files, publication),
            tracking_uri=self.champions.tracking_uri,
            scheduler=self.source.scheduler_status(),
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

    def _read(self, name: str, publication: dict | None):
        try:
            return self.source.load(name, publication)
        except Exception as error:
            raise BrokenOutputError(name, error) from error


def _short_error(error: Exception) -> str:
    """One line for the page and /healthz, without the server's paths."""
    text = without_paths(" ".join(str(error).split()))
    return text if len(text) <= 300 else text[:297] + "..."
