"""The scheduler as its service runs it (``python -m nba_cluster.services.scheduler``, in a
child process), running real ``kedro run`` jobs against the replay: schedules, status, a failed
job, one job at a time, and a crash in the middle of a job."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from nba_cluster.services.scheduler import ScheduleError, load_schedules, schedules_config
from tests.support.project import PROJECT_ROOT, raw_files
from tests.support.replay import fixture_params

STATUS = Path("data/08_reporting/scheduler_status.json")


def write_schedules(project: Path, jobs: dict) -> None:
    (project / "conf" / "local" / "schedules.yml").write_text(yaml.safe_dump(jobs))


def ingest_job(replay, cron: str = "0 0 1 1 *", **params) -> dict:
    return {"cron": cron, "pipelines": ["ingestion"], "params": fixture_params(replay, **params)}


def scheduler(project: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nba_cluster.services.scheduler", "--project", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def status(project: Path) -> dict:
    path = project / STATUS
    return json.loads(path.read_text()) if path.exists() else {}


def wait_for(condition, timeout: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


# --- schedules -------------------------------------------------------------------------------


def test_the_shipped_schedules_refresh_daily_and_train_weekly():
    jobs = load_schedules(schedules_config(PROJECT_ROOT, "base"))
    assert jobs["refresh"].pipelines == ["refresh"]
    assert jobs["refresh"].params == {"ingestion.last_season": "current"}
    assert jobs["refresh"].cron.split()[2:] == ["*", "*", "*"]  # every day
    assert jobs["training"].pipelines == ["training", "inference"]
    assert jobs["training"].cron.split()[2:4] == ["*", "*"] and jobs["training"].cron[-1] != "*"


def test_an_environment_replaces_a_job_and_bad_entries_are_named(project):
    write_schedules(project, {"refresh": {"cron": "*/5 * * * *", "pipelines": ["refresh"]}})
    jobs = load_schedules(schedules_config(project))
    assert jobs["refresh"].cron == "*/5 * * * *"
    assert jobs["training"].pipelines == ["training", "inference"]  # from base

    write_schedules(project, {"refresh": {"cron": "every day", "pipelines": ["refresh"]}})
    with pytest.raises(ScheduleError, match=r"job 'refresh': cron: .*'every day' is not a cron"):
        load_schedules(schedules_config(project))
    write_schedules(project, {"refresh": {"cron": "0 9 * * *", "pipeline": ["refresh"]}})
    with pytest.raises(ScheduleError, match="pipeline: Extra inputs are not permitted"):
        load_schedules(schedules_config(project))


# --- one job now -----------------------------------------------------------------------------


def test_run_now_succeeds_and_records_the_run(project, replay):
    write_schedules(project, {"ingest": ingest_job(replay)})
    process = scheduler(project, "run", "ingest")
    output, _ = process.communicate(timeout=300)

    assert process.returncode == 0, output
    assert "[ingest]" in output  # the job's own log, prefixed, on stdout
    assert len(raw_files(project)) == 8
    recorded = status(project)
    assert recorded["running"] is None
    assert recorded["jobs"]["ingest"]["last_run"]["result"] == "succeeded"
    assert recorded["jobs"]["ingest"]["last_success"]


def test_a_failed_job_is_recorded_with_its_cause_and_overwrites_nothing(project, replay):
    write_schedules(project, {"ingest": ingest_job(replay)})
    assert scheduler(project, "run", "ingest").wait(timeout=300) == 0
    before = raw_files(project)

    # stats.nba.com down: every answer a 503
    replay.script = [503] * 100
    write_schedules(project, {"ingest": ingest_job(replay, **{"ingestion.refresh": True})})
    process = scheduler(project, "run", "ingest")
    output, _ = process.communicate(timeout=300)

    assert process.returncode != 0
    last = status(project)["jobs"]["ingest"]["last_run"]
    assert last["result"] == "failed"
    assert last["error"].startswith("Error: Fetching from stats.nba.com")  # not Kedro's advice
    assert "resume" not in last["error"] and "--from-nodes" not in last["error"]
    assert "Could not fetch 2003-04 Regular Season after 3 attempts" in " ".join(
        last["error"].split()
    )
    assert "ingest: failed" in output
    assert raw_files(project) == before


# --- the schedule loop -----------------------------------------------------------------------


def test_jobs_run_at_their_ticks_one_at_a_time_and_stop_cleanly(project, replay):
    write_schedules(
        project,
        {
            "ingest": ingest_job(replay, cron="* * * * * */2"),
            "again": ingest_job(replay, cron="* * * * * */3"),
        },
    )
    process = scheduler(project)
    try:
        wait_for(
            lambda: all(
                status(project).get("jobs", {}).get(name, {}).get("last_success")
                for name in ("ingest", "again")
            ),
            what="both jobs to succeed",
        )
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()

    assert process.returncode == 0, output
    recorded = status(project)
    assert recorded["scheduler"]["state"] == "stopped"
    # never two at once: every run starts after the previous one finished
    events = [
        "start" if ": starting `" in line else "end"
        for line in output.splitlines()
        if ": starting `" in line or re.search(r": (succeeded|failed|interrupted) in ", line)
    ]
    assert events.count("start") >= 2
    assert events == ["start", "end"] * (len(events) // 2)


def test_a_scheduler_killed_mid_job_leaves_no_stale_lock(project, replay):
    # slow enough to be killed in the middle: a pause between the 8 requests
    slow = ingest_job(replay, cron="* * * * * */2", **{"ingestion.http.pause_seconds": 1.0})
    write_schedules(project, {"ingest": slow})
    process = scheduler(project, start_new_session=True)
    wait_for(lambda: (status(project).get("running") or {}).get("job") == "ingest", what="a job")
    time.sleep(2.5)
    # the scheduler and its job (in a session of its own), as `docker kill` would
    job_pid = status(project)["running"]["job_pid"]
    os.killpg(process.pid, signal.SIGKILL)
    os.killpg(job_pid, signal.SIGKILL)
    process.communicate(timeout=30)

    assert status(project)["running"]["job"] == "ingest"  # what the dead scheduler left
    leftovers = [
        path for path in (project / "data").rglob("*") if path.name.endswith(".tmp")
    ]  # fmt: skip
    restarted = scheduler(project)
    try:
        wait_for(
            lambda: status(project)["jobs"]["ingest"].get("last_success"),
            what="a run after the restart",
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        output, _ = restarted.communicate(timeout=120)
    assert "ingest (started " in output and "was interrupted" in output
    assert len(raw_files(project)) == 8
    for path in leftovers:
        assert not path.exists()
    assert not [path for path in (project / "data").rglob("*") if path.name.endswith(".tmp")]


def test_run_now_records_a_killed_job_and_a_killed_runner_as_interrupted(project, replay):
    slow = ingest_job(replay, **{"ingestion.http.pause_seconds": 1.0})
    write_schedules(project, {"ingest": slow})

    # the job killed from outside (an OOM kill, `kill -9`)
    process = scheduler(project, "run", "ingest")
    wait_for(lambda: (status(project).get("running") or {}).get("job") == "ingest", what="a job")
    os.kill(status(project)["running"]["job_pid"], signal.SIGKILL)
    process.communicate(timeout=60)
    last = status(project)["jobs"]["ingest"]["last_run"]
    assert process.returncode != 0
    assert last["result"] == "interrupted" and "killed (SIGKILL)" in last["error"]

    # `scheduler run` itself killed with its job, as `docker kill` would: the next run says so
    process = scheduler(project, "run", "ingest", start_new_session=True)
    wait_for(lambda: (status(project).get("running") or {}).get("job") == "ingest", what="a job")
    job_pid = status(project)["running"]["job_pid"]
    os.killpg(process.pid, signal.SIGKILL)
    os.killpg(job_pid, signal.SIGKILL)
    process.communicate(timeout=30)
    write_schedules(project, {"ingest": ingest_job(replay)})
    output, _ = scheduler(project, "run", "ingest").communicate(timeout=300)
    assert "ingest (started " in output and "was interrupted" in output
    assert status(project)["jobs"]["ingest"]["last_run"]["result"] == "succeeded"
