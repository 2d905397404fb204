"""Every acceptance figure of the two-axis archetype model (issue 17) on the 30 recorded seasons.

Replays the recorded stats.nba.com responses (1996-97..2024-25 from the Totals captures, and
the 2025-26 regular season up to 2026-02-21, the raw Totals response in
``swar__nba_api/``; see ``shared/nba-stats/PROVENANCE.md``), builds ``player_features`` with
the real pipelines in a throwaway project copy, then:

- times ``kedro run --pipeline training`` (both axes, every family, the search on every
  core) against a real ``mlflow server`` (SQLite, artifacts over HTTP) and, in this process,
  the same search without tracking on 1 worker and on 2, side by side;
- runs ``kedro run --pipeline inference`` and measures on its ``player_archetypes``, per axis:
  adjusted mutual information with the within-season true-shooting quintile, what each
  role name rests on; the offensive roles among each season's 30 highest-usage
  player-seasons; the reader's list (``benchmarks/_reader.py``) and the share that fits;
  soft-membership figures, similar-player diversity and query time;
- retrains without tracking with another seed, and on the first 29 seasons then all 30 (the
  second continuing the first's roles), and counts per axis the player-seasons whose role
  name is unchanged;
- prints each axis's roles with their defining traits, sizes and examples from three eras.

The figures are recorded in docs/measurements.md (unless ``--no-record``).

    uv run python -m benchmarks.archetypes [--shared PATH] [--no-record]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from joblib.externals.loky import get_reusable_executor
from mlflow import MlflowClient
from sklearn.metrics import adjusted_mutual_info_score

from benchmarks._measurements import command_line, record
from benchmarks._reader import reader_table
from benchmarks._recorded import parse_arguments, train_and_label
from nba_cluster.clustering.columns import AXIS_COLUMNS
from nba_cluster.clustering.model import ArchetypeModel
from nba_cluster.clustering.naming import name_rests_on, well_supported
from nba_cluster.clustering.search import axis_values, score_in_parallel, search_tasks
from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.features.table import AXES
from nba_cluster.pipelines.training.nodes import build_model, incumbent, leaderboard_row, rank_axis
from tests.support.mlflow_server import mlflow_server
from tests.support.project import PROJECT_ROOT, copy_project
from tests.support.replay import replaying

FIRST_SEASON, LAST_SEASON = "1996-97", "2025-26"
LATEST_SEASON_RESPONSE = "swar__nba_api/leaguedashplayerstats_2025-26_Totals_RegularSeason.json"
# The project's clock on the day that response was recorded (games through 2026-02-21): 2025-26
# is the season under way, its empty playoffs "no games yet", not a truncated answer.
RECORDED_ON = "2026-02-22"
EXPERIMENT = "nba_cluster"  # conf/base/mlflow.yml
OTHER_SEED = 7
SELECTION_SEEDS = [42, 7, 1, 3, 11]
LIST_LENGTH = 10
EXAMPLE_MIN_SHARE = 0.9
USAGE_TOP = 30
TIMING_ROUNDS = 2
ERAS = [("1996-97", "2005-06"), ("2006-07", "2015-16"), ("2016-17", "2025-26")]
FAMOUS = [("Shaquille O'Neal", "1999-00"), ("Kobe Bryant", "2005-06"),
          ("Stephen Curry", "2015-16"), ("Nikola Jokić", "2022-23")]  # fmt: skip
TARGETS = {
    "ami_ts": 0.05,
    "usage_top_roles": 3.0,
    "single_trait_min": 1.5,
    "retrain_kept": 0.90,
    "seeds_agree": 0.90,
    "reader_fits": 0.90,
    "list_max_same_player": 3,
    "training_seconds": 60.0,
    "two_core_ratio": 0.65,
}


def with_latest_season(responses: dict, shared: Path) -> dict:
    """The recorded Totals seasons plus the 2025-26 regular season's raw response."""
    latest = shared / LATEST_SEASON_RESPONSE
    if not latest.is_file():
        sys.exit(f"No {LATEST_SEASON_RESPONSE} in {shared}: pass --shared")
    return {**responses, ("2025-26", "Regular Season"): latest.read_bytes()}


def search_untracked(table: pd.DataFrame, training: dict, workers: int):
    """The training pipeline's search without MLflow: ``(leaderboard, seconds)``."""
    tasks = search_tasks(training)
    started = time.perf_counter()
    scored = dict(score_in_parallel(tasks, axis_values(table), training, workers))
    rows = [leaderboard_row(task, scored[position]) for position, task in enumerate(tasks)]
    return pd.DataFrame(rows), time.perf_counter() - started


