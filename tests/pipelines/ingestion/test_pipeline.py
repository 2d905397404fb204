"""The ingestion pipeline run by a SequentialRunner against the replay, saving real files."""

from __future__ import annotations

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro_datasets.partitions import PartitionedDataset

from nba_cluster.datasets import AtomicBytesDataset, PartitionKeysDataset
from nba_cluster.nba_stats.response import InvalidResponseError
from nba_cluster.nba_stats.seasons import partition_key
from nba_cluster.pipelines.ingestion import create_pipeline
from tests.support.replay import fixture_ingestion_parameters

RESPONSES_IN_RANGE = 4 * 2  # 2003-04..2006-07, regular season and playoffs


def ingestion_catalog(raw_folder, base_url: str, stored_keys: set[str]) -> DataCatalog:
    catalog = DataCatalog({
        "raw_response_keys": MemoryDataset(stored_keys),
        "raw_responses": PartitionedDataset(
            path=str(raw_folder), dataset=AtomicBytesDataset, filename_suffix=".json"
        ),
    })  # fmt: skip
    catalog["params:ingestion"] = fixture_ingestion_parameters(base_url=base_url)
    return catalog


def saved_files(raw_folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(raw_folder.iterdir())}


@pytest.fixture
def raw_folder(tmp_path):
    return tmp_path / "01_raw" / "leaguedashplayerstats"


def test_ingestion_pipeline_saves_every_response_as_received(replay, raw_folder):
    catalog = ingestion_catalog(raw_folder, replay.base_url, stored_keys=set())

    SequentialRunner().run(create_pipeline(), catalog)

    expected = {
        f"{partition_key(*response)}.json": body for response, body in replay.responses.items()
    }
    assert len(expected) == RESPONSES_IN_RANGE
    assert saved_files(raw_folder) == expected
    assert len(replay.requests) == RESPONSES_IN_RANGE
    # what the next run will see as already on disk
    keys = PartitionKeysDataset(str(raw_folder), filename_suffix=".json").load()
    assert keys == {name.removesuffix(".json") for name in expected}


def test_ingestion_pipeline_fetches_only_what_is_not_stored(replay, raw_folder):
    stored = {partition_key("2003-04", "Regular Season"), partition_key("2003-04", "Playoffs")}
    catalog = ingestion_catalog(raw_folder, replay.base_url, stored_keys=stored)

    SequentialRunner().run(create_pipeline(), catalog)

    assert ("2003-04", "Regular Season") not in replay.requests
    assert ("2003-04", "Playoffs") not in replay.requests
    assert len(replay.requests) == RESPONSES_IN_RANGE - 2
    assert len(saved_files(raw_folder)) == RESPONSES_IN_RANGE - 2


def test_responses_fetched_before_a_failure_are_kept(replay, raw_folder):
    # Requests go season by season: the third one, 2004-05 regular season, gets an API error.
    replay.responses[("2004-05", "Regular Season")] = b'{"Message": "An error has occurred."}'
    catalog = ingestion_catalog(raw_folder, replay.base_url, stored_keys=set())

    with pytest.raises(InvalidResponseError, match="2004-05 Regular Season"):
        SequentialRunner().run(create_pipeline(), catalog)

    assert sorted(saved_files(raw_folder)) == [
        "2003-04_playoffs.json", "2003-04_regular_season.json",
    ]  # fmt: skip
