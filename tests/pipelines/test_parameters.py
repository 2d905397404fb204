"""Parameters are validated before any work: typos, wrong types and bad values stop the run with
the key named, the valid keys listed, a non-zero exit and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from mlflow import MlflowClient

from nba_cluster.framework.failures import GuidedFailure
from nba_cluster.framework.hooks import PARAMETER_MODELS
from nba_cluster.pipelines.parameters import InvalidParametersError, validate_parameters
from tests.support.kedro_session import run_kedro
from tests.support.project import PROJECT_ROOT, raw_files
from tests.support.replay import fixture_params


def project_parameters() -> dict:
    params = {}
    for section in PARAMETER_MODELS:
        path = PROJECT_ROOT / "conf" / "base" / f"parameters_{section}.yml"
        params.update(yaml.safe_load(path.read_text()))
    params["ingestion"]["base_url"] = "https://stats.nba.com/stats"  # the oc.env default
    return params


def test_the_shipped_parameters_are_valid_and_pass_through_unchanged():
    params = project_parameters()

    assert validate_parameters(params, PARAMETER_MODELS) == {
        **params,
        "ingestion": {**params["ingestion"], "current_season_max_age_hours": 20},
    }


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("ingestion", "last_season", "current", "current"),
        ("ingestion", "last_season", None, None),
        ("ingestion", "last_season", "2019-20", "2019-20"),
        ("ingestion", "season_types", "Playoffs", ["Playoffs"]),
        ("ingestion", "season_types", "Regular Season|Playoffs", ["Regular Season", "Playoffs"]),
        ("ingestion", "current_season_max_age_hours", 6, 6),
        ("ingestion", "current_season_max_age_hours", 0, 0),  # 0: re-fetch on every run
        ("training", "pca_components", "null|8", [None, 8]),
    ],
)
def test_forms_the_command_line_can_carry_are_accepted(section, key, value, expected):
    params = project_parameters()
    params[section][key] = value

    assert validate_parameters(params, PARAMETER_MODELS)[section][key] == expected


def test_nested_lists_travel_as_bars_with_each_item_read_as_yaml():
    params = project_parameters()
    params["training"]["axes"]["offense"]["cluster_count_range"] = "4|8"
    params["training"]["axes"]["defense"]["search_space"]["kmeans"]["n_clusters"] = "5|6|7"

    training = validate_parameters(params, PARAMETER_MODELS)["training"]

    assert training["axes"]["offense"]["cluster_count_range"] == [4, 8]
    assert training["axes"]["defense"]["search_space"]["kmeans"]["n_clusters"] == [5, 6, 7]


BAD_PARAMETERS = [
    # (overrides, what the message must say)
    (
        {"ingestion.frist_season": "2017-18"},
        ["ingestion.frist_season: unknown key", "first_season, http, last_season"],
    ),
    ({"ingestion.refresh": "maybe"}, ["ingestion.refresh='maybe'", "boolean"]),
    (
        {"ingestion.current_season_max_age_hours": -1},
        ["ingestion.current_season_max_age_hours=-1", "greater than or equal to 0"],
    ),
    (
        {"ingestion.season_types": "Playoff"},
        ["ingestion.season_types.0='Playoff'", "'Regular Season' or 'Playoffs'"],
    ),
    ({"ingestion.season_types": ""}, ["ingestion.season_types=''", "at least 1 item"]),
    (
        {"ingestion.first_season": "1990-91"},
        ["ingestion.first_season='1990-91'", "from 1996-97 on"],
    ),
    ({"ingestion.last_season": "2025-27"}, ["ingestion.last_season='2025-27'", "form '1996-97'"]),
    (
        {"ingestion.first_season": "2010-11", "ingestion.last_season": "2005-06"},
        ["last_season 2005-06 comes before first_season 2010-11"],
    ),
    (
        {"ingestion.http.max_attempts": 0},
        ["ingestion.http.max_attempts=0", "greater than or equal to 1"],
    ),
    ({"ingestion.http.timeout": 5}, ["ingestion.http.timeout: unknown key", "timeout_seconds"]),
    ({"ingestion.base_url": "stats.nba.com"}, ["ingestion.base_url='stats.nba.com'"]),
    (
        {"feature_engineering.z_clip": 0},
        ["feature_engineering.z_clip=0", "greater than or equal to 1"],
    ),
    ({"feature_engineering.min_games": "ten"}, ["feature_engineering.min_games='ten'", "integer"]),
    (
        {"training.axes.offense.cluster_count_range": [12, 8]},
        ["cluster_count_range=[12, 8]", "reversed"],
    ),
    (
        {"training.axes.defense.cluster_count_range": []},
        ["cluster_count_range=[]", "at least 2 items"],
    ),
    (
        {"training.axes.offense.search_space.kmeans.n_clusters": []},
        ["training.axes.offense.search_space.kmeans.n_clusters=[]"],
    ),
    (
        {"training.axes.defense.search_space.kmeanz": {"n_clusters": [8]}},
        ["unknown model families ['kmeanz']"],
    ),
    (
        {
            "training.axes.special_teams": {
                "cluster_count_range": [3, 4],
                "search_space": {"kmeans": {"n_clusters": [3]}},
            }
        },
        ["exactly offense, defense expected"],
    ),
    ({"training.search_workers": 0}, ["search_workers 0"]),
    ({"trainig.seed": 1}, ["trainig: unknown section", "ingestion, feature_engineering, training"]),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_PARAMETERS)
def test_bad_parameters_are_refused_naming_the_key(overrides, expected):
    params = project_parameters()
    for dotted, value in overrides.items():
        *parents, leaf = dotted.split(".")
        node = params
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value

    with pytest.raises(InvalidParametersError) as refused:
        validate_parameters(params, PARAMETER_MODELS)

    for fragment in expected:
        assert fragment in str(refused.value)


def test_every_problem_is_listed_at_once():
    params = project_parameters()
    params["ingestion"]["frist_season"] = "2017-18"
    params["feature_engineering"]["z_clip"] = 0

    with pytest.raises(InvalidParametersError) as refused:
        validate_parameters(params, PARAMETER_MODELS)

    assert "frist_season" in str(refused.value) and "z_clip" in str(refused.value)


def test_a_typo_stops_ingestion_before_any_request(project, replay):
    with pytest.raises(GuidedFailure, match="frist_season: unknown key"):
        run_kedro(
            project, "ingestion", fixture_params(replay, **{"ingestion.frist_season": "2017-18"})
        )

    assert replay.requests == []
    assert not (project / "data" / "01_raw").exists() or raw_files(project) == {}


def test_a_reversed_range_stops_training_before_any_fit_or_mlflow_run(project):
    with pytest.raises(GuidedFailure, match=r"cluster_count_range=\[12, 8\]: .*reversed"):
        run_kedro(project, "training", {"training.axes.offense.cluster_count_range": [12, 8]})

    client = MlflowClient(os.environ["MLFLOW_TRACKING_URI"])
    assert client.search_experiments(filter_string="name = 'nba_cluster'") == []


@pytest.mark.parametrize(
    ("season_types", "expected_files"),
    [
        ("Playoffs", ["2003-04_playoffs.json"]),
        ("Regular Season|Playoffs", ["2003-04_playoffs.json", "2003-04_regular_season.json"]),
    ],
)
def test_season_types_travel_through_params(project, replay, season_types, expected_files):
    params = fixture_params(
        replay, **{"ingestion.last_season": "2003-04", "ingestion.season_types": season_types}
    )

    run_kedro(project, "ingestion", params)

    assert sorted(raw_files(project)) == expected_files


def test_the_command_line_exits_non_zero_with_a_short_message(project):
    env = {**os.environ, "NBA_CLUSTER_DEBUG": ""}
    finished = subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--pipelines", "ingestion", "--params",
         "ingestion.frist_season=2017-18,ingestion.refresh=maybe"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert finished.returncode == 1
    assert "Error: Invalid parameters" in finished.stderr
    assert "ingestion.frist_season: unknown key; valid keys here: base_url," in finished.stderr
    assert "ingestion.refresh='maybe'" in finished.stderr
    assert "NBA_CLUSTER_DEBUG=1" in finished.stderr
    assert "Traceback" not in finished.stdout + finished.stderr
    assert not (project / "data" / "01_raw").exists()
