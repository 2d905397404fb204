"""The view's state: in the URL (so any view can be shared as a link), in the controls, and
checked against the data.

    ?tab=explorer&player=977&season=2004-05&in=1996-97&n=10
    ?tab=map&from=2010-11&to=2024-25&arch=1,4

Parameters at their default are left out; values the data does not know are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from nba_cluster.dashboard import bounds
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.views import DEFAULT_TAB, TABS

SIMILAR_COUNTS = (5, 10, 20)
ERA_WEIGHTS = ("count", "minutes")
ANY_SEASON = "any"


@dataclass(frozen=True)
class ViewState:
    tab: str = DEFAULT_TAB
    season_from: str | None = None  # None: the first season
    season_to: str | None = None  # None: the last season
    archetypes: tuple[int, ...] | None = None  # None: all of them
    player: int | None = None
    season: str | None = None
    compare_in: str | None = None  # similar players from this season only; None: any
    n_similar: int = 10
    era_weight: str = "count"

    def with_player(self, player: int | None, season: str | None, tab: str = "explorer"):
        return replace(self, player=player, season=season, tab=tab)


def parse_search(
    search: str | None, seasons: tuple[str, ...] = (), archetype_ids: tuple[int, ...] = ()
) -> ViewState:
    """The state a URL's search string describes, checked against the data."""
    query = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    known = set(seasons)

    def season(name: str) -> str | None:
        value = query.get(name)
        return value if value in known else None

    tab = query.get("tab", DEFAULT_TAB)
    archetypes = None
    if "arch" in query:
        wanted = bounds.integer_list(query["arch"].split(",")) or []
        archetypes = tuple(a for a in wanted if a in set(archetype_ids))
    n_similar = bounds.integer(query.get("n"))
    return ViewState(
        tab=tab if tab in TABS else DEFAULT_TAB,
        season_from=season("from"),
        season_to=season("to"),
        archetypes=archetypes,
        player=bounds.player_id(query.get("player")),
        season=season("season"),
        compare_in=season("in"),
        n_similar=n_similar if n_similar in SIMILAR_COUNTS else ViewState.n_similar,
        era_weight=query.get("weight") if query.get("weight") in ERA_WEIGHTS else "count",
    )


def to_search(
    state: ViewState, seasons: tuple[str, ...] = (), archetype_ids: tuple[int, ...] = ()
) -> str:
    """The shortest search string that gives ``state`` back (``""`` for the default view)."""
    params: dict[str, str] = {}
    if state.tab != DEFAULT_TAB:
        params["tab"] = state.tab
    if state.player is not None:
        params["player"] = str(state.player)
        if state.season:
            params["season"] = state.season
    if state.compare_in:
        params["in"] = state.compare_in
    if state.n_similar != ViewState.n_similar:
        params["n"] = str(state.n_similar)
    if state.season_from and (not seasons or state.season_from != seasons[0]):
        params["from"] = state.season_from
    if state.season_to and (not seasons or state.season_to != seasons[-1]):
        params["to"] = state.season_to
    if state.archetypes is not None and set(state.archetypes) != set(archetype_ids):
        params["arch"] = ",".join(str(a) for a in sorted(state.archetypes))
    if state.era_weight != "count":
        params["weight"] = state.era_weight
    return "?" + urlencode(params, safe=",") if params else ""


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
    """The state the controls show, ``controls`` in the order of the URL-sync callback's
    inputs (``layout.register``), each bounded: a crafted request gets defaults."""
    tab, season_range, archetypes, player, season, compare, n_similar, era_weight = controls
    seasons = snapshot.seasons
    low, high = bounds.season_range(season_range, len(seasons))
    archetypes = bounds.integer_list(archetypes)
    compare = bounds.text(compare)
    n_similar = bounds.integer(n_similar)
    return ViewState(
        tab=tab if tab in TABS else DEFAULT_TAB,
        season_from=seasons[low],
        season_to=seasons[high],
        archetypes=tuple(archetypes) if archetypes is not None else None,
        player=bounds.player_id(player),
        season=bounds.text(season),
        compare_in=compare if compare and compare != ANY_SEASON else None,
        n_similar=n_similar if n_similar in SIMILAR_COUNTS else ViewState.n_similar,
        era_weight=era_weight if era_weight in ERA_WEIGHTS else "count",
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
