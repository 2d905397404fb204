"""The player explorer: type-ahead search, a player-season's offensive and defensive roles,
him against his archetype and the league, his archetype over his career, and the
player-seasons most like him (on both roles by default, or on offense only)."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from nba_cluster.clustering.columns import AXIS_COLUMNS, AXIS_TITLES
from nba_cluster.dashboard import bounds
from nba_cluster.dashboard.components import (
    EN_DASH,
    STATIC_GRAPH_CONFIG,
    Links,
    archetype_badge,
    card,
    empty_figure,
    open_player_button,
)
from nba_cluster.dashboard.search import search_players
from nba_cluster.dashboard.snapshot import Snapshot, membership_text
from nba_cluster.dashboard.state import ANY_SEASON, SIMILAR_COUNTS, SIMILARITY_SPACES, one_of
from nba_cluster.dashboard.store import DataStore
from nba_cluster.dashboard.views.explorer_figures import career_figure, player_profile_figure

SEARCH_LIMIT = 20


def layout(snapshot: Snapshot, links: Links) -> html.Div:
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
                        html.H2("Against his offensive role and the league"),
                        html.P(
                            "Era-adjusted z-scores: 0 is the league average of that season, the "
                            "diamond is his offensive role's centre.",
                            className="hint",
                        ),
                        dcc.Graph(id="player-profile", config=STATIC_GRAPH_CONFIG),
                    ),
                    card(
                        html.H2("Offensive role over his career"),
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
                                    id="similar-space",
                                    value="combined",
                                    inline=True,
                                    className="radio",
                                    options=[
                                        {"label": label, "value": space}
                                        for space, label in SIMILARITY_SPACES.items()
                                    ],
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
        *(
            html.Div(
                className="player-archetype",
                children=[
                    html.Span(AXIS_TITLES[axis], className="role-axis muted"),
                    archetype_badge(snapshot, int(row[AXIS_COLUMNS[axis]["ID"]]), axis=axis),
                    html.Span(
                        membership_text(row, axis),
                        className="muted",
                        id="player-membership"
                        if axis == "offense"
                        else f"player-{axis}-membership",
                        title="membership shares: how firmly refits of the model put this "
                        "player-season in the role (and in the runner-up, for a hybrid)",
                    ),
                ],
            )
            for axis in snapshot.axes
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


def placeholder(snapshot: Snapshot) -> list:
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
                    html.Td(role_badges(snapshot, row)),
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
                html.Th("Roles"),
                html.Th("PTS / REB / AST per 36", className="num"),
                html.Th("Distance", className="num"),
            ]
        )
    )
    return html.Table([head, html.Tbody(rows)], className="table similar-table")


def role_badges(snapshot: Snapshot, row) -> list:
    """The offensive role's badge, then the defensive role's when the labels have one."""
    badges = [archetype_badge(snapshot, row.ARCHETYPE_ID)]
    if "defense" in snapshot.axes:
        badges += [" ", archetype_badge(snapshot, row.DEFENSIVE_ROLE_ID, axis="defense")]
    return badges


def player_option(snapshot: Snapshot, player_id: int, query: str = "") -> dict:
    """A dropdown option. ``search`` holds the accent-free name (and the query that found it),
    so the dropdown's own client-side filter keeps what the server search returned."""
    players = snapshot.players
    row = players.loc[players["PLAYER_ID"] == int(player_id)].iloc[0]
    span = (
        row.FIRST_SEASON
        if row.FIRST_SEASON == row.LAST_SEASON
        else f"{row.FIRST_SEASON}{EN_DASH}{row.LAST_SEASON}"
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
        {
            "label": f"{snapshot.season_label(r.SEASON)} · {r.TEAM_ABBREVIATION} · "
            f"{r.ARCHETYPE_NAME}",
            "value": r.SEASON,
        }
        for r in career.itertuples()
    ]


def register(app, store: DataStore) -> None:
    @app.callback(
        Output("player", "options", allow_duplicate=True),
        Input("player", "search_value"),
        State("player", "value"),
        prevent_initial_call=True,
    )
    def search_player(query, selected):
        """Type-ahead: accent-insensitive search on the server, best matches first."""
        query, selected = bounds.search_query(query), bounds.player_id(selected)
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
        Output("player-card", "children"),
        Output("player-profile", "figure"),
        Output("player-career", "figure"),
        Input("player", "value"),
        Input("season", "value"),
    )
    def update_player(player, season):
        player, season = bounds.player_id(player), bounds.text(season)
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        row = snapshot.player_season(player, season) if player is not None and season else None
        if row is None:
            message = "Pick a player and a season"
            return (
                placeholder(snapshot),
                empty_figure(message),
                empty_figure(message),
            )
        career = snapshot.player_seasons(player)
        return (
            player_card(snapshot, row),
            player_profile_figure(snapshot, row),
            career_figure(snapshot, career, season),
        )

    @app.callback(
        Output("similar-list", "children"),
        Output("similar-title", "children"),
        Input("player", "value"),
        Input("season", "value"),
        Input("compare-season", "value"),
        Input("n-similar", "value"),
        Input("similar-space", "value"),
    )
    def update_similar(player, season, compare, n_similar, space):
        player, season = bounds.player_id(player), bounds.text(season)
        space = one_of(space, SIMILARITY_SPACES, "combined")
        compare, n_similar = bounds.text(compare), bounds.similar_count(n_similar)
        snapshot = store.snapshot()
        if not snapshot.ready:
            raise PreventUpdate
        row = snapshot.player_season(player, season) if player is not None and season else None
        if row is None:
            hint = "Pick a player and a season to see who played most like him."
            return html.P(hint, className="hint"), "Most similar player-seasons"
        in_season = compare if compare and compare != ANY_SEASON else None
        similar = snapshot.similar(player, season, k=n_similar, in_season=in_season, space=space)
        title = (
            f"Most like the {season} {row['PLAYER_NAME']}"
            + (f" in {in_season}" if in_season else "")
            + (" on offense" if space == "offense" else "")
        )
        if similar.empty:
            return html.P("No other player-season to compare with.", className="hint"), title
        return similar_table(snapshot, similar), title
