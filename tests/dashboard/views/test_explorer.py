"""The player explorer: its dropdown options, its player card and figures."""

from __future__ import annotations

from nba_cluster.dashboard.views import explorer
from nba_cluster.dashboard.views.explorer_figures import career_figure, player_profile_figure
from tests.dashboard import fakes


def test_player_option_keeps_the_servers_matches_through_the_client_filter():
    snapshot = fakes.snapshot()
    option = explorer.player_option(snapshot, 203999, "Jokic")
    assert option["value"] == 203999
    assert option["label"].startswith("Nikola Jokić (2003-04")
    # Dash's dropdown filters options by substrings of label and search, lower-cased
    for typed in ("jokic", "jokić", "nikola"):
        assert typed in option["search"]


def test_a_player_seasons_card_and_figures_build():
    snapshot = fakes.snapshot()
    row = snapshot.player_season(203999, "2004-05")
    player_profile_figure(snapshot, row)
    career_figure(snapshot, snapshot.player_seasons(203999), "2004-05")
    assert "Jokić" in str(explorer.player_card(snapshot, row))


def test_the_player_card_shows_a_hybrid_with_both_shares():
    snapshot = fakes.snapshot()
    hybrid = str(explorer.player_card(snapshot, snapshot.player_season(*fakes.HYBRID)))
    assert "Pass-first point guard / Rim protector, 0.55 / 0.35" in hybrid
    firm = str(explorer.player_card(snapshot, snapshot.player_season(203999, "2003-04")))
    assert "Pass-first point guard, 0.90" in firm
