"""The store's change detection, with a fake clock and registry."""

from __future__ import annotations

import threading
import time

from tests.dashboard import fakes


def test_store_is_empty_until_both_data_and_champion_exist(project):
    champions = fakes.FakeChampions(version=None)
    store, clock = fakes.store(project, champions)
    snapshot = store.snapshot()
    assert not snapshot.ready
    assert "No champion model" in snapshot.empty_reason

    champions.version = "3"
    clock.advance(10)
    snapshot = store.snapshot()
    assert not snapshot.ready
    assert "inference pipeline" in snapshot.empty_reason

    fakes.write_outputs(project, fakes.outputs())
    clock.advance(10)
    snapshot = store.snapshot()
    assert snapshot.ready and snapshot.empty_reason is None
    assert len(snapshot.archetypes) == len(fakes.outputs()["player_archetypes"])
    assert snapshot.data_timestamp is not None


def test_store_checks_at_most_once_per_ttl_and_reloads_only_on_change(project):
    fakes.write_outputs(project, fakes.outputs())
    champions = fakes.FakeChampions()
    store, clock = fakes.store(project, champions, ttl=5.0)
    first = store.snapshot()
    assert store.snapshot() is first and champions.lookups == 1  # within the TTL: no check

    clock.advance(6)
    assert store.snapshot() is first  # checked, nothing changed: same snapshot
    assert champions.lookups == 2 and champions.detail_calls == 1

    time.sleep(0.01)
    frames = fakes.outputs()
    frames["player_archetypes"].loc[0, "PLAYER_NAME"] = "Renamed Player"
    fakes.write_outputs(project, frames)
    clock.advance(6)
    second = store.snapshot()
    assert second is not first and "Renamed Player" in set(second.archetypes["PLAYER_NAME"])
    assert champions.detail_calls == 1  # same champion: its details are not fetched again

    champions.version = "4"  # a new champion, no new data: reloaded, labels now stale
    clock.advance(6)
    third = store.snapshot()
    assert third.champion.version == "4" and champions.detail_calls == 2
    assert third.stale_labels and third.data_model_version == "3"


def test_store_keeps_the_champion_it_knows_when_mlflow_fails(project):
    fakes.write_outputs(project, fakes.outputs())
    champions = fakes.FakeChampions()
    store, clock = fakes.store(project, champions)
    first = store.snapshot()
    champions.failure = ConnectionError("mlflow down")
    clock.advance(10)
    assert store.snapshot() is first

    cold, _ = fakes.store(project, champions)  # never reached MLflow: says so
    snapshot = cold.snapshot()
    assert not snapshot.ready
    assert (
        "could not be reached" in snapshot.empty_reason and "mlflow down" in snapshot.empty_reason
    )


def test_unreadable_outputs_give_an_empty_state_not_an_error(project):
    folder = project / "data" / "07_model_output"
    fakes.write_outputs(project, fakes.outputs())
    (folder / "player_archetypes.parquet").write_bytes(b"not parquet")  # mid-write, say
    store, _ = fakes.store(project)
    snapshot = store.snapshot()
    assert not snapshot.ready and "could not be read" in snapshot.empty_reason


def test_requests_do_not_wait_for_another_ones_refresh(project):
    fakes.write_outputs(project, fakes.outputs())
    champions = fakes.FakeChampions()
    store, clock = fakes.store(project, champions)
    first = store.snapshot()
    release = threading.Event()
    entered = threading.Event()
    original = champions.current_version

    def slow_lookup():
        entered.set()
        release.wait(5)
        return original()

    champions.current_version = slow_lookup
    clock.advance(10)
    refresher = threading.Thread(target=store.snapshot)
    refresher.start()
    assert entered.wait(5)
    started = time.perf_counter()
    assert store.snapshot() is first  # served at once from the current snapshot
    assert time.perf_counter() - started < 0.5
    release.set()
    refresher.join(5)
