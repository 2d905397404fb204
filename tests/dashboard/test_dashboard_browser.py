"""The dashboard in headless Chromium, on outputs of the real pipelines (synthetic league).

Skipped when /usr/bin/chromium or the playwright package is missing. Screenshots of each view
go to test-output/dashboard/.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil

import pandas as pd
import pytest
from mlflow import MlflowClient

from nba_cluster.datasets.names import INFERENCE_OUTPUTS
from nba_cluster.model_registry import CHAMPION, MODEL_NAME
from tests.support.browser import CHROMIUM, screenshot
from tests.support.dashboard import (
    ACCENTED_NAME,
    TEST_ENV,
    DashboardServer,
    output_path,
)
from tests.support.project import copy_project

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="playwright is not installed (a dev dependency: uv sync)"),
]  # fmt: skip

# Points per archetype trace of the map, decoded (plotly 6+ sends numpy data as base64, so
# gd.data[i].x may be {dtype, bdata}; _fullData holds plain arrays).
MAP_POINTS = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  if (!gd || !gd._fullData) return null;
  return gd._fullData.filter(t => t.meta && t.meta.archetype !== undefined)
                     .map(t => [t.name, t.visible === true ? t.x.length : 0]);
}"""
# The point farthest right on the map, with its position on the page.
RIGHTMOST_POINT = """() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  const layout = gd._fullLayout;
  let best = null;
  gd._fullData.forEach(t => {
    if (!t.meta || t.meta.archetype === undefined || t.visible !== true) return;
    for (let i = 0; i < t.x.length; i++)
      if (!best || t.x[i] > best.x) best = {x: t.x[i], y: t.y[i], text: t.text[i]};
  });
  const box = gd.getBoundingClientRect();
  return {...best, px: box.left + layout.xaxis._offset + layout.xaxis.l2p(best.x),
          py: box.top + layout.yaxis._offset + layout.yaxis.l2p(best.y)};
}"""


@pytest.fixture(scope="module")
def labelled(built_project) -> pd.DataFrame:
    return pd.read_parquet(output_path(built_project, "player_archetypes"))


def wait_for_map(page) -> list:
    page.wait_for_function(f"() => {{ const p = ({MAP_POINTS})(); return p && p.length > 0; }}")
    return page.evaluate(MAP_POINTS)


def location(page) -> str:
    """The address bar: dcc.Location changes it with pushState, which page.url misses."""
    return page.evaluate("() => window.location.href")


def similar_rows(page) -> list[list[str]]:
    page.wait_for_selector("#similar-list table tbody tr")
    return page.evaluate(
        "() => [...document.querySelectorAll('#similar-list tbody tr')]"
        ".map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim()))"
    )


def open_tab(page, label: str) -> None:
    page.locator("#tabs").get_by_text(label, exact=True).click()


def pick_option(page, dropdown: str, text: str, search: str | None = None) -> None:
    """Open a dcc.Dropdown, optionally type into its search box, click the option."""
    page.click(f"#{dropdown}")
    popover = page.locator(".dash-dropdown-content[data-state=open]")
    popover.wait_for()
    if search is not None:
        popover.locator(".dash-dropdown-search").press_sequentially(search, delay=30)
    popover.locator(".dash-dropdown-option", has_text=text).first.click()
    popover.wait_for(state="detached")


def test_map_shows_every_player_season_by_archetype(page, dashboard, labelled):
    page.goto(dashboard.url)
    traces = wait_for_map(page)
    assert sum(n for _, n in traces) == len(labelled)
    assert {name for name, _ in traces} == set(labelled["ARCHETYPE_NAME"])
    counts = labelled["ARCHETYPE_NAME"].value_counts()
    assert all(counts[name] == n for name, n in traces)
    summary = page.inner_text("#map-summary")
    assert f"{len(labelled):,} of {len(labelled):,} player-seasons" in summary
    screenshot(page, "map")

    # the switch redraws the map by defensive role
    page.click("#map-axis label:has-text('Defensive role')")
    defensive = set(labelled["DEFENSIVE_ROLE_NAME"])
    page.wait_for_function(
        f"names => {{ const p = ({MAP_POINTS})(); "
        "return p && p.length === names.length && p.every(([n]) => names.includes(n)); }",
        arg=sorted(defensive),
    )
    traces = page.evaluate(MAP_POINTS)
    assert sum(n for _, n in traces) == len(labelled)
    counts = labelled["DEFENSIVE_ROLE_NAME"].value_counts()
    assert all(counts[name] == n for name, n in traces)


