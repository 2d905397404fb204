"""Kedro datasets the project needs beyond kedro-datasets."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractDataset
from mlflow import MlflowClient

from nba_cluster.model_registry import CHAMPION, MODEL_NAME, RegisteredModel, load_by_alias


class AtomicBytesDataset(AbstractDataset[bytes, bytes]):
    """A local file saved atomically: bytes go to a temp file that is renamed into place.

    fsspec-based datasets write in place, so an interrupted run could leave a truncated raw
    response behind; a rename on the same filesystem is all-or-nothing.
    """

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> bytes:
        return self._filepath.read_bytes()

    def save(self, data: bytes) -> None:
        self._filepath.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(
            dir=self._filepath.parent, prefix=f".{self._filepath.name}.", suffix=".tmp"
        )
        try:
            os.fchmod(handle, 0o644)  # mkstemp's 0600 would lock out other users and containers
            with os.fdopen(handle, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, self._filepath)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(PurePosixPath(self._filepath))}


class RegisteredModelDataset(AbstractDataset[dict, RegisteredModel]):
    """The MLflow registry as a Kedro dataset: load the version an alias points at, save a
    registry decision.

    Loading resolves the alias once and loads exactly that version, so the version reported
    is the one used, and says "run the training pipeline first" when there is none. Saving
    a decision (``{"version": ..., "alias": ...}`` from training) moves the alias it names;
    that is also what orders inference after training in ``__default__``.

    The model name and alias default to ``model_registry``'s constants, their one home: training
    registers under that name in code, so a catalog that named another model would split the
    registry between two names.
    """

    def __init__(
        self, model_name: str = MODEL_NAME, alias: str = CHAMPION, metadata: dict | None = None
    ) -> None:
        self._model_name = model_name
        self._alias = alias
        self.metadata = metadata

    def load(self) -> RegisteredModel:
        return load_by_alias(self._alias, self._model_name)

    def save(self, data: dict) -> None:
        MlflowClient().set_registered_model_alias(self._model_name, data["alias"], data["version"])

    def _describe(self) -> dict[str, Any]:
        return {"model_name": self._model_name, "alias": self._alias}