def train_untracked(
    table: pd.DataFrame, training: dict, previous: ArchetypeModel | None = None, workers=-1
):
    """The training pipeline's search and model without MLflow, ``previous`` playing the
    current champion: ``(model, leaderboard, search seconds)``."""
    leaderboard, seconds = search_untracked(table, training, workers)
    best = {axis: rank_axis(leaderboard, training, axis, incumbent(previous, axis)).iloc[0]
            for axis in AXES}  # fmt: skip
    return build_model(best, table, training, previous), leaderboard, seconds


def chosen_k_by_seed(features: pd.DataFrame, training: dict, families: dict) -> dict:
    """Per axis, the cluster count the selection rule picks within the champion's family on
    that axis, for each of SELECTION_SEEDS: does the data choose k, or the seed?"""
    chosen = {axis: {} for axis in AXES}
    for seed in SELECTION_SEEDS:
        only = {**training, "seed": seed, "axes": {
            axis: {**settings, "search_space": {families[axis]: settings["search_space"][
                families[axis]]}} for axis, settings in training["axes"].items()}}  # fmt: skip
        leaderboard, _ = search_untracked(features, only, workers=-1)
        for axis in AXES:
            chosen[axis][seed] = int(rank_axis(leaderboard, only, axis).iloc[0]["n_clusters"])
    return chosen


def names_of(model: ArchetypeModel, table: pd.DataFrame, axis: str) -> pd.Series:
    return model.roles[axis].predict(table)["NAME"]


def quintile_ami(labelled: pd.DataFrame, column: str, role_column: str) -> float:
    """Adjusted mutual information between a role and the within-season quintile of
    ``column``."""
    quintile = labelled.groupby("SEASON")[column].transform(lambda x: pd.qcut(x, 5, labels=False))
    return float(adjusted_mutual_info_score(quintile, labelled[role_column]))


def usage_top_roles(labelled: pd.DataFrame) -> float:
    """Mean over seasons of the number of offensive roles among the season's USAGE_TOP
    highest-usage player-seasons: usage is a trait of several roles, not one tier."""
    top = labelled.sort_values("USG_PCT", ascending=False).groupby("SEASON").head(USAGE_TOP)
    return float(top.groupby("SEASON")["ARCHETYPE_ID"].nunique().mean())


def top_scorer_spread(labelled: pd.DataFrame) -> float:
    """Mean over seasons of the share of its ten top scorers (total points, playoffs
    weighted as in the features) held by the two offensive roles holding most of them."""
    points = labelled.assign(POINTS=labelled["PTS_PER36"] * labelled["MIN"] / 36.0)
    top = points.sort_values("POINTS", ascending=False).groupby("SEASON").head(10)
    shares = top.groupby("SEASON")["ARCHETYPE_ID"].agg(
        lambda ids: ids.value_counts().head(2).sum() / len(ids)
    )
    return float(shares.mean())


def weakest_name(model: ArchetypeModel, trait_threshold: float, axis: str):
    """``(passes, description)``: every role name of the axis rests on two traits or one of
    at least 1.5 z (a generic name, resting on none, says so honestly)."""
    role = model.roles[axis]
    verdicts = []
    for _, profile in role.profiles.iterrows():
        centroid = profile[role.features]
        traits = name_rests_on(profile["ARCHETYPE_NAME"], centroid, axis, trait_threshold)
        verdicts.append((not traits or well_supported(traits), profile["ARCHETYPE_NAME"], traits))
    failing = [f"{name} ({traits})" for ok, name, traits in verdicts if not ok]
    fewest = min(verdicts, key=lambda v: (len(v[2]) or 99, max((abs(z) for _, z in v[2]),
                                                               default=0)))  # fmt: skip
    shown = ", ".join(f"{f} {z:+.1f}" for f, z in fewest[2]) or "no trait: generic"
    return not failing, "; ".join(failing) or f"weakest: {fewest[1]} ({shown})"


def similar_lists(index: SimilarityIndex, keys: pd.DataFrame, all_seasons: bool):
    """Over every player-season's 10-list (combined space): the most places one other player
    fills, the share of lists where one fills more than 3, and query milliseconds."""
    most, crowded, timings = 0, 0, []
    for player_id, season in keys[["PLAYER_ID", "SEASON"]].itertuples(index=False):
        started = time.perf_counter()
        found = index.most_similar(player_id, season, k=LIST_LENGTH, all_seasons=all_seasons)
        timings.append((time.perf_counter() - started) * 1000)
        fills = int(found["PLAYER_ID"].value_counts().max())
        most, crowded = max(most, fills), crowded + (fills > 3)
    return most, crowded / len(keys), np.array(timings)


