"""The project's own datasets: atomic files (raw responses and every output) and the keys
already on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from kedro.io import DatasetError, Version
from kedro_datasets.partitions import PartitionedDataset

from nba_cluster.datasets import AtomicBytesDataset, AtomicDataset
from tests.support.formats import FORMAT_CASES, assert_loads

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


# --- every output file: AtomicDataset around any file dataset ---------------------------------


def atomic(kind: str, path) -> AtomicDataset:
    return AtomicDataset(filepath=str(path), dataset=kind)


@FORMAT_CASES
def test_atomic_outputs_round_trip_and_replace_in_every_format(tmp_path, kind, name, data, newer):
    dataset = atomic(kind, tmp_path / "out" / name)
    dataset.save(data)
    dataset.save(newer)

    assert_loads(dataset, newer)
    assert [path.name for path in (tmp_path / "out").iterdir()] == [name]


def test_an_output_whose_save_fails_keeps_the_previous_version_and_no_temp_file(tmp_path):
    dataset = atomic("pandas.ParquetDataset", tmp_path / "labels.parquet")
    dataset.save(pd.DataFrame({"a": [1, 2]}))
    before = (tmp_path / "labels.parquet").read_bytes()

    with pytest.raises(DatasetError):
        dataset.save(pd.DataFrame({"a": [object()]}))  # pyarrow cannot write it

    assert folder_contents(tmp_path) == {"labels.parquet": before}


def test_stray_temp_files_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "labels.parquet"
    stray = tmp_path / ".labels.parquet.k1ll3d.tmp"
    stray.write_bytes(b"half a parquet")
    other = tmp_path / ".other.parquet.x.tmp"  # another dataset's: not ours to remove
    other.write_bytes(b"")

    atomic("pandas.ParquetDataset", target).save(pd.DataFrame({"a": [1]}))

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".other.parquet.x.tmp",
        "labels.parquet",
    ]


KILLED_WRITER = """
import sys, numpy as np, pandas as pd
from nba_cluster.datasets import AtomicDataset
table = pd.DataFrame(np.random.default_rng(0).random((400_000, 40)))
dataset = AtomicDataset(filepath=sys.argv[1], dataset="pandas.CSVDataset")
print("writing", flush=True)
while True:
    dataset.save(table)
"""


def test_a_live_writers_temp_file_is_not_taken_for_a_leftover(tmp_path):
    """Two writers of one target at once (two trainings sharing the data volume): the second
    save leaves the first's temporary file alone, and the first still lands its version."""
    target = tmp_path / "player_archetypes.csv"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 60
        while not (live := list(tmp_path.glob(".player_archetypes.csv.*.tmp"))):
            assert time.monotonic() < deadline, "the writer never started a temp file"
            time.sleep(0.01)
        atomic("pandas.CSVDataset", target).save(pd.DataFrame({"ARCHETYPE_ID": [1]}))
        ours = target.stat().st_mtime_ns
        assert all(path.exists() for path in live)
        while target.stat().st_mtime_ns == ours and writer.poll() is None:  # its next rename
            assert time.monotonic() < deadline + 60, "the writer never finished its save"
            time.sleep(0.05)
        assert writer.poll() is None  # its save did not fail on a removed temp file
    finally:
        writer.kill()
        writer.wait()


def test_a_writer_killed_mid_save_leaves_the_previous_version(tmp_path):
    """A real SIGKILL while a large output is being written (CSV: slow enough to be caught
    mid-write), then the next save cleans up what it left."""
    target = tmp_path / "player_archetypes.csv"
    previous = pd.DataFrame({"ARCHETYPE_ID": [1, 2, 3]})
    atomic("pandas.CSVDataset", target).save(previous)
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "writing"
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".player_archetypes.csv.*.tmp")):  # caught mid-write
        assert time.monotonic() < deadline, "the writer never started a temp file"
        time.sleep(0.01)
    writer.kill()
    writer.wait()

    pd.testing.assert_frame_equal(atomic("pandas.CSVDataset", target).load(), previous)
    assert list(tmp_path.glob(".player_archetypes.csv.*.tmp"))  # what SIGKILL leaves
    atomic("pandas.CSVDataset", target).save(previous)
    assert [path.name for path in tmp_path.iterdir()] == ["player_archetypes.csv"]


def test_a_versioned_output_keeps_its_newest_versions_on_disk(tmp_path):
    location = tmp_path / "player_archetypes.parquet"
    runs = [f"2026-01-0{day}T00.00.00.000Z" for day in range(1, 5)]
    for run in runs:
        AtomicDataset(str(location), "pandas.ParquetDataset", Version(None, run),
                      keep_versions=2).save(pd.DataFrame({"A": [1]}))  # fmt: skip
    assert sorted(path.name for path in location.iterdir()) == runs[-2:]
