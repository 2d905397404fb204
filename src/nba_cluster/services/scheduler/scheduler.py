"""Run the pipelines on cron schedules: the ``scheduler`` service of the compose stacks.

    python -m nba_cluster.services.scheduler                # run the schedules until stopped
    python -m nba_cluster.services.scheduler run refresh    # run one job now (waits for a running one)
    python -m nba_cluster.services.scheduler status         # print the status the dashboard reads

Schedules live in ``conf/<env>/schedules.yml`` (cron syntax through croniter, in UTC; a sixth
field gives seconds). Each job is a ``kedro run`` in a child process: the scheduler itself stays
small while idle (no pandas, scikit-learn or MLflow loaded), every run starts from a clean
interpreter (kedro-mlflow keeps process-wide state), and a job that crashes or runs out of
memory takes only itself down. One job runs at a time, under an exclusive ``flock`` on a file
next to the status: the kernel releases it when its holder dies, so a crash leaves no stale
lock. A failed job is logged and recorded, and runs again at its next tick; the pipelines write
atomically and never replace good raw data, so a failure overwrites nothing. The status (what
runs, each job's last run and result, its next run) is a JSON file in ``data/`` written
atomically; the dashboard shows it.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from croniter import croniter
from kedro.config import OmegaConfigLoader
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger("nba_cluster.services.scheduler")

STATUS_DATASET = "scheduler_status"  # catalog.yml: where the status (and the lock) live
_ERROR_LINES = 12  # of a failed job's output, kept in the status
_STOP_GRACE_SECONDS = 30


class ScheduleError(ValueError):
    """conf/**/schedules.yml is missing, or a job in it is malformed."""


class Job(BaseModel):
    """One entry of ``schedules.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str
    pipelines: list[str] = Field(min_length=1)
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    timeout_minutes: float = Field(default=240, gt=0)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (5 fields, or 6 with seconds)")
        return value

    def next_run(self, after: dt.datetime) -> dt.datetime:
        return croniter(self.cron, after).get_next(dt.datetime)

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "kedro", "run", "--pipelines", ",".join(self.pipelines)]
        if self.params:
            command += ["--params", ",".join(f"{k}={_param(v)}" for k, v in self.params.items())]
        return command


def _param(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def project_config(project: Path, env: str | None = None) -> OmegaConfigLoader:
    """The project's configuration as Kedro reads it (``conf/base`` then ``conf/<env>``)."""
    return OmegaConfigLoader(
        conf_source=str(project / "conf"),
        base_env="base",
        default_run_env="local",
        env=env or os.environ.get("KEDRO_ENV"),
        config_patterns={"schedules": ["schedules*", "schedules*/**"]},
    )


def load_schedules(config: OmegaConfigLoader) -> dict[str, Job]:
    """The jobs of ``conf/base/schedules.yml``, each replaceable in ``conf/<KEDRO_ENV>/``."""
    try:
        entries = config["schedules"]
    except KeyError:
        entries = {}
    if not entries:
        raise ScheduleError(f"No jobs in {config.conf_source}/*/schedules.yml")
    jobs = {}
    for name, entry in entries.items():
        try:
            jobs[name] = Job.model_validate(dict(entry))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, item['loc'])) or 'job'}: {item['msg']}"
                for item in error.errors()
            )
            raise ScheduleError(f"schedules.yml, job {name!r}: {problems}") from None
    return jobs


