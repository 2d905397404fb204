"""``kedro run`` with KEDRO_ENV=cloud: all four pipelines (against the stats.nba.com replay and a
SQLite MLflow) write every dataset to the bucket of a real S3 API on 127.0.0.1, nothing under
the project's data/ folder, and no ./s3: folder (checked by the storage_url fixture)."""

from __future__ import annotations

import pandas as pd
from kedro.io import Version

from nba_cluster.datasets import AtomicDataset, PublicationManifest
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
