"""The roles of each axis (a switch): what each one looks like (its centroid), who plays it
most typically, and its best-known members."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from nba_cluster.clustering.columns import AXIS_COLUMNS, AXIS_TITLES
from nba_cluster.dashboard.components import (
    STATIC_GRAPH_CONFIG,
    Links,
    axis_switch,
    base_layout,
    card,
    feature_label,
    open_player_button,
)
from nba_cluster.dashboard.snapshot import AxisView, Snapshot
from nba_cluster.features.table import AXES

BEST_KNOWN_MIN_SHARE = 0.9  # a confident member: the model puts him firmly in the role
ERA_COUNT = 3


def representative_players(
    frame: pd.DataFrame, archetype_id: int, n: int = 5, axis: str = "offense"
) -> pd.DataFrame:
    """The role's most typical players: its player-seasons closest to the centroid among
    those with at least the role's median minutes (regular season plus playoffs), one season
    per player."""
    columns = AXIS_COLUMNS[axis]
    members = frame[frame[columns["ID"]] == archetype_id]
    if members.empty:
        return members
    minutes = members["MIN"] + members["PLAYOFF_MIN"].fillna(0)
    regulars = members[minutes >= minutes.median()]
    best = regulars.sort_values(columns["CENTROID_DISTANCE"], kind="stable")
    return best.drop_duplicates("PLAYER_ID").head(n)


def best_known_players(
    frame: pd.DataFrame, archetype_id: int, seasons: tuple[str, ...], axis: str = "offense"
) -> pd.DataFrame:
    """The role's best-known members: in each of ``ERA_COUNT`` spans of the seasons, the
    player-season with the most minutes among its confident members (membership share at
    least ``BEST_KNOWN_MIN_SHARE``), each player once. Minutes stand for renown: stars play."""
    columns = AXIS_COLUMNS[axis]
    members = frame[
        (frame[columns["ID"]] == archetype_id)
        & (frame[columns["CONFIDENCE"]] >= BEST_KNOWN_MIN_SHARE)
    ]
    minutes = members["MIN"] + members["PLAYOFF_MIN"].fillna(0)
    by_minutes = members.assign(_M=minutes).sort_values("_M", ascending=False, kind="stable")
    picks, seen = [], set()
    for era in np.array_split(np.array(seasons, dtype=object), min(ERA_COUNT, len(seasons))):
        in_era = by_minutes[
            by_minutes["SEASON"].isin(list(era)) & ~by_minutes["PLAYER_ID"].isin(seen)
        ]
        if len(in_era):
            picks.append(in_era.iloc[0])
            seen.add(in_era["PLAYER_ID"].iloc[0])
    return pd.DataFrame(picks).drop(columns="_M", errors="ignore")


def hybrid_summary(frame: pd.DataFrame, archetype_id: int, axis: str = "offense") -> str:
    """How many of the role's player-seasons are hybrids, and with which role most often;
    empty for labels without soft membership (models registered before it)."""
    columns = AXIS_COLUMNS[axis]
    members = frame[frame[columns["ID"]] == archetype_id]
    if members.empty or columns["HYBRID_NAME"] not in members:
        return ""
    hybrids = members[members[columns["HYBRID_NAME"]] != members[columns["NAME"]]]
    if hybrids.empty:
        return "No hybrids: its members are firmly in it."
    partner = hybrids[columns["RUNNER_UP_NAME"]].value_counts().index[0]
    return f"{len(hybrids) / len(members):.0%} hybrids, most often with {partner}."


def signature_traits(profile: pd.Series, n: int = 3) -> list[tuple[str, float]]:
    """The centroid's strongest deviations from the league average, as (label, z)."""
    values = profile.astype(float).dropna()
    top = values.reindex(values.abs().sort_values(ascending=False).index).head(n)
    return [(feature_label(column), float(z)) for column, z in top.items()]


