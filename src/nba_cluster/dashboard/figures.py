"""Plotly figures, as pure functions of a snapshot and the view's settings."""

from __future__ import annotations

import base64
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nba_cluster.dashboard.data import Snapshot, era_shares, feature_label

FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
HIGHLIGHT = "#111827"


def base_layout(**overrides) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "bgcolor": "#ffffff"},
    }
    layout.update(overrides)
    return layout


def empty_figure(message: str) -> dict:
    return {
        "data": [],
        "layout": base_layout(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": message,
                    "showarrow": False,
                    "font": {"size": 15, "color": MUTED},
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                }
            ],
        ),
    }


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


MAP_HOVER = (
    "<b>%{text}</b><br>%{fullData.name}<br>"
    "PTS %{customdata[2]:.1f} · REB %{customdata[3]:.1f} · AST %{customdata[4]:.1f} per 36<br>"
    "TS %{customdata[5]:.1f}% · 3PA share %{customdata[6]:.0f}%<extra></extra>"
)


def map_figure(
    snapshot: Snapshot,
    season_range: tuple[int, int],
    archetypes: Iterable[int],
    player: int | None = None,
    season: str | None = None,
) -> tuple[dict, int]:
    """The archetype map: one WebGL trace per archetype (legend = colour key), plus the
    selected player's career path. Returns the figure and the number of points shown."""
    arrays = snapshot.map_arrays
    low, high = season_range
    shown = (snapshot.season_index >= low) & (snapshot.season_index <= high)
    wanted = set(int(a) for a in archetypes)
    traces, count = [], 0
    for archetype in snapshot.archetype_order:
        rows = shown & (arrays["archetype"] == archetype) if archetype in wanted else None
        n = int(rows.sum()) if rows is not None else 0
        count += n
        traces.append(
            {
                "type": "scattergl",
                "mode": "markers",
                "name": snapshot.archetype_names[archetype],
                "meta": {"archetype": archetype},
                "x": typed_array(arrays["x"][rows] if n else np.zeros(0, np.float32)),
                "y": typed_array(arrays["y"][rows] if n else np.zeros(0, np.float32)),
                "text": arrays["text"][rows].tolist() if n else [],
                "customdata": arrays["customdata"][rows] if n else [],
                "marker": {
                    "color": snapshot.colors[archetype],
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
            traces.append(_career_path(snapshot, career, season))
    layout = base_layout(
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
    return {"data": traces, "layout": layout}, count


def _career_path(snapshot: Snapshot, career: pd.DataFrame, season: str | None) -> dict:
    selected = (career["SEASON"].astype(str) == str(season)).to_numpy()
    sizes = np.where(selected, 18, 9).tolist()
    return {
        "type": "scatter",
        "mode": "lines+markers+text",
        "name": "Selected player",
        "meta": {"career": True},
        "showlegend": False,
        "x": career["MAP_X"].round(4).tolist(),
        "y": career["MAP_Y"].round(4).tolist(),
        "text": [s[2:] if sel else "" for s, sel in zip(career["SEASON"], selected, strict=True)],
        "textposition": "top center",
        "textfont": {"size": 12, "color": HIGHLIGHT},
        "hovertext": [
            f"{n}<br>{s} · {a}"
            for n, s, a in zip(
                career["PLAYER_NAME"], career["SEASON"], career["ARCHETYPE_NAME"], strict=True
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
            "color": [snapshot.colors[int(a)] for a in career["ARCHETYPE_ID"]],
            "line": {"color": HIGHLIGHT, "width": 2},
            "symbol": "circle",
        },
    }


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


def eras_figure(snapshot: Snapshot, weight: str = "count") -> go.Figure:
    shares = era_shares(snapshot.archetypes, weight)
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
    return figure


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
