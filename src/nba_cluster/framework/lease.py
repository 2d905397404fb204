"""Leases: one holder at a time of something shared, e.g. the right to move ``@champion``.

    with lease_at(location).hold(timeout_seconds=600) as held:
        ...  # held is True here; with wait=False it may be False (someone else holds it)

``lease_at`` picks the backend from the location. A local path (or ``file://``) is a file lock
(``fcntl.flock``) on that file: the kernel releases it when its holder dies, however it dies,
so a killed run never leaves a lease behind; it spans the processes and containers of one host
that mount the file (the scheduler, ``docker compose run pipeline``, a developer's
``kedro run``). An object-store location (``s3://``) is a lease across hosts: one object taken
by a conditional PUT and renewed while held (``datasets.object_lease``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

POLL_SECONDS = 0.1


class LeaseTimeout(TimeoutError):
    """The lease stayed held by someone else for longer than the caller would wait."""


class Lease(Protocol):
    location: str

    def hold(
        self, *, wait: bool = True, timeout_seconds: float | None = None
    ) -> contextlib.AbstractContextManager[bool]:
        """Held for the duration of the block (yields True); with ``wait=False`` yields False
        at once when someone else holds it. Waiting longer than ``timeout_seconds`` raises
        ``TimeoutError`` (``LeaseTimeout`` for a file lease)."""
        ...


class FileLease:
    """A lease on a local file, held with ``flock``: released by the kernel when the holder's
    process ends. The file's content says who holds it (host, pid), for people reading it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)

    @contextlib.contextmanager
    def hold(self, *, wait: bool = True, timeout_seconds: float | None = None) -> Iterator[bool]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o664)
        try:
            if not self._acquire(descriptor, wait, timeout_seconds):
                yield False
                return
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.uname().nodename} pid {os.getpid()}\n".encode())
            try:
                yield True
            finally:
                os.ftruncate(descriptor, 0)
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    def _acquire(self, descriptor: int, wait: bool, timeout_seconds: float | None) -> bool:
        deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if not wait:
                    return False
                if deadline is not None and time.monotonic() >= deadline:
                    holder = self.path.read_text().strip() or "another process"
                    raise LeaseTimeout(
                        f"The lease {self.location} is still held by {holder} after "
                        f"{timeout_seconds:g} s"
                    ) from None
                time.sleep(POLL_SECONDS)


def lease_at(location: str) -> Lease:
    """The lease at ``location``: a local path (or ``file://`` URL), or an object-store URL."""
    if location.startswith("file://"):
        location = location.removeprefix("file://")
    if "://" not in location:
        return FileLease(Path(location))
    scheme = location.split("://", 1)[0]
    if scheme in ("s3", "s3a"):
        # Imported here: boto3 is loaded only where a lease lives in a bucket.
        from nba_cluster.datasets.object_lease import ObjectLease  # noqa: PLC0415

        return ObjectLease(location)
    raise NotImplementedError(
        f"No lease backend for {scheme}:// ({location}): a local path or an s3:// URL"
    )
