"""The MLflow registry as a Kedro dataset."""

from __future__ import annotations

from typing import Any

from kedro.io import AbstractDataset
from mlflow import MlflowClient

from nba_cluster.model_registry import CHAMPION, MODEL_NAME, RegisteredModel, load_by_alias


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
