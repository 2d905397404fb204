"""Provenance of registered model versions: prove a version was registered by this project's
training before unpickling it.

A pickled pyfunc runs code when it is loaded, so whoever can create a version of our model or
move its alias could otherwise run code in the pipeline. Training signs each version it
registers: an HMAC-SHA256, with a key only the writer holds (``MODEL_SIGNING_KEY``; in
production the ``model_signing_key`` secret of the pipeline and scheduler), over the model name,
the version and the SHA-256 digest of the version's artifacts as the registry serves them,
stored as the version tag ``nba_cluster.signature``. Loading downloads the artifacts once,
checks that signature against them and unpickles exactly the checked files.

Without a key (a developer's machine, the local stack: no logins, anyone reaching MLflow is
trusted) nothing is signed nor checked, and that is said once in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from functools import cache
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

SIGNATURE_TAG = "nba_cluster.signature"
SIGNING_KEY_VARIABLE = "MODEL_SIGNING_KEY"
_SCHEME = "hmac-sha256"

logger = logging.getLogger(__name__)


class UnprovenModelError(RuntimeError):
    """A registered version whose signature is missing or does not match its artifacts."""


def signing_key() -> bytes | None:
    key = os.environ.get(SIGNING_KEY_VARIABLE, "").strip()
    if not key:
        _say_unchecked()
        return None
    return key.encode()


@cache
def _say_unchecked() -> None:
    logger.warning(
        "%s is not set: model versions are neither signed nor checked before loading "
        "(fine where everyone who reaches MLflow is trusted; production sets it, "
        "docs/production.md)",
        SIGNING_KEY_VARIABLE,
    )


def artifact_digest(directory: Path) -> str:
    """SHA-256 over every file's relative path and content, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _signature(key: bytes, name: str, version: str, digest: str) -> str:
    message = f"{name}\n{version}\n{digest}".encode()
    return f"{_SCHEME}:{hmac.new(key, message, hashlib.sha256).hexdigest()}"


def download(model_version: ModelVersion, directory: Path) -> Path:
    """The version's artifacts as the registry serves them, in ``directory``."""
    uri = f"models:/{model_version.name}/{model_version.version}"
    return Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(directory)))


def sign(model_version: ModelVersion, directory: Path, client: MlflowClient | None = None) -> None:
    """Tag the version with the signature of its artifacts, downloaded into ``directory``."""
    key = signing_key()
    if key is None:
        return
    name, version = model_version.name, str(model_version.version)
    digest = artifact_digest(download(model_version, directory))
    (client or MlflowClient()).set_model_version_tag(
        name, version, SIGNATURE_TAG, _signature(key, name, version, digest)
    )


def verify(model_version: ModelVersion, local_path: Path) -> None:
    """Refuse the downloaded version unless its signature matches its artifacts."""
    key = signing_key()
    if key is None:
        return
    name, version = model_version.name, str(model_version.version)
    found = (model_version.tags or {}).get(SIGNATURE_TAG, "")
    expected = _signature(key, name, version, artifact_digest(local_path))
    if hmac.compare_digest(found, expected):
        return
    problem = "carries no signature" if not found else "has a signature its artifacts do not match"
    raise UnprovenModelError(
        f"Refusing to load {name} version {version}: it {problem} (version tag "
        f"{SIGNATURE_TAG}), so this project's training did not register it with the current "
        f"{SIGNING_KEY_VARIABLE}, and unpickling it could run anyone's code. If the signing "
        "key was rotated, retrain (kedro run --pipeline training). Otherwise someone with "
        "write access to the registry registered or changed it: point the alias back at a "
        "signed version (MlflowClient().set_registered_model_alias), delete this version, and "
        "rotate the MLflow passwords (docs/production.md, Rotating)."
    )
