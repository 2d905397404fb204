"""The MLflow model registry as the project uses it, against a real MLflow server."""

from __future__ import annotations

import sys
import types

import mlflow
import pytest
from mlflow import MlflowClient

from nba_cluster.model_registry import IncompatibleModelError, load_version, pip_requirements

# A module of an older package layout: it exists while a model is logged, not when it is loaded.
LEGACY_MODULE = "nba_cluster._legacy_layout_probe"
LEGACY_SOURCE = """
import mlflow.pyfunc


class LegacyArchetypeModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input
"""


@pytest.fixture
def server_tracking(mlflow_server):
    """MLflow pointed at the shared server, with an experiment of this module's own."""
    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("model-registry-tests")
    yield MlflowClient(mlflow_server)
    mlflow.set_tracking_uri(None)


@pytest.mark.filterwarnings("ignore:.*Add type hints to the `predict` method")
def test_a_version_pickled_by_an_older_package_layout_says_to_retrain(server_tracking, monkeypatch):
    legacy = types.ModuleType(LEGACY_MODULE)
    exec(LEGACY_SOURCE, legacy.__dict__)
    # importable at log time, so cloudpickle pickles the class by reference (module path)
    monkeypatch.setitem(sys.modules, LEGACY_MODULE, legacy)
    with mlflow.start_run():
        logged = mlflow.pyfunc.log_model(
            name="model",
            python_model=legacy.LegacyArchetypeModel(),
            registered_model_name="legacy-layout-probe",
            pip_requirements=pip_requirements(),
        )
    version = server_tracking.get_model_version(
        "legacy-layout-probe", logged.registered_model_version
    )
    monkeypatch.delitem(sys.modules, LEGACY_MODULE)

    with pytest.raises(IncompatibleModelError) as failure:
        load_version(version)

    message = str(failure.value)
    assert LEGACY_MODULE in message
    assert "kedro run --pipeline training" in message
    assert f"legacy-layout-probe version {version.version}" in message
