"""Every dataset type of the catalog against a real S3 API (moto's server on 127.0.0.1):
save, load, exists, replace; a failed save leaves the previous object and nothing else; no
local ``s3:`` folder (the ``storage_url`` fixture checks that after each test)."""

from __future__ import annotations

import datetime as dt

import boto3
import pandas as pd
import pytest
from kedro.io import DatasetError, Version

from nba_cluster.datasets import (
    AtomicBytesDataset,
    AtomicDataset,
    PublicationManifest,
    RawResponseStore,
)
from nba_cluster.datasets.locations import version_of
from nba_cluster.datasets.raw_store import FetchedResponse
from tests.support.formats import FORMAT_CASES, NEW_TABLE, OLD_TABLE, assert_loads
from tests.support.object_store import object_keys


@FORMAT_CASES
def test_outputs_round_trip_and_replace_in_the_bucket(storage_url, kind, name, data, newer):
    dataset = AtomicDataset(filepath=f"{storage_url}/out/{name}", dataset=kind)
    assert not dataset.exists()

    dataset.save(data)
    assert dataset.exists()
    dataset.save(newer)

    assert_loads(dataset, newer)
    assert object_keys(storage_url) == [f"out/{name}"]


@pytest.mark.parametrize(
    ("kind", "unwritable"),
    [
        ("pandas.ParquetDataset", pd.DataFrame({"a": [object()]})),  # pyarrow refuses it
        ("json.JSONDataset", {"alias": object()}),  # json.dump fails mid-way through the object
    ],
)
def test_a_failed_save_keeps_the_previous_object_and_leaves_no_other(storage_url, kind, unwritable):
    dataset = AtomicDataset(filepath=f"{storage_url}/labels.bin", dataset=kind)
    dataset.save(OLD_TABLE if kind.startswith("pandas") else {"alias": "champion"})
    before = version_of(f"{storage_url}/labels.bin")

    with pytest.raises(DatasetError):
        dataset.save(unwritable)

    assert object_keys(storage_url) == ["labels.bin"]
    assert version_of(f"{storage_url}/labels.bin") == before


def test_a_failed_first_save_creates_no_object(storage_url):
    dataset = AtomicDataset(
        filepath=f"{storage_url}/labels.parquet", dataset="pandas.ParquetDataset"
    )
    with pytest.raises(DatasetError):
        dataset.save(pd.DataFrame({"a": [object()]}))
    assert object_keys(storage_url) == []
    assert not dataset.exists()


def test_bytes_round_trip_and_a_refused_save_uploads_nothing(storage_url):
    dataset = AtomicBytesDataset(f"{storage_url}/raw/1996-97_playoffs.json")
    assert not dataset.exists()
    dataset.save(b'{"resultSets": []}')
    assert dataset.exists()
    assert dataset.load() == b'{"resultSets": []}'

    with pytest.raises(DatasetError, match="bytes-like object is required"):
        dataset.save("a str, not bytes")

    assert dataset.load() == b'{"resultSets": []}'
    assert object_keys(storage_url) == ["raw/1996-97_playoffs.json"]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def test_raw_responses_their_history_and_rejects_in_the_bucket(storage_url):
    raw = f"{storage_url}/01_raw/leaguedashplayerstats"
    store = RawResponseStore(
        path=raw, history_path=f"{raw}_history", rejected_path=f"{raw}_rejected"
    )
    assert store.load() == {}
    assert not store.exists()

    store.save({"2003-04_playoffs": FetchedResponse(b"monday", at("2020-01-06"))})
    store.save({
        "2003-04_playoffs": FetchedResponse(b"tuesday", at("2020-01-07")),
        "2004-05_playoffs": FetchedResponse(b"x", at("2020-01-07"), rejected="too small"),
    })  # fmt: skip

    assert store.exists()
    copies = store.load()
    assert list(copies) == ["2003-04_playoffs"]
    assert copies["2003-04_playoffs"]() == b"tuesday"
    assert copies["2003-04_playoffs"].fetched_at == at("2020-01-07")
    assert object_keys(f"{storage_url}/01_raw") == [
        "leaguedashplayerstats/2003-04_playoffs.json",
        "leaguedashplayerstats_history/2003-04_playoffs/2020-01-06T00-00-00Z.json",
        "leaguedashplayerstats_history/2003-04_playoffs/2020-01-07T00-00-00Z.json",
        "leaguedashplayerstats_rejected/2004-05_playoffs@2020-01-07T00-00-00Z.json",
    ]

    # An old dated copy put back in place reads as fetched when it was.
    boto3.client("s3").put_object(
        Bucket=storage_url.removeprefix("s3://").split("/")[0],
        Key=f"{raw.split('/', 3)[3]}/2003-04_playoffs.json",
        Body=b"monday",
    )
    assert store.load()["2003-04_playoffs"].fetched_at == at("2020-01-06")


