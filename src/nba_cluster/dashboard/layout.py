"""The page's shell: URL, header, tabs, footer and the empty state, built from a snapshot once
per change; and the URL-sync callback.

The view's state lives in the controls and in the URL; ``sync_state`` is the one place that
moves it between the two (and that opens a player-season from a map click or a button), so
the views' callbacks only ever listen to controls.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from functools import lru_cache
from types import ModuleType

from dash import Input, Output, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from nba_cluster.clustering.columns import AXIS_TITLES
from nba_cluster.dashboard import views
from nba_cluster.dashboard.bounds import without_paths
from nba_cluster.dashboard.components import EN_DASH, OPEN_PLAYER, Links
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.state import (
    control_values,
    parse_search,
    resolve,
    state_from_controls,
    to_search,
)
from nba_cluster.dashboard.store import DataStore
from nba_cluster.dashboard.views import DEFAULT_TAB, TABS, explorer

# The controls that hold the view's state, by their name in ``state.control_values``. The
# map's axis switch holds the axis; the archetype cards' and the eras' switches follow it, and
# whichever moves sets it for all three.
CONTROLS = {
    "tab": ("tabs", "value"),
    "season_range": ("season-range", "value"),
    "archetypes": ("archetype-filter", "value"),
    "defensive_roles": ("defensive-filter", "value"),
    "player": ("player", "value"),
    "season": ("season", "value"),
    "compare": ("compare-season", "value"),
    "n_similar": ("n-similar", "value"),
    "era_weight": ("era-weight", "value"),
    "axis": ("map-axis", "value"),
    "similarity_space": ("similar-space", "value"),
}
OTHER_AXIS_SWITCHES = ("archetypes-axis", "eras-axis")


def serve(store, links: Links):
    """``app.layout``: called per page load, so a reload shows new data at once."""
    snapshot = store.snapshot()
    if not snapshot.ready:  # say why, with how the last pipeline run ended (read per load)
        return empty_page(snapshot, links, store.source.last_run_status())
    return build(snapshot, links)


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
                value=DEFAULT_TAB,
                parent_className="tabs",
                className="tabs-nav",
                content_className="tab-content",
                children=[
                    dcc.Tab(label=label, value=tab, children=view(tab).layout(snapshot, links))
                    for tab, label in TABS.items()
                ],
            ),
            footer(snapshot),
        ],
    )


def header(snapshot: Snapshot, links: Links) -> html.Header:
    champion = snapshot.champion
    seasons = snapshot.seasons
    facts = [
        f"{len(snapshot.archetypes):,} player-seasons",
        f"{seasons[0]}{EN_DASH}{snapshot.season_label(seasons[-1])}",
        *(f"{len(snapshot.axis(axis).archetype_order)} {AXIS_TITLES[axis].lower()}s"
          for axis in snapshot.axes),
    ]  # fmt: skip
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
    last_refresh, next_refresh = snapshot.refresh_times
    if last_refresh or next_refresh:  # a scheduler keeps the season under way fresh
        freshness = f"Data as of {_when(last_refresh or snapshot.data_timestamp)}"
        if next_refresh:
            freshness += f" · next refresh {_when(next_refresh)}"
    else:
        freshness = f"Data written {_when(snapshot.data_timestamp)}"
    return html.Footer(
        className="footer",
        id="footer",
        children=f"{freshness} · stats: stats.nba.com (regular season + playoffs, players "
        "with at least 500 minutes, scaled to a partial season) · rates are per 36 minutes, "
        "z-scores within season",
    )


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "?"


def last_run(status: dict | None) -> html.P | None:
    if not status or status.get("status") != "failed":
        return None
    return html.P(
        className="last-run",
        id="last-run",
        children=f"The last pipeline run ({', '.join(map(str, status.get('pipelines', [])))}) "
        f"failed at {status.get('finished_at', '?')}: {without_paths(str(status.get('error')))}",
    )


def empty_page(snapshot: Snapshot, links: Links, status: dict | None = None) -> html.Div:
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
                    last_run(status),
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


def register(app, store: DataStore) -> None:
    """The URL-sync callback, then each view's own (model has none: it changes only with the
    snapshot, which rebuilds the page)."""

    @app.callback(
        Output("url", "search"),
        *(Output(component, prop) for component, prop in CONTROLS.values()),
        Output("player", "options"),
        Output("season", "options"),
        *(Output(switch, "value") for switch in OTHER_AXIS_SWITCHES),
        Input("url", "search"),
        *(Input(component, prop) for component, prop in CONTROLS.values()),
        *(Input(switch, "value") for switch in OTHER_AXIS_SWITCHES),
        Input("map", "clickData"),
        Input(OPEN_PLAYER, "n_clicks"),
    )
    def sync_state(search, *inputs):
        shown = dict(zip(CONTROLS, inputs[: len(CONTROLS)], strict=True))
        switches, click = inputs[len(CONTROLS) : -2], inputs[-2]
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        trigger = ctx.triggered_id
        controls = shown
        if trigger in OTHER_AXIS_SWITCHES:  # one axis for every view: the switch moved wins
            controls = {**shown, "axis": switches[OTHER_AXIS_SWITCHES.index(trigger)]}
        ids = (tuple(snapshot.archetype_order), tuple(snapshot.axis("defense").archetype_order))
        current = state_from_controls(snapshot, controls)
        from_url = trigger is None or trigger == "url"
        if from_url:
            wanted = parse_search(search, snapshot.seasons, *ids)
        elif trigger == "map":
            clicked = view("map").clicked_player_season(snapshot, click)
            if clicked is None:
                raise PreventUpdate
            wanted = current.with_player(*clicked)
        elif isinstance(trigger, dict):  # an open-player button
            if not any(item["value"] for item in ctx.triggered):
                raise PreventUpdate  # buttons just rendered, not clicked
            wanted = current.with_player(trigger["player"], trigger["season"])
        elif trigger == "player":
            # another player: keep the season if he played it (resolve: else his latest)
            played = snapshot.has_player_season(current.player, current.season)
            wanted = current if played else replace(current, season=None)
        else:
            wanted = current
        wanted = resolve(wanted, snapshot)
        values = control_values(wanted, snapshot)

        def changed(name, before):
            return values[name] if values[name] != before else no_update

        new_search = to_search(wanted, snapshot.seasons, *ids)
        # the player's season list follows him, whoever changed him (the dropdown included)
        player_changed = from_url or trigger == "player" or values["player"] != shown["player"]
        return (
            no_update if from_url or new_search == (search or "") else new_search,
            *(changed(name, before) for name, before in shown.items()),
            [explorer.player_option(snapshot, wanted.player)]
            if player_changed and wanted.player is not None
            else no_update,
            explorer.season_options(snapshot, wanted.player) if player_changed else no_update,
            *(changed("axis", before) for before in switches),
        )

    for tab in TABS:
        if hasattr(view(tab), "register"):
            view(tab).register(app, store)


def view(tab: str) -> ModuleType:
    """The module of a tab (``views/<tab>.py``)."""
    return importlib.import_module(f"{views.__name__}.{tab}")
