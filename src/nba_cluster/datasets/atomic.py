"""Files replaced all at once: written to a temporary file beside the target, flushed to disk,
then renamed over it. A rename on the same filesystem is all-or-nothing, so a run killed
mid-write leaves the previous version intact; its temporary file is removed by the next write
of the same target.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)
_TEMP_SUFFIX = ".tmp"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path to write ``target``'s new content to; renamed over ``target`` when the
    block ends normally, removed when it raises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stray_temps(target)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX
    )
    os.fchmod(handle, 0o644)  # mkstemp's 0600 would lock out other users and containers
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        with temp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomically(target: Path, data: bytes) -> None:
    with atomic_target(target) as temp:
        temp.write_bytes(data)


def remove_stray_temps(target: Path) -> None:
    """Temporary files a killed writer of ``target`` left behind."""
    if not target.parent.is_dir():
        return
    for stray in target.parent.glob(f"{_temp_prefix(target)}*{_TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):  # another cleaner got there first
            stray.unlink()
            logger.warning("Removed %s, left by an interrupted write", stray.name)
