"""Callbacks. Each one reads the current snapshot from the store; none keeps state of its own.

The view's state lives in the controls and in the URL; ``sync_state`` is the one place that
moves it between the two (and that opens a player-season from a map click or a button), so
the other callbacks only ever listen to controls.
"""

from __future__ import annotations

from dataclasses import replace

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from nba_cluster.dashboard import figures, layout
from nba_cluster.dashboard.data import DataStore, Snapshot, search_players
from nba_cluster.dashboard.state import ANY_SEASON, ViewState, parse_search, to_search

OPEN_PLAYER = {"type": "open-player", "player": ALL, "season": ALL, "src": ALL}
SEARCH_LIMIT = 20


# --- pure helpers (unit-tested) -------------------------------------------------------------


def player_option(snapshot: Snapshot, player_id: int, query: str = "") -> dict:
    """A dropdown option. ``search`` holds the accent-free name (and the query that found it),
    so the dropdown's own client-side filter keeps what the server search returned."""
    players = snapshot.players
    row = players.loc[players["PLAYER_ID"] == int(player_id)].iloc[0]
    span = (
        row.FIRST_SEASON
        if row.FIRST_SEASON == row.LAST_SEASON
        else f"{row.FIRST_SEASON}{layout.EN_DASH}{row.LAST_SEASON}"
    )
    return {
        "label": f"{row.PLAYER_NAME} ({span})",
        "value": int(player_id),
        "search": f"{row.NAME_KEY} {row.PLAYER_NAME.casefold()} {query.casefold()}".strip(),
    }


def season_options(snapshot: Snapshot, player_id: int | None) -> list[dict]:
    if player_id is None:
        return []
    career = snapshot.player_seasons(player_id)
    return [
        {"label": f"{r.SEASON} · {r.TEAM_ABBREVIATION} · {r.ARCHETYPE_NAME}", "value": r.SEASON}
        for r in career.itertuples()
    ]


def season_of_year(snapshot: Snapshot, year) -> str | None:
    prefix = str(int(float(year)))
    return next((s for s in snapshot.seasons if s.startswith(prefix)), None)


def clicked_player_season(snapshot: Snapshot, click: dict | None) -> tuple[int, str] | None:
    """(player id, season) of a clicked map point: its customdata starts with both."""
    try:
        data = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return None
    if isinstance(data, dict):  # a typed-array row serialised by index
        data = [data[k] for k in sorted(data, key=int)]
    if not data or len(data) < 2:
        return None
    season = season_of_year(snapshot, data[1])
    return (round(float(data[0])), season) if season else None


def resolve(state: ViewState, snapshot: Snapshot) -> ViewState:
    """A state the data can show: unknown players dropped, a player's season defaulting to
    his latest, a season range in order."""
    player, season = state.player, state.season
    if player is not None and int(player) not in snapshot.player_rows:
        player, season = None, None
    if player is not None and not snapshot.has_player_season(player, season):
        season = str(snapshot.player_seasons(player)["SEASON"].iloc[-1])
    if player is None:
        season = None
    seasons = snapshot.seasons
    low = state.season_from if state.season_from in seasons else seasons[0]
    high = state.season_to if state.season_to in seasons else seasons[-1]
    if seasons.index(low) > seasons.index(high):
        low, high = high, low
    archetypes = state.archetypes
    if archetypes is not None:
        archetypes = tuple(a for a in archetypes if a in snapshot.archetype_names)
    return replace(
        state, player=player, season=season, season_from=low, season_to=high, archetypes=archetypes
    )


def state_from_controls(snapshot: Snapshot, controls: tuple) -> ViewState:
    """The state the controls show, ``controls`` in :data:`CONTROLS` order."""
    tab, season_range, archetypes, player, season, compare, n_similar, era_weight = controls
    seasons = snapshot.seasons
    low, high = season_range if season_range else (0, len(seasons) - 1)
    low, high = max(0, min(int(low), len(seasons) - 1)), max(0, min(int(high), len(seasons) - 1))
    return ViewState(
        tab=tab or "map",
        season_from=seasons[low],
        season_to=seasons[high],
        archetypes=tuple(int(a) for a in archetypes) if archetypes is not None else None,
        player=int(player) if player is not None else None,
        season=season,
        compare_in=compare if compare and compare != ANY_SEASON else None,
        n_similar=int(n_similar or ViewState.n_similar),
        era_weight=era_weight or "count",
    )


def control_values(state: ViewState, snapshot: Snapshot) -> dict:
    seasons = snapshot.seasons
    return {
        "tab": state.tab,
        "season_range": [seasons.index(state.season_from), seasons.index(state.season_to)],
        "archetypes": list(state.archetypes)
        if state.archetypes is not None
        else list(snapshot.archetype_order),
        "player": state.player,
        "season": state.season,
        "compare": state.compare_in or ANY_SEASON,
        "n_similar": state.n_similar,
        "era_weight": state.era_weight,
    }


# --- registration ---------------------------------------------------------------------------


