"""The app over HTTP (Flask's test client): /healthz, the page, the callbacks."""

from __future__ import annotations

import json

from benchmarks.dashboard import make_workloads
from benchmarks.dashboard_load import attacks, malformed_callbacks
from nba_cluster.dashboard.app import create_app
from nba_cluster.dashboard.components import Links
from tests.dashboard import fakes
from tests.support.dashboard import dash_post


def test_http_endpoints_with_and_without_data(project):
    champions = fakes.FakeChampions(version=None)
    store, clock = fakes.store(project, champions)
    app = create_app(store=store, links=Links("http://ml.test", "http://viz.test"),
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
    store, _ = fakes.store(project)
    client = create_app(store=store, warm_up=False).server.test_client()
    controls = {
        "url.search": "?tab=explorer&player=977&season=2003-04", "tabs.value": "explorer",
        "season-range.value": [0, 2], "archetype-filter.value": [0, 1, 2],
        "player.value": 977, "season.value": "2003-04", "compare-season.value": "any",
        "n-similar.value": 10, "era-weight.value": "count",
        "defensive-filter.value": [0, 1], "similar-space.value": "combined",
        "map-axis.value": "offense", "archetypes-axis.value": "offense",
        "eras-axis.value": "offense",
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

    # the eras' axis switch moved: the two other switches follow, and the URL says so
    response = dash_post(client, "url.search", "eras-axis.value",
                         {**controls, "eras-axis.value": "defense"})  # fmt: skip
    assert response.get_json()["response"] == {
        "url": {"search": "?tab=explorer&player=977&season=2003-04&axis=defense"},
        "map-axis": {"value": "defense"}, "archetypes-axis": {"value": "defense"}}  # fmt: skip


def test_malformed_callbacks_are_refused_cheaply_with_one_log_line(project, caplog):
    """Each is the client's error: 400 and one warning line, never a traceback (formatting
    one cost a hundred times the refusal and let 8 such clients starve the visitors)."""
    store, _ = fakes.store(project, fakes.FakeChampions(version="3"))
    fakes.write_outputs(project, fakes.outputs())
    app = create_app(store=store, links=Links("http://ml.test", "http://viz.test"),
                     warm_up=False)  # fmt: skip
    client = app.server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()

    for name, body in malformed_callbacks(dependencies).items():
        caplog.clear()
        with caplog.at_level("INFO", logger="nba_cluster.dashboard.app"):
            response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 400, name
        refusals = [r for r in caplog.records if r.name == "nba_cluster.dashboard.app"]
        assert len(refusals) == 1 and refusals[0].exc_info is None, name
        assert refusals[0].getMessage().startswith("Refused a malformed callback from "), name
        assert "\n" not in refusals[0].getMessage()


def test_the_load_benchmarks_requests_fit_the_apps_callbacks(project):
    """The benchmarks build their requests from /_dash-dependencies: a callback that gained an
    input must not leave them posting requests no page sends."""
    fakes.write_outputs(project, fakes.outputs())
    store, _ = fakes.store(project)
    client = create_app(store=store, warm_up=False).server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()
    workloads = make_workloads(project, dependencies, 10)
    for payload in workloads["similar"] + workloads["map"]:
        response = client.post("/_dash-update-component", json=payload)
        assert response.status_code == 200, payload
    for name, payload in attacks(dependencies, 977, "2004-05").items():
        if isinstance(payload, dict):
            response = client.post("/_dash-update-component", json=payload)
            assert response.status_code in {200, 204, 400}, name
