"""The stats.nba.com client's HTTP policy."""

import pytest

from nba_cluster.nba_stats.client import HttpPolicy


def test_worst_case_bounds_retries():
    policy = HttpPolicy(
        timeout_seconds=2, max_attempts=3, backoff_initial_seconds=1, backoff_max_seconds=3
    )
    # 3 timeouts plus waits of at most 1+1 and min(2+1, 3) seconds
    assert policy.worst_case_seconds() == pytest.approx(6 + 2 + 3)
