"""Fast tests of the dashboard's data access and pure helpers (no browser, no MLflow)."""

from __future__ import annotations

import json
import os
import threading
import time

import pandas as pd
import pytest

from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.dashboard import callbacks, figures, layout
from nba_cluster.dashboard.app import create_app
from nba_cluster.dashboard.data import (
    CatalogSource,
    DataStore,
    Snapshot,
    era_shares,
    normalize_name,
    representative_players,
    search_players,
    signature_traits,
)
from nba_cluster.dashboard.state import ViewState, parse_search, to_search
from tests.dashboard import fakes

# --- names and search -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Nikola Jokić", "nikola jokic"),
        ("Luka Dončić", "luka doncic"),
        ("Shaquille O'Neal", "shaquille oneal"),
        ("Karl-Anthony Towns", "karl anthony towns"),
        ("J.R. Smith", "jr smith"),
        ("Nikola Đorđević", "nikola djordjevic".replace("dj", "d")),  # Đ does not decompose
        ("Kristaps Porziņģis", "kristaps porzingis"),
        ("  Dennis   Schröder ", "dennis schroder"),
    ],
)
def test_normalize_name_drops_accents_case_and_punctuation(name, key):
    assert normalize_name(name) == key


def snapshot_of(frames: dict | None = None, champion=True) -> Snapshot:
    frames = frames or fakes.outputs()
    return Snapshot(
        key=("test",),
        archetypes=frames["player_archetypes"].sort_values(
            ["SEASON", "PLAYER_ID"], ignore_index=True
        ),
        profiles=frames["archetype_profiles"],
        similarity=SimilarityIndex(frames["similarity_vectors"]),
        champion=fakes.champion() if champion else None,
    )


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return snapshot_of()


@pytest.mark.parametrize("query", ["jokic", "Jokić", "JOKIC", "nikola jok", "okic"])
def test_search_is_accent_and_case_insensitive(snapshot, query):
    found = search_players(snapshot.players, query)
    assert found["PLAYER_NAME"].tolist() == ["Nikola Jokić"]


def test_search_ranks_name_starts_first_and_ignores_punctuation(snapshot):
    # "Bryant Reeves" starts with the query, "Kobe Bryant" only contains it
    assert search_players(snapshot.players, "bryant")["PLAYER_NAME"].tolist() == [
        "Bryant Reeves", "Kobe Bryant"]  # fmt: skip
    assert search_players(snapshot.players, "oneal")["PLAYER_NAME"].tolist() == ["Shaquille O'Neal"]
    assert search_players(snapshot.players, "o'neal")["PLAYER_NAME"].tolist() == [
        "Shaquille O'Neal"
    ]
    assert search_players(snapshot.players, "karl anthony")["PLAYER_ID"].tolist() == [1626157]
    assert search_players(snapshot.players, "bogdanovic")["PLAYER_ID"].tolist() == [203992]
    assert search_players(snapshot.players, "").empty
    assert search_players(snapshot.players, "zzz").empty
    assert len(search_players(snapshot.players, "a", limit=3)) == 3


def test_player_option_keeps_the_servers_matches_through_the_client_filter(snapshot):
    option = callbacks.player_option(snapshot, 203999, "Jokic")
    assert option["value"] == 203999
    assert option["label"].startswith("Nikola Jokić (2003-04")
    # Dash's dropdown filters options by substrings of label and search, lower-cased
    for typed in ("jokic", "jokić", "nikola"):
        assert typed in option["search"]


# --- views of a snapshot --------------------------------------------------------------------


def test_representative_players_are_central_regulars_once_each():
    frame = pd.DataFrame({
        "PLAYER_ID": [1, 1, 2, 3, 4], "ARCHETYPE_ID": [0, 0, 0, 0, 1],
        "MIN": [2000, 2500, 300, 1800, 3000], "PLAYOFF_MIN": [0, None, 0, 200, 0],
        "CENTROID_DISTANCE": [0.5, 0.4, 0.1, 0.9, 0.2],
    })  # fmt: skip
    best = representative_players(frame, 0, n=5)
    # player 2 is closest but plays little; player 1 appears once, with his closer season
    assert best["PLAYER_ID"].tolist() == [1, 3]
    assert best["CENTROID_DISTANCE"].tolist() == [0.4, 0.9]
    assert representative_players(frame, 9).empty


