"""The season under way on the synthetic league, through the real pipelines and a replay whose
clock (NBA_CLUSTER_TODAY) the tests move: what is fetched again and when, what is never written
over, partial seasons in the features and labels, and the refresh pipeline."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from nba_cluster.nba_stats.replay import ReplayServer
from nba_cluster.nba_stats.synthetic import synthetic_responses
from tests.support.kedro_session import run_kedro
from tests.support.replay import fixture_params
from tests.support.search_space import small_search_params

COMPLETED, LIVE = "2024-25", "2025-26"
REGULAR, PLAYOFFS = "Regular Season", "Playoffs"
SCALED = ["GP", "W", "L", "MIN", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB",
          "REB", "AST", "TOV", "STL", "BLK", "BLKA", "PF", "PFD", "PTS"]  # fmt: skip


def partial(body: bytes, share: float) -> bytes:
    """The same season cut to ``share`` of its games: every total scaled, at least one game."""
    payload = json.loads(body)
    table = payload["resultSets"][0]
    columns = [table["headers"].index(name) for name in SCALED]
    for row in table["rowSet"]:
        for column in columns:
            row[column] = round(row[column] * share, 1 if table["headers"][column] == "MIN" else 0)
        row[table["headers"].index("GP")] = max(1, row[table["headers"].index("GP")])
        row[table["headers"].index("MIN")] = max(1.0, row[table["headers"].index("MIN")])
    return json.dumps(payload).encode()


@pytest.fixture
def league() -> dict:
    return synthetic_responses([COMPLETED, LIVE])


@pytest.fixture
def live_replay(league):
    """Completed 2024-25; 2025-26 a third of the way through, its playoffs not started."""
    responses = {key: body for key, body in league.items() if key[0] == COMPLETED}
    responses[(LIVE, REGULAR)] = partial(league[(LIVE, REGULAR)], 1 / 3)
    server = ReplayServer(responses).start()
    yield server
    server.stop()


def live_params(replay, **overrides) -> dict:
    return fixture_params(
        replay,
        **{"ingestion.first_season": COMPLETED, "ingestion.last_season": "current"},
        **overrides,
    )


def raw(project) -> dict[str, bytes]:
    folder = project / "data" / "01_raw"
    return {
        str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*.json"))
    }


def dated_copies(project, key: str) -> list[str]:
    history = project / "data" / "01_raw" / "leaguedashplayerstats_history" / key
    return sorted(path.name for path in history.glob("*.json"))


def test_the_current_season_is_fetched_again_after_its_age_and_completed_ones_never(
    project, live_replay, monkeypatch
):
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-22")
    run_kedro(project, "ingestion", live_params(live_replay))
    assert live_replay.request_counts() == {
        f"{COMPLETED} {REGULAR}": 1, f"{COMPLETED} {PLAYOFFS}": 1,
        f"{LIVE} {REGULAR}": 1, f"{LIVE} {PLAYOFFS}": 1,  # no games yet: an answer, recorded
    }  # fmt: skip

    live_replay.requests.clear()
    run_kedro(project, "ingestion", live_params(live_replay))  # the same day: all still fresh
    assert live_replay.request_counts() == {}

    live_replay.requests.clear()
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-23")  # yesterday's copy: 24 h old
    run_kedro(project, "ingestion", live_params(live_replay))
    assert live_replay.request_counts() == {f"{LIVE} {REGULAR}": 1, f"{LIVE} {PLAYOFFS}": 1}
    assert len(dated_copies(project, "2025-26_regular_season")) == 2
    assert len(dated_copies(project, "2024-25_regular_season")) == 1

    live_replay.requests.clear()
    run_kedro(
        project,
        "ingestion",
        live_params(live_replay, **{"ingestion.current_season_max_age_hours": 0}),
    )
    assert live_replay.request_counts() == {f"{LIVE} {REGULAR}": 1, f"{LIVE} {PLAYOFFS}": 1}


def test_a_shorter_response_never_overwrites_a_longer_one(
    project, live_replay, league, monkeypatch, caplog
):
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-22")
    run_kedro(project, "ingestion", live_params(live_replay))
    before = raw(project)

    # the next day the server answers with less of the season (a glitch, a stale cache)
    live_replay.responses[(LIVE, REGULAR)] = partial(league[(LIVE, REGULAR)], 1 / 4)
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-23")
    with caplog.at_level("WARNING"):
        run_kedro(project, "ingestion", live_params(live_replay))

    after = raw(project)
    new = [name for name in after if name not in before]
    refused = [name for name in new if name.startswith("leaguedashplayerstats_rejected/")]
    assert len(refused) == 1
    assert after[refused[0]] == live_replay.responses[(LIVE, REGULAR)]
    # besides it, only the day's dated "no games yet" answer for the playoffs
    assert [name for name in new if name not in refused] == [
        name for name in new if name.startswith(f"leaguedashplayerstats_history/{LIVE}_playoffs/")
    ]
    assert {name: after[name] for name in before} == before  # nothing written over
    assert "2025-26 Regular Season: smaller than the copy on disk" in caplog.text


def test_partial_season_thresholds_scale_and_the_season_is_marked(
    project, live_replay, league, monkeypatch
):
    # the season's second week: 4 to 7 games, far below 500 minutes and 10 games
    live_replay.responses[(LIVE, REGULAR)] = partial(league[(LIVE, REGULAR)], 1 / 12)
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2025-11-03")
    run_kedro(project, "ingestion", live_params(live_replay))
    run_kedro(project, "feature_engineering", live_params(live_replay))

    features = pd.read_parquet(project / "data" / "05_model_input" / "player_features.parquet")
    live = features[features["SEASON"] == LIVE]
    assert len(live) == 60  # every player of the synthetic league
    assert live["MIN"].max() < 500 and live["GP"].max() < 10
    assert live["SEASON_PARTIAL"].all()
    assert set(live["SEASON_THROUGH"]) == {"2025-11-02"}
    done = features[features["SEASON"] == COMPLETED]
    assert len(done) == 60
    assert not done["SEASON_PARTIAL"].any() and done["SEASON_THROUGH"].isna().all()


def test_two_refreshes_on_consecutive_days_keep_two_dated_copies_and_relabel(
    project, live_replay, league, monkeypatch
):
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-22")
    params = {**live_params(live_replay), **small_search_params()}
    run_kedro(project, None, params)  # a first build and a champion

    live_replay.responses[(LIVE, REGULAR)] = partial(league[(LIVE, REGULAR)], 0.4)
    monkeypatch.setenv("NBA_CLUSTER_TODAY", "2026-02-23")
    live_replay.requests.clear()
    run_kedro(project, "refresh", params)

    assert live_replay.request_counts() == {f"{LIVE} {REGULAR}": 1, f"{LIVE} {PLAYOFFS}": 1}
    copies = dated_copies(project, "2025-26_regular_season")
    assert [name[:10] for name in copies] == ["2026-02-22", "2026-02-23"]
    labels = pd.read_parquet(project / "data" / "07_model_output" / "player_archetypes.parquet")
    live = labels[labels["SEASON"] == LIVE].set_index("PLAYER_ID")
    assert set(live["SEASON_THROUGH"]) == {"2026-02-22"}
    assert live["SEASON_PARTIAL"].all()
    newest = json.loads(live_replay.responses[(LIVE, REGULAR)])["resultSets"][0]
    games = {row[0]: row[newest["headers"].index("GP")] for row in newest["rowSet"]}
    assert live["GP"].to_dict() == games  # labelled from the newer copy
    assert live["ARCHETYPE_NAME"].notna().all()
    assert labels["SEASON"].nunique() == 2
