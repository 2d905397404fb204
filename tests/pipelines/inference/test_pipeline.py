"""The inference pipeline run by a SequentialRunner against a SQLite MLflow registry whose
champion is trained in the test."""

from __future__ import annotations

import pandas as pd
import pytest
from kedro.io import DataCatalog, DatasetError, Version
from kedro.runner import SequentialRunner
from sklearn.metrics import adjusted_rand_score

from nba_cluster.clustering.columns import OUTPUT_COLUMNS
from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.datasets import AtomicDataset, PublicationManifest
from nba_cluster.datasets.names import INFERENCE_MANIFEST, INFERENCE_OUTPUTS
from nba_cluster.pipelines.inference import create_pipeline
from tests.support.search_space import small_training_parameters
from tests.support.training import champion_dataset, run_training

NEWEST_SEASON = "2006-07"  # of the synthetic league: kept out of training


def run_inference(player_features: pd.DataFrame, folder) -> DataCatalog:
    """The outputs in files of ``folder`` (memory datasets would be released once the manifest
    node has read them), the manifest at save version ``run-1``."""
    catalog = DataCatalog({
        "champion_model": champion_dataset(),
        **{name: AtomicDataset(filepath=str(folder / f"{name}.parquet"),
                               dataset="pandas.ParquetDataset")
           for name in INFERENCE_OUTPUTS},
        INFERENCE_MANIFEST: PublicationManifest(str(folder / "manifest.json"),
                                                Version(None, "run-1")),
    })  # fmt: skip
    catalog["player_features"] = player_features
    SequentialRunner().run(create_pipeline(), catalog)
    return catalog


def test_champion_labels_every_player_season_even_unseen_ones(tracking, player_features, tmp_path):
    trained_on = player_features[player_features["SEASON"] < NEWEST_SEASON]
    decision, _ = run_training(trained_on, small_training_parameters())

    catalog = run_inference(player_features, tmp_path)

    labelled = catalog.load("player_archetypes")
    pd.testing.assert_frame_equal(labelled[player_features.columns], player_features)
    assert labelled[OUTPUT_COLUMNS].notna().all().all()
    assert set(labelled["MODEL_VERSION"]) == {str(decision["version"])}
    newest = labelled[labelled["SEASON"] == NEWEST_SEASON]
    roles = newest["PLAYER_NAME"].str.split().str[0]  # e.g. "Stretch Player013"
    assert adjusted_rand_score(roles, newest["ARCHETYPE_ID"]) > 0.9

    # soft membership: a runner-up that is another archetype, shares that add up to at most
    # one, and a hybrid name exactly where the runner-up's share reaches the threshold
    assert (labelled["RUNNER_UP_ID"] != labelled["ARCHETYPE_ID"]).all()
    assert (labelled["CONFIDENCE"] >= labelled["RUNNER_UP_SHARE"]).all()
    assert (labelled["CONFIDENCE"] + labelled["RUNNER_UP_SHARE"] <= 1.0 + 1e-9).all()
    hybrid = (
        labelled["RUNNER_UP_SHARE"] >= small_training_parameters()["naming"]["hybrid_min_share"]
    )
    expected = labelled["ARCHETYPE_NAME"].where(
        ~hybrid, labelled["ARCHETYPE_NAME"] + " / " + labelled["RUNNER_UP_NAME"]
    )
    pd.testing.assert_series_equal(labelled["HYBRID_NAME"], expected, check_names=False)

    # the defensive role: its own columns, its own soft membership, and the combined reading
    assert (labelled["DEFENSIVE_RUNNER_UP_ID"] != labelled["DEFENSIVE_ROLE_ID"]).all()
    assert (labelled["DEFENSIVE_CONFIDENCE"] >= labelled["DEFENSIVE_RUNNER_UP_SHARE"]).all()
    both = labelled["ARCHETYPE_NAME"] + " · " + labelled["DEFENSIVE_ROLE_NAME"]
    assert (labelled["ARCHETYPE_DISPLAY"] == both).all()

    profiles = catalog.load("archetype_profiles")
    assert profiles["DEFINING_TRAITS"].notna().all()
    for axis, id_column in (("offense", "ARCHETYPE_ID"), ("defense", "DEFENSIVE_ROLE_ID")):
        of_axis = profiles[profiles["AXIS"] == axis].set_index("ARCHETYPE_ID")
        assert of_axis["ARCHETYPE_NAME"].is_unique
        assert of_axis["SIZE"].to_dict() == labelled[id_column].value_counts().to_dict()
    assert set(profiles["MODEL_VERSION"]) == {str(decision["version"])}

    vectors = catalog.load("similarity_vectors")
    pd.testing.assert_frame_equal(
        vectors[["PLAYER_ID", "SEASON"]], player_features[["PLAYER_ID", "SEASON"]]
    )
    # a player's most similar seasons are those of players in the same role
    role_of = dict(zip(labelled["PLAYER_ID"], labelled["PLAYER_NAME"].str.split().str[0],
                       strict=False))  # fmt: skip
    some_player = newest.iloc[0]
    nearest = SimilarityIndex(vectors).most_similar(some_player["PLAYER_ID"], NEWEST_SEASON, k=5)
    assert {role_of[player] for player in nearest["PLAYER_ID"]} == {
        role_of[some_player["PLAYER_ID"]]}  # fmt: skip

    # written last, naming the run and what it published
    manifest = catalog.load(INFERENCE_MANIFEST)
    assert manifest.pop("published_at")
    assert manifest == {
        "version": "run-1",
        "model_versions": [str(decision["version"])],
        "player_seasons": len(labelled),
        "archetypes": len(profiles),
        "similarity_vectors": len(vectors),
    }


def test_inference_without_a_champion_says_to_train_first(tracking, player_features, tmp_path):
    with pytest.raises(DatasetError, match=r"No '.*@champion'.* run the training pipeline first"):
        run_inference(player_features, tmp_path)
    assert not (tmp_path / "manifest.json").exists()
