"""The MLflow model registry as this project uses it: one model, two aliases."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.pyfunc import PyFuncModel

from nba_cluster.model_provenance import download, sign, verify

MODEL_NAME = "nba-player-archetypes"
CHAMPION = "champion"
CHALLENGER = "challenger"


class NoChampionError(LookupError):
    """The registry has no champion yet."""


class IncompatibleModelError(RuntimeError):
    """A registered version whose pickled code this package can no longer import."""


def pip_requirements() -> list[str]:
    """Pinned from this environment: MLflow's own inference of them re-imports the model in
    a subprocess for every logged candidate, which costs seconds each."""
    return [
        f"{package}=={version(package)}"
        for package in ("mlflow", "scikit-learn", "pandas", "numpy", "scipy", "cloudpickle")
    ]


@dataclass(frozen=True)
class RegisteredModel:
    """A pyfunc model with the registry version it was loaded from."""

    model: PyFuncModel
    version: str
    run_id: str

    @property
    def archetype_model(self):
        return self.model.unwrap_python_model()


def find_version(
    alias: str = CHAMPION, model_name: str = MODEL_NAME, client: MlflowClient | None = None
) -> ModelVersion | None:
    """The version an alias points at, or None when there is no such alias (or model) yet."""
    client = client or MlflowClient()
    # Asked first: behind MLflow's authentication (docs/production.md) a model that does not
    # exist answers 403, like one the user may not read, instead of RESOURCE_DOES_NOT_EXIST.
    if not client.search_registered_models(filter_string=f"name = '{model_name}'"):
        return None
    try:
        return client.get_model_version_by_alias(model_name, alias)
    except MlflowException as error:
        if error.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            return None
        raise


def load_version(model_version: ModelVersion) -> RegisteredModel:
    """Load one registered version, once its provenance is proven (``model_provenance``): the
    artifacts are downloaded once, checked, and exactly those files are unpickled.

    The pyfunc pickles ``ArchetypeModel`` by module path, so a version logged by an older
    layout of this package (e.g. ``nba_cluster.models``) cannot be unpickled: that is reported
    with what to do, not as an import traceback."""
    with tempfile.TemporaryDirectory(prefix="nba-cluster-model-") as directory:
        local_path = download(model_version, Path(directory))
        verify(model_version, local_path)
        return RegisteredModel(
            _unpickle(model_version, local_path), str(model_version.version), model_version.run_id
        )


def register(model_uri: str, model_name: str = MODEL_NAME) -> ModelVersion:
    """Register a logged model as a new version of ``model_name``, signed as ours."""
    model_version = mlflow.register_model(model_uri, model_name)
    with tempfile.TemporaryDirectory(prefix="nba-cluster-model-") as directory:
        sign(model_version, Path(directory))
    return model_version


def _unpickle(model_version: ModelVersion, local_path: Path) -> PyFuncModel:
    try:
        return mlflow.pyfunc.load_model(str(local_path))
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("nba_cluster"):
            raise
        raise IncompatibleModelError(
            f"{model_version.name} version {model_version.version} was logged by an older "
            f"version of nba_cluster (its pickle imports {error.name}, which no longer exists). "
            "Retrain to register a compatible version: kedro run --pipeline training"
        ) from error


def load_by_alias(alias: str = CHAMPION, model_name: str = MODEL_NAME) -> RegisteredModel:
    """Resolve the alias once and load exactly that version, so the version reported is the
    version used even if training moves the alias meanwhile."""
    model_version = find_version(alias, model_name)
    if model_version is None:
        raise NoChampionError(
            f"No '{model_name}@{alias}' in the MLflow registry at {mlflow.get_tracking_uri()}: "
            "run the training pipeline first (kedro run --pipeline training)"
        )
    return load_version(model_version)