def print_roles(labelled: pd.DataFrame, profiles: pd.DataFrame) -> None:
    """Each axis's roles: size, defining traits, and one example of each era: the
    player-season with the most minutes among its firm members (share >= EXAMPLE_MIN_SHARE)."""
    for axis, columns in AXIS_COLUMNS.items():
        print(f"\n{axis.capitalize()} roles (id, name, size, defining traits; examples):")
        firm = labelled[labelled[columns["CONFIDENCE"]] >= EXAMPLE_MIN_SHARE]
        of_axis = profiles[profiles["AXIS"] == axis].set_index("ARCHETYPE_ID")
        for role, profile in of_axis.iterrows():
            members = firm[firm[columns["ID"]] == role]
            examples = []
            for first, last in ERAS:
                era = members[members["SEASON"].between(first, last)]
                if len(era):
                    best = era.sort_values("MIN", ascending=False).iloc[0]
                    examples.append(f"{best['PLAYER_NAME']} {best['SEASON']}")
            print(f"  {role}. {profile['ARCHETYPE_NAME']} ({profile['SIZE']}): "
                  f"{profile['DEFINING_TRAITS'] or 'no trait beyond the threshold'}")  # fmt: skip
            print(f"     e.g. {'; '.join(examples)}")


def print_famous(labelled: pd.DataFrame, index: SimilarityIndex) -> None:
    by_key = labelled.set_index(["PLAYER_ID", "SEASON"])
    for name, season in FAMOUS:
        match = labelled[(labelled["PLAYER_NAME"] == name) & (labelled["SEASON"] == season)]
        if match.empty:
            continue
        player = match.iloc[0]
        print(f"\n{name} {season}: {player['HYBRID_NAME']} · {player['DEFENSIVE_HYBRID_NAME']}")
        for space in ("combined", "offense"):
            found = index.most_similar(player["PLAYER_ID"], season, k=LIST_LENGTH, space=space)
            names = [f"{by_key.loc[(p, s), 'PLAYER_NAME']} {s[2:4]}"
                     for p, s in zip(found["PLAYER_ID"], found["SEASON"], strict=True)]  # fmt: skip
            print(f"  {space:<10}{', '.join(names)}")


def run_pipelines(responses: dict) -> dict:
    """The real pipelines on the recorded seasons, training against a real MLflow server:
    their outputs, the training run's wall seconds and the parts it logged."""
    with (
        replaying(responses) as replay,
        tempfile.TemporaryDirectory(prefix="nba-cluster-archetypes-") as tmp,
    ):
        os.environ["NBA_CLUSTER_TODAY"] = RECORDED_ON  # the kedro runs read it
        root = copy_project(Path(tmp))
        with mlflow_server(root / "mlflow") as tracking_uri:
            tracked_seconds, _ = train_and_label(
                root, replay.base_url, tracking_uri, ingestion__last_season=LAST_SEASON
            )
            client = MlflowClient(tracking_uri)
            (parent,) = client.search_runs(
                [client.get_experiment_by_name(EXPERIMENT).experiment_id],
                filter_string="metrics.search_seconds > 0",
            )
        output = root / "data" / "07_model_output"
        return {
            "tracked_seconds": tracked_seconds,
            "tracked_search_seconds": parent.data.metrics["search_seconds"],
            "register_seconds": parent.data.metrics["register_seconds"],
            "features": pd.read_parquet(root / "data/05_model_input/player_features.parquet"),
            "labelled": pd.read_parquet(output / "player_archetypes.parquet"),
            "profiles": pd.read_parquet(output / "archetype_profiles.parquet"),
            "vectors": pd.read_parquet(output / "similarity_vectors.parquet"),
            "decision": json.loads((root / "data/08_reporting/registry_decision.json").read_text()),
        }


