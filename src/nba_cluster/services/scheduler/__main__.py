import sys

from nba_cluster.services.scheduler.scheduler import main

sys.exit(main())
