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


def test_object_store_locations_are_not_served_yet():
    with pytest.raises(NotImplementedError, match="s3://"):
        lease_at("s3://bucket/champion.lease")
