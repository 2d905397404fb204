"""The jobs of ``conf/<env>/schedules.yml``: cron expressions (croniter, UTC; a sixth field
gives seconds) and the ``kedro run`` each one starts."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from croniter import croniter
from kedro.config import OmegaConfigLoader
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nba_cluster.framework.config import project_config


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


def schedules_config(project: Path, env: str | None = None) -> OmegaConfigLoader:
    """The project's configuration with ``schedules.yml`` (``conf/base``, then ``conf/<env>``)."""
    return project_config(project, env, schedules=["schedules*", "schedules*/**"])


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