def test_era_shares_sum_to_100_per_season(snapshot):
    for weight in ("count", "minutes"):
        shares = era_shares(snapshot.archetypes, weight)
        assert list(shares.index) == list(fakes.SEASONS)
        assert shares.sum(axis=1).round(6).eq(100).all()
    counts = era_shares(snapshot.archetypes, "count")
    # 2003-04: Jason Kidd, Nash and Jokić are 3 of 7 player-seasons (Towns starts a year later)
    assert counts.loc["2003-04", 1] == pytest.approx(100 * 3 / 7)


def test_signature_traits_are_the_largest_deviations(snapshot):
    traits = signature_traits(snapshot.profile_table.loc[2], n=2)
    assert traits == [("Blocks /36", 1.8), ("Assists /36", -0.8)]


def test_similar_players_come_with_names_and_exclude_the_player(snapshot):
    similar = snapshot.similar(203999, "2004-05", k=3)
    assert len(similar) == 3
    assert 203999 not in set(similar["PLAYER_ID"])
    assert similar["DISTANCE"].is_monotonic_increasing
    assert {"PLAYER_NAME", "TEAM_ABBREVIATION", "ARCHETYPE_NAME"} <= set(similar.columns)
    in_season = snapshot.similar(203999, "2004-05", k=10, in_season="2003-04")
    assert set(in_season["SEASON"]) == {"2003-04"}
    assert snapshot.similar(1, "2004-05").empty  # unknown player-season


def test_archetype_order_and_colours_are_stable(snapshot):
    # ordered by mean MAP_X: fakes place archetype a around x = 3a
    assert snapshot.archetype_order == [0, 1, 2]
    assert len(set(snapshot.colors.values())) == 3
    assert snapshot.features == fakes.FEATURES


def test_map_figure_counts_the_filtered_points(snapshot):
    figure, count = figures.map_figure(snapshot, (0, 2), [0, 1, 2])
    assert count == len(snapshot.archetypes)
    figure, count = figures.map_figure(snapshot, (1, 1), [1])
    expected = snapshot.archetypes.query("SEASON == '2004-05' and ARCHETYPE_ID == 1")
    assert count == len(expected) == 2
    shown = [t for t in figure["data"] if t["visible"] is True]
    assert [t["name"] for t in shown] == ["Pass-first point guard"]
    assert sorted(t[0] for t in shown[0]["customdata"].tolist()) == sorted(expected["PLAYER_ID"])
    # with a player selected, his career path is drawn on top
    figure, _ = figures.map_figure(snapshot, (0, 2), [0, 1, 2], player=977, season="2004-05")
    assert figure["data"][-1]["meta"] == {"career": True}
    assert len(figure["data"][-1]["x"]) == 3


def test_every_figure_and_view_builds(snapshot):
    row = snapshot.player_season(203999, "2004-05")
    assert json.dumps(figures.profile_heatmap(snapshot).to_plotly_json(), default=str)
    figures.eras_figure(snapshot, "minutes")
    figures.player_profile_figure(snapshot, row)
    figures.career_figure(snapshot, snapshot.player_seasons(203999), "2004-05")
    page = layout.build(snapshot, layout.Links())
    assert "Jokić" in str(layout.player_card(snapshot, row))
    assert "tabs" in str(page)


def test_typed_array_matches_plotly_form():
    import numpy as np  # noqa: PLC0415

    spec = figures.typed_array(np.array([[1, 2], [3, 4]], dtype=np.float32))
    assert spec["dtype"] == "f4"
    assert spec["shape"] == "2,2"


# --- URL state ------------------------------------------------------------------------------


