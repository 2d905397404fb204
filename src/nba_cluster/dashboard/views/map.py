"""The role map: every player-season at its place in one axis's 2-D projection (the
offensive or the defensive role, a switch), filtered by seasons and roles, with the selected
player's career drawn as a path."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from nba_cluster.dashboard import bounds
from nba_cluster.dashboard.components import (
    EN_DASH,
    GRAPH_CONFIG,
    GRID,
    HIGHLIGHT,
    Links,
    axis_switch,
    base_layout,
    swatch,
)
from nba_cluster.dashboard.snapshot import AxisView, Snapshot
from nba_cluster.dashboard.store import DataStore
from nba_cluster.features.table import AXES

MAP_HOVER = (
    "<b>%{text}</b><br>%{hovertext}<br>"
    "PTS %{customdata[2]:.1f} · REB %{customdata[3]:.1f} · AST %{customdata[4]:.1f} per 36<br>"
    "TS %{customdata[5]:.1f}% · 3PA share %{customdata[6]:.0f}%<extra></extra>"
)


def season_marks(seasons: tuple[str, ...], count: int = 3) -> dict:
    """A handful of evenly spaced season labels under the slider, the last season included."""
    last = len(seasons) - 1
    step = max(1, math.ceil(len(seasons) / count))
    ticks = [i for i in range(0, last, step) if last - i >= step / 2] + [last]
    return {i: {"label": seasons[i]} for i in ticks}


# Each axis's role filter: the offensive one is the archetype filter the URL carries (arch=).
FILTER_IDS = {"offense": "archetype-filter", "defense": "defensive-filter"}


def role_options(view: AxisView) -> list[dict]:
    return [
        {
            "label": html.Span(
                [swatch(view.colors[a]), view.archetype_names[a]], className="check-label"
            ),
            "value": a,
        }
        for a in view.archetype_order
    ]


def role_filters(snapshot: Snapshot) -> list:
    """A checklist per axis, the offensive one shown first (the switch shows the other);
    both exist whatever the labels hold, as the callbacks read both."""
    return [
        html.Div(
            dcc.Checklist(
                id=FILTER_IDS[axis],
                options=role_options(snapshot.axis(axis)),
                value=list(snapshot.axis(axis).archetype_order),
                className="checklist",
            ),
            id=f"{FILTER_IDS[axis]}-box",
            style=None if axis == "offense" else {"display": "none"},
        )
        for axis in AXES
    ]


def layout(snapshot: Snapshot, links: Links) -> html.Div:
    seasons = snapshot.seasons
    return html.Div(
        className="with-sidebar",
        children=[
            html.Aside(
                className="sidebar card",
                children=[
                    html.H3("Role"),
                    axis_switch("map-axis", snapshot),
                    html.H3("Seasons"),
                    html.Div(id="season-range-label", className="range-label"),
                    html.Div(
                        className="slider",
                        children=dcc.RangeSlider(
                            id="season-range",
                            min=0,
                            max=len(seasons) - 1,
                            step=1,
                            value=[0, len(seasons) - 1],
                            marks=season_marks(seasons),
                            allowCross=False,
                            allow_direct_input=False,
                            updatemode="mouseup",
                        ),
                    ),
                    html.H3("Roles"),
                    *role_filters(snapshot),
                    html.P(
                        "Each point is one player-season, placed by the champion model's 2-D "
                        "projection of the role chosen above: nearby points play alike on "
                        "that side of the ball. Hover for stats; click a point to open it in "
                        "the player explorer.",
                        className="hint",
                    ),
                ],
            ),
            html.Div(
                className="main card",
                children=[
                    html.Div(id="map-summary", className="summary"),
                    dcc.Graph(
                        id="map",
                        config={**GRAPH_CONFIG, "scrollZoom": True, "responsive": True},
                        className="map-graph",
                        style={"height": "660px"},
                    ),
                ],
            ),
        ],
    )


def typed_array(values: np.ndarray) -> dict:
    """plotly.js's base64 typed-array form, which plotly.py 6+ also sends for numpy data.

    The map is built as a plain dict rather than through ``go.Figure``: validating ~10,000
    points per trace on every filter change costs more than the rest of the callback.
    """
    values = np.ascontiguousarray(values)
    spec = {
        "dtype": values.dtype.str.lstrip("<|="),
        "bdata": base64.b64encode(values.tobytes()).decode("ascii"),
    }
    if values.ndim > 1:
        spec["shape"] = ",".join(str(n) for n in values.shape)
    return spec


def map_figure(
    snapshot: Snapshot,
    season_range: tuple[int, int],
    archetypes: Iterable[int],
    *,
    player: int | None = None,
    season: str | None = None,
    axis: str = "offense",
) -> tuple[dict, int]:
    """One axis's role map: one WebGL trace per role (legend = colour key), plus the
    selected player's career path. Returns the figure and the number of points shown."""
    view = snapshot.axis(axis)
    arrays = view.map_arrays
    low, high = season_range
    shown = (snapshot.season_index >= low) & (snapshot.season_index <= high)
    wanted = set(int(a) for a in archetypes)
    traces, count = [], 0
    for archetype in view.archetype_order:
        rows = shown & (arrays["archetype"] == archetype) if archetype in wanted else None
        n = int(rows.sum()) if rows is not None else 0
        count += n
        traces.append(
            {
                "type": "scattergl",
                "mode": "markers",
                "name": view.archetype_names[archetype],
                "meta": {"archetype": archetype, "axis": view.axis},
                "x": typed_array(arrays["x"][rows] if n else np.zeros(0, np.float32)),
                "y": typed_array(arrays["y"][rows] if n else np.zeros(0, np.float32)),
                "text": arrays["text"][rows].tolist() if n else [],
                "hovertext": arrays["membership"][rows].tolist() if n else [],
                "customdata": arrays["customdata"][rows] if n else [],
                "marker": {
                    "color": view.colors[archetype],
                    "size": 6,
                    "opacity": 0.6,
                    "line": {"width": 0},
                },
                "hovertemplate": MAP_HOVER,
                "visible": True if n else "legendonly",
            }
        )
    if player is not None:
        career = snapshot.player_seasons(player)
        if not career.empty:
            traces.append(_career_path(view, career, season))
    figure_layout = base_layout(
        xaxis={
            "title": {"text": "Map axis 1"},
            "showticklabels": False,
            "zeroline": False,
            "gridcolor": GRID,
            "showline": False,
        },
        yaxis={
            "title": {"text": "Map axis 2"},
            "showticklabels": False,
            "zeroline": False,
            "gridcolor": GRID,
            "scaleanchor": None,
        },
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.01,
            "x": 0,
            "itemsizing": "constant",
            "font": {"size": 13},
        },
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        hovermode="closest",
        dragmode="pan",
        uirevision="map",  # keep zoom and pan across filter changes
        modebar={"orientation": "v"},  # on the right edge, clear of the legend
    )
    return {"data": traces, "layout": figure_layout}, count