def test_search_a_player_pick_a_season_and_see_similar_players(page, dashboard, labelled):
    page.goto(dashboard.url)
    open_tab(page, "Player explorer")
    pick_option(page, "player", ACCENTED_NAME, search="jokic")  # accents are optional
    page.wait_for_function(
        "n => document.querySelector('#player-name')?.innerText === n", arg=ACCENTED_NAME
    )
    player = labelled.loc[labelled["PLAYER_NAME"] == ACCENTED_NAME]
    first = player["SEASON"].min()
    pick_option(page, "season", first)
    page.wait_for_function(
        "s => document.querySelector('#player-season-label')?.innerText.startsWith(s)", arg=first
    )
    archetype = player.loc[player["SEASON"] == first, "ARCHETYPE_NAME"].item()
    defensive = player.loc[player["SEASON"] == first, "DEFENSIVE_ROLE_NAME"].item()
    assert archetype in page.inner_text("#player-card")
    assert defensive in page.inner_text("#player-card")  # both roles

    rows = similar_rows(page)
    names = set(labelled["PLAYER_NAME"])
    assert len(rows) == 10
    assert all(row[1] in names and row[1] != ACCENTED_NAME for row in rows)
    assert page.inner_text("#similar-title") == f"Most like the {first} {ACCENTED_NAME}"
    # the career chart has one marker per season, the profile one row per model feature
    career = page.evaluate(
        "() => document.querySelector('#player-career .js-plotly-plot')._fullData[1].x.length"
    )
    assert career == len(player)
    screenshot(page, "explorer")

    # who was he like in another season?
    other = max(labelled["SEASON"])
    pick_option(page, "compare-season", other)
    page.wait_for_function(
        "s => document.querySelector('#similar-title')?.innerText.endsWith('in ' + s)", arg=other
    )
    assert {row[2] for row in similar_rows(page)} == {other}
    address = location(page)
    assert f"player={player['PLAYER_ID'].iloc[0]}" in address
    assert f"season={first}" in address and f"in={other}" in address

    # a similar player opens in the explorer, and Back returns to the previous one
    target = similar_rows(page)[0][1]
    page.click("#similar-list .link-button >> nth=0")
    page.wait_for_function("n => document.querySelector('#player-name')?.innerText === n",
                           arg=target)  # fmt: skip
    page.go_back()
    page.wait_for_function("n => document.querySelector('#player-name')?.innerText === n",
                           arg=ACCENTED_NAME)  # fmt: skip


def test_clicking_a_map_point_opens_that_player_season(page, dashboard):
    page.goto(dashboard.url)
    wait_for_map(page)
    point = page.evaluate(RIGHTMOST_POINT)
    name, season_team = point["text"].split("<br>")
    season = season_team.split(" · ")[0]
    page.mouse.move(point["px"], point["py"])
    page.mouse.click(point["px"], point["py"])
    page.wait_for_selector("#player-name")
    assert page.inner_text("#player-name") == name
    assert page.inner_text("#player-season-label").startswith(season)
    assert "tab=explorer" in location(page) and f"season={season}" in location(page)
    # his career is drawn on the map
    open_tab(page, "Archetype map")
    wait_for_map(page)
    assert name in page.inner_text("#map-summary")


def test_a_shared_url_restores_the_view(page, dashboard, labelled):
    player = labelled.sort_values("MIN").iloc[-1]
    seasons = sorted(labelled["SEASON"].unique())
    page.goto(f"{dashboard.url}/?tab=explorer&player={player.PLAYER_ID}&season={player.SEASON}"
              f"&in={seasons[0]}&n=5")  # fmt: skip
    page.wait_for_function(
        "n => document.querySelector('#player-name')?.innerText === n", arg=player.PLAYER_NAME
    )
    rows = similar_rows(page)
    assert len(rows) == 5 and {row[2] for row in rows} == {seasons[0]}

    archetype = int(labelled["ARCHETYPE_ID"].iloc[0])
    page.goto(f"{dashboard.url}/?from={seasons[1]}&to={seasons[2]}&arch={archetype}")
    expected = labelled.loc[labelled["SEASON"].isin(seasons[1:3])
                            & (labelled["ARCHETYPE_ID"] == archetype)]  # fmt: skip
    total = f"(({MAP_POINTS})() || []).reduce((a, t) => a + t[1], 0)"
    page.wait_for_function(f"n => {total} === n", arg=len(expected))
    assert page.inner_text("#season-range-label") == f"{seasons[1]} \u2013 {seasons[2]}"


def checked_in_tab(page, tab: str, radio: str) -> str:
    """The value a radio group of a tab shows (only the open tab is in the page)."""
    open_tab(page, tab)
    selector = f"#{radio} input:checked"
    page.wait_for_selector(selector, state="attached")
    return page.evaluate(f"() => document.querySelector('{selector}').value")


