"""The project's own datasets: atomic raw-response files and the keys already on disk."""

from __future__ import annotations

import os

import pytest
from kedro.io import DatasetError
from kedro_datasets.partitions import PartitionedDataset

from nba_cluster.datasets import AtomicBytesDataset

GOOD_BODY = b'{"resultSets": []}'


def folder_contents(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_atomic_bytes_round_trip_creates_missing_folders(tmp_path):
    dataset = AtomicBytesDataset(str(tmp_path / "raw" / "1996-97_playoffs.json"))
    assert not dataset.exists()

    dataset.save(GOOD_BODY)

    assert dataset.exists()
    assert dataset.load() == GOOD_BODY
    assert folder_contents(tmp_path / "raw") == {"1996-97_playoffs.json": GOOD_BODY}


def test_saving_again_replaces_the_whole_file(tmp_path):
    dataset = AtomicBytesDataset(str(tmp_path / "1996-97_playoffs.json"))
    dataset.save(b"x" * 100)
    dataset.save(b"short")
    assert dataset.load() == b"short"


def test_a_write_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path):
    dataset = AtomicBytesDataset(str(tmp_path / "1996-97_playoffs.json"))
    dataset.save(GOOD_BODY)

    with pytest.raises(DatasetError, match="bytes-like object is required"):
        dataset.save("a str, not bytes")

    assert folder_contents(tmp_path) == {"1996-97_playoffs.json": GOOD_BODY}


def test_a_rename_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    dataset = AtomicBytesDataset(str(tmp_path / "1996-97_playoffs.json"))
    dataset.save(GOOD_BODY)

    def refuse(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(DatasetError, match="disk full"):
        dataset.save(b"a newer body")

    assert folder_contents(tmp_path) == {"1996-97_playoffs.json": GOOD_BODY}


def test_a_temp_file_left_by_a_killed_run_is_not_a_partition(tmp_path, monkeypatch):
    dataset = AtomicBytesDataset(str(tmp_path / "1996-97_playoffs.json"))
    dataset.save(GOOD_BODY)
    temp_names = []

    def crash(source, destination):
        temp_names.append(source)
        raise KeyboardInterrupt  # stands in for SIGKILL, after which no cleanup runs

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        dataset.save(b"half-written body")
    monkeypatch.undo()
    # Recreate the temp file the cleanup removed, as a killed process would have left it.
    (leftover,) = temp_names
    with open(leftover, "wb") as temp:
        temp.write(b"half-written body")
    assert len(folder_contents(tmp_path)) == 2

    raw = PartitionedDataset(
        path=str(tmp_path), dataset=AtomicBytesDataset, filename_suffix=".json"
    )
    partitions = raw.load()

    assert list(partitions) == ["1996-97_playoffs"]
    assert partitions["1996-97_playoffs"]() == GOOD_BODY