def test_url_state_round_trip_and_defaults():
    seasons, ids = fakes.SEASONS, (0, 1, 2)
    state = ViewState(
        tab="explorer",
        player=977,
        season="2004-05",
        compare_in="2003-04",
        n_similar=5,
        season_from="2004-05",
        archetypes=(2, 0),
        era_weight="minutes",
    )
    search = to_search(state, seasons, ids)
    assert search.startswith("?tab=explorer&player=977&season=2004-05&in=2003-04&n=5")
    assert "arch=0,2" in search
    back = parse_search(search, seasons, ids)
    assert back == ViewState(tab="explorer", player=977, season="2004-05", compare_in="2003-04",
                             n_similar=5, season_from="2004-05", archetypes=(0, 2),
                             era_weight="minutes")  # fmt: skip
    # the default view has an empty search; unknown values fall back to defaults
    full = ViewState(season_from=seasons[0], season_to=seasons[-1], archetypes=ids)
    assert to_search(full, seasons, ids) == ""
    junk = parse_search("?tab=nope&player=x&season=1900-01&n=7&arch=9,1&weight=z", seasons, ids)
    assert junk == ViewState(archetypes=(1,))


def test_resolve_fills_in_a_players_latest_season(snapshot):
    resolved = callbacks.resolve(ViewState(player=1626157), snapshot)
    assert (resolved.player, resolved.season) == (1626157, "2005-06")
    assert resolved.season_from == "2003-04" and resolved.season_to == "2005-06"
    kept = callbacks.resolve(ViewState(player=977, season="2003-04"), snapshot)
    assert kept.season == "2003-04"
    assert callbacks.resolve(ViewState(player=42, season="2003-04"), snapshot).player is None
    swapped = callbacks.resolve(ViewState(season_from="2005-06", season_to="2003-04"), snapshot)
    assert (swapped.season_from, swapped.season_to) == ("2003-04", "2005-06")


def test_a_clicked_map_point_names_its_player_season(snapshot):
    click = {"points": [{"curveNumber": 0, "pointNumber": 3, "customdata": [977.0, 2004.0, 25.1]}]}
    assert callbacks.clicked_player_season(snapshot, click) == (977, "2004-05")
    by_index = {"points": [{"customdata": {"0": 406, "1": 2005}}]}
    assert callbacks.clicked_player_season(snapshot, by_index) == (406, "2005-06")
    assert callbacks.clicked_player_season(snapshot, {"points": [{"x": 1}]}) is None
    assert callbacks.clicked_player_season(snapshot, None) is None


# --- the store: Kedro catalog, change detection ---------------------------------------------


def make_store(project, champions=None, ttl=5.0, clock=None):
    clock = clock or fakes.Clock()
    store = DataStore(CatalogSource(project), champions or fakes.FakeChampions(), ttl, clock)
    return store, clock


def test_catalog_source_reads_the_projects_catalog_from_anywhere(project, tmp_path, monkeypatch):
    fakes.write_outputs(project, fakes.outputs())
    monkeypatch.chdir(tmp_path)  # paths come from conf/, resolved against the project
    source = CatalogSource(project)
    assert source.filepaths["player_archetypes"] == str(
        project / "data" / "07_model_output" / "player_archetypes.parquet")  # fmt: skip
    frame = source.load("player_archetypes")
    assert "Nikola Jokić" in set(frame["PLAYER_NAME"])
    assert source.tracking_uri() == os.environ["MLFLOW_TRACKING_URI"]
    monkeypatch.delenv("MLFLOW_TRACKING_URI")  # then mlflow.yml's default, under the project
    assert source.tracking_uri() == f"sqlite:///{project}/mlflow.db"


def test_store_is_empty_until_both_data_and_champion_exist(project):
    champions = fakes.FakeChampions(version=None)
    store, clock = make_store(project, champions)
    snapshot = store.snapshot()
    assert not snapshot.ready
    assert "No champion model" in snapshot.empty_reason

    champions.version = "3"
    clock.advance(10)
    snapshot = store.snapshot()
    assert not snapshot.ready
    assert "inference pipeline" in snapshot.empty_reason

    fakes.write_outputs(project, fakes.outputs())
    clock.advance(10)
    snapshot = store.snapshot()
    assert snapshot.ready and snapshot.empty_reason is None
    assert len(snapshot.archetypes) == len(fakes.outputs()["player_archetypes"])
    assert snapshot.data_timestamp is not None


