"""The ingestion pipeline run by a SequentialRunner against the replay, saving real files."""

from __future__ import annotations

import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from nba_cluster.datasets.raw_store import RawResponseStore
from nba_cluster.nba_stats.response import InvalidResponseError
from nba_cluster.nba_stats.seasons import partition_key
from nba_cluster.pipelines.ingestion import create_pipeline
from tests.support.replay import fixture_ingestion_parameters

RESPONSES_IN_RANGE = 4 * 2  # 2003-04..2006-07, regular season and playoffs


def ingestion_catalog(raw_folder, base_url: str) -> DataCatalog:
    def store() -> RawResponseStore:
        return RawResponseStore(str(raw_folder), f"{raw_folder}_history", f"{raw_folder}_rejected")

    catalog = DataCatalog({"raw_response_inventory": store(), "raw_responses": store()})
    catalog["params:ingestion"] = fixture_ingestion_parameters(base_url=base_url)
    return catalog


def saved_files(raw_folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(raw_folder.iterdir())}


@pytest.fixture
def raw_folder(tmp_path):
    return tmp_path / "01_raw" / "leaguedashplayerstats"


def test_ingestion_pipeline_saves_every_response_as_received(replay, raw_folder):
    SequentialRunner().run(create_pipeline(), ingestion_catalog(raw_folder, replay.base_url))

    expected = {
        f"{partition_key(*response)}.json": body for response, body in replay.responses.items()
    }
    assert len(expected) == RESPONSES_IN_RANGE
    assert saved_files(raw_folder) == expected
    assert len(replay.requests) == RESPONSES_IN_RANGE
    # each also kept dated
    history = sorted(raw_folder.parent.glob("leaguedashplayerstats_history/*/*.json"))
    assert sorted(path.parent.name for path in history) == sorted(
        name.removesuffix(".json") for name in expected
    )


def test_ingestion_pipeline_fetches_only_what_is_not_stored(replay, raw_folder):
    catalog = ingestion_catalog(raw_folder, replay.base_url)
    SequentialRunner().run(create_pipeline(), catalog)
    (raw_folder / "2003-04_playoffs.json").unlink()
    replay.requests.clear()

    SequentialRunner().run(create_pipeline(), ingestion_catalog(raw_folder, replay.base_url))

    assert replay.requests == [("2003-04", "Playoffs")]
    assert len(saved_files(raw_folder)) == RESPONSES_IN_RANGE


def test_responses_fetched_before_a_failure_are_kept(replay, raw_folder):
    # Requests go season by season: the third one, 2004-05 regular season, gets an API error.
    replay.responses[("2004-05", "Regular Season")] = b'{"Message": "An error has occurred."}'
    catalog = ingestion_catalog(raw_folder, replay.base_url)

    with pytest.raises(InvalidResponseError, match="2004-05 Regular Season"):
        SequentialRunner().run(create_pipeline(), catalog)

    assert sorted(saved_files(raw_folder)) == [
        "2003-04_playoffs.json", "2003-04_regular_season.json",
    ]  # fmt: skip
