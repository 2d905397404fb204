"""``python -m nba_cluster.services.scheduler``: see the package's docstring."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import warnings
from pathlib import Path

from nba_cluster.services import scheduler as scheduler_package
from nba_cluster.services.scheduler.jobs import ScheduleError, load_schedules, schedules_config
from nba_cluster.services.scheduler.scheduler import Scheduler
from nba_cluster.services.scheduler.status import StatusFile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=scheduler_package.__doc__.split("\n\n")[0])
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
    config = schedules_config(project, args.env)
    try:
        jobs = load_schedules(config)
    except ScheduleError as error:
        parser.error(str(error))
    status = StatusFile(project, config)
    if args.command == "status":
        print(json.dumps(status.read(), indent=2, sort_keys=True))
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
