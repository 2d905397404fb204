from nba_cluster.services.scheduler.scheduler import *  # noqa: F403
