"""The scheduler's loop: one job at a time, each a ``kedro run`` in a child process."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import logging
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nba_cluster.services.scheduler.jobs import Job
from nba_cluster.services.scheduler.status import StatusFile, exclusive_lock, now

logger = logging.getLogger("nba_cluster.scheduler")

_ERROR_LINES = 12  # of a failed job's output, kept in the status
_STOP_GRACE_SECONDS = 30
# Kedro's advice after a failed run (resume with --from-nodes): about the nodes, not the cause.
_RESUME_HINT = re.compile(r"nodes that have not run|You can resume the pipeline|--from-nodes")


class Scheduler:
    def __init__(self, project: Path, jobs: dict[str, Job], status: StatusFile) -> None:
        self.project = project
        self.jobs = jobs
        self.status = status
        self.job_lock = status.folder / "scheduler.lock"
        self.stopping = threading.Event()
        self._child: subprocess.Popen | None = None
        self._timed_out = False

    # -- one job --------------------------------------------------------------------------------
    def run_job(self, name: str) -> int:
        """Run ``name`` now, after any job already running; its exit status (0: success)."""
        job = self.jobs[name]
        with self._job_slot(name) as lock:
            if self.stopping.is_set():
                return 1
            self._record_interrupted()  # left by a holder of the job slot that died
            started = now()
            logger.info("%s: starting `%s`", name, " ".join(job.command()[1:]))
            result, exit_code, tail = self._execute(name, job, lock, started)
            finished = now()
            duration = (finished - started).total_seconds()
            level = logging.INFO if result == "succeeded" else logging.ERROR
            logger.log(level, "%s: %s in %.0f s (exit %s)", name, result, duration, exit_code)
            last_run = {
                "started_at": started.isoformat(),
                "finished_at": finished.isoformat(),
                "result": result,
                "exit_code": exit_code,
                "duration_seconds": duration,
                "error": None if result == "succeeded" else _cause(tail),
            }

            def record(status: dict[str, Any]) -> None:
                entry = status.setdefault("jobs", {}).setdefault(name, {})
                entry["last_run"] = last_run
                if result == "succeeded":
                    entry["last_success"] = finished.isoformat()
                status["running"] = None

            self.status.update(record)
        return exit_code

    @contextlib.contextmanager
    def _job_slot(self, name: str) -> Iterator[int | None]:
        """Held while ``name`` runs, after any job already running: the ``flock`` beside a
        local status (its descriptor, which the job inherits), or the object lease when the
        status is in a bucket (None). A wait for another holder is logged and shown in the
        status (``waiting``) until it ends."""
        lease = self._lease(name)
        if lease is None:
            with exclusive_lock(self.job_lock, blocking=False) as free:
                if free is None:
                    logger.info("%s: waiting for the job already running to finish", name)
            with exclusive_lock(self.job_lock) as lock:
                yield lock
            return
        with lease.hold(wait=False) as held:
            if held:
                yield None
                return
        holder = lease.holder() or {}
        logger.info("%s: waiting for the job lease, held by %s", name, holder)
        waiting = {"job": name, "since": now().isoformat(), "lease_holder": holder}
        self.status.update(lambda status: status.update(waiting=waiting))
        try:
            with lease.hold():
                self.status.update(lambda status: status.update(waiting=None))
                yield None
        finally:
            self.status.update(lambda status: status.update(waiting=None))

    def _lease(self, job: str = ""):
        """The object lease when the status is in a bucket, else None (the local ``flock``)."""
        if self.status.lease_location is None:
            return None
        # Imported here: boto3 is loaded only by schedulers whose status is in a bucket.
        from nba_cluster.datasets.object_lease import ObjectLease  # noqa: PLC0415

        return ObjectLease(self.status.lease_location, label=job)

    def _execute(
        self, name: str, job: Job, lock: int | None, started: dt.datetime
    ) -> tuple[str, int, list[str]]:
        tail: collections.deque[str] = collections.deque(maxlen=_ERROR_LINES)
        self._child = subprocess.Popen(
            job.command(),
            cwd=self.project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # signals reach it only through us, timeouts kill its group
            # The job holds the lock too: if the scheduler dies, nothing else starts until the
            # job it left behind has ended (at its next log line: its stdout is gone).
            pass_fds=(lock,) if lock is not None else (),
        )
        running = {
            "job": name,
            "started_at": started.isoformat(),
            "pid": os.getpid(),
            "job_pid": self._child.pid,
        }
        self.status.update(lambda status: status.update(running=running))
        self._timed_out = False
        timer = threading.Timer(job.timeout_minutes * 60, self._time_out)
        timer.daemon = True
        timer.start()
        try:
            for line in self._child.stdout:
                print(f"[{name}] {line}", end="", flush=True)
                if line.strip():
                    tail.append(line.rstrip())
            exit_code = self._child.wait()
        finally:
            timer.cancel()
            self._child = None
        if exit_code == 0:
            return "succeeded", 0, []
        if self.stopping.is_set():
            return "interrupted", exit_code, [*tail, "stopped with the scheduler"]
        if self._timed_out:
            return "timed out", exit_code, [*tail, f"killed after {job.timeout_minutes:g} min"]
        if exit_code < 0:  # ended by a signal someone else sent (an OOM kill, `kill`)
            killed_by = signal.Signals(-exit_code).name
            return "interrupted", exit_code, [*tail, f"the job was killed ({killed_by})"]
        return "failed", exit_code, list(tail)

    def _time_out(self) -> None:
        self._timed_out = True
        self._kill_child()

    def _kill_child(self, sig: int = signal.SIGKILL) -> None:
        child = self._child
        if child and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, sig)

    # -- the loop -------------------------------------------------------------------------------
    def serve(self) -> None:
        """Run every job at its ticks until SIGTERM or SIGINT; missed ticks run once, late."""
        self._recover_interrupted_run()
        started = now()
        next_runs = {name: job.next_run(started) for name, job in self.jobs.items()}
        self._publish(next_runs, state="idle")
        for name, when in sorted(next_runs.items(), key=lambda item: item[1]):
            logger.info("%s: %s, next run %s", name, self.jobs[name].cron, when.isoformat())
        while not self.stopping.is_set():
            name, when = min(next_runs.items(), key=lambda item: item[1])
            wait = (when - dt.datetime.now(dt.UTC)).total_seconds()
            if wait > 0 and self.stopping.wait(wait):
                break
            self.run_job(name)
            next_runs[name] = self.jobs[name].next_run(max(now(), when))
            self._publish(next_runs, state="idle")
            logger.info("%s: next run %s", name, next_runs[name].isoformat())
        self._publish(next_runs, state="stopped")

    def stop(self, *_: Any) -> None:
        logger.info("stopping: the running job, if any, gets SIGTERM")
        self.stopping.set()
        self._kill_child(signal.SIGTERM)
        if self._child:
            last_resort = threading.Timer(_STOP_GRACE_SECONDS, self._kill_child)
            last_resort.daemon = True  # never keeps the scheduler from exiting
            last_resort.start()

    def _recover_interrupted_run(self) -> None:
        """A run the status says is under way while nobody holds the job lock was cut short
        (the scheduler was killed): record it as interrupted; it runs again at its next tick."""
        lease = self._lease()
        if lease is not None:
            if lease.holder() is None:
                self._record_interrupted()
            return
        with exclusive_lock(self.job_lock, blocking=False) as free:
            if free is not None:
                self._record_interrupted()

    def _record_interrupted(self) -> None:
        """Record as interrupted a run the status says is under way while this process holds
        the job slot (the scheduler or the `scheduler run` that ran it was killed). Call with
        the slot held, or knowing that nobody holds it."""
        running = self.status.read().get("running")
        if not running:
            return
        logger.warning(
            "%s (started %s) was interrupted: it runs again at its next tick",
            running["job"],
            running["started_at"],
        )

        def record(status: dict[str, Any]) -> None:
            entry = status.setdefault("jobs", {}).setdefault(running["job"], {})
            entry["last_run"] = {
                "started_at": running["started_at"],
                "finished_at": None,
                "result": "interrupted",
                "exit_code": None,
                "duration_seconds": None,
                "error": "the scheduler stopped during the run",
            }
            status["running"] = None

        self.status.update(record)

    def _publish(self, next_runs: dict[str, dt.datetime], state: str) -> None:
        def record(status: dict[str, Any]) -> None:
            status["scheduler"] = {"state": state, "pid": os.getpid()}
            jobs = status.setdefault("jobs", {})
            for name, job in self.jobs.items():
                entry = jobs.setdefault(name, {})
                entry.update(
                    cron=job.cron,
                    pipelines=job.pipelines,
                    next_run=next_runs[name].isoformat() if state != "stopped" else None,
                )

        self.status.update(record)


def _cause(tail: list[str]) -> str:
    """A failed job's error for the status: from its last ``Error:`` line (the guidance the
    project prints) when there is one, never Kedro's advice on resuming."""
    lines = [line for line in tail if not _RESUME_HINT.search(line)]
    errors = [index for index, line in enumerate(lines) if line.lstrip().startswith("Error:")]
    return "\n".join(lines[errors[-1] :] if errors else lines)