def _career_path(view: AxisView, career: pd.DataFrame, season: str | None) -> dict:
    columns = view.columns
    selected = (career["SEASON"].astype(str) == str(season)).to_numpy()
    sizes = np.where(selected, 18, 9).tolist()
    return {
        "type": "scatter",
        "mode": "lines+markers+text",
        "name": "Selected player",
        "meta": {"career": True},
        "showlegend": False,
        "x": career[columns["MAP_X"]].round(4).tolist(),
        "y": career[columns["MAP_Y"]].round(4).tolist(),
        "text": [s[2:] if sel else "" for s, sel in zip(career["SEASON"], selected, strict=True)],
        "textposition": "top center",
        "textfont": {"size": 12, "color": HIGHLIGHT},
        "hovertext": [
            f"{n}<br>{s} · {a}"
            for n, s, a in zip(
                career["PLAYER_NAME"], career["SEASON"], career[columns["NAME"]], strict=True
            )
        ],
        "hoverinfo": "text",
        # clickable like the other points: [player id, season start year]
        "customdata": [
            [int(p), int(str(s)[:4])]
            for p, s in zip(career["PLAYER_ID"], career["SEASON"], strict=True)
        ],
        "line": {"color": HIGHLIGHT, "width": 1.5},
        "marker": {
            "size": sizes,
            "color": [view.colors[int(a)] for a in career[columns["ID"]]],
            "line": {"color": HIGHLIGHT, "width": 2},
            "symbol": "circle",
        },
    }


def season_of_year(snapshot: Snapshot, year) -> str | None:
    prefix = str(int(float(year)))
    return next((s for s in snapshot.seasons if s.startswith(prefix)), None)


def clicked_player_season(snapshot: Snapshot, click: dict | None) -> tuple[int, str] | None:
    """(player id, season) of a clicked map point: its customdata starts with both."""
    try:
        data = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return None
    if isinstance(data, dict):  # a typed-array row serialised by index
        data = [data[k] for k in sorted(data, key=int)]
    if not data or len(data) < 2:
        return None
    season = season_of_year(snapshot, data[1])
    return (round(float(data[0])), season) if season else None


def register(app, store: DataStore) -> None:
    @app.callback(
        Output("archetype-filter-box", "style"),
        Output("defensive-filter-box", "style"),
        Input("map-axis", "value"),
    )
    def show_axis_filter(axis):
        hidden = {"display": "none"}
        return (hidden, None) if axis == "defense" else (None, hidden)

    @app.callback(
        Output("map", "figure"),
        Output("map-summary", "children"),
        Output("season-range-label", "children"),
        Input("season-range", "value"),
        Input("archetype-filter", "value"),
        Input("player", "value"),
        Input("season", "value"),
        Input("map-axis", "value"),
        Input("defensive-filter", "value"),
    )
    def update_map(season_range, archetypes, player, season, axis, defensive_roles):  # noqa: PLR0917
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        seasons = snapshot.seasons
        low, high = bounds.season_range(season_range, len(seasons))
        view = snapshot.axis(bounds.text(axis))
        roles = bounds.integer_list(defensive_roles if view.axis == "defense" else archetypes)
        player, season = bounds.player_id(player), bounds.text(season)
        figure, count = map_figure(
            snapshot,
            (low, high),
            roles if roles is not None else view.archetype_order,
            player=player if player is not None and int(player) in snapshot.player_rows else None,
            season=season,
            axis=view.axis,
        )
        last = snapshot.season_label(seasons[high])
        span = last if low == high else f"{seasons[low]}{EN_DASH}{last}"
        total = len(snapshot.archetypes)
        # plain strings only: a response without components goes straight to orjson, which
        # makes this ~10k-point callback several times cheaper to serialise
        summary = f"{count:,} of {total:,} player-seasons · {span}"
        if player is not None and snapshot.player_name(player):
            summary += f" · career path of {snapshot.player_name(player)}"
        return figure, summary, span
