"""The raw-response folders of ``data/01_raw`` as one Kedro dataset.

- ``<path>/<season>_<type>.json``: the copy the pipelines use, byte for byte as received;
- ``<history_path>/<season>_<type>/<fetched at>.json``: every accepted fetch, dated on the
  project's clock (``NBA_CLUSTER_TODAY``), so any day's labels can be rebuilt and a copy's age
  is known;
- ``<rejected_path>/<season>_<type>@<fetched at>.json``: responses refused because they were
  smaller than the copy on disk or implausibly small, kept for inspection, never used.

The folders are local paths or object-store prefixes (``s3://bucket/prefix/...``), read and
written through fsspec. Every file is written atomically (``nba_cluster.datasets.atomic``:
temp file + rename, or one PUT). A copy's fetch time is that of the
newest dated copy with the same bytes: a run killed between the two writes, or an old dated
copy put back to rebuild that day's labels, reads as fetched when it was (or unrecorded), never
younger than it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from fsspec import AbstractFileSystem
from kedro.io import AbstractDataset

from nba_cluster.datasets.atomic import write_atomically
from nba_cluster.datasets.locations import filesystem, is_local

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

    path: str
    fetched_at: dt.datetime | None
    fs: AbstractFileSystem = field(repr=False, compare=False)

    def __call__(self) -> bytes:
        return self.fs.cat_file(self.path)


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
        self._locations = {"path": path, "history_path": history_path,
                           "rejected_path": rejected_path}  # fmt: skip
        # the three on one filesystem (one bucket, or one disk)
        self._fs, self._path = filesystem(path)
        self._history = filesystem(history_path)[1]
        self._rejected = filesystem(rejected_path)[1]
        self._suffix = filename_suffix
        self.metadata = metadata

    def load(self) -> dict[str, StoredCopy]:
        self._fs.invalidate_cache()  # another process may have written since the last listing
        self._remove_interrupted_writes()
        copies = {}
        for file in self._files(self._path):
            name = PurePosixPath(file["name"]).name
            if file["type"] == "file" and name.endswith(self._suffix) and name[0] != ".":
                key = name.removesuffix(self._suffix)
                copies[key] = StoredCopy(file["name"], self._last_fetch(key, file), self._fs)
        return copies

    def save(self, data: dict[str, FetchedResponse]) -> None:
        for key, fetched in sorted(data.items()):
            stamp = fetch_stamp(fetched.fetched_at)
            if fetched.rejected:
                self._write(f"{self._rejected}/{key}@{stamp}{self._suffix}", fetched.body)
                continue
            self._write(f"{self._path}/{key}{self._suffix}", fetched.body)
            self._write(f"{self._history}/{key}/{stamp}{self._suffix}", fetched.body)
        self._fs.invalidate_cache()

    def _write(self, path: str, body: bytes) -> None:
        write_atomically(self._fs.unstrip_protocol(path), body)

    def _files(self, folder: str) -> list[dict[str, Any]]:
        """The entries directly in ``folder`` (name, type, size), sorted; none when missing."""
        try:
            return sorted(self._fs.ls(folder, detail=True), key=lambda entry: entry["name"])
        except FileNotFoundError:
            return []

    def _last_fetch(self, key: str, current: dict[str, Any]) -> dt.datetime | None:
        """When the copy in use was fetched: the newest dated copy with the same bytes (so a
        dated copy put back in place, or a write cut short, reads as what it is)."""
        dated = sorted(
            (
                (parse_fetch_stamp(PurePosixPath(file["name"]).name.removesuffix(self._suffix)),
                 file)
                for file in self._files(f"{self._history}/{key}")
                if file["type"] == "file" and file["name"].endswith(self._suffix)
            ),
            key=lambda pair: pair[0] or dt.datetime.min.replace(tzinfo=dt.UTC),
            reverse=True,
        )  # fmt: skip
        body = None
        for stamp, file in dated:
            if stamp and file["size"] == current["size"]:
                body = self._fs.cat_file(current["name"]) if body is None else body
                if self._fs.cat_file(file["name"]) == body:
                    return stamp
        return None

    def _remove_interrupted_writes(self) -> None:
        """Temp files a killed run left behind on a local disk (one job runs at a time: none is
        in use). An object store never has any: its writes are single PUTs."""
        if not is_local(self._locations["path"]):
            return
        for folder in (self._path, self._history, self._rejected):
            if self._fs.isdir(folder):
                for leftover in self._fs.find(folder):
                    name = PurePosixPath(leftover).name
                    if name.startswith(".") and name.endswith(".tmp"):
                        logger.warning("Removing %s, left by an interrupted write", leftover)
                        self._fs.rm_file(leftover)

    def _exists(self) -> bool:
        self._fs.invalidate_cache()
        return self._fs.isdir(self._path)

    def _describe(self) -> dict[str, Any]:
        return dict(self._locations)
