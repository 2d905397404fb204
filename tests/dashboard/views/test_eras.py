"""The eras: archetype shares season by season."""

from __future__ import annotations

import pytest

from nba_cluster.dashboard.views.eras import era_shares, eras_figure
from tests.dashboard import fakes


def test_era_shares_sum_to_100_per_season():
    snapshot = fakes.snapshot()
    for weight in ("count", "minutes"):
        shares = era_shares(snapshot.archetypes, weight)
        assert list(shares.index) == list(fakes.SEASONS)
        assert shares.sum(axis=1).round(6).eq(100).all()
    counts = era_shares(snapshot.archetypes, "count")
    # 2003-04: Jason Kidd, Nash and Jokić are 3 of 7 player-seasons (Towns starts a year later)
    assert counts.loc["2003-04", 1] == pytest.approx(100 * 3 / 7)


def test_the_eras_figure_builds_by_minutes():
    snapshot = fakes.snapshot()
    eras_figure(snapshot, "minutes")