def register(app, store: DataStore) -> None:  # noqa: PLR0915  (one closure per callback)
    @app.callback(
        Output("url", "search"),
        Output("tabs", "value"),
        Output("season-range", "value"),
        Output("archetype-filter", "value"),
        Output("player", "value"),
        Output("player", "options"),
        Output("season", "value"),
        Output("season", "options"),
        Output("compare-season", "value"),
        Output("n-similar", "value"),
        Output("era-weight", "value"),
        Input("url", "search"),
        Input("tabs", "value"),
        Input("season-range", "value"),
        Input("archetype-filter", "value"),
        Input("player", "value"),
        Input("season", "value"),
        Input("compare-season", "value"),
        Input("n-similar", "value"),
        Input("era-weight", "value"),
        Input("map", "clickData"),
        Input(OPEN_PLAYER, "n_clicks"),
    )
    def sync_state(search, *inputs):
        *controls, click, _clicks = inputs
        controls = tuple(controls)
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        ids = tuple(snapshot.archetype_order)
        current = state_from_controls(snapshot, controls)
        trigger = ctx.triggered_id
        from_url = trigger is None or trigger == "url"
        if from_url:
            wanted = parse_search(search, snapshot.seasons, ids)
        elif trigger == "map":
            clicked = clicked_player_season(snapshot, click)
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
        old = dict(zip(values, controls, strict=True))

        def changed(name):
            return values[name] if values[name] != old[name] else no_update

        new_search = to_search(wanted, snapshot.seasons, ids)
        # the player's season list follows him, whoever changed him (the dropdown included)
        player_changed = from_url or trigger == "player" or values["player"] != old["player"]
        return (
            no_update if from_url or new_search == (search or "") else new_search,
            changed("tab"),
            changed("season_range"),
            changed("archetypes"),
            changed("player"),
            [player_option(snapshot, wanted.player)]
            if player_changed and wanted.player is not None
            else no_update,
            changed("season"),
            season_options(snapshot, wanted.player) if player_changed else no_update,
            changed("compare"),
            changed("n_similar"),
            changed("era_weight"),
        )

    @app.callback(
        Output("player", "options", allow_duplicate=True),
        Input("player", "search_value"),
        State("player", "value"),
        prevent_initial_call=True,
    )
    def search_player(query, selected):
        """Type-ahead: accent-insensitive search on the server, best matches first."""
        if not query:
            raise PreventUpdate
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        found = search_players(snapshot.players, query, SEARCH_LIMIT)
        options = [player_option(snapshot, pid, query) for pid in found["PLAYER_ID"]]
        if (
            selected is not None
            and int(selected) not in set(found["PLAYER_ID"])
            and int(selected) in snapshot.player_rows
        ):
            options.append(player_option(snapshot, selected))
        return options

    @app.callback(
        Output("map", "figure"),
        Output("map-summary", "children"),
        Output("season-range-label", "children"),
        Input("season-range", "value"),
        Input("archetype-filter", "value"),
        Input("player", "value"),
        Input("season", "value"),
    )
    def update_map(season_range, archetypes, player, season):
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        seasons = snapshot.seasons
        low, high = season_range or (0, len(seasons) - 1)
        low, high = max(0, int(low)), min(len(seasons) - 1, int(high))
        figure, count = figures.map_figure(
            snapshot,
            (low, high),
            archetypes if archetypes is not None else snapshot.archetype_order,
            player if player is not None and int(player) in snapshot.player_rows else None,
            season,
        )
        span = seasons[low] if low == high else f"{seasons[low]}{layout.EN_DASH}{seasons[high]}"
        total = len(snapshot.archetypes)
        # plain strings only: a response without components goes straight to orjson, which
        # makes this ~10k-point callback several times cheaper to serialise
        summary = f"{count:,} of {total:,} player-seasons · {span}"
        if player is not None and snapshot.player_name(player):
            summary += f" · career path of {snapshot.player_name(player)}"
        return figure, summary, span

    @app.callback(
        Output("player-card", "children"),
        Output("player-profile", "figure"),
        Output("player-career", "figure"),
        Input("player", "value"),
        Input("season", "value"),
    )
    def update_player(player, season):
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        row = snapshot.player_season(player, season) if player is not None and season else None
        if row is None:
            message = "Pick a player and a season"
            return (
                layout.explorer_placeholder(snapshot),
                figures.empty_figure(message),
                figures.empty_figure(message),
            )
        career = snapshot.player_seasons(player)
        return (
            layout.player_card(snapshot, row),
            figures.player_profile_figure(snapshot, row),
            figures.career_figure(snapshot, career, season),
        )

    @app.callback(
        Output("similar-list", "children"),
        Output("similar-title", "children"),
        Input("player", "value"),
        Input("season", "value"),
        Input("compare-season", "value"),
        Input("n-similar", "value"),
    )
    def update_similar(player, season, compare, n_similar):
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        row = snapshot.player_season(player, season) if player is not None and season else None
        if row is None:
            hint = "Pick a player and a season to see who played most like him."
            return layout.html.P(hint, className="hint"), "Most similar player-seasons"
        in_season = compare if compare and compare != ANY_SEASON else None
        similar = snapshot.similar(player, season, k=int(n_similar or 10), in_season=in_season)
        title = f"Most like the {season} {row['PLAYER_NAME']}" + (
            f" in {in_season}" if in_season else ""
        )
        if similar.empty:
            return layout.html.P("No other player-season to compare with.", className="hint"), title
        return layout.similar_table(snapshot, similar), title

    @app.callback(Output("eras", "figure"), Input("era-weight", "value"))
    def update_eras(weight):
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        return figures.eras_figure(snapshot, weight or "count")
