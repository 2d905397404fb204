"""The job lease as an object in a real S3 API (moto's server on 127.0.0.1): one holder at a
time, kept while its holder lives, taken over once a dead holder's lease expired."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from nba_cluster.datasets.object_lease import ObjectLease
from tests.support.object_store import object_keys

TTL = 2.0  # seconds; the store's clock counts in whole seconds

HOLD_THEN_HANG = """
import sys, time
from nba_cluster.datasets.object_lease import ObjectLease
with ObjectLease(sys.argv[1], ttl_seconds=float(sys.argv[2])).hold(wait=False) as held:
    print("held" if held else "refused", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def location(storage_url):
    return f"{storage_url}/08_reporting/job.lease"


def lease(location: str) -> ObjectLease:
    return ObjectLease(location, ttl_seconds=TTL, poll_seconds=0.2)


def test_a_second_holder_is_refused_and_gets_it_once_released(location, storage_url):
    first, second = lease(location), lease(location)
    with first.hold(wait=False) as held:
        assert held
        assert object_keys(storage_url) == ["08_reporting/job.lease"]
        with second.hold(wait=False) as also_held:
            assert not also_held
        started = time.monotonic()
        with pytest.raises(TimeoutError), second.hold(timeout_seconds=1):
            pass
        assert time.monotonic() - started >= 1
    assert object_keys(storage_url) == []  # released
    with second.hold(wait=False) as held:
        assert held


def test_a_live_holder_keeps_it_past_its_ttl(location):
    with lease(location).hold(wait=False) as held:
        assert held
        time.sleep(TTL * 2.5)  # renewed meanwhile
        with lease(location).hold(wait=False) as also_held:
            assert not also_held


def test_a_dead_holders_lease_expires_and_is_taken_over(location, caplog):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THEN_HANG, location, str(TTL)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
    finally:
        holder.kill()  # SIGKILL: no release, no more renewals
        holder.wait()
    waiter = lease(location)
    assert waiter.holder() is not None  # not expired yet

    started = time.monotonic()
    with caplog.at_level("WARNING"), waiter.hold(timeout_seconds=TTL * 5) as held:
        assert held
        waited = time.monotonic() - started
    assert waited <= TTL * 3
    assert "stopped renewing" in caplog.text


def test_only_s3_locations_are_accepted(tmp_path):
    with pytest.raises(ValueError, match="not an s3:// location"):
        ObjectLease(str(tmp_path / "job.lease"))
