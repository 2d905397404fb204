"""The page: a header, five tabs and the empty state. Built from a snapshot, once per change."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from dash import dcc, html

from nba_cluster.dashboard import figures
from nba_cluster.dashboard.data import Snapshot, representative_players, signature_traits
from nba_cluster.dashboard.state import ANY_SEASON, SIMILAR_COUNTS
from nba_cluster.model_registry import MODEL_NAME

GRAPH_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}
STATIC_GRAPH_CONFIG = {"displayModeBar": False}
EN_DASH = " \u2013 "  # between the seasons of a span
TIMES = "\u00d7"


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


def serve(store, links: Links):
    """``app.layout``: called per page load, so a reload shows new data at once."""
    return build(store.snapshot(), links)


@lru_cache(maxsize=4)
def build(snapshot: Snapshot, links: Links) -> html.Div:
    if not snapshot.ready:
        return empty_page(snapshot, links)
    return html.Div(
        className="page",
        children=[
            dcc.Location(id="url", refresh=False),
            header(snapshot, links),
            stale_banner(snapshot),
            dcc.Tabs(
                id="tabs",
                value="map",
                parent_className="tabs",
                className="tabs-nav",
                content_className="tab-content",
                children=[
                    dcc.Tab(label="Archetype map", value="map", children=map_tab(snapshot)),
                    dcc.Tab(
                        label="Archetypes", value="archetypes", children=archetypes_tab(snapshot)
                    ),
                    dcc.Tab(label="Eras", value="eras", children=eras_tab()),
                    dcc.Tab(
                        label="Player explorer", value="explorer", children=explorer_tab(snapshot)
                    ),
                    dcc.Tab(label="Model", value="model", children=model_tab(snapshot, links)),
                ],
            ),
            footer(snapshot),
        ],
    )


# --- frame ----------------------------------------------------------------------------------


def header(snapshot: Snapshot, links: Links) -> html.Header:
    champion = snapshot.champion
    seasons = snapshot.seasons
    facts = [
        f"{len(snapshot.archetypes):,} player-seasons",
        f"{seasons[0]}{EN_DASH}{seasons[-1]}",
        f"{len(snapshot.archetype_order)} archetypes",
    ]
    return html.Header(
        className="header",
        children=[
            html.Div(
                [
                    html.H1("NBA player archetypes"),
                    html.P(" · ".join(facts), className="header-facts"),
                ]
            ),
            html.Div(
                className="header-links",
                children=[
                    html.A(
                        [
                            html.Span("champion", className="badge-label"),
                            html.Span(f"v{champion.version} · {champion.family or '?'}"),
                        ],
                        href=links.model_version(champion.version),
                        target="_blank",
                        className="badge",
                        title="The registered model behind these labels",
                    ),
                    html.A(
                        "MLflow",
                        href=links.run(champion.experiment_id, champion.run_id),
                        target="_blank",
                        className="header-link",
                    ),
                    html.A(
                        "Kedro-Viz", href=links.kedro_viz, target="_blank", className="header-link"
                    ),
                ],
            ),
        ],
    )


def stale_banner(snapshot: Snapshot):
    if not snapshot.stale_labels:
        return None
    return html.Div(
        className="banner",
        children=f"These labels come from model version {snapshot.data_model_version}; the "
        f"registry's champion is now version {snapshot.champion.version}. Run the inference "
        "pipeline (kedro run --pipeline inference) to relabel.",
    )


def footer(snapshot: Snapshot) -> html.Footer:
    stamp = (
        snapshot.data_timestamp.strftime("%Y-%m-%d %H:%M UTC") if snapshot.data_timestamp else "?"
    )
    return html.Footer(
        className="footer",
        children=f"Data written {stamp} · stats: stats.nba.com (regular season + playoffs, "
        "players with at least 500 minutes) · rates are per 36 minutes, z-scores within season",
    )


def empty_page(snapshot: Snapshot, links: Links) -> html.Div:
    return html.Div(
        className="page",
        children=[
            html.Header(className="header", children=[html.Div(html.H1("NBA player archetypes"))]),
            html.Div(
                className="empty-state",
                id="empty-state",
                children=[
                    html.H2("Nothing to show yet"),
                    html.P(snapshot.empty_reason, className="empty-reason"),
                    html.P(
                        [
                            "This page picks up new results by itself: reload it once the "
                            "pipelines have run. Meanwhile: ",
                            html.A("MLflow", href=links.mlflow_ui, target="_blank"),
                            " · ",
                            html.A("Kedro-Viz", href=links.kedro_viz, target="_blank"),
                        ]
                    ),
                ],
            ),
        ],
    )


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
    """A button that opens a player-season in the explorer (see callbacks.sync_state)."""
    return html.Button(
        label,
        id={"type": "open-player", "player": int(player), "season": str(season), "src": src},
        className=className,
        n_clicks=0,
    )


# --- map ------------------------------------------------------------------------------------


def season_marks(seasons: tuple[str, ...], count: int = 3) -> dict:
    """A handful of evenly spaced season labels under the slider, the last season included."""
    last = len(seasons) - 1
    step = max(1, math.ceil(len(seasons) / count))
    ticks = [i for i in range(0, last, step) if last - i >= step / 2] + [last]
    return {i: {"label": seasons[i]} for i in ticks}


def map_tab(snapshot: Snapshot) -> html.Div:
    seasons = snapshot.seasons
    options = [
        {
            "label": html.Span(
                [swatch(snapshot.colors[a]), snapshot.archetype_names[a]], className="check-label"
            ),
            "value": a,
        }
        for a in snapshot.archetype_order
    ]
    return html.Div(
        className="with-sidebar",
        children=[
            html.Aside(
                className="sidebar card",
                children=[
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
                    html.H3("Archetypes"),
                    dcc.Checklist(
                        id="archetype-filter",
                        options=options,
                        value=list(snapshot.archetype_order),
                        className="checklist",
                    ),
                    html.P(
                        "Each point is one player-season, placed by the champion model's 2-D "
                        "projection: nearby points play alike. Hover for stats; click a point "
                        "to open it in the player explorer.",
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


# --- archetypes -----------------------------------------------------------------------------


def archetypes_tab(snapshot: Snapshot) -> html.Div:
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
                    figure=figures.profile_heatmap(snapshot),
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


# --- eras -----------------------------------------------------------------------------------


def eras_tab() -> html.Div:
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


# --- explorer -------------------------------------------------------------------------------


def explorer_tab(snapshot: Snapshot) -> html.Div:
    compare_options = [{"label": "any season", "value": ANY_SEASON}] + [
        {"label": s, "value": s} for s in reversed(snapshot.seasons)
    ]
    return html.Div(
        [
            card(
                html.Div(
                    className="picker",
                    children=[
                        html.Div(
                            className="picker-player",
                            children=[
                                html.Label("Player", htmlFor="player"),
                                dcc.Dropdown(
                                    id="player",
                                    options=[],
                                    value=None,
                                    searchable=True,
                                    clearable=True,
                                    maxHeight=320,
                                    placeholder="Search a player: Jokic, Kobe, O'Neal…",
                                ),
                            ],
                        ),
                        html.Div(
                            className="picker-season",
                            children=[
                                html.Label("Season", htmlFor="season"),
                                dcc.Dropdown(
                                    id="season",
                                    options=[],
                                    value=None,
                                    clearable=False,
                                    searchable=False,
                                    placeholder="Season",
                                ),
                            ],
                        ),
                    ],
                ),
                html.Div(id="player-card", className="player-card"),
            ),
            html.Div(
                className="two-columns",
                children=[
                    card(
                        html.H2("Against his archetype and the league"),
                        html.P(
                            "Era-adjusted z-scores: 0 is the league average of that season, the "
                            "diamond is his archetype's centre.",
                            className="hint",
                        ),
                        dcc.Graph(id="player-profile", config=STATIC_GRAPH_CONFIG),
                    ),
                    card(
                        html.H2("Archetype over his career"),
                        html.P("Marker size: minutes played.", className="hint"),
                        dcc.Graph(id="player-career", config=STATIC_GRAPH_CONFIG),
                    ),
                ],
            ),
            card(
                html.Div(
                    className="card-title-row",
                    children=[
                        html.H2("Most similar player-seasons", id="similar-title"),
                        html.Div(
                            className="similar-controls",
                            children=[
                                html.Label("from", htmlFor="compare-season"),
                                dcc.Dropdown(
                                    id="compare-season",
                                    options=compare_options,
                                    value=ANY_SEASON,
                                    clearable=False,
                                    searchable=False,
                                    className="compare-season",
                                ),
                                dcc.RadioItems(
                                    id="n-similar",
                                    value=10,
                                    inline=True,
                                    className="radio",
                                    options=[
                                        {"label": f"top {n}", "value": n} for n in SIMILAR_COUNTS
                                    ],
                                ),
                            ],
                        ),
                    ],
                ),
                html.Div(id="similar-list"),
            ),
        ]
    )


def player_card(snapshot: Snapshot, row: pd.Series) -> list:
    archetype = int(row["ARCHETYPE_ID"])
    minutes = row["MIN"] + (row["PLAYOFF_MIN"] if pd.notna(row["PLAYOFF_MIN"]) else 0)
    stats = [
        ("PTS", f"{row['PTS_PER36']:.1f}"),
        ("REB", f"{row['OREB_PER36'] + row['DREB_PER36']:.1f}"),
        ("AST", f"{row['AST_PER36']:.1f}"),
        ("STL", f"{row['STL_PER36']:.1f}"),
        ("BLK", f"{row['BLK_PER36']:.1f}"),
        ("TS%", f"{100 * row['TS_PCT']:.1f}"),
        ("3PA share", f"{100 * row['FG3A_SHARE']:.0f}%"),
    ]
    age = f" · age {int(row['AGE'])}" if pd.notna(row.get("AGE")) else ""
    return [
        html.Div(
            className="player-title",
            children=[
                html.H2(str(row["PLAYER_NAME"]), id="player-name"),
                html.Span(
                    f"{row['SEASON']} · {row['TEAM_ABBREVIATION']}{age}",
                    className="muted",
                    id="player-season-label",
                ),
            ],
        ),
        html.Div(
            className="player-archetype",
            children=[
                archetype_badge(snapshot, archetype),
                html.Span(
                    f"confidence {100 * row['CONFIDENCE']:.0f}%",
                    className="muted",
                    title="1 on the archetype's centre, 0 as close to another archetype's",
                ),
            ],
        ),
        html.Div(
            className="stat-row",
            children=[
                html.Div(
                    [
                        html.Span(value, className="stat-value"),
                        html.Span(label, className="stat-label"),
                    ],
                    className="stat",
                )
                for label, value in stats
            ]
            + [
                html.Div(
                    [
                        html.Span(f"{int(row['GP'])}", className="stat-value"),
                        html.Span("games", className="stat-label"),
                    ],
                    className="stat",
                ),
                html.Div(
                    [
                        html.Span(f"{minutes:,.0f}", className="stat-value"),
                        html.Span("minutes", className="stat-label"),
                    ],
                    className="stat",
                ),
            ],
        ),
        html.P("Per 36 minutes, regular season and playoffs together.", className="hint"),
    ]


def explorer_placeholder(snapshot: Snapshot) -> list:
    latest = snapshot.archetypes[snapshot.archetypes["SEASON"] == snapshot.seasons[-1]]
    picks = latest.sort_values("MIN", ascending=False).drop_duplicates("ARCHETYPE_ID").head(4)
    return [
        html.P(
            "Search a player by name (accents optional), pick a season, and see his "
            "archetype, how he compares and who played most like him.",
            className="hint",
        ),
        html.Div(
            ["Try: "]
            + [
                open_player_button(
                    r.PLAYER_ID,
                    r.SEASON,
                    f"{r.PLAYER_NAME} {r.SEASON}",
                    src="try",
                    className="chip",
                )
                for r in picks.itertuples()
            ],
            className="chips",
        ),
    ]


def similar_table(snapshot: Snapshot, similar: pd.DataFrame) -> html.Table:
    rows = []
    for rank, row in enumerate(similar.itertuples(), start=1):
        rows.append(
            html.Tr(
                [
                    html.Td(str(rank), className="num muted"),
                    html.Td(
                        open_player_button(
                            row.PLAYER_ID, row.SEASON, row.PLAYER_NAME, src=f"similar-{rank}"
                        ),
                        className="similar-name",
                    ),
                    html.Td(row.SEASON),
                    html.Td(str(row.TEAM_ABBREVIATION)),
                    html.Td(archetype_badge(snapshot, row.ARCHETYPE_ID)),
                    html.Td(
                        f"{row.PTS_PER36:.1f} / {row.OREB_PER36 + row.DREB_PER36:.1f} / "
                        f"{row.AST_PER36:.1f}",
                        className="num",
                    ),
                    html.Td(f"{row.DISTANCE:.2f}", className="num"),
                ]
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th("#"),
                html.Th("Player"),
                html.Th("Season"),
                html.Th("Team"),
                html.Th("Archetype"),
                html.Th("PTS / REB / AST per 36", className="num"),
                html.Th("Distance", className="num"),
            ]
        )
    )
    return html.Table([head, html.Tbody(rows)], className="table similar-table")


# --- model ----------------------------------------------------------------------------------

METRIC_LABELS = {
    "silhouette": ("Silhouette", "-1..1, higher: tighter, better separated clusters"),
    "stability": ("Stability", "mean adjusted Rand index of refits on subsamples (1 = identical)"),
    "n_clusters": ("Archetypes", "clusters found"),
    "noise_share": ("Noise share", "player-seasons left unclustered at training"),
    "calinski_harabasz": ("Calinski-Harabasz", "between/within dispersion, higher is better"),
    "davies_bouldin": ("Davies-Bouldin", "lower is better"),
}


def model_tab(snapshot: Snapshot, links: Links) -> html.Div:
    champion = snapshot.champion
    metrics = []
    for key, (label, help_text) in METRIC_LABELS.items():
        if key in champion.metrics:
            value = champion.metrics[key]
            shown = (
                f"{value:.0f}"
                if key == "n_clusters"
                else (f"{100 * value:.1f}%" if key == "noise_share" else f"{value:,.3f}")
            )
            metrics.append(
                html.Div(
                    [
                        html.Span(shown, className="stat-value"),
                        html.Span(label, className="stat-label"),
                    ],
                    className="stat",
                    title=help_text,
                )
            )
    params = {k: v for k, v in sorted(champion.params.items())}
    registered = (
        champion.registered_at.strftime("%Y-%m-%d %H:%M UTC") if champion.registered_at else "?"
    )
    decision = champion.parent_tags.get("registry_decision")
    run_links = [
        html.A(
            "Champion run in MLflow",
            target="_blank",
            className="button",
            href=links.run(champion.experiment_id, champion.run_id),
        )
    ]
    if champion.parent_run_id:
        run_links.append(
            html.A(
                "Training run",
                target="_blank",
                className="button secondary",
                href=links.run(champion.experiment_id, champion.parent_run_id),
            )
        )
    run_links += [
        html.A(
            "Registered model",
            href=links.model_version(champion.version),
            target="_blank",
            className="button secondary",
        ),
        html.A(
            "Pipelines in Kedro-Viz",
            href=links.kedro_viz,
            target="_blank",
            className="button secondary",
        ),
    ]
    return html.Div(
        [
            html.Div(
                className="two-columns",
                children=[
                    card(
                        html.H2(f"Champion: {MODEL_NAME} v{champion.version}", id="champion-title"),
                        html.P(
                            [
                                html.B(champion.family or "?"),
                                f" · candidate {champion.run_name}",
                                f" · registered {registered}",
                            ],
                            className="muted",
                        ),
                        html.Div(metrics, className="metrics"),
                        html.Div(run_links, className="button-row"),
                        html.P(_decision_text(champion, decision), className="hint"),
                    ),
                    card(
                        html.H2("Parameters"),
                        html.Table(
                            [
                                html.Tbody(
                                    [html.Tr([html.Th(k), html.Td(v)]) for k, v in params.items()]
                                )
                            ],
                            className="table params-table",
                        ),
                    ),
                ],
            ),
            card(
                html.H2("Leaderboard of the champion's training run"),
                html.P(_rule_text(champion), className="hint"),
                leaderboard_table(champion.leaderboard),
            ),
        ]
    )


def _decision_text(champion, decision: str | None) -> str:
    best = champion.parent_tags.get("best_candidate")
    if not decision:
        return ""
    return (
        f"That training run's best candidate ({best}) was registered as {decision}."
        if best
        else f"Registry decision of that training run: {decision}."
    )


def _rule_text(champion) -> str:
    rule = champion.selection
    if not rule:
        return "Candidates by silhouette."
    low, high = rule["cluster_count_range"]
    weights = rule["weights"]
    return (
        f"Eligible: {low}-{high} clusters and at most {100 * rule['max_noise_share']:.0f}% "
        f"noise. Score = {weights['silhouette']:g} {TIMES} silhouette + "
        f"{weights['stability']:g} {TIMES} stability; the best eligible candidate is "
        "registered."
    )


LEADERBOARD_COLUMNS = [
    ("candidate", "Candidate", None),
    ("model_family", "Family", None),
    ("n_clusters", "Clusters", "{:.0f}"),
    ("silhouette", "Silhouette", "{:.3f}"),
    ("stability", "Stability", "{:.3f}"),
    ("noise_share", "Noise", "{:.1%}"),
    ("davies_bouldin", "Davies-Bouldin", "{:.2f}"),
    ("score", "Score", "{:.3f}"),
    ("eligible", "Eligible", None),
]


def leaderboard_table(table: pd.DataFrame):
    """Every candidate of the training run, in the order the selection rule ranks them."""
    if table.empty:
        return html.P("No candidate runs found for the champion's training run.", className="hint")
    columns = [(c, label, fmt) for c, label, fmt in LEADERBOARD_COLUMNS if c in table]

    def cell(value, fmt):
        if isinstance(value, bool):
            return "yes" if value else "no"
        if fmt is None or value is None or pd.isna(value):
            return "" if value is None or (fmt and pd.isna(value)) else str(value)
        if abs(value) >= 1e300:  # MLflow stores an infinite metric as the largest float
            return "\u221e"
        if abs(value) >= 1e4:
            return f"{value:.2g}"
        return fmt.format(value)

    head = html.Thead(
        html.Tr(
            [html.Th("#", className="num")]
            + [html.Th(label, className="num" if fmt else None) for _, label, fmt in columns]
        )
    )
    rows = [
        html.Tr(
            [html.Td(str(rank), className="num muted")]
            + [
                html.Td(cell(record[c], fmt), className="num" if fmt else None)
                for c, _, fmt in columns
            ],
            className="champion-row" if record.get("is_champion") else None,
            title="the champion" if record.get("is_champion") else None,
        )
        for rank, record in enumerate(table.to_dict("records"), start=1)
    ]
    return html.Div(
        html.Table([head, html.Tbody(rows)], className="table leaderboard", id="leaderboard"),
        className="table-scroll",
    )