def retrain_untracked(features: pd.DataFrame, training: dict) -> dict:
    """The same search without tracking on 1 and 2 workers (timed), another seed, and 29
    then 30 seasons."""
    print(f"the search without tracking on 1 worker, then on 2, {TIMING_ROUNDS} times ...",
          flush=True)  # fmt: skip
    one_worker, two_workers = [], []
    for _ in range(TIMING_ROUNDS):  # alternated: the shared machine's load drifts
        one_worker.append(search_untracked(features, training, workers=1)[1])
        # each timed search starts its worker, as a kedro run does: none is kept from before
        get_reusable_executor().shutdown(wait=True)
        two_workers.append(search_untracked(features, training, workers=2)[1])
    model, leaderboard, _ = train_untracked(features, training, workers=2)
    print("retraining: another seed, 29 then 30 seasons ...", flush=True)
    other_seed, _, _ = train_untracked(features, {**training, "seed": OTHER_SEED})
    older = features[features["SEASON"] < LAST_SEASON]
    before, _, _ = train_untracked(older, training)
    after, _, _ = train_untracked(features, training, previous=before)
    families = {axis: model.roles[axis].family for axis in AXES}
    print(f"the selection rule within {families} for seeds {SELECTION_SEEDS} ...", flush=True)
    seeds_agree, retrain_kept = {}, {}
    for axis in AXES:
        same = names_of(model, features, axis) == names_of(other_seed, features, axis)
        seeds_agree[axis] = float(same.mean())
        kept = names_of(before, older, axis) == names_of(after, older, axis)
        retrain_kept[axis] = float(kept.mean())
    return {
        "one_worker_seconds": one_worker,
        "two_worker_seconds": two_workers,
        "model": model,
        "leaderboard": leaderboard,
        "chosen_k_by_seed": chosen_k_by_seed(features, training, families),
        "seeds_agree": seeds_agree,
        "retrain_kept": retrain_kept,
    }


def chosen_k_verdict(ranked: pd.DataFrame, chosen: int, low: int, high: int):
    """``(text, passes)``: an interior k passes; a k at the floor passes when the chosen
    family's stability falls at every larger k (the data ask for the fewest roles the range
    allows; the range's floor is documented), and the text says so."""
    if low < chosen < high:
        return str(chosen), True
    family = ranked[ranked["model_family"] == ranked.iloc[0]["model_family"]]
    curve = family.set_index("n_clusters")["stability"].sort_index()
    above = curve[curve.index > chosen]
    falls = chosen == low and bool((above < curve[chosen]).all())
    below = curve[curve.index < chosen]
    shown = ", ".join(f"{k:.0f}: {v:.3f}" for k, v in curve.items())
    reason = "floor, stability falls above it" if falls else "an end"
    extra = (
        f"; below the range {below.index[-1]:.0f} scores {below.iloc[-1]:.3f}" if len(below) else ""
    )
    return f"{chosen} ({reason}{extra}; curve {shown})", falls


