"""What several views share: browser-facing links, small components and the figures' theme."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dash import ALL, html

from nba_cluster.dashboard.snapshot import Snapshot
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

# Reader-facing names of the rate features (the z-score columns add "_Z").
FEATURE_LABELS = {
    "PTS_PER36": "Points /36",
    "FGA_PER36": "FG attempts /36",
    "FG3M_PER36": "3PM /36",
    "FTA_PER36": "FT attempts /36",
    "OREB_PER36": "Off. rebounds /36",
    "DREB_PER36": "Def. rebounds /36",
    "AST_PER36": "Assists /36",
    "TOV_PER36": "Turnovers /36",
    "STL_PER36": "Steals /36",
    "BLK_PER36": "Blocks /36",
    "PF_PER36": "Fouls /36",
    "PFD_PER36": "Fouls drawn /36",
    "FG3A_SHARE": "3PA share",
    "FTA_RATE": "FT rate",
    "AST_RATIO": "Assist ratio",
    "TOV_RATIO": "Turnover ratio",
    "AST_SHARE": "Assist share",
    "OREB_SHARE": "Off. rebound share",
    "DREB_SHARE": "Def. rebound share",
    "STL_PER100": "Steals /100 poss.",
    "BLK_PER100": "Blocks /100 poss.",
    "PF_PER100": "Fouls /100 poss.",
    "PFD_PER100": "Fouls drawn /100 poss.",
    "USG_PCT": "Usage",
    "FG2_PCT": "2P%",
    "FG3_PCT": "3P%",
    "TS_PCT": "True shooting",
    "AST_TOV": "AST/TOV",
}


def feature_label(column: str) -> str:
    base = column.removesuffix("_Z")
    return FEATURE_LABELS.get(base, base.replace("_PER36", " /36").replace("_", " ").title())


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


def archetype_badge(snapshot: Snapshot, archetype: int, extra: str = "") -> html.Span:
    color = snapshot.colors[int(archetype)]
    return html.Span(
        [snapshot.archetype_names[int(archetype)], extra],
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
