"""The raw-response folders of ``data/01_raw`` as one Kedro dataset.

- ``<path>/<season>_<type>.json``: the copy the pipelines use, byte for byte as received;
- ``<history_path>/<season>_<type>/<fetched at>.json``: every accepted fetch, dated on the
  project's clock (``NBA_CLUSTER_TODAY``), so any day's labels can be rebuilt and a copy's age
  is known;
- ``<rejected_path>/<season>_<type>@<fetched at>.json``: responses refused because they were
  smaller than the copy on disk or implausibly small, kept for inspection, never used.

Every file is written atomically (temp file + rename). A copy's fetch time is that of the
newest dated copy with the same bytes: a run killed between the two writes, or an old dated
copy put back to rebuild that day's labels, reads as fetched when it was (or unrecorded), never
younger than it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractDataset

from nba_cluster.datasets.files import AtomicBytesDataset

logger = logging.getLogger(__name__)

_STAMP = "%Y-%m-%dT%H-%M-%SZ"


def fetch_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(_STAMP)


def parse_fetch_stamp(stem: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stem, _STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class FetchedResponse:
    """One response as fetched: ``rejected`` says why it must not replace the copy on disk."""

    body: bytes
    fetched_at: dt.datetime
    rejected: str | None = None


@dataclass(frozen=True)
class StoredCopy:
    """A stored response: called, it loads the bytes (as a PartitionedDataset partition would);
    ``fetched_at`` is when it was fetched by the project's clock, ``None`` when unrecorded."""

    path: Path
    fetched_at: dt.datetime | None

    def __call__(self) -> bytes:
        return self.path.read_bytes()


class RawResponseStore(AbstractDataset[dict[str, FetchedResponse], dict[str, StoredCopy]]):
    """Load ``{file stem: StoredCopy}`` for every ``*.json`` in ``path`` (empty before the first
    run; files that name no season are the caller's to refuse); save ``{key: FetchedResponse}``."""

    def __init__(
        self,
        path: str,
        history_path: str,
        rejected_path: str,
        filename_suffix: str = ".json",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._path = Path(path)
        self._history = Path(history_path)
        self._rejected = Path(rejected_path)
        self._suffix = filename_suffix
        self.metadata = metadata

    def load(self) -> dict[str, StoredCopy]:
        self._remove_interrupted_writes()
        if not self._path.is_dir():
            return {}
        copies = {}
        for file in sorted(self._path.iterdir()):
            if file.is_file() and file.name.endswith(self._suffix) and file.name[0] != ".":
                key = file.name.removesuffix(self._suffix)
                copies[key] = StoredCopy(file, self._last_fetch(key, file))
        return copies

    def save(self, data: dict[str, FetchedResponse]) -> None:
        for key, fetched in sorted(data.items()):
            stamp = fetch_stamp(fetched.fetched_at)
            if fetched.rejected:
                target = self._rejected / f"{key}@{stamp}{self._suffix}"
                AtomicBytesDataset(str(target)).save(fetched.body)
                continue
            AtomicBytesDataset(str(self._path / f"{key}{self._suffix}")).save(fetched.body)
            AtomicBytesDataset(str(self._history / key / f"{stamp}{self._suffix}")).save(
                fetched.body
            )

    def _last_fetch(self, key: str, current: Path) -> dt.datetime | None:
        """When the copy in use was fetched: the newest dated copy with the same bytes (so a
        dated copy put back in place, or a write cut short, reads as what it is)."""
        folder = self._history / key
        if not folder.is_dir():
            return None
        body = current.read_bytes()
        dated = sorted(
            ((parse_fetch_stamp(file.stem), file) for file in folder.glob(f"*{self._suffix}")),
            key=lambda pair: pair[0] or dt.datetime.min.replace(tzinfo=dt.UTC),
            reverse=True,
        )
        for stamp, file in dated:
            if stamp and file.stat().st_size == len(body) and file.read_bytes() == body:
                return stamp
        return None

    def _remove_interrupted_writes(self) -> None:
        """Temp files a killed run left behind (one job runs at a time: none is in use)."""
        for folder in (self._path, self._history, self._rejected):
            if folder.is_dir():
                for leftover in folder.rglob(".*.tmp"):
                    logger.warning("Removing %s, left by an interrupted write", leftover)
                    leftover.unlink(missing_ok=True)

    def _exists(self) -> bool:
        return self._path.is_dir()

    def _describe(self) -> dict[str, Any]:
        return {
            "path": str(PurePosixPath(self._path)),
            "history_path": str(PurePosixPath(self._history)),
            "rejected_path": str(PurePosixPath(self._rejected)),
        }