def status_path(project: Path, config: OmegaConfigLoader) -> Path:
    """Where the catalog puts the scheduler's status (the dashboard reads the same entry)."""
    return project / config["catalog"][STATUS_DATASET]["filepath"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class StatusFile:
    """The status JSON, updated read-modify-write under its own short lock and replaced
    atomically, so the dashboard never reads half of it and two writers never lose an update."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._guard = path.with_name(path.name + ".lock")

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {"jobs": {}, "running": None}

    def update(self, change) -> dict[str, Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _flock(self._guard):
            status = self.read()
            change(status)
            status["updated_at"] = _now().isoformat()
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".status.", suffix=".tmp")
            try:
                os.fchmod(handle, 0o644)
                with os.fdopen(handle, "w") as file:
                    json.dump(status, file, indent=2, sort_keys=True)
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        return status


@contextlib.contextmanager
def _flock(path: Path, blocking: bool = True) -> Iterator[int | None]:
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


class Scheduler:
    def __init__(self, project: Path, jobs: dict[str, Job], status: Path) -> None:
        self.project = project
        self.jobs = jobs
        self.status = StatusFile(status)
        self.job_lock = status.with_name("scheduler.lock")
        self.stopping = threading.Event()
        self._child: subprocess.Popen | None = None
        self._timed_out = False

    # -- one job --------------------------------------------------------------------------------
    def run_job(self, name: str) -> int:
        """Run ``name`` now, after any job already running; its exit status (0: success)."""
        job = self.jobs[name]
        with _flock(self.job_lock, blocking=False) as free:
            if free is None:
                logger.info("%s: waiting for the job already running to finish", name)
        with _flock(self.job_lock) as lock:
            if self.stopping.is_set():
                return 1
            started = _now()
            logger.info("%s: starting `%s`", name, " ".join(job.command()[1:]))
            result, exit_code, tail = self._execute(name, job, lock, started)
            finished = _now()
            duration = (finished - started).total_seconds()
            level = logging.INFO if result == "succeeded" else logging.ERROR
            logger.log(level, "%s: %s in %.0f s (exit %s)", name, result, duration, exit_code)
            last_run = {
                "started_at": started.isoformat(),
                "finished_at": finished.isoformat(),
                "result": result,
                "exit_code": exit_code,
                "duration_seconds": duration,
                "error": None if result == "succeeded" else "\n".join(tail),
            }

            def record(status: dict[str, Any]) -> None:
                entry = status.setdefault("jobs", {}).setdefault(name, {})
                entry["last_run"] = last_run
                if result == "succeeded":
                    entry["last_success"] = finished.isoformat()
                status["running"] = None

            self.status.update(record)
        return exit_code

    def _execute(
        self, name: str, job: Job, lock: int, started: dt.datetime
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
            pass_fds=(lock,),
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
        now = _now()
        next_runs = {name: job.next_run(now) for name, job in self.jobs.items()}
        self._publish(next_runs, state="idle")
        for name, when in sorted(next_runs.items(), key=lambda item: item[1]):
            logger.info("%s: %s, next run %s", name, self.jobs[name].cron, when.isoformat())
        while not self.stopping.is_set():
            name, when = min(next_runs.items(), key=lambda item: item[1])
            wait = (when - dt.datetime.now(dt.UTC)).total_seconds()
            if wait > 0 and self.stopping.wait(wait):
                break
            self.run_job(name)
            next_runs[name] = self.jobs[name].next_run(max(_now(), when))
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
        with _flock(self.job_lock, blocking=False) as free:
            if free is None:
                return
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the project folder")
    parser.add_argument("--env", help="Kedro environment (default: KEDRO_ENV, else local)")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run one job now and exit with its status")
    run.add_argument("job")
    commands.add_parser("status", help="print the status JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stdout,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s scheduler: %(message)s",
        force=True,
    )
    # Kedro's config loader still calls OmegaConf's deprecated resolver registration
    warnings.filterwarnings("ignore", "register_new_resolver", UserWarning)
    project = args.project.resolve()
    config = project_config(project, args.env)
    try:
        jobs = load_schedules(config)
    except ScheduleError as error:
        parser.error(str(error))
    status = status_path(project, config)
    if args.command == "status":
        print(json.dumps(StatusFile(status).read(), indent=2, sort_keys=True))
        return 0
    scheduler = Scheduler(project, jobs, status)
    signal.signal(signal.SIGTERM, scheduler.stop)
    signal.signal(signal.SIGINT, scheduler.stop)
    if args.command == "run":
        if args.job not in jobs:
            parser.error(f"no job {args.job!r} in schedules.yml (jobs: {', '.join(jobs)})")
        return scheduler.run_job(args.job)
    scheduler.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
