"""KEDRO_ENV=cloud against a real S3 API on 127.0.0.1: ``kedro run`` (all four pipelines, the
stats.nba.com replay, a SQLite MLflow) writes every dataset to the bucket, nothing under the
project's data/ folder and no ./s3: folder (checked by the storage_url fixture); the
dashboard's source reads the run the inference manifest names."""

from __future__ import annotations

import pandas as pd
from kedro.io import Version

from nba_cluster.dashboard.sources import CatalogSource
from nba_cluster.datasets import AtomicDataset, PublicationManifest
from nba_cluster.datasets.names import INFERENCE_OUTPUTS
from tests.support.kedro_session import run_kedro
from tests.support.object_store import object_keys
from tests.support.replay import fixture_params
from tests.support.search_space import small_search_params


def test_a_full_run_writes_every_dataset_to_the_bucket(project, replay, storage_url, monkeypatch):
    monkeypatch.setenv("KEDRO_ENV", "cloud")
    monkeypatch.setenv("NBA_CLUSTER_STORAGE_URL", storage_url)
    before = sorted(path for path in (project / "data").rglob("*") if path.is_file())

    run_kedro(project, None, {**fixture_params(replay), **small_search_params()})

    keys = object_keys(storage_url)
    manifest = PublicationManifest(f"{storage_url}/07_model_output/inference_manifest.json").load()
    run = manifest["version"]
    for expected in [
        "01_raw/leaguedashplayerstats/2003-04_regular_season.json",
        "02_intermediate/season_totals.parquet",
        "03_primary/player_season_totals.parquet",
        "05_model_input/player_features.parquet",
        "07_model_output/inference_manifest.json",
        f"07_model_output/player_archetypes.parquet/{run}/player_archetypes.parquet",
        f"07_model_output/archetype_profiles.parquet/{run}/archetype_profiles.parquet",
        f"07_model_output/similarity_vectors.parquet/{run}/similarity_vectors.parquet",
        "08_reporting/candidate_leaderboard.csv",
        "08_reporting/registry_decision.json",
    ]:
        assert expected in keys
    assert any(key.startswith("01_raw/leaguedashplayerstats_history/") for key in keys)
    labelled = AtomicDataset(
        f"{storage_url}/07_model_output/player_archetypes.parquet",
        "pandas.ParquetDataset",
        Version(run, None),
    ).load()
    assert isinstance(labelled, pd.DataFrame)
    assert len(labelled) == manifest["player_seasons"] > 0
    after = sorted(path for path in (project / "data").rglob("*") if path.is_file())
    assert [path.name for path in after if path not in before] == []
    assert "08_reporting/last_run.json" in keys  # the run state too


def test_the_dashboard_reads_the_run_the_manifest_names(project, storage_url, monkeypatch):
    """A run that has written its outputs but not yet its manifest is not shown; once the
    manifest names it, the signature changes and all three outputs are that run's."""
    monkeypatch.setenv("KEDRO_ENV", "cloud")
    monkeypatch.setenv("NBA_CLUSTER_STORAGE_URL", storage_url)
    outputs = f"{storage_url}/07_model_output"
    manifest_location = f"{outputs}/inference_manifest.json"

    def write_run(run: str, label: str, publish: bool) -> None:
        for name in INFERENCE_OUTPUTS:
            AtomicDataset(f"{outputs}/{name}.parquet", "pandas.ParquetDataset",
                          Version(None, run)).save(pd.DataFrame({"RUN": [label]}))  # fmt: skip
        if publish:
            PublicationManifest(manifest_location, Version(None, run)).save({})

    source = CatalogSource(project)
    assert source.publication() is None
    assert source.load("player_archetypes", source.publication()) is None

    write_run("2026-01-01T00.00.00.000Z", "first", publish=True)
    first = source.signature()
    write_run("2026-01-02T00.00.00.000Z", "second", publish=False)  # under way
    assert source.signature() == first
    publication = source.publication()
    assert {source.load(name, publication)["RUN"][0] for name in INFERENCE_OUTPUTS} == {"first"}

    PublicationManifest(manifest_location, Version(None, "2026-01-02T00.00.00.000Z")).save({})
    assert source.signature() != first
    publication = source.publication()
    assert {source.load(name, publication)["RUN"][0] for name in INFERENCE_OUTPUTS} == {"second"}
    assert source.data_timestamp(source.signature(), publication) is not None
