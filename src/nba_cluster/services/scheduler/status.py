"""The scheduler's status (what runs, each job's last run and result, its next run), which the
dashboard shows, and the file locks that keep one job at a time."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import posixpath
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kedro.config import OmegaConfigLoader
from kedro.io import DatasetError

from nba_cluster.datasets.locations import is_local
from nba_cluster.datasets.names import SCHEDULER_STATUS
from nba_cluster.framework.config import project_catalog


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class StatusFile:
    """The status, through the catalog's ``scheduler_status`` entry (written atomically, so
    the dashboard never reads half of it), updated read-modify-write under its own short lock
    beside it, so two writers never lose an update."""

    def __init__(self, project: Path, config: OmegaConfigLoader) -> None:
        self._catalog = project_catalog(project, [SCHEDULER_STATUS], config)
        location = self._catalog.get(SCHEDULER_STATUS).filepath
        if is_local(location):
            self.folder = Path(location).parent
            self.lease_location = None
        else:
            # In a bucket (KEDRO_ENV=cloud): the job lease is an object beside the status
            # (datasets.object_lease), so jobs started on different hosts never overlap; the
            # status's update guard stays in this container, where the scheduler and the
            # `run` commands started beside it write the status.
            self.folder = Path(tempfile.gettempdir()) / "nba-cluster-scheduler"
            self.lease_location = posixpath.join(posixpath.dirname(location), "job.lease")
        self._guard = self.folder / "scheduler_status.lock"

    def read(self) -> dict[str, Any]:
        try:
            return self._catalog.load(SCHEDULER_STATUS)
        except DatasetError:  # none yet, or damaged: the next update starts it again
            return {"jobs": {}, "running": None}

    def update(self, change) -> dict[str, Any]:
        with exclusive_lock(self._guard):
            status = self.read()
            change(status)
            status["updated_at"] = now().isoformat()
            self._catalog.save(SCHEDULER_STATUS, status)
        return status


@contextlib.contextmanager
def exclusive_lock(path: Path, blocking: bool = True) -> Iterator[int | None]:
    """An exclusive ``flock``, yielding its file descriptor (``None`` when taken and not
    ``blocking``). The kernel releases it when every process holding the descriptor has exited,
    even by SIGKILL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        try:
            yield handle.fileno()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
