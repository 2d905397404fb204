"""The explorer's figures: a player-season against his archetype's centroid and the league,
and his archetype over his career."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nba_cluster.dashboard.components import GRID, HIGHLIGHT, MUTED, base_layout, feature_label
from nba_cluster.dashboard.snapshot import Snapshot


def player_profile_figure(snapshot: Snapshot, row: pd.Series) -> go.Figure:
    """The player-season's z-scores against his archetype's centroid and the league (0)."""
    archetype = int(row["ARCHETYPE_ID"])
    features = snapshot.features
    labels = [feature_label(c) for c in features]
    player = row[features].astype(float).to_numpy()
    centroid = snapshot.profile_table.loc[archetype, features].to_numpy(dtype=float)
    color = snapshot.colors[archetype]
    figure = go.Figure()
    # a thin segment from the archetype's value to the player's, per feature
    segments_x, segments_y = [], []
    for label, p, c in zip(labels, player, centroid, strict=True):
        segments_x += [c, p, None]
        segments_y += [label, label, None]
    figure.add_trace(
        go.Scatter(
            x=segments_x,
            y=segments_y,
            mode="lines",
            hoverinfo="skip",
            line={"color": "#9aa5b1", "width": 2},
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=centroid.round(2),
            y=labels,
            mode="markers",
            name=f"{row['ARCHETYPE_NAME']} (centroid)",
            marker={
                "symbol": "diamond",
                "size": 12,
                "color": "#ffffff",
                "line": {"color": color, "width": 2.5},
            },
            hovertemplate="%{y}: %{x:+.2f} (archetype)<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=player.round(2),
            y=labels,
            mode="markers",
            name=f"{row['PLAYER_NAME']} {row['SEASON']}",
            marker={"size": 13, "color": color, "line": {"color": HIGHLIGHT, "width": 1}},
            hovertemplate="%{y}: %{x:+.2f}<extra>" + str(row["PLAYER_NAME"]) + "</extra>",
        )
    )
    figure.add_vline(
        x=0,
        line={"color": MUTED, "width": 1, "dash": "dot"},
        annotation_text="league average",
        annotation_position="top",
        annotation_font={"size": 11, "color": MUTED},
    )
    reach = float(np.nanmax(np.abs(np.concatenate([player, centroid, [2.0]])))) + 0.4
    figure.update_layout(
        base_layout(
            height=80 + 30 * len(features),
            xaxis={
                "range": [-reach, reach],
                "zeroline": False,
                "gridcolor": GRID,
                "title": {
                    "text": "standard deviations from the season's league average",
                    "font": {"size": 12, "color": MUTED},
                },
            },
            yaxis={"autorange": "reversed", "gridcolor": GRID},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
            margin={"l": 10, "r": 20, "t": 50, "b": 50},
        )
    )
    return figure


def career_figure(snapshot: Snapshot, career: pd.DataFrame, season: str | None) -> go.Figure:
    """The player's archetype season by season; marker size = minutes played."""
    order = [snapshot.archetype_names[a] for a in snapshot.archetype_order]
    minutes = (career["MIN"] + career["PLAYOFF_MIN"].fillna(0)).to_numpy()
    selected = (career["SEASON"].astype(str) == str(season)).to_numpy()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=career["SEASON"].tolist(),
            y=career["ARCHETYPE_NAME"].tolist(),
            mode="lines",
            line={"color": "#cbd2d9", "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=career["SEASON"].tolist(),
            y=career["ARCHETYPE_NAME"].tolist(),
            mode="markers",
            marker={
                "size": np.clip(6 + minutes / 160.0, 8, 26).round(1),
                "color": [snapshot.colors[int(a)] for a in career["ARCHETYPE_ID"]],
                "line": {
                    "color": np.where(selected, HIGHLIGHT, "#ffffff").tolist(),
                    "width": np.where(selected, 3, 1).tolist(),
                },
            },
            customdata=np.column_stack(
                [
                    career["TEAM_ABBREVIATION"].fillna("").astype(str),
                    (career["CONFIDENCE"] * 100).round(0),
                    minutes.round(0),
                ]
            ),
            hovertemplate="%{x} · %{customdata[0]}<br><b>%{y}</b> (confidence %{customdata[1]}%)"
            "<br>%{customdata[2]} minutes<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_layout(
        base_layout(
            height=110 + 34 * len(order),
            yaxis={
                "categoryorder": "array",
                "categoryarray": order,
                "range": [-0.6, len(order) - 0.4],
                "gridcolor": GRID,
            },
            xaxis={"type": "category", "tickangle": -45, "gridcolor": GRID},
            margin={"l": 10, "r": 10, "t": 10, "b": 60},
        )
    )
    return figure
