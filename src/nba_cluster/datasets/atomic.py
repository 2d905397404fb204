"""Outputs replaced all at once, on a local disk or in an object store (``s3://bucket/key``).

- Local disk: the new content goes to a temporary file beside the target, is flushed to disk,
  then renamed over it. A rename on the same filesystem is all-or-nothing, so a run killed
  mid-write leaves the previous version intact; its temporary file is removed by the next
  write of the same target. A writer holds a lock on its temporary file while it writes
  (released by the kernel if it dies), so another writer of the same target at the same time
  (two trainings sharing the data volume) never takes it for a leftover and removes it.
- Object store: one PUT is the atomic step (an object, multipart included, appears whole or not
  at all), and there is no atomic rename (fsspec's ``mv`` is copy + delete). So the content is
  serialised in memory first and uploaded in one call: a save that fails uploads nothing and
  leaves no temporary object. (Writing through an open s3fs file would not do: leaving its
  ``with`` block on an exception still uploads what was written so far.)

Locations are strings (``nba_cluster.datasets.locations``), never ``pathlib`` paths.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from kedro.io.core import get_protocol_and_path

from nba_cluster.datasets.locations import filesystem, is_local

logger = logging.getLogger(__name__)
_TEMP_SUFFIX = ".tmp"
# This process's memory, never the store; three slashes, as Kedro reads a host in two.
_STAGING = "memory:///nba-cluster-staging"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


@contextlib.contextmanager
def atomic_target(target: str) -> Iterator[str]:
    """A location to write ``target``'s new content to, published as ``target`` when the block
    ends normally and discarded when it raises."""
    if is_local(target):
        with _local_temp(Path(get_protocol_and_path(target)[1])) as temp:
            yield str(temp)
        return
    staging_fs, _ = filesystem(_STAGING)
    name = PurePosixPath(get_protocol_and_path(target)[1]).name
    staged = f"{_STAGING}/{uuid.uuid4().hex}/{name}"
    try:
        yield staged
        store, path = filesystem(target)
        store.pipe_file(path, staging_fs.cat_file(staged))
    finally:
        with contextlib.suppress(FileNotFoundError):  # the block raised before writing
            staging_fs.rm_file(staged)


@contextlib.contextmanager
def _local_temp(target: Path) -> Iterator[Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stray_temps(target)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX
    )
    fcntl.flock(handle, fcntl.LOCK_EX)  # ours while we write: not a leftover
    os.fchmod(handle, 0o644)  # mkstemp's 0600 would lock out other users and containers
    temp = Path(temp_name)
    try:
        yield temp
        with temp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)


def write_atomically(target: str | Path, data: bytes) -> None:
    target = str(target)
    if not is_local(target):
        store, path = filesystem(target)
        store.pipe_file(path, bytes(memoryview(data)))  # one PUT: the whole object or nothing
        return
    with atomic_target(target) as temp:
        Path(temp).write_bytes(data)


def remove_stray_temps(target: Path) -> None:
    """Temporary files a killed writer of the local file ``target`` left behind."""
    if not target.parent.is_dir():
        return
    for stray in target.parent.glob(f"{_temp_prefix(target)}*{_TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):  # its writer or another cleaner was first
            if _being_written(stray):
                continue
            stray.unlink()
            logger.warning("Removed %s, left by an interrupted write", stray.name)


def _being_written(path: Path) -> bool:
    """Whether a live writer still holds the lock on this temporary file."""
    handle = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False
