"""The season under way on the dashboard: labelled "through" its last day, one of the eras,
and the scheduler's last and next refresh in the footer, read without a restart."""

from __future__ import annotations

import json
from dataclasses import replace

from nba_cluster.dashboard import layout
from nba_cluster.dashboard.components import Links
from nba_cluster.dashboard.views import eras, explorer
from tests.dashboard import fakes

LIVE, THROUGH = fakes.SEASONS[-1], "2026-02-21"


def live_outputs() -> dict:
    frames = fakes.outputs()
    archetypes = frames["player_archetypes"]
    archetypes["SEASON_PARTIAL"] = archetypes["SEASON"] == LIVE
    archetypes["SEASON_THROUGH"] = archetypes["SEASON"].map({LIVE: THROUGH})
    return frames


def live_snapshot():
    archetypes = live_outputs()["player_archetypes"].sort_values(
        ["SEASON", "PLAYER_ID"], ignore_index=True
    )
    return replace(fakes.snapshot(), archetypes=archetypes)


def write_status(project, last_success: str, next_run: str) -> None:
    path = project / "data" / "08_reporting" / "scheduler_status.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    jobs = {"refresh": {"last_success": last_success, "next_run": next_run}}
    path.write_text(json.dumps({"jobs": jobs, "running": None}))


def test_the_season_under_way_is_labelled_through_its_last_day():
    snapshot = live_snapshot()
    assert snapshot.partial_seasons == {LIVE: THROUGH}
    assert snapshot.season_label(LIVE) == f"{LIVE}, through {THROUGH}"
    assert snapshot.season_label(fakes.SEASONS[0]) == fakes.SEASONS[0]
    player = 203999  # plays every season
    labels = [option["label"] for option in explorer.season_options(snapshot, player)]
    assert labels[-1].startswith(f"{LIVE}, through {THROUGH} · ")
    assert f"{LIVE}, through {THROUGH}" in str(layout.header(snapshot, Links()))


def test_the_eras_include_the_partial_season_marked():
    figure = eras.eras_figure(live_snapshot())
    assert list(figure.data[0].x)[-1] == f"{LIVE}, through {THROUGH}"
    assert [note.text for note in figure.layout.annotations] == ["partial season"]
    assert not eras.eras_figure(fakes.snapshot()).layout.annotations


def test_the_footer_shows_the_scheduler_refreshes_and_follows_its_status(project):
    fakes.write_outputs(project, live_outputs())
    store, clock = fakes.store(project)
    assert "Data written " in str(layout.footer(store.snapshot()))  # no scheduler yet

    write_status(project, "2026-02-22T09:31:10+00:00", "2026-02-23T09:30:00+00:00")
    clock.advance(10)
    footer = str(layout.footer(store.snapshot()))
    assert "Data as of 2026-02-22 09:31 UTC · next refresh 2026-02-23 09:30 UTC" in footer

    write_status(project, "2026-02-23T09:30:40+00:00", "2026-02-24T09:30:00+00:00")
    clock.advance(10)  # a new status is picked up like new data: no restart
    footer = str(layout.footer(store.snapshot()))
    assert "Data as of 2026-02-23 09:30 UTC · next refresh 2026-02-24 09:30 UTC" in footer
