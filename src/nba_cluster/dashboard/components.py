"""What several views share: browser-facing links, small components and the figures' theme."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dash import ALL, dcc, html

from nba_cluster.clustering.columns import AXIS_TITLES
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.features.table import label
from nba_cluster.model_registry import MODEL_NAME

EN_DASH = " \u2013 "  # between the seasons of a span
GRAPH_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}
STATIC_GRAPH_CONFIG = {"displayModeBar": False}
# Every button made by open_player_button: the URL-sync callback listens to all of them.
OPEN_PLAYER = {"type": "open-player", "player": ALL, "season": ALL, "src": ALL}

FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
HIGHLIGHT = "#111827"


def feature_label(column: str) -> str:
    """The feature table's label of a feature column (``*_Z`` or not), capitalised."""
    text = label(column)
    return text[:1].upper() + text[1:]


def axis_switch(component_id: str, snapshot: Snapshot, value: str = "offense") -> dcc.RadioItems:
    """Offensive role / defensive role, for views that show one axis at a time."""
    return dcc.RadioItems(
        id=component_id,
        value=value if value in snapshot.axes else "offense",
        inline=True,
        className="radio axis-switch",
        options=[{"label": AXIS_TITLES[axis], "value": axis} for axis in snapshot.axes],
    )


@dataclass(frozen=True)
class Links:
    """Browser-facing URLs (the server-side MLflow client uses MLFLOW_TRACKING_URI)."""

    mlflow_ui: str = "http://localhost:5001"
    kedro_viz: str = "http://localhost:4141"

    @classmethod
    def from_env(cls) -> Links:
        return cls(
            mlflow_ui=os.environ.get("MLFLOW_UI_URL", cls.mlflow_ui).rstrip("/"),
            kedro_viz=os.environ.get("KEDRO_VIZ_URL", cls.kedro_viz).rstrip("/"),
        )

    def run(self, experiment_id: str, run_id: str) -> str:
        return f"{self.mlflow_ui}/#/experiments/{experiment_id}/runs/{run_id}"

    def model_version(self, version: str) -> str:
        return f"{self.mlflow_ui}/#/models/{MODEL_NAME}/versions/{version}"


def card(*children, className: str = "", **kwargs) -> html.Div:
    return html.Div(list(children), className=f"card {className}".strip(), **kwargs)


def swatch(color: str) -> html.Span:
    return html.Span(className="swatch", style={"backgroundColor": color})


def archetype_badge(
    snapshot: Snapshot, archetype: int, extra: str = "", axis: str = "offense"
) -> html.Span:
    """A role's name in its colour (the offensive role, the archetype, by default)."""
    view = snapshot.axis(axis)
    color = view.colors[int(archetype)]
    return html.Span(
        [view.archetype_names[int(archetype)], extra],
        className="archetype-badge",
        style={"borderColor": color, "color": color},
    )


def open_player_button(player: int, season: str, label, src: str, className="link-button"):
    """A button that opens a player-season in the explorer (see layout.register)."""
    return html.Button(
        label,
        id={"type": "open-player", "player": int(player), "season": str(season), "src": src},
        className=className,
        n_clicks=0,
    )


def base_layout(**overrides) -> dict:
    """A Plotly layout in the page's theme."""
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
