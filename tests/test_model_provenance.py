"""Provenance before unpickling, against a real MLflow server: a version training signed
loads; a planted, re-signed or altered one is refused before its pickle runs."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from nba_cluster.model_provenance import SIGNATURE_TAG, UnprovenModelError
from nba_cluster.model_registry import load_version, pip_requirements, register

pytestmark = pytest.mark.filterwarnings("ignore:.*Add type hints to the `predict` method")


class PlantedModel(mlflow.pyfunc.PythonModel):
    """Leaves a marker file when unpickled and loaded: the code an attacker would run."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def load_context(self, context):
        Path(self.marker).write_text("planted code ran")

    def predict(self, context, model_input, params=None):
        return model_input


@pytest.fixture
def registry(mlflow_server, monkeypatch, request):
    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("provenance-tests")
    monkeypatch.setenv("MODEL_SIGNING_KEY", "writer-only-key")
    yield MlflowClient(mlflow_server), f"provenance-{request.node.name[:40]}"
    mlflow.set_tracking_uri(None)


def log(model) -> str:
    with mlflow.start_run():
        return mlflow.pyfunc.log_model(
            name="model", python_model=model, pip_requirements=pip_requirements()
        ).model_uri


def test_a_version_training_registered_loads(registry, tmp_path):
    client, name = registry
    marker = tmp_path / "marker"
    version = register(log(PlantedModel(str(marker))), name)

    loaded = load_version(client.get_model_version(name, version.version))

    assert loaded.version == str(version.version)
    assert (
        client.get_model_version(name, version.version)
        .tags[SIGNATURE_TAG]
        .startswith("hmac-sha256:")
    )
    assert marker.exists()  # its own code runs: it is ours


def test_a_planted_version_is_refused_before_its_code_runs(registry, tmp_path):
    client, name = registry
    signed = register(log(PlantedModel(str(tmp_path / "ours"))), name)
    marker = tmp_path / "planted"
    planted = mlflow.register_model(log(PlantedModel(str(marker))), name)  # no signature

    with pytest.raises(UnprovenModelError) as refused:
        load_version(client.get_model_version(name, planted.version))
    assert f"{name} version {planted.version}" in str(refused.value)
    assert "carries no signature" in str(refused.value)
    assert "set_registered_model_alias" in str(refused.value)

    # A signature copied from a version training signed does not fit other artifacts.
    good = client.get_model_version(name, signed.version).tags[SIGNATURE_TAG]
    client.set_model_version_tag(name, planted.version, SIGNATURE_TAG, good)
    with pytest.raises(UnprovenModelError, match="do not match"):
        load_version(client.get_model_version(name, planted.version))
    assert not marker.exists()


def test_a_signed_version_signed_with_another_key_is_refused(registry, tmp_path, monkeypatch):
    client, name = registry
    marker = tmp_path / "marker"
    version = register(log(PlantedModel(str(marker))), name)
    monkeypatch.setenv("MODEL_SIGNING_KEY", "rotated-key")

    with pytest.raises(UnprovenModelError, match="kedro run --pipeline training"):
        load_version(client.get_model_version(name, version.version))
    assert not marker.exists()


def test_without_a_key_nothing_is_signed_nor_checked(registry, tmp_path, monkeypatch):
    client, name = registry
    monkeypatch.delenv("MODEL_SIGNING_KEY")
    version = register(log(PlantedModel(str(tmp_path / "marker"))), name)

    assert SIGNATURE_TAG not in client.get_model_version(name, version.version).tags
    assert load_version(client.get_model_version(name, version.version)).version == str(
        version.version
    )
