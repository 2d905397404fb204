"""The registered model: an MLflow pyfunc that gives every player-season two roles.

An offensive role and a defensive role, each clustered in its own space (the feature table's
``offense`` and ``defense`` columns). The best candidate of each axis, whatever its family,
becomes a ``RoleModel``: optional PCA, an assignment rule, soft membership
(``membership.py``, or a mixture's own posterior), role ids and names earned by their
defining traits and continued from the previous champion (``naming.py``), and a fixed 2-D map
projection. ``ArchetypeModel``, the registered pyfunc, holds both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from nba_cluster.clustering.candidates import NOISE, FittedClustering
from nba_cluster.clustering.columns import AXIS_COLUMNS, DISPLAY_COLUMN, DISPLAY_SEPARATOR
from nba_cluster.clustering.membership import membership_shares, squared_distances
from nba_cluster.clustering.naming import continue_identities, defining_traits, describe_traits


class ArchetypeModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc: z-score features in, the offensive and the defensive role (each with
    runner-up, shares and map position) and their combined reading out (``OUTPUT_COLUMNS``).

    One registered version carries both axes' models (``roles``), so inference, the registry
    and the dashboard handle one champion.
    """

    def __init__(self, roles: Mapping[str, RoleModel]):
        self.roles = dict(roles)

    @property
    def features(self) -> list[str]:
        """Every feature either axis sees, offense first."""
        return [feature for role in self.roles.values() for feature in role.features]

    @property
    def profiles(self) -> pd.DataFrame:
        """Both axes' role profiles, one row per (AXIS, ARCHETYPE_ID)."""
        return pd.concat(
            [role.profiles.reset_index().assign(AXIS=axis) for axis, role in self.roles.items()],
            ignore_index=True,
        )

    def model_space(self, features: pd.DataFrame) -> dict[str, np.ndarray]:
        """Each axis's model space: where its distances, and similar players, are measured."""
        return {axis: role.model_space(features) for axis, role in self.roles.items()}

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        labelled = pd.concat(
            [
                role.predict(model_input).rename(columns=AXIS_COLUMNS[axis])
                for axis, role in self.roles.items()
            ],
            axis=1,
        )
        labelled[DISPLAY_COLUMN] = (
            labelled[AXIS_COLUMNS["offense"]["NAME"]]
            + DISPLAY_SEPARATOR
            + labelled[AXIS_COLUMNS["defense"]["NAME"]]
        )
        return labelled


class RoleModel:
    """One axis: optional PCA, an assignment rule, soft membership, role ids and names.

    ``naming`` holds ``trait_threshold``, ``continuity_max_distance`` and
    ``hybrid_min_share``; ``previous_profiles`` are the current champion's on the same axis,
    whose ids and names matching roles keep.
    """

    def __init__(
        self,
        fitted: FittedClustering,
        axis: str,
        features: list[str],
        training_table: pd.DataFrame,
        *,
        temperature: float,
        naming: Mapping[str, Any],
        stability: float = float("nan"),
        previous_profiles: pd.DataFrame | None = None,
    ):
        self.axis = axis
        # its candidate's stability when it was chosen: what a later training compares with
        # when that candidate is no longer in the search
        self.stability = float(stability)
        self.features = features
        self.family = fitted.spec.family
        self.clustering = fitted.without_training_data()
        self.temperature = float(temperature)
        self.hybrid_min_share = float(naming["hybrid_min_share"])
        centroids = centroid_profiles(training_table[features], fitted.training_labels)
        ids, self.names = continue_identities(
            centroids,
            previous_profiles,
            naming["trait_threshold"],
            naming["continuity_max_distance"],
            axis,
        )
        self.archetype_ids = np.array([ids[int(label)] for label in fitted.cluster_ids])
        profiles = centroids.rename(index=ids).sort_index()
        profiles.index.name = "ARCHETYPE_ID"
        self.profiles = profiles.assign(
            ARCHETYPE_NAME=[self.names[int(i)] for i in profiles.index],
            DEFINING_TRAITS=[
                describe_traits(defining_traits(row, naming["trait_threshold"]))
                for _, row in profiles.iterrows()
            ],
        )
        self.map_projection = _fit_map_projection(fitted)

    def model_space(self, features: pd.DataFrame) -> np.ndarray:
        """Where distances are measured: the features after the model's PCA, if any."""
        return self.clustering.transform(features[self.features].to_numpy(dtype=float))

    def predict(self, model_input: pd.DataFrame) -> pd.DataFrame:
        """``ROLE_FIELDS`` for every row of ``model_input``."""
        space = self.model_space(model_input)
        rows = np.arange(len(space))
        own = np.searchsorted(self.clustering.cluster_ids, self.clustering.assign_in_space(space))
        squared = squared_distances(space, self.clustering.centroids)
        shares = self._shares(space, squared)
        others = np.where(np.arange(shares.shape[1]) == own[:, None], -1.0, shares)
        runner_up = others.argmax(axis=1) if shares.shape[1] > 1 else own
        runner_up_share = np.where(runner_up == own, 0.0, shares[rows, runner_up])
        names = np.array([self.names[int(i)] for i in self.archetype_ids], dtype=object)
        hybrid = runner_up_share >= self.hybrid_min_share
        coordinates = self.map_projection.transform(space)
        return pd.DataFrame(
            {
                "ID": self.archetype_ids[own].astype("int64"),
                "NAME": names[own],
                "CONFIDENCE": shares[rows, own],
                "RUNNER_UP_ID": self.archetype_ids[runner_up].astype("int64"),
                "RUNNER_UP_NAME": names[runner_up],
                "RUNNER_UP_SHARE": runner_up_share,
                "HYBRID_NAME": np.where(hybrid, names[own] + " / " + names[runner_up], names[own]),
                "CENTROID_DISTANCE": np.sqrt(squared[rows, own]),
                "MAP_X": coordinates[:, 0],
                "MAP_Y": coordinates[:, 1],
            },
            index=model_input.index,
        )

    def _shares(self, space: np.ndarray, squared: np.ndarray) -> np.ndarray:
        """A mixture's own posterior, which its labels are the argmax of (its components have
        their own spreads, so distances to their means would contradict them); for the
        centroid families, the softmax of the squared distances at the calibrated
        temperature."""
        predictor = self.clustering.predictor
        if not hasattr(predictor, "predict_proba"):
            return membership_shares(squared, self.temperature)
        posterior = predictor.predict_proba(space)[:, self.clustering.cluster_ids]
        return posterior / np.maximum(posterior.sum(axis=1, keepdims=True), np.finfo(float).tiny)


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
