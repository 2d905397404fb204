"""The archetypes: what each one looks like (its centroid) and who plays it most typically."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from nba_cluster.dashboard.components import (
    STATIC_GRAPH_CONFIG,
    Links,
    base_layout,
    card,
    feature_label,
    open_player_button,
)
from nba_cluster.dashboard.snapshot import Snapshot


def representative_players(frame: pd.DataFrame, archetype_id: int, n: int = 5) -> pd.DataFrame:
    """The archetype's most typical players: its player-seasons closest to the centroid among
    those with at least the archetype's median minutes (regular season plus playoffs), one
    season per player."""
    members = frame[frame["ARCHETYPE_ID"] == archetype_id]
    if members.empty:
        return members
    minutes = members["MIN"] + members["PLAYOFF_MIN"].fillna(0)
    regulars = members[minutes >= minutes.median()]
    best = regulars.sort_values("CENTROID_DISTANCE", kind="stable").drop_duplicates("PLAYER_ID")
    return best.head(n)


def hybrid_summary(frame: pd.DataFrame, archetype_id: int) -> str:
    """How many of the archetype's player-seasons are hybrids, and with which archetype most
    often; empty for labels without soft membership (models registered before it)."""
    members = frame[frame["ARCHETYPE_ID"] == archetype_id]
    if members.empty or "HYBRID_NAME" not in members:
        return ""
    hybrids = members[members["HYBRID_NAME"] != members["ARCHETYPE_NAME"]]
    if hybrids.empty:
        return "No hybrids: its members are firmly in it."
    partner = hybrids["RUNNER_UP_NAME"].value_counts().index[0]
    return f"{len(hybrids) / len(members):.0%} hybrids, most often with {partner}."


def signature_traits(profile: pd.Series, n: int = 3) -> list[tuple[str, float]]:
    """The centroid's strongest deviations from the league average, as (label, z)."""
    values = profile.astype(float).dropna()
    top = values.reindex(values.abs().sort_values(ascending=False).index).head(n)
    return [(feature_label(column), float(z)) for column, z in top.items()]


def profile_heatmap(snapshot: Snapshot) -> go.Figure:
    """Archetype centroids: rows = archetypes, columns = model features (era-adjusted z)."""
    table = snapshot.profile_table
    names = [snapshot.archetype_names[a] for a in table.index]
    labels = [feature_label(c) for c in table.columns]
    figure = go.Figure(
        go.Heatmap(
            z=table.to_numpy().round(2),
            x=labels,
            y=names,
            zmid=0,
            zmin=-2,
            zmax=2,
            colorscale="RdBu_r",
            texttemplate="%{z:.1f}",
            textfont={"size": 12},
            hovertemplate="<b>%{y}</b><br>%{x}: %{z:+.2f} SD vs league<extra></extra>",
            colorbar={"title": {"text": "z", "side": "top"}, "thickness": 12, "len": 0.9},
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        base_layout(
            height=90 + 42 * len(names),
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"side": "top", "tickangle": -35},
            yaxis={"autorange": "reversed"},
        )
    )
    return figure


def layout(snapshot: Snapshot, links: Links) -> html.Div:
    total = len(snapshot.archetypes)
    sizes = snapshot.archetypes["ARCHETYPE_ID"].value_counts()
    cards = []
    for archetype in snapshot.archetype_order:
        size = int(sizes.get(archetype, 0))
        traits = signature_traits(snapshot.profile_table.loc[archetype], n=4)
        best = representative_players(snapshot.archetypes, archetype, n=5)
        cards.append(
            card(
                html.Div(
                    className="archetype-card-bar",
                    style={"backgroundColor": snapshot.colors[archetype]},
                ),
                html.H3(snapshot.archetype_names[archetype]),
                html.P(
                    f"{size:,} player-seasons · {100 * size / max(total, 1):.0f}%",
                    className="muted",
                ),
                html.P(hybrid_summary(snapshot.archetypes, archetype), className="muted hybrids"),
                html.Ul(
                    [
                        html.Li(
                            [
                                html.Span(label),
                                html.Span(
                                    f"{z:+.1f}", className="trait-up" if z > 0 else "trait-down"
                                ),
                            ],
                            className="trait",
                        )
                        for label, z in traits
                    ],
                    className="traits",
                ),
                html.H4("Most representative"),
                html.Ol(
                    [
                        html.Li(
                            [
                                open_player_button(
                                    row.PLAYER_ID,
                                    row.SEASON,
                                    row.PLAYER_NAME,
                                    src=f"rep-{archetype}",
                                ),
                                html.Span(row.SEASON, className="muted season-tag"),
                            ]
                        )
                        for row in best.itertuples()
                    ],
                    className="representatives",
                ),
                className="archetype-card",
            )
        )
    return html.Div(
        [
            card(
                html.H2("What each archetype looks like"),
                html.P(
                    "Centroid of each archetype in era-adjusted z-scores: how many standard "
                    "deviations above (red) or below (blue) the league average of the same "
                    "season its player-seasons sit, on each feature the model uses.",
                    className="hint",
                ),
                dcc.Graph(
                    id="profile-heatmap",
                    figure=profile_heatmap(snapshot),
                    config=STATIC_GRAPH_CONFIG,
                ),
            ),
            html.Div(cards, className="card-grid"),
            html.P(
                "Most representative: closest to the archetype's centre among its player-seasons "
                "with at least the archetype's median minutes, one season per player.",
                className="hint",
            ),
        ]
    )
