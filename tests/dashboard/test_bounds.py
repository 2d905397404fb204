"""Crafted requests: oversized bodies, long queries, out-of-range and unparsable values, a
frozen MLflow and broken output files. None answers 500, none returns the whole table."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from nba_cluster.dashboard import bounds
from nba_cluster.dashboard.app import create_app
from nba_cluster.dashboard.components import Links
from nba_cluster.dashboard.sources import CatalogSource, ChampionSource
from nba_cluster.dashboard.store import MLFLOW_WAIT_SECONDS, DataStore
from nba_cluster.datasets.names import LAST_RUN_STATUS
from tests.dashboard import fakes
from tests.support.dashboard import dash_post
from tests.support.run_state import write_state


@pytest.fixture
def client(project):
    fakes.write_outputs(project, fakes.outputs())
    store, _ = fakes.store(project)
    return create_app(store=store, links=Links(), warm_up=False).server.test_client()


def test_a_body_over_the_cap_is_refused_with_413_and_the_app_keeps_serving(client):
    oversized = b'{"output": "x", "inputs": [' + b" " * (20 * 1024 * 1024) + b"]}"

    refused = client.post(
        "/_dash-update-component", data=oversized, content_type="application/json"
    )

    assert refused.status_code == 413
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_a_huge_type_ahead_query_is_cut_to_a_few_words(client):
    query = "jokic " + "a " * 40_000  # 80 kB, 40,001 words

    response = dash_post(client, "player.options@", "player.search_value",
                         {"player.search_value": query})  # fmt: skip

    assert response.status_code == 200
    options = response.get_json()["response"]["player"]["options"]
    assert [o["value"] for o in options] == [203999]  # "jokic a a a" still matches
    assert bounds.search_query(" a b  c d e f" * 1000) == "a b c d"
    assert len(bounds.search_query("y" * 80_000)) == bounds.MAX_QUERY_CHARS


def similar_rows(client, n) -> int:
    response = dash_post(client, "similar-list.children", "n-similar.value", {
        "player.value": 977, "season.value": "2004-05", "n-similar.value": n})  # fmt: skip
    assert response.status_code == 200
    return json.dumps(response.get_json()["response"]["similar-list"]).count("open-player")


@pytest.mark.parametrize(("n", "same_as"), [(-1, 1), (0, 1), (10**9, 20), ("²", 10), (None, 10)])
def test_the_number_of_similar_players_is_clamped(client, n, same_as):
    assert similar_rows(client, n) == similar_rows(client, same_as)
    assert similar_rows(client, 1) == 1 < similar_rows(client, 20)  # not the whole table


@pytest.mark.parametrize(
    "search",
    [
        "?tab=explorer&n=%C2%B2",
        "?tab=explorer&player=" + "9" * 5000,
        "?tab=explorer&player=%C2%B2%C2%B3&season=2004-05",
        "?arch=1,%C2%B2,-," + "7" * 5000,
        "?from=" + "x" * 10_000 + "&weight=%00",
    ],
)
def test_url_values_that_do_not_parse_are_dropped(client, search):
    response = dash_post(client, "url.search", "url.search", {"url.search": search})

    assert response.status_code == 200, response.data[:300]
    values = response.get_json()["response"]
    assert values.get("player", {}).get("value") is None  # no player chosen from junk


CRAFTED_CONTROLS = [
    ("map.figure", "season-range.value", {"season-range.value": "all", "player.value": [1]}),
    ("map.figure", "archetype-filter.value", {"archetype-filter.value": {"a": 1}}),
    ("map.figure", "season-range.value", {"season-range.value": [-(10**30), 10**30]}),
    ("url.search", "map.clickData", {"map.clickData": {"points": [{"customdata": ["x", "inf"]}]}}),
    ("url.search", "tabs.value", {"tabs.value": ["map"], "n-similar.value": "-1"}),
    ("player-card.children", "player.value", {"player.value": 1e300, "season.value": 5}),
]


@pytest.mark.parametrize(("output", "trigger", "values"), CRAFTED_CONTROLS)
def test_crafted_control_values_never_answer_500(client, output, trigger, values):
    response = dash_post(client, output, trigger, values)

    assert response.status_code in (200, 204, 400), response.data[:300]


def test_a_broken_output_file_is_reported_by_name_without_server_paths(project):
    fakes.write_outputs(project, fakes.outputs())
    store, clock = fakes.store(project)
    client = create_app(store=store, links=Links(), warm_up=False).server.test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"

    broken = project / "data" / "07_model_output" / "player_archetypes.parquet"
    broken.write_bytes(b"PAR1 not a parquet file")
    clock.advance(10)
    response = client.get("/healthz")

    health = response.get_json()
    assert health["status"] == "degraded"
    assert health["broken_output"] == "player_archetypes"
    assert health["player_seasons"] == len(fakes.outputs()["player_archetypes"])  # still shown
    assert str(project) not in response.get_data(as_text=True)
    assert "/" + project.parts[1] + "/" not in response.get_data(as_text=True)


def test_an_unreadable_output_and_no_good_data_is_an_empty_state_naming_it(project):
    fakes.write_outputs(project, fakes.outputs())
    (project / "data" / "07_model_output" / "archetype_profiles.parquet").write_bytes(b"")
    store, _ = fakes.store(project)
    client = create_app(store=store, links=Links(), warm_up=False).server.test_client()

    response = client.get("/healthz")

    assert response.get_json()["broken_output"] == "archetype_profiles"
    assert response.get_json()["status"] == "degraded"
    assert str(project) not in response.get_data(as_text=True)
    page = json.dumps(client.get("/_dash-layout").get_json())
    assert "archetype_profiles" in page and str(project) not in page


def test_the_empty_state_says_when_the_last_pipeline_run_failed_and_why(project):
    error = "The MLflow tracking server http://mlflow:5000 stopped answering"
    failed = {"status": "failed", "finished_at": "2026-03-01T06:00:00+00:00",
              "pipelines": ["training"], "error": error}  # fmt: skip
    write_state(project, LAST_RUN_STATUS, failed)
    store, _ = fakes.store(project, fakes.FakeChampions(version=None))
    client = create_app(store=store, links=Links(), warm_up=False).server.test_client()

    page = json.dumps(client.get("/_dash-layout").get_json())

    assert "Nothing to show yet" in page
    assert "The last pipeline run (training) failed at" in page
    assert "http://mlflow:5000 stopped answering" in page


@pytest.fixture
def frozen_mlflow():
    """A TCP server that accepts connections and never answers, as a hung MLflow does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_frozen_mlflow_holds_no_request_beyond_about_a_second(project, frozen_mlflow):
    fakes.write_outputs(project, fakes.outputs())
    store = DataStore(CatalogSource(project), ChampionSource(frozen_mlflow), ttl_seconds=0)
    client = create_app(store=store, links=Links(), warm_up=False).server.test_client()

    for _ in range(3):
        started = time.monotonic()
        health = client.get("/healthz").get_json()
        waited = time.monotonic() - started
        assert waited < MLFLOW_WAIT_SECONDS + 2, waited  # MLflow's own timeout is 5 s x 2
        assert health["status"] == "empty"
        assert "no answer within 1 s" in health["detail"]
