"""File datasets written atomically (``atomic.py``): a killed run keeps the previous file."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from kedro.io import AbstractDataset, AbstractVersionedDataset, DatasetError, Version
from kedro.io.core import get_protocol_and_path

from nba_cluster.datasets.atomic import atomic_target, write_atomically
from nba_cluster.datasets.locations import filesystem, is_local


class AtomicDataset(AbstractVersionedDataset):
    """Any file dataset (parquet, CSV, JSON...) saved atomically, on a local disk or in an
    object store (``nba_cluster.datasets.atomic``: temp file + rename, or one PUT).

    kedro-datasets write in place, so a run killed mid-save would leave a truncated file and
    lose the previous version::

        player_archetypes:
          type: nba_cluster.datasets.AtomicDataset
          dataset: pandas.ParquetDataset  # or {type: ..., save_args: ...}
          filepath: data/07_model_output/player_archetypes.parquet  # or s3://bucket/prefix/...
          versioned: true  # optional: <filepath>/<run's save version>/<name>, as Kedro's own
          keep_versions: 3  # optional, versioned only: after a save, the newest 3 are kept

    ``filepath`` stays at the top, where Kedro makes it absolute and kedro-mlflow finds it
    (``_filepath``, a local file it can log as an artifact: so unversioned and local there).
    """

    def __init__(
        self,
        filepath: str,
        dataset: str | dict[str, Any],
        version: Version | None = None,
        metadata: dict | None = None,
        keep_versions: int | None = None,
    ) -> None:
        if keep_versions is not None and keep_versions < 1:
            raise DatasetError(f"{filepath}: keep_versions must be at least 1")
        self._keep_versions = keep_versions
        self._config = {"type": dataset} if isinstance(dataset, str) else dict(dataset)
        self._location = str(filepath)
        self._protocol, path = get_protocol_and_path(self._location)
        self._fs, _ = filesystem(self._location)
        super().__init__(
            filepath=PurePosixPath(path),
            version=version,
            exists_function=self._fs.exists,
            glob_function=self._fs.glob,
        )
        self.metadata = metadata

    @property
    def filepath(self) -> str:
        """Where it lives: a local path or an object-store URL (never a ``pathlib`` path)."""
        return self._location

    def _url(self, path: PurePosixPath) -> str:
        return str(path) if is_local(self._location) else f"{self._protocol}://{path}"

    def _dataset_at(self, location: str) -> AbstractDataset:
        name = PurePosixPath(get_protocol_and_path(location)[1]).name
        return AbstractDataset.from_config(name, {**self._config, "filepath": location})

    def load(self) -> Any:
        self._fs.invalidate_cache()  # s3fs lists remember objects as they were
        return self._dataset_at(self._url(self._get_load_path())).load()

    def save(self, data: Any) -> None:
        self._fs.invalidate_cache()
        with atomic_target(self._url(self._get_save_path())) as temp:
            self._dataset_at(temp).save(data)
        self._fs.invalidate_cache()
        if self._version is not None and self._keep_versions:
            self._remove_older_versions()

    def _remove_older_versions(self) -> None:
        """All but the newest ``keep_versions`` save versions (Kedro's version strings sort
        by time), so a store written every day does not grow without end."""
        root = str(self._filepath)
        versions = sorted(PurePosixPath(path).name for path in self._fs.ls(root, detail=False))
        for version in versions[: -self._keep_versions]:
            self._fs.rm(f"{root}/{version}", recursive=True)
        self._fs.invalidate_cache()

    def _exists(self) -> bool:
        self._fs.invalidate_cache()
        try:
            path = self._get_load_path()
        except DatasetError:  # versioned, no version yet
            return False
        return self._fs.exists(str(path))

    def _describe(self) -> dict[str, Any]:
        return {
            "dataset": self._config.get("type"),
            "filepath": self._location,
            "version": self._version,
        }


class AtomicBytesDataset(AbstractDataset[bytes, bytes]):
    """Bytes in a file or an object, saved atomically (a raw response, byte for byte)."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._location = str(filepath)
        self._fs, self._path = filesystem(self._location)
        self.metadata = metadata

    def load(self) -> bytes:
        return self._fs.cat_file(self._path)

    def save(self, data: bytes) -> None:
        write_atomically(self._location, data)
        self._fs.invalidate_cache(self._path)

    def _exists(self) -> bool:
        self._fs.invalidate_cache(self._path)
        return self._fs.isfile(self._path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._location}
