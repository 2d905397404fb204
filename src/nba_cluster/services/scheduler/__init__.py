"""Run the pipelines on cron schedules: the ``scheduler`` service of the compose stacks.

    python -m nba_cluster.services.scheduler              # run the schedules until stopped
    python -m nba_cluster.services.scheduler run refresh  # run one job now (after a running one)
    python -m nba_cluster.services.scheduler status       # print the status the dashboard reads

Schedules live in ``conf/<env>/schedules.yml`` (cron syntax through croniter, in UTC; a sixth
field gives seconds). Each job is a ``kedro run`` in a child process: the scheduler itself stays
small while idle (no pandas, scikit-learn or MLflow loaded), every run starts from a clean
interpreter (kedro-mlflow keeps process-wide state), and a job that crashes or runs out of
memory takes only itself down. One job runs at a time, under an exclusive ``flock`` on a file
next to the status: the kernel releases it when its holder dies, so a crash leaves no stale
lock. With the status in a bucket (``KEDRO_ENV=cloud``) the lock is an object lease beside it
(``datasets.object_lease``: expires when its holder stops renewing it), so jobs on different
hosts never overlap either; a job that finds it held waits, and the status says so
(``waiting``). A failed job is logged and recorded, and runs again at its next tick; the
pipelines write atomically and never replace good raw data, so a failure overwrites nothing.
The status (what runs, each job's last run and result, its next run) is written atomically
through the catalog's ``scheduler_status`` entry; the dashboard shows it.
"""

from nba_cluster.services.scheduler.jobs import Job, ScheduleError, load_schedules, schedules_config
from nba_cluster.services.scheduler.scheduler import Scheduler
from nba_cluster.services.scheduler.status import StatusFile

__all__ = ["Job", "ScheduleError", "Scheduler", "StatusFile", "load_schedules", "schedules_config"]