def test_store_checks_at_most_once_per_ttl_and_reloads_only_on_change(project):
    fakes.write_outputs(project, fakes.outputs())
    champions = fakes.FakeChampions()
    store, clock = make_store(project, champions, ttl=5.0)
    first = store.snapshot()
    assert store.snapshot() is first and champions.lookups == 1  # within the TTL: no check

    clock.advance(6)
    assert store.snapshot() is first  # checked, nothing changed: same snapshot
    assert champions.lookups == 2 and champions.detail_calls == 1

    time.sleep(0.01)
    frames = fakes.outputs()
    frames["player_archetypes"].loc[0, "PLAYER_NAME"] = "Renamed Player"
    fakes.write_outputs(project, frames)
    clock.advance(6)
    second = store.snapshot()
    assert second is not first and "Renamed Player" in set(second.archetypes["PLAYER_NAME"])
    assert champions.detail_calls == 1  # same champion: its details are not fetched again

    champions.version = "4"  # a new champion, no new data: reloaded, labels now stale
    clock.advance(6)
    third = store.snapshot()
    assert third.champion.version == "4" and champions.detail_calls == 2
    assert third.stale_labels and third.data_model_version == "3"


def test_store_keeps_the_champion_it_knows_when_mlflow_fails(project):
    fakes.write_outputs(project, fakes.outputs())
    champions = fakes.FakeChampions()
    store, clock = make_store(project, champions)
    first = store.snapshot()
    champions.failure = ConnectionError("mlflow down")
    clock.advance(10)
    assert store.snapshot() is first

    cold, _ = make_store(project, champions)  # never reached MLflow: says so
    snapshot = cold.snapshot()
    assert not snapshot.ready
    assert (
        "could not be reached" in snapshot.empty_reason and "mlflow down" in snapshot.empty_reason
    )


def test_unreadable_outputs_give_an_empty_state_not_an_error(project):
    folder = project / "data" / "07_model_output"
    fakes.write_outputs(project, fakes.outputs())
    (folder / "player_archetypes.parquet").write_bytes(b"not parquet")  # mid-write, say
    store, _ = make_store(project)
    snapshot = store.snapshot()
    assert not snapshot.ready and "could not be read" in snapshot.empty_reason


def test_requests_do_not_wait_for_another_ones_refresh(project):
    fakes.write_outputs(project, fakes.outputs())
    champions = fakes.FakeChampions()
    store, clock = make_store(project, champions)
    first = store.snapshot()
    release = threading.Event()
    entered = threading.Event()
    original = champions.current_version

    def slow_lookup():
        entered.set()
        release.wait(5)
        return original()

    champions.current_version = slow_lookup
    clock.advance(10)
    refresher = threading.Thread(target=store.snapshot)
    refresher.start()
    assert entered.wait(5)
    started = time.perf_counter()
    assert store.snapshot() is first  # served at once from the current snapshot
    assert time.perf_counter() - started < 0.5
    release.set()
    refresher.join(5)


# --- the app over HTTP (Flask's test client) ------------------------------------------------