def test_a_new_object_changes_its_version(storage_url):
    location = f"{storage_url}/07_model_output/player_archetypes.parquet"
    dataset = AtomicDataset(filepath=location, dataset="pandas.ParquetDataset")
    assert version_of(location) is None

    dataset.save(OLD_TABLE)
    first = version_of(location)
    assert first is not None
    assert version_of(location) == first  # unchanged while nothing is written

    dataset.save(NEW_TABLE)
    assert version_of(location) not in {None, first}


def test_a_local_file_changes_its_version(tmp_path):
    location = str(tmp_path / "player_archetypes.parquet")
    dataset = AtomicDataset(filepath=location, dataset="pandas.ParquetDataset")
    assert version_of(location) is None
    dataset.save(OLD_TABLE)
    first = version_of(location)
    dataset.save(NEW_TABLE)
    assert version_of(location) not in {None, first}


def test_versioned_outputs_and_their_manifest_in_the_bucket(storage_url):
    """Two runs: each output under its run's save version, the manifest naming the last one;
    the previous run's outputs stay loadable while the next one writes."""
    location = f"{storage_url}/07_model_output/player_archetypes.parquet"
    manifest_location = f"{storage_url}/07_model_output/inference_manifest.json"
    for run, table in (
        ("2026-01-01T00.00.00.000Z", OLD_TABLE),
        ("2026-01-02T00.00.00.000Z", NEW_TABLE),
    ):
        AtomicDataset(location, "pandas.ParquetDataset", version=Version(None, run)).save(table)
        PublicationManifest(manifest_location, Version(None, run)).save({"player_seasons": 1})

    manifest = PublicationManifest(manifest_location).load()
    assert manifest.pop("published_at")
    assert manifest == {"player_seasons": 1, "version": "2026-01-02T00.00.00.000Z"}
    at_manifest = AtomicDataset(
        location, "pandas.ParquetDataset", Version(manifest["version"], None)
    )
    pd.testing.assert_frame_equal(at_manifest.load(), NEW_TABLE)
    previous = AtomicDataset(
        location, "pandas.ParquetDataset", Version("2026-01-01T00.00.00.000Z", None)
    )
    pd.testing.assert_frame_equal(previous.load(), OLD_TABLE)
    latest = AtomicDataset(location, "pandas.ParquetDataset", Version(None, None))
    pd.testing.assert_frame_equal(latest.load(), NEW_TABLE)
    assert object_keys(f"{storage_url}/07_model_output") == [
        "inference_manifest.json",
        "player_archetypes.parquet/2026-01-01T00.00.00.000Z/player_archetypes.parquet",
        "player_archetypes.parquet/2026-01-02T00.00.00.000Z/player_archetypes.parquet",
    ]


def test_a_versioned_output_keeps_its_newest_versions_only(storage_url):
    location = f"{storage_url}/07_model_output/player_archetypes.parquet"
    runs = [f"2026-01-0{day}T00.00.00.000Z" for day in range(1, 6)]
    for run in runs:
        AtomicDataset(location, "pandas.ParquetDataset", Version(None, run),
                      keep_versions=3).save(NEW_TABLE)  # fmt: skip
    assert object_keys(f"{storage_url}/07_model_output") == [
        f"player_archetypes.parquet/{run}/player_archetypes.parquet" for run in runs[-3:]
    ]
    latest = AtomicDataset(location, "pandas.ParquetDataset", Version(None, None))
    pd.testing.assert_frame_equal(latest.load(), NEW_TABLE)
    with pytest.raises(DatasetError, match="keep_versions"):
        AtomicDataset(location, "pandas.ParquetDataset", keep_versions=0)


def test_a_manifest_without_a_save_version_is_refused(storage_url):
    with pytest.raises(DatasetError, match="versioned: true"):
        PublicationManifest(f"{storage_url}/m.json").save({})
    assert object_keys(storage_url) == []
