"""File datasets written atomically (``atomic.py``): a killed run keeps the previous file."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractDataset

from nba_cluster.datasets.atomic import atomic_target, write_atomically


class AtomicDataset(AbstractDataset):
    """Any file dataset (parquet, CSV, JSON...) saved atomically: the wrapped dataset writes a
    temporary file beside the target, which is then renamed over it.

    kedro-datasets write in place, so a run killed mid-save would leave a truncated file and
    lose the previous version::

        player_archetypes:
          type: nba_cluster.datasets.AtomicDataset
          dataset: pandas.ParquetDataset  # or {type: ..., save_args: ...}
          filepath: data/07_model_output/player_archetypes.parquet

    ``filepath`` stays at the top, where Kedro makes it absolute and kedro-mlflow finds it.
    """

    def __init__(
        self, filepath: str, dataset: str | dict[str, Any], metadata: dict | None = None
    ) -> None:
        self._config = {"type": dataset} if isinstance(dataset, str) else dict(dataset)
        self._filepath = PurePosixPath(filepath)
        self._dataset = self._dataset_at(filepath)
        self.metadata = metadata

    @property
    def filepath(self) -> str:
        return str(self._filepath)

    def _dataset_at(self, filepath: str | Path) -> AbstractDataset:
        return AbstractDataset.from_config(
            Path(filepath).name, {**self._config, "filepath": str(filepath)}
        )

    def load(self) -> Any:
        return self._dataset.load()

    def save(self, data: Any) -> None:
        with atomic_target(Path(self._filepath)) as temp:
            self._dataset_at(temp).save(data)

    def _exists(self) -> bool:
        return self._dataset.exists()

    def _describe(self) -> dict[str, Any]:
        return {"dataset": self._config.get("type"), "filepath": str(self._filepath)}


class AtomicBytesDataset(AbstractDataset[bytes, bytes]):
    """Bytes in a local file, saved atomically (a raw response, byte for byte)."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> bytes:
        return self._filepath.read_bytes()

    def save(self, data: bytes) -> None:
        write_atomically(self._filepath, data)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(PurePosixPath(self._filepath))}
