"""The page's shell."""

from __future__ import annotations

from nba_cluster.dashboard import layout
from nba_cluster.dashboard.components import Links
from tests.dashboard import fakes


def test_the_page_builds_with_every_tab():
    snapshot = fakes.snapshot()
    page = layout.build(snapshot, Links())
    assert "tabs" in str(page)