def profile_heatmap(view: AxisView) -> go.Figure:
    """One axis's role centroids: rows = roles, columns = its features (era-adjusted z)."""
    table = view.profile_table
    names = [view.archetype_names[a] for a in table.index]
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


def player_list(rows: pd.DataFrame, src: str, ordered: bool = True):
    items = [
        html.Li(
            [
                open_player_button(row.PLAYER_ID, row.SEASON, row.PLAYER_NAME, src=src),
                html.Span(row.SEASON, className="muted season-tag"),
            ]
        )
        for row in rows.itertuples()
    ]
    return (html.Ol if ordered else html.Ul)(items, className="representatives")


def role_card(snapshot: Snapshot, view: AxisView, archetype: int, sizes: pd.Series):
    frame, axis, total = snapshot.archetypes, view.axis, len(snapshot.archetypes)
    size = int(sizes.get(archetype, 0))
    traits = signature_traits(view.profile_table.loc[archetype], n=4)
    return card(
        html.Div(className="archetype-card-bar", style={"backgroundColor": view.colors[archetype]}),
        html.H3(view.archetype_names[archetype]),
        html.P(f"{size:,} player-seasons · {100 * size / max(total, 1):.0f}%", className="muted"),
        html.P(hybrid_summary(frame, archetype, axis), className="muted hybrids"),
        html.Ul(
            [
                html.Li(
                    [
                        html.Span(label),
                        html.Span(f"{z:+.1f}", className="trait-up" if z > 0 else "trait-down"),
                    ],
                    className="trait",
                )
                for label, z in traits
            ],
            className="traits",
        ),
        html.H4("Best known"),
        player_list(
            best_known_players(frame, archetype, snapshot.seasons, axis),
            f"known-{axis}-{archetype}",
            ordered=False,
        ),
        html.H4("Most representative"),
        player_list(
            representative_players(frame, archetype, n=5, axis=axis), f"rep-{axis}-{archetype}"
        ),
        className="archetype-card",
    )


def axis_section(snapshot: Snapshot, axis: str) -> html.Div:
    """One axis's heatmap and role cards; the switch shows one section at a time."""
    view = snapshot.axis(axis)
    sizes = snapshot.archetypes[view.columns["ID"]].value_counts()
    return html.Div(
        id=f"roles-{axis}",
        style=None if axis == "offense" else {"display": "none"},
        children=[
            card(
                html.H2(f"{AXIS_TITLES[axis]}s: what each one looks like"),
                html.P(
                    "Centroid of each role in era-adjusted z-scores: how many standard "
                    "deviations above (red) or below (blue) the league average of the same "
                    "season its player-seasons sit, on each feature this axis's model uses.",
                    className="hint",
                ),
                dcc.Graph(
                    id=f"profile-heatmap-{axis}" if axis != "offense" else "profile-heatmap",
                    figure=profile_heatmap(view),
                    config=STATIC_GRAPH_CONFIG,
                ),
            ),
            html.Div(
                [role_card(snapshot, view, a, sizes) for a in view.archetype_order],
                className="card-grid",
            ),
        ],
    )


def layout(snapshot: Snapshot, links: Links) -> html.Div:
    return html.Div(
        [
            html.Div(axis_switch("archetypes-axis", snapshot), className="card-title-row"),
            *(axis_section(snapshot, axis) for axis in AXES),
            html.P(
                "Best known: in each third of the seasons, the member with the most minutes "
                f"among those the model puts firmly in the role (share at least "
                f"{BEST_KNOWN_MIN_SHARE:g}). Most representative: closest to the role's "
                "centre among its player-seasons with at least the role's median minutes, one "
                "season per player.",
                className="hint",
            ),
        ]
    )


def register(app, store) -> None:
    @app.callback(
        *(Output(f"roles-{axis}", "style") for axis in AXES),
        Input("archetypes-axis", "value"),
    )
    def show_axis(axis):
        hidden = {"display": "none"}
        shown = axis if axis in AXES else "offense"
        return tuple(None if a == shown else hidden for a in AXES)
