"""The view's state: in the URL (so any view can be shared as a link), in the controls, and
checked against the data.

    ?tab=explorer&player=977&season=2004-05&in=1996-97&n=10&space=offense
    ?tab=map&from=2010-11&to=2024-25&arch=1,4
    ?tab=eras&axis=defense&roles=0,2

``axis`` is the role the map, the archetype cards and the eras show (one switch in each, one
state); ``arch`` filters the offensive roles on the map, ``roles`` the defensive ones.

Parameters at their default are left out; values the data does not know are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from nba_cluster.dashboard import bounds
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.dashboard.views import DEFAULT_TAB, TABS
from nba_cluster.features.table import AXES

SIMILAR_COUNTS = (5, 10, 20)
ERA_WEIGHTS = ("count", "minutes")
ANY_SEASON = "any"
SIMILARITY_SPACES = {"combined": "both roles", "offense": "offense only"}


def one_of(value, choices, default):
    """``value`` when it is one of ``choices``, else ``default``: how every control and URL
    parameter with a fixed set of values is read."""
    return value if value in choices else default


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
    axis: str = AXES[0]
    defensive_roles: tuple[int, ...] | None = None  # None: all of them
    similarity_space: str = "combined"

    def with_player(self, player: int | None, season: str | None, tab: str = "explorer"):
        return replace(self, player=player, season=season, tab=tab)


def parse_search(
    search: str | None,
    seasons: tuple[str, ...] = (),
    archetype_ids: tuple[int, ...] = (),
    defensive_ids: tuple[int, ...] = (),
) -> ViewState:
    """The state a URL's search string describes, checked against the data."""
    query = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    known = set(seasons)

    def season(name: str) -> str | None:
        value = query.get(name)
        return value if value in known else None

    def roles(name: str, ids: tuple[int, ...]) -> tuple[int, ...] | None:
        if name not in query:
            return None
        wanted = bounds.integer_list(query[name].split(",")) or []
        return tuple(a for a in wanted if a in set(ids))

    def choice(name: str, choices, default):
        return one_of(query.get(name), choices, default)

    n_similar = bounds.integer(query.get("n"))
    return ViewState(
        tab=choice("tab", TABS, DEFAULT_TAB),
        season_from=season("from"),
        season_to=season("to"),
        archetypes=roles("arch", archetype_ids),
        player=bounds.player_id(query.get("player")),
        season=season("season"),
        compare_in=season("in"),
        n_similar=n_similar if n_similar in SIMILAR_COUNTS else ViewState.n_similar,
        era_weight=choice("weight", ERA_WEIGHTS, ViewState.era_weight),
        axis=choice("axis", AXES, ViewState.axis),
        defensive_roles=roles("roles", defensive_ids),
        similarity_space=choice("space", SIMILARITY_SPACES, ViewState.similarity_space),
    )


def to_search(
    state: ViewState,
    seasons: tuple[str, ...] = (),
    archetype_ids: tuple[int, ...] = (),
    defensive_ids: tuple[int, ...] = (),
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
    if state.similarity_space != ViewState.similarity_space:
        params["space"] = state.similarity_space
    if state.axis != ViewState.axis:
        params["axis"] = state.axis
    if state.season_from and (not seasons or state.season_from != seasons[0]):
        params["from"] = state.season_from
    if state.season_to and (not seasons or state.season_to != seasons[-1]):
        params["to"] = state.season_to
    if state.archetypes is not None and set(state.archetypes) != set(archetype_ids):
        params["arch"] = ",".join(str(a) for a in sorted(state.archetypes))
    if state.defensive_roles is not None and set(state.defensive_roles) != set(defensive_ids):
        params["roles"] = ",".join(str(a) for a in sorted(state.defensive_roles))
    if state.era_weight != ViewState.era_weight:
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
    archetypes, defensive_roles = state.archetypes, state.defensive_roles
    if archetypes is not None:
        archetypes = tuple(a for a in archetypes if a in snapshot.archetype_names)
    if defensive_roles is not None:
        known_roles = snapshot.axis("defense").archetype_names
        defensive_roles = tuple(a for a in defensive_roles if a in known_roles)
    return replace(
        state,
        player=player,
        season=season,
        season_from=low,
        season_to=high,
        archetypes=archetypes,
        defensive_roles=defensive_roles,
        axis=state.axis if state.axis in snapshot.axes else ViewState.axis,
    )


def state_from_controls(snapshot: Snapshot, controls: dict) -> ViewState:
    """The state the controls show, ``controls`` by the names of ``control_values`` (the
    URL-sync callback's inputs, ``layout.CONTROLS``), each bounded: a crafted request gets
    defaults."""
    seasons = snapshot.seasons
    low, high = bounds.season_range(controls["season_range"], len(seasons))

    def roles(name: str) -> tuple[int, ...] | None:
        wanted = bounds.integer_list(controls[name])
        return tuple(wanted) if wanted is not None else None

    def choice(name: str, choices, default):
        return one_of(controls[name], choices, default)

    compare = bounds.text(controls["compare"])
    return ViewState(
        tab=choice("tab", TABS, DEFAULT_TAB),
        season_from=seasons[low],
        season_to=seasons[high],
        archetypes=roles("archetypes"),
        player=bounds.player_id(controls["player"]),
        season=bounds.text(controls["season"]),
        compare_in=compare if compare and compare != ANY_SEASON else None,
        n_similar=choice("n_similar", SIMILAR_COUNTS, ViewState.n_similar),
        era_weight=choice("era_weight", ERA_WEIGHTS, ViewState.era_weight),
        axis=choice("axis", AXES, ViewState.axis),
        defensive_roles=roles("defensive_roles"),
        similarity_space=choice("similarity_space", SIMILARITY_SPACES, ViewState.similarity_space),
    )


def control_values(state: ViewState, snapshot: Snapshot) -> dict:
    """The controls' values for ``state``, by the names of ``layout.CONTROLS``."""
    seasons = snapshot.seasons

    def every_role_if_none(roles: tuple[int, ...] | None, axis: str) -> list[int]:
        return list(roles) if roles is not None else list(snapshot.axis(axis).archetype_order)

    return {
        "tab": state.tab,
        "season_range": [seasons.index(state.season_from), seasons.index(state.season_to)],
        "archetypes": every_role_if_none(state.archetypes, "offense"),
        "defensive_roles": every_role_if_none(state.defensive_roles, "defense"),
        "player": state.player,
        "season": state.season,
        "compare": state.compare_in or ANY_SEASON,
        "n_similar": state.n_similar,
        "era_weight": state.era_weight,
        "axis": state.axis,
        "similarity_space": state.similarity_space,
    }
