"""The manifest of a run's outputs: one small JSON file or object, written after them, that names
the run's save version, so that a reader loads outputs of one run, never some of the previous
run's and some of this one's (three objects cannot be replaced at once, and a reader may look
at any moment of a run)::

    inference_manifest:
      type: nba_cluster.datasets.PublicationManifest
      filepath: s3://bucket/prefix/07_model_output/inference_manifest.json
      versioned: true  # how Kedro hands over the run's save version; the file is not versioned

Kedro gives every versioned dataset of a run the same save version: the outputs named in the
manifest, declared ``versioned: true``, were saved under ``<filepath>/<that version>/``, and a
reader loads each with ``catalog.load(name, version=manifest["version"])``. Unversioned outputs
(the local default) are read as they are. ``published_at`` dates the data: it travels with the
object through a backup and restore, unlike the store's LastModified.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePosixPath
from typing import Any

from kedro.io import AbstractVersionedDataset, DatasetError, Version
from kedro.io.core import get_protocol_and_path

from nba_cluster.datasets.atomic import write_atomically
from nba_cluster.datasets.locations import filesystem


class PublicationManifest(AbstractVersionedDataset[dict, dict]):
    def __init__(
        self, filepath: str, version: Version | None = None, metadata: dict | None = None
    ) -> None:
        self._location = str(filepath)
        self._fs, self._path = filesystem(self._location)
        super().__init__(PurePosixPath(get_protocol_and_path(self._location)[1]), version)
        self.metadata = metadata

    @property
    def filepath(self) -> str:
        return self._location

    def save(self, data: dict[str, Any]) -> None:
        version = self.resolve_save_version()
        if version is None:
            raise DatasetError(f"{self._location} needs `versioned: true` in the catalog")
        published_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        manifest = {**data, "version": version, "published_at": published_at}
        write_atomically(self._location, json.dumps(manifest).encode())
        self._fs.invalidate_cache(self._path)

    def resolve_load_version(self) -> None:
        return None  # one file, whichever run wrote it last

    def load(self) -> dict[str, Any]:
        return json.loads(self._fs.cat_file(self._path))

    def _exists(self) -> bool:
        self._fs.invalidate_cache(self._path)
        return self._fs.isfile(self._path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._location}
