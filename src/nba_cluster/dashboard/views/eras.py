"""The eras: each role's share of the league season by season, on one axis (a switch)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from nba_cluster.clustering.columns import AXIS_COLUMNS
from nba_cluster.dashboard import bounds
from nba_cluster.dashboard.components import (
    GRAPH_CONFIG,
    GRID,
    Links,
    axis_switch,
    base_layout,
    card,
)
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.store import DataStore


def era_shares(frame: pd.DataFrame, weight: str = "count", axis: str = "offense") -> pd.DataFrame:
    """Share (%) of each role per season: rows are seasons, columns role ids of ``axis``.
    ``weight="minutes"`` weighs player-seasons by minutes played instead of counting them."""
    values = (frame["MIN"] + frame["PLAYOFF_MIN"].fillna(0)) if weight == "minutes" else 1.0
    table = (
        frame.assign(_W=values)
        .pivot_table(index="SEASON", columns=AXIS_COLUMNS[axis]["ID"], values="_W", aggfunc="sum")
        .fillna(0.0)
        .sort_index()
    )
    return table.div(table.sum(axis=1), axis=0) * 100.0


def eras_figure(snapshot: Snapshot, weight: str = "count", axis: str = "offense") -> go.Figure:
    view = snapshot.axis(axis)
    shares = era_shares(snapshot.archetypes, weight, view.axis)
    # a season under way is one of the eras, labelled with the last day its data covers
    shares.index = [snapshot.season_label(season) for season in shares.index]
    figure = go.Figure()
    for archetype in view.archetype_order:
        if archetype not in shares:
            continue
        figure.add_trace(
            go.Scatter(
                x=shares.index.tolist(),
                y=shares[archetype].round(2).to_numpy(),
                name=view.archetype_names[archetype],
                stackgroup="eras",
                mode="lines",
                line={"width": 0.8, "color": view.colors[archetype]},
                hovertemplate="%{x} · "
                + view.archetype_names[archetype]
                + ": %{y:.1f}%<extra></extra>",
            )
        )
    figure.update_layout(
        base_layout(
            height=520,
            hovermode="x unified",
            yaxis={
                "title": {
                    "text": "share of minutes played"
                    if weight == "minutes"
                    else "share of player-seasons"
                },
                "ticksuffix": "%",
                "range": [0, 100],
                "gridcolor": GRID,
            },
            xaxis={"type": "category", "tickangle": -45, "gridcolor": GRID},
            legend={
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.02,
                "x": 0,
                "traceorder": "normal",
            },
            margin={"l": 60, "r": 10, "t": 40, "b": 70},
        )
    )
    for season in snapshot.partial_seasons:
        figure.add_annotation(
            x=snapshot.season_label(season),
            y=100,
            text="partial season",
            showarrow=False,
            yanchor="bottom",
            font={"size": 11},
        )
    return figure


def layout(snapshot: Snapshot, links: Links) -> html.Div:
    return card(
        html.Div(
            className="card-title-row",
            children=[
                html.H2("How the league's roles changed"),
                axis_switch("eras-axis", snapshot),
                dcc.RadioItems(
                    id="era-weight",
                    value="count",
                    inline=True,
                    className="radio",
                    options=[
                        {"label": "share of player-seasons", "value": "count"},
                        {"label": "share of minutes played", "value": "minutes"},
                    ],
                ),
            ],
        ),
        html.P(
            "Roles are defined on era-adjusted rates (z-scores within each season), "
            "so a share says how many players filled that role relative to their own "
            "league, not how the raw numbers moved (three-point volume rose for everyone).",
            className="hint",
        ),
        dcc.Graph(id="eras", config=GRAPH_CONFIG),
    )


def register(app, store: DataStore) -> None:
    @app.callback(
        Output("eras", "figure"), Input("era-weight", "value"), Input("eras-axis", "value")
    )
    def update_eras(weight, axis):
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        return eras_figure(snapshot, weight or "count", bounds.text(axis) or "offense")