def test_the_role_axis_is_one_choice_shared_by_url(page, dashboard, labelled):
    role = int(labelled["DEFENSIVE_ROLE_ID"].iloc[0])
    page.goto(f"{dashboard.url}/?tab=eras&axis=defense&roles={role}&space=offense")
    page.wait_for_function("() => document.querySelector('#eras-axis input:checked')?.value"
                           " === 'defense'")  # fmt: skip
    assert checked_in_tab(page, "Archetypes", "archetypes-axis") == "defense"
    assert checked_in_tab(page, "Player explorer", "similar-space") == "offense"
    assert checked_in_tab(page, "Archetype map", "map-axis") == "defense"
    expected = int((labelled["DEFENSIVE_ROLE_ID"] == role).sum())
    total = f"(({MAP_POINTS})() || []).reduce((a, t) => a + t[1], 0)"
    page.wait_for_function(f"n => {total} === n", arg=expected)

    # the archetype cards' switch moves every switch, and the link says so
    open_tab(page, "Archetypes")
    page.click("#archetypes-axis label:has-text('Offensive role')")
    page.wait_for_function("() => !window.location.search.includes('axis=')")
    screenshot(page, "archetypes-offense")
    assert checked_in_tab(page, "Eras", "eras-axis") == "offense"
    assert checked_in_tab(page, "Archetype map", "map-axis") == "offense"
    assert f"roles={role}" in location(page) and "space=offense" in location(page)


def test_other_views_render_with_the_champions_details(page, dashboard, labelled, mlflow_server):
    client = MlflowClient(mlflow_server)
    champion = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    run = client.get_run(champion.run_id)
    candidates = client.search_runs(
        [run.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{run.data.tags['mlflow.parentRunId']}'",
    )
    page.goto(f"{dashboard.url}/?tab=model")
    page.wait_for_selector("#champion-title")
    assert page.inner_text("#champion-title").endswith(f"v{champion.version}")
    assert page.locator("#leaderboard tbody tr").count() == len(candidates)
    champions = page.locator("#leaderboard tr.champion-row")  # one per axis, each ranked first
    assert champions.count() == 2
    assert all(row.startswith("1") for row in champions.all_inner_texts())
    link = page.get_attribute("a:has-text('Champion run in MLflow')", "href")
    assert (
        link
        == f"http://mlflow.example/#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}"
    )
    assert (
        page.get_attribute("a:has-text('Pipelines in Kedro-Viz')", "href") == "http://viz.example"
    )
    screenshot(page, "model")

    open_tab(page, "Archetypes")
    page.wait_for_selector("#profile-heatmap .js-plotly-plot")
    for name in labelled["ARCHETYPE_NAME"].unique():
        assert name in page.inner_text("#roles-offense .card-grid")
    page.click("#archetypes-axis label:has-text('Defensive role')")
    page.wait_for_selector("#roles-defense .card-grid", state="visible")
    for name in labelled["DEFENSIVE_ROLE_NAME"].unique():
        assert name in page.inner_text("#roles-defense .card-grid")
    screenshot(page, "archetypes")

    open_tab(page, "Eras")
    page.wait_for_function(
        "() => document.querySelector('#eras .js-plotly-plot')?._fullData?.length > 0"
    )
    stacks = page.evaluate("() => document.querySelector('#eras .js-plotly-plot')._fullData"
                           ".map(t => t.x.length)")  # fmt: skip
    assert stacks == [labelled["SEASON"].nunique()] * labelled["ARCHETYPE_ID"].nunique()
    screenshot(page, "eras")


def test_empty_state_then_new_data_without_a_restart(page, built_project, mlflow_server, tmp_path):
    """Served by gunicorn as in the container: no outputs yet, then the pipeline writes them."""
    project = copy_project(tmp_path / "fresh")
    server = DashboardServer(project, mlflow_server, server="gunicorn", env=TEST_ENV)
    try:
        status, _ = server.get("/")
        assert status == 200
        health = json.loads(server.get("/healthz")[1])
        assert health["status"] == "empty" and health["champion_version"] is not None
        page.goto(server.url)
        page.wait_for_selector("#empty-state")
        assert "inference pipeline" in page.inner_text("#empty-state")
        screenshot(page, "empty-state")

        for name in INFERENCE_OUTPUTS:  # what `kedro run --pipeline inference` would write
            target = output_path(project, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(output_path(built_project, name), target)
        page.wait_for_timeout(700)  # longer than DASHBOARD_REFRESH_SECONDS
        page.reload()
        assert sum(n for _, n in wait_for_map(page)) > 0
        assert json.loads(server.get("/healthz")[1])["status"] == "ok"
    finally:
        server.stop()


def test_empty_state_without_a_champion(page, tmp_path):
    project = copy_project(tmp_path / "fresh")
    server = DashboardServer(project, f"sqlite:///{tmp_path / 'empty.db'}", env=TEST_ENV)
    try:
        status, body = server.get("/")
        assert status == 200 and b"NBA player archetypes" in body
        health = json.loads(server.get("/healthz")[1])
        assert health == {**health, "status": "empty", "champion_version": None}
        page.goto(server.url)
        page.wait_for_selector("#empty-state")
        assert re.search(r"No champion model in the MLflow registry yet", page.inner_text("body"))
    finally:
        server.stop()
