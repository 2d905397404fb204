"""The raw store: the used copy, its dated copies, the refused ones, and what a killed write
leaves behind."""

import datetime as dt
from pathlib import Path

from nba_cluster.datasets.raw_store import FetchedResponse, RawResponseStore

MONDAY = dt.datetime(2026, 2, 23, 9, 30, 5, tzinfo=dt.UTC)
TUESDAY = MONDAY + dt.timedelta(days=1)


def make_store(tmp_path) -> RawResponseStore:
    raw = tmp_path / "leaguedashplayerstats"
    return RawResponseStore(str(raw), f"{raw}_history", f"{raw}_rejected")


def files(folder) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_an_empty_or_missing_folder_loads_as_nothing(tmp_path):
    assert make_store(tmp_path).load() == {}
    (tmp_path / "leaguedashplayerstats").mkdir()
    assert make_store(tmp_path).load() == {}


def test_each_accepted_fetch_is_used_and_kept_dated(tmp_path):
    store = make_store(tmp_path)
    store.save({"2025-26_regular_season": FetchedResponse(b"monday", MONDAY)})
    store.save({"2025-26_regular_season": FetchedResponse(b"tuesday", TUESDAY)})

    assert files(tmp_path) == {
        "leaguedashplayerstats/2025-26_regular_season.json": b"tuesday",
        "leaguedashplayerstats_history/2025-26_regular_season/2026-02-23T09-30-05Z.json": b"monday",
        "leaguedashplayerstats_history/2025-26_regular_season/2026-02-24T09-30-05Z.json": (
            b"tuesday"
        ),
    }
    copy = store.load()["2025-26_regular_season"]
    assert copy() == b"tuesday"
    assert copy.fetched_at == TUESDAY


def test_a_refused_response_is_kept_aside_and_the_copy_in_use_untouched(tmp_path):
    store = make_store(tmp_path)
    store.save({"2025-26_regular_season": FetchedResponse(b"full", MONDAY)})
    store.save({"2025-26_regular_season": FetchedResponse(b"less", TUESDAY, rejected="smaller")})

    assert files(tmp_path / "leaguedashplayerstats") == {"2025-26_regular_season.json": b"full"}
    assert files(tmp_path / "leaguedashplayerstats_rejected") == {
        "2025-26_regular_season@2026-02-24T09-30-05Z.json": b"less"
    }
    assert store.load()["2025-26_regular_season"].fetched_at == MONDAY


def test_temp_files_of_a_killed_write_are_removed_and_other_names_listed(tmp_path, caplog):
    store = make_store(tmp_path)
    store.save({"2003-04_playoffs": FetchedResponse(b"body", MONDAY)})
    raw = tmp_path / "leaguedashplayerstats"
    leftover = raw / ".2003-04_regular_season.json.k2x9a1.tmp"
    leftover.write_bytes(b"half")
    (raw / "notes.txt").write_bytes(b"x")
    (raw / ".hidden.json").write_bytes(b"x")
    (raw / "2003-04_playoffs.bak.json").write_bytes(b"x")

    with caplog.at_level("WARNING"):
        loaded = store.load()

    assert not leftover.exists()
    assert "left by an interrupted write" in caplog.text
    # a stray *.json is listed: the nodes ignore it with a warning, the store deletes nothing
    assert sorted(loaded) == ["2003-04_playoffs", "2003-04_playoffs.bak"]
    assert loaded["2003-04_playoffs.bak"].fetched_at is None


def test_a_dated_copy_put_back_reads_as_fetched_when_it_was(tmp_path):
    store = make_store(tmp_path)
    store.save({"2025-26_regular_season": FetchedResponse(b"monday", MONDAY)})
    store.save({"2025-26_regular_season": FetchedResponse(b"tuesday", TUESDAY)})
    copy = store.load()["2025-26_regular_season"]

    Path(copy.path).write_bytes(b"monday")  # rebuilding Monday's labels
    assert store.load()["2025-26_regular_season"].fetched_at == MONDAY
    Path(copy.path).write_bytes(b"edited by hand")
    assert store.load()["2025-26_regular_season"].fetched_at is None