def axis_figures(run: dict, retrained: dict, training: dict, axis: str) -> list[tuple]:
    """The figures each axis must meet: efficiency is not a role, names rest on traits,
    stable across a retrain and across seeds, k chosen inside its range."""
    labelled, columns = run["labelled"], AXIS_COLUMNS[axis]
    ami = quintile_ami(labelled, "TS_PCT", columns["ID"])
    supported, weakest = weakest_name(retrained["model"], training["naming"]["trait_threshold"],
                                      axis)  # fmt: skip
    low, high = training["axes"][axis]["cluster_count_range"]
    ranked = rank_axis(retrained["leaderboard"], training, axis)
    chosen = int(ranked.iloc[0]["n_clusters"])
    k_verdict, k_passes = chosen_k_verdict(ranked, chosen, low, high)
    by_seed = retrained["chosen_k_by_seed"][axis]
    kept, agree = retrained["retrain_kept"][axis], retrained["seeds_agree"][axis]
    hybrid = float((labelled[columns["RUNNER_UP_SHARE"]]
                    >= training["naming"]["hybrid_min_share"]).mean())  # fmt: skip
    return [
        (f"{axis}: AMI(role, within-season TS quintile)", ami, f"<= {TARGETS['ami_ts']}",
         ami <= TARGETS["ami_ts"]),
        (f"{axis}: names on two traits or one >= 1.5 z", weakest, "every name", supported),
        (f"{axis}: retrain +1 season, shared player-seasons keeping their name", kept,
         f">= {TARGETS['retrain_kept']}", kept >= TARGETS["retrain_kept"]),
        (f"{axis}: seeds {training['seed']} and {OTHER_SEED}, player-seasons with the same name",
         agree, f">= {TARGETS['seeds_agree']}", agree >= TARGETS["seeds_agree"]),
        (f"{axis}: chosen k (range {low}-{high}), {ranked.iloc[0]['candidate']}", k_verdict,
         "not an end, or the curve says why", k_passes),
        (f"{axis}: chosen k in its family, seeds {'/'.join(map(str, SELECTION_SEEDS))}",
         " ".join(str(k) for k in by_seed.values()), "one k", len(set(by_seed.values())) == 1),
        (f"{axis}: median membership share / share of hybrids",
         f"{labelled[columns['CONFIDENCE']].median():.3f} / {hybrid:.3f}", "-", True),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__.split("\n\n")[0], argv)
    training = yaml.safe_load((PROJECT_ROOT / "conf/base/parameters_training.yml").read_text())
    training = training["training"]
    run = run_pipelines(with_latest_season(args.responses, args.shared))
    retrained = retrain_untracked(run["features"], training)
    features, labelled = run["features"], run["labelled"]
    index = SimilarityIndex(run["vectors"])
    diverse_most, diverse_crowded, timings = similar_lists(index, run["vectors"], False)
    reader = reader_table(labelled)
    reader_share = float(reader["fits"].mean())
    usage_roles = usage_top_roles(labelled)
    tracked = run["tracked_seconds"]
    one, two = retrained["one_worker_seconds"], retrained["two_worker_seconds"]
    shown_one, shown_two = (" + ".join(f"{t:.1f}" for t in runs) for runs in (one, two))

    print(f"\n{len(features)} player-seasons, {features['SEASON'].nunique()} seasons "
          f"({FIRST_SEASON}..{LAST_SEASON}); champion {run['decision']['candidate']}")  # fmt: skip
    for axis in AXES:
        print(f"{axis} selection curve (candidate: k, stability, silhouette, temperature):")
        ranked = rank_axis(retrained["leaderboard"], training, axis)
        for row in ranked.sort_values(["model_family", "n_clusters"]).itertuples(index=False):
            print(f"  {row.candidate:<58}{row.n_clusters:3.0f}  {row.stability:.3f}  "
                  f"{row.silhouette:.3f}  {row.membership_temperature:.3f}")  # fmt: skip
    print(f"\nThe reader's list ({len(reader)} player-seasons; * = does not fit):")
    for row in reader.itertuples(index=False):
        print(f"  {' ' if row.fits else '*'} {row.player_season:<32}{row.display:<48}"
              f"accepted {row.accepted}")  # fmt: skip
    figures = [
        (f"reader's list: share of {len(reader)} famous player-seasons whose names fit",
         reader_share, f">= {TARGETS['reader_fits']}", reader_share >= TARGETS["reader_fits"]),
        *axis_figures(run, retrained, training, "offense"),
        *axis_figures(run, retrained, training, "defense"),
        (f"offense: roles among each season's {USAGE_TOP} highest-usage (mean)", usage_roles,
         f">= {TARGETS['usage_top_roles']:g}", usage_roles >= TARGETS["usage_top_roles"]),
        ("offense: AMI(role, within-season assist-ratio quintile), for contrast",
         quintile_ami(labelled, "AST_RATIO", "ARCHETYPE_ID"), "-", True),
        ("offense: top-10 scorers in their season's two main roles (mean share)",
         top_scorer_spread(labelled), "-", True),
        ("similar players (combined space): most places one player fills in a 10-list",
         diverse_most, f"<= {TARGETS['list_max_same_player']}",
         diverse_most <= TARGETS["list_max_same_player"]),
        ("similar players: lists where one player fills > 3", diverse_crowded, "-", True),
        ("similar-players query p50 / p99 (ms)",
         f"{np.median(timings):.2f} / {np.percentile(timings, 99):.2f}", "milliseconds", True),
        ("training wall time, both axes, real MLflow server, every core (s)", tracked,
         f"<= {TARGETS['training_seconds']:g}", tracked <= TARGETS["training_seconds"]),
        ("  of it: the search with its nested runs / registration (s)",
         f"{run['tracked_search_seconds']:.1f} / {run['register_seconds']:.1f}", "-", True),
        (f"search without tracking, {TIMING_ROUNDS} rounds alternated: 1 worker / 2 workers (s)",
         f"{shown_one} / {shown_two}", "-", True),
        ("search on 2 workers / on 1 (sums of the rounds)", sum(two) / sum(one),
         f"<= {TARGETS['two_core_ratio']}", sum(two) / sum(one) <= TARGETS["two_core_ratio"]),
    ]  # fmt: skip
    print(f"\n{'figure':<84}{'value':>14}  target")
    for label, value, target, passed in figures:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{label:<84}{shown:>14}  {target:<14}{'PASS' if passed else 'FAIL'}")
    print_roles(labelled, run["profiles"])
    print_famous(labelled, index)
    if not args.no_record:
        rows = [(label, value, target) for label, value, target, _ in figures]
        page = record("archetypes", command_line("benchmarks.archetypes", argv), rows)
        print(f"\nrecorded in {page}")
    return 0 if all(passed for *_, passed in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
