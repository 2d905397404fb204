"""Inference nodes: the champion labels every player-season, seasons it never saw included."""

from __future__ import annotations

import logging

import pandas as pd

from nba_cluster.clustering.columns import AXIS_COLUMNS
from nba_cluster.clustering.similarity import vectors_frame
from nba_cluster.model_registry import RegisteredModel

logger = logging.getLogger(__name__)


def label_player_seasons(
    champion: RegisteredModel, player_features: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything the champion says about the player-seasons, from one load of the model:
    the labelled table, the archetype profiles and the similarity vectors."""
    labelled = _labelled(champion, player_features)
    return (
        labelled,
        _archetype_profiles(champion, labelled),
        _similarity_vectors(champion, player_features),
    )


def publish(
    player_archetypes: pd.DataFrame, archetype_profiles: pd.DataFrame, similarity_vectors
) -> dict:
    """The inference manifest, once the three outputs are saved (they are this node's inputs):
    what they hold, for a reader to check what it loaded."""
    return {
        "model_versions": sorted(map(str, player_archetypes["MODEL_VERSION"].unique())),
        "player_seasons": len(player_archetypes),
        "archetypes": len(archetype_profiles),
        "similarity_vectors": len(similarity_vectors),
    }


def _labelled(champion: RegisteredModel, player_features: pd.DataFrame) -> pd.DataFrame:
    """``player_features`` plus both roles (offensive: ``ARCHETYPE_*``, defensive:
    ``DEFENSIVE_*``), each with its runner-up, shares, centroid distance and map coordinates,
    their combined reading (``ARCHETYPE_DISPLAY``) and the model version that labelled it."""
    features = player_features[champion.archetype_model.features]
    labels = champion.model.predict(features)
    labelled = pd.concat([player_features, labels.set_index(player_features.index)], axis=1)
    labelled["MODEL_VERSION"] = champion.version
    logger.info(
        "Labelled %d player-seasons with the champion version %s (%d offensive roles, %d "
        "defensive roles)",
        len(labelled),
        champion.version,
        labelled[AXIS_COLUMNS["offense"]["ID"]].nunique(),
        labelled[AXIS_COLUMNS["defense"]["ID"]].nunique(),
    )
    return labelled


def _archetype_profiles(champion: RegisteredModel, player_archetypes: pd.DataFrame) -> pd.DataFrame:
    """One row per role of each axis (``AXIS``, ``ARCHETYPE_ID``): name, defining traits,
    size in today's table, centroid z-scores from training (NaN for the other axis's
    features)."""
    profiles = champion.archetype_model.profiles
    sizes = pd.concat(
        [
            player_archetypes.groupby(columns["ID"]).size().rename_axis("ARCHETYPE_ID").to_frame(
                "SIZE").assign(AXIS=axis).set_index("AXIS", append=True)
            for axis, columns in AXIS_COLUMNS.items()
        ]
    )["SIZE"]  # fmt: skip
    keys = pd.MultiIndex.from_frame(profiles[["ARCHETYPE_ID", "AXIS"]])
    return profiles.assign(
        SIZE=sizes.reindex(keys).fillna(0).astype("int64").to_numpy(),
        MODEL_VERSION=champion.version,
    )


def _similarity_vectors(champion: RegisteredModel, player_features: pd.DataFrame) -> pd.DataFrame:
    """Each player-season's position in both axes' model spaces: the input of the
    similar-players search (``nba_cluster.clustering.similarity.SimilarityIndex``)."""
    return vectors_frame(player_features, champion.archetype_model.model_space(player_features))