def dash_post(client, output: str, trigger: str, values: dict):
    """Call the callback writing ``output`` (``"id.prop"``) as the browser would when
    ``trigger`` changes: its output key and inputs come from /_dash-dependencies."""
    dependencies = client.get("/_dash-dependencies").get_json()
    callback = next(c for c in dependencies if f"{output}" in c["output"])
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in callback["output"].strip(".").split("...")
    ]
    body = {
        "output": callback["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [
            # a wildcard input (open-player buttons) is a list of matches: none here
            []
            if i["id"].startswith("{")
            else {**i, "value": values.get(f"{i['id']}.{i['property']}")}
            for i in callback["inputs"]
        ],
        "changedPropIds": [trigger],
        "state": [
            {**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in callback["state"]
        ],
    }
    return client.post("/_dash-update-component", json=body)


def test_http_endpoints_with_and_without_data(project):
    champions = fakes.FakeChampions(version=None)
    store, clock = make_store(project, champions)
    app = create_app(store=store, links=layout.Links("http://ml.test", "http://viz.test"),
                     warm_up=False)  # fmt: skip
    client = app.server.test_client()

    assert client.get("/").status_code == 200
    health = client.get("/healthz").get_json()
    assert health["status"] == "empty" and health["champion_version"] is None
    empty = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "Nothing to show yet" in empty and "No champion model" in empty

    fakes.write_outputs(project, fakes.outputs())
    champions.version = "3"
    clock.advance(10)
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["champion_version"] == "3"
    assert health["player_seasons"] == len(fakes.outputs()["player_archetypes"])
    page = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "http://ml.test/#/experiments/1/runs/run-a" in page
    assert "http://viz.test" in page

    response = dash_post(client, "similar-list.children", "compare-season.value", {
        "player.value": 977, "season.value": "2004-05", "compare-season.value": "2003-04",
        "n-similar.value": 5})  # fmt: skip
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert body["similar-title"]["children"] == "Most like the 2004-05 Kobe Bryant in 2003-04"
    assert "Bogdan Bogdanović" in json.dumps(body, ensure_ascii=False)

    response = dash_post(
        client, "player.options@", "player.search_value", {"player.search_value": "jokic"}
    )
    assert response.status_code == 200
    options = response.get_json()["response"]["player"]["options"]
    assert [o["value"] for o in options] == [203999]

    response = dash_post(client, "map.figure", "archetype-filter.value", {
        "season-range.value": [1, 1], "archetype-filter.value": [1]})  # fmt: skip
    figure = response.get_json()["response"]["map"]["figure"]
    assert sum(len(t["text"]) for t in figure["data"]) == 2


def test_url_and_controls_stay_in_sync(project):
    fakes.write_outputs(project, fakes.outputs())
    store, _ = make_store(project)
    client = create_app(store=store, warm_up=False).server.test_client()
    controls = {
        "url.search": "?tab=explorer&player=977&season=2003-04", "tabs.value": "explorer",
        "season-range.value": [0, 2], "archetype-filter.value": [0, 1, 2],
        "player.value": 977, "season.value": "2003-04", "compare-season.value": "any",
        "n-similar.value": 10, "era-weight.value": "count",
    }  # fmt: skip
    # another player picked in the dropdown: Towns has no 2003-04, so his latest season
    response = dash_post(
        client, "url.search", "player.value", {**controls, "player.value": 1626157}
    )
    changed = response.get_json()["response"]
    assert changed["url"]["search"] == "?tab=explorer&player=1626157&season=2005-06"
    assert changed["season"]["value"] == "2005-06"
    assert [o["value"] for o in changed["season"]["options"]] == ["2004-05", "2005-06"]
    assert changed["player"]["options"][0]["label"].startswith("Karl-Anthony Towns")

    # a shared link: the controls follow the URL, which is left as it is
    shared = "?tab=explorer&player=406&season=2004-05&in=2003-04&n=5&from=2004-05"
    response = dash_post(client, "url.search", "url.search", {**controls, "url.search": shared})
    changed = response.get_json()["response"]
    assert "url" not in changed
    assert changed["player"]["value"] == 406 and changed["season"]["value"] == "2004-05"
    assert changed["compare-season"]["value"] == "2003-04" and changed["n-similar"]["value"] == 5
    assert changed["season-range"]["value"] == [1, 2]
    assert "tabs" not in changed  # already on the explorer

    # a filter moved: only the URL changes
    response = dash_post(client, "url.search", "archetype-filter.value",
                         {**controls, "archetype-filter.value": [2, 0]})  # fmt: skip
    assert response.get_json()["response"] == {
        "url": {"search": "?tab=explorer&player=977&season=2003-04&arch=0,2"}}  # fmt: skip
