"""The clustering tests' data: seeded blobs to train on and blobs never seen in training."""

from __future__ import annotations

import numpy as np
import pytest

from tests.clustering.blobs import TRAINING_ROWS, UNSEEN_ROWS, blobs


@pytest.fixture(scope="module")
def training_blobs() -> tuple[np.ndarray, np.ndarray]:
    return blobs(TRAINING_ROWS, random_state=1)


@pytest.fixture(scope="module")
def unseen_blobs() -> tuple[np.ndarray, np.ndarray]:
    return blobs(UNSEEN_ROWS, random_state=2)
