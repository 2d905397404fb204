"""The champion lease's local backend, between real processes: one holder at a time, released
by the kernel when its holder is killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from nba_cluster.framework.lease import LeaseTimeout, lease_at

HOLDER = """
import sys, time
from nba_cluster.framework.lease import lease_at
with lease_at(sys.argv[1]).hold() as held:
    print("held" if held else "not held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lease at tmp_path/champion.lease until killed."""
    location = str(tmp_path / "leases" / "champion.lease")
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, location], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    yield location, process
    process.kill()
    process.wait(timeout=10)


def test_one_holder_at_a_time_and_a_killed_holder_releases_it(holder):
    location, process = holder
    with lease_at(location).hold(wait=False) as held:
        assert held is False

    process.send_signal(signal.SIGKILL)  # no chance to clean up: the kernel releases it
    process.wait(timeout=10)
    with lease_at(location).hold(wait=False) as held:
        assert held is True


def test_waiting_past_the_timeout_names_the_holder(holder):
    location, process = holder
    started = time.monotonic()
    with pytest.raises(LeaseTimeout, match=f"held by .* pid {process.pid} after 0.5 s"):
        with lease_at(location).hold(timeout_seconds=0.5):
            pass
    assert 0.5 <= time.monotonic() - started < 3


def test_a_waiter_gets_it_when_the_holder_ends(holder):
    location, process = holder
    subprocess.Popen(["sh", "-c", f"sleep 0.5; kill {process.pid}"])
    started = time.monotonic()
    with lease_at(location).hold(timeout_seconds=30) as held:
        assert held is True
    assert time.monotonic() - started < 5


def test_a_lease_in_a_bucket_refuses_a_second_holder(storage_url):
    location = f"{storage_url}/08_reporting/champion.lease"
    with lease_at(location).hold(wait=False) as held:
        assert held is True
        with lease_at(location).hold(wait=False) as second:
            assert second is False
    with lease_at(location).hold(wait=False) as held_again:
        assert held_again is True


def test_a_location_of_no_known_store_is_refused():
    with pytest.raises(NotImplementedError, match="gs://"):
        lease_at("gs://bucket/champion.lease")
