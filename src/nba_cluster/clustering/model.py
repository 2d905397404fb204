"""The registered model: an MLflow pyfunc that labels player-seasons with archetypes.

Every candidate, whatever its family, becomes an ``ArchetypeModel``: optional PCA, an
assignment rule, archetype names and a fixed 2-D map projection.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from nba_cluster.clustering.candidates import NOISE, FittedClustering
from nba_cluster.clustering.naming import name_archetypes

OUTPUT_COLUMNS = [
    "ARCHETYPE_ID",
    "ARCHETYPE_NAME",
    "CONFIDENCE",
    "CENTROID_DISTANCE",
    "MAP_X",
    "MAP_Y",
]


class ArchetypeModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc: z-score features in, archetype and map coordinates out."""

    def __init__(self, fitted: FittedClustering, features: list[str], profiles: pd.DataFrame):
        self.features = features
        self.family = fitted.spec.family
        self.clustering = fitted.without_training_data()
        self.names = name_archetypes(profiles)
        self.profiles = profiles.assign(ARCHETYPE_NAME=[self.names[int(i)] for i in profiles.index])
        self.map_projection = _fit_map_projection(fitted)

    def model_space(self, features: pd.DataFrame) -> np.ndarray:
        """Where distances are measured: the features after the model's PCA, if any."""
        return self.clustering.transform(features[self.features].to_numpy(dtype=float))

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        space = self.model_space(model_input)
        labels = self.clustering.assign_in_space(space)
        distances = self.clustering.distances(space)
        position = np.searchsorted(self.clustering.cluster_ids, labels)
        own = distances[np.arange(len(space)), position]
        distances[np.arange(len(space)), position] = np.inf
        runner_up = distances.min(axis=1)
        # 1 when a point sits on its centroid, 0 when it is as close to another one
        confidence = np.clip(1.0 - own / np.maximum(runner_up, 1e-12), 0.0, 1.0)
        coordinates = self.map_projection.transform(space)
        return pd.DataFrame(
            {
                "ARCHETYPE_ID": labels.astype("int64"),
                "ARCHETYPE_NAME": [self.names[int(label)] for label in labels],
                "CONFIDENCE": confidence,
                "CENTROID_DISTANCE": own,
                "MAP_X": coordinates[:, 0],
                "MAP_Y": coordinates[:, 1],
            },
            index=model_input.index,
        )


def _fit_map_projection(fitted: FittedClustering):
    """A linear 2-D map fitted once at training, so coordinates never move between runs:
    the projection that best separates the archetypes (LDA), or PCA with too few of them."""
    clustered = fitted.training_labels != NOISE
    if len(fitted.cluster_ids) >= 3:
        return LinearDiscriminantAnalysis(n_components=2).fit(
            fitted.training_space[clustered], fitted.training_labels[clustered]
        )
    return PCA(n_components=2).fit(fitted.training_space)


def centroid_profiles(features: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """Mean z-score of every feature per cluster, noise left out: what names are read from."""
    clustered = labels != NOISE
    profiles = features[clustered].groupby(labels[clustered]).mean()
    profiles.index.name = "ARCHETYPE_ID"
    return profiles
