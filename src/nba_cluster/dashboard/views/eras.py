"""The eras: each archetype's share of the league season by season."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from nba_cluster.dashboard.components import GRAPH_CONFIG, GRID, Links, base_layout, card
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.store import DataStore


def era_shares(frame: pd.DataFrame, weight: str = "count") -> pd.DataFrame:
    """Share (%) of each archetype per season: rows are seasons, columns archetype ids.
    ``weight="minutes"`` weighs player-seasons by minutes played instead of counting them."""
    values = (frame["MIN"] + frame["PLAYOFF_MIN"].fillna(0)) if weight == "minutes" else 1.0
    table = (
        frame.assign(_W=values)
        .pivot_table(index="SEASON", columns="ARCHETYPE_ID", values="_W", aggfunc="sum")
        .fillna(0.0)
        .sort_index()
    )
    return table.div(table.sum(axis=1), axis=0) * 100.0


def eras_figure(snapshot: Snapshot, weight: str = "count") -> go.Figure:
    shares = era_shares(snapshot.archetypes, weight)
    # a season under way is one of the eras, labelled with the last day its data covers
    shares.index = [snapshot.season_label(season) for season in shares.index]
    figure = go.Figure()
    for archetype in snapshot.archetype_order:
        if archetype not in shares:
            continue
        figure.add_trace(
            go.Scatter(
                x=shares.index.tolist(),
                y=shares[archetype].round(2).to_numpy(),
                name=snapshot.archetype_names[archetype],
                stackgroup="eras",
                mode="lines",
                line={"width": 0.8, "color": snapshot.colors[archetype]},
                hovertemplate="%{x} · "
                + snapshot.archetype_names[archetype]
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
            "Archetypes are defined on era-adjusted rates (z-scores within each season), "
            "so a share says how many players filled that role relative to their own "
            "league, not how the raw numbers moved (three-point volume rose for everyone).",
            className="hint",
        ),
        dcc.Graph(id="eras", config=GRAPH_CONFIG),
    )


def register(app, store: DataStore) -> None:
    @app.callback(Output("eras", "figure"), Input("era-weight", "value"))
    def update_eras(weight):
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        return eras_figure(snapshot, weight or "count")
