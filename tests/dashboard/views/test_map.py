"""The archetype map: its figure and its clicks."""

from __future__ import annotations

import numpy as np

from nba_cluster.dashboard.views import map as map_view
from tests.dashboard import fakes


def test_map_figure_counts_the_filtered_points():
    snapshot = fakes.snapshot()
    figure, count = map_view.map_figure(snapshot, (0, 2), [0, 1, 2])
    assert count == len(snapshot.archetypes)
    figure, count = map_view.map_figure(snapshot, (1, 1), [1])
    expected = snapshot.archetypes.query("SEASON == '2004-05' and ARCHETYPE_ID == 1")
    assert count == len(expected) == 2
    shown = [t for t in figure["data"] if t["visible"] is True]
    assert [t["name"] for t in shown] == ["Pass-first point guard"]
    assert sorted(t[0] for t in shown[0]["customdata"].tolist()) == sorted(expected["PLAYER_ID"])
    # with a player selected, his career path is drawn on top
    figure, _ = map_view.map_figure(snapshot, (0, 2), [0, 1, 2], player=977, season="2004-05")
    assert figure["data"][-1]["meta"] == {"career": True}
    assert len(figure["data"][-1]["x"]) == 3


def test_typed_array_matches_plotly_form():
    spec = map_view.typed_array(np.array([[1, 2], [3, 4]], dtype=np.float32))
    assert spec["dtype"] == "f4"
    assert spec["shape"] == "2,2"


def test_a_clicked_map_point_names_its_player_season():
    snapshot = fakes.snapshot()
    click = {"points": [{"curveNumber": 0, "pointNumber": 3, "customdata": [977.0, 2004.0, 25.1]}]}
    assert map_view.clicked_player_season(snapshot, click) == (977, "2004-05")
    by_index = {"points": [{"customdata": {"0": 406, "1": 2005}}]}
    assert map_view.clicked_player_season(snapshot, by_index) == (406, "2005-06")
    assert map_view.clicked_player_season(snapshot, {"points": [{"x": 1}]}) is None
    assert map_view.clicked_player_season(snapshot, None) is None


def test_the_map_hover_names_a_hybrids_two_archetypes():
    snapshot = fakes.snapshot()
    figure, _ = map_view.map_figure(snapshot, (1, 1), [1])
    (trace,) = [t for t in figure["data"] if t["visible"] is True]
    by_player = dict(zip((row[0] for row in trace["customdata"].tolist()), trace["hovertext"],
                         strict=True))  # fmt: skip
    assert by_player[fakes.HYBRID[0]] == "Pass-first point guard / Rim protector, 0.55 / 0.35"
    assert "%{hovertext}" in trace["hovertemplate"]
