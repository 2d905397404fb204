"""Every acceptance figure of the archetype model (issue 11) on the 30 recorded seasons.

Replays the recorded stats.nba.com responses (1996-97..2024-25 from the Totals captures, and
the 2025-26 regular season up to 2026-02-21, the raw Totals response in
``swar__nba_api/``; see ``shared/nba-stats/PROVENANCE.md``), builds ``player_features`` with
the real pipelines in a throwaway project copy, then:

- times ``kedro run --pipeline training`` against a real ``mlflow server`` (SQLite, artifacts
  over HTTP) and, in this process, the same search computed without tracking;
- runs ``kedro run --pipeline inference`` and measures on its ``player_archetypes``: adjusted
  mutual information with the within-season true-shooting quintile, the top-scorer spread,
  soft-membership figures, similar-player diversity and query time;
- retrains without tracking with another seed, and on the first 29 seasons then all 30 (the
  second continuing the first's archetypes), and counts the player-seasons whose archetype
  name is unchanged;
- prints the archetypes with their defining traits, sizes and examples from three eras.

The figures are recorded in docs/measurements.md (unless ``--no-record``).

    uv run python -m benchmarks.archetypes [--shared PATH] [--no-record]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from mlflow import MlflowClient
from sklearn.metrics import adjusted_mutual_info_score

from benchmarks._measurements import command_line, record
from benchmarks._recorded import parse_arguments, train_and_label
from nba_cluster.clustering.candidates import expand_search_space
from nba_cluster.clustering.model import ArchetypeModel
from nba_cluster.clustering.selection import rank_candidates
from nba_cluster.clustering.similarity import SimilarityIndex
from nba_cluster.pipelines.training.nodes import build_model, leaderboard_row, score_candidate
from tests.support.mlflow_server import mlflow_server
from tests.support.project import PROJECT_ROOT, copy_project
from tests.support.replay import replaying

FIRST_SEASON, LAST_SEASON = "1996-97", "2025-26"
LATEST_SEASON_RESPONSE = "swar__nba_api/leaguedashplayerstats_2025-26_Totals_RegularSeason.json"
EXPERIMENT = "nba_cluster"  # conf/base/mlflow.yml
OTHER_SEED = 7
SELECTION_SEEDS = [42, 7, 1, 3, 11]
LIST_LENGTH = 10
EXAMPLE_MIN_SHARE = 0.9
ERAS = [("1996-97", "2005-06"), ("2006-07", "2015-16"), ("2016-17", "2025-26")]
FAMOUS = [("Shaquille O'Neal", "1999-00"), ("Ben Wallace", "2002-03"),
          ("Stephen Curry", "2015-16"), ("Nikola Jokić", "2022-23")]  # fmt: skip
TARGETS = {
    "ami_ts": 0.05,
    "top_scorers_top2": 0.70,
    "retrain_kept": 0.90,
    "seeds_agree": 0.90,
    "list_max_same_player": 3,
    "training_seconds": 60.0,
    "tracked_ratio": 1.3,
}


def with_latest_season(responses: dict, shared: Path) -> dict:
    """The recorded Totals seasons plus the 2025-26 regular season's raw response."""
    latest = shared / LATEST_SEASON_RESPONSE
    if not latest.is_file():
        sys.exit(f"No {LATEST_SEASON_RESPONSE} in {shared}: pass --shared")
    return {**responses, ("2025-26", "Regular Season"): latest.read_bytes()}


def train_untracked(table: pd.DataFrame, training: dict, previous: ArchetypeModel | None = None):
    """The training pipeline's search and model, without MLflow, ``previous`` playing the
    current champion: ``(model, leaderboard, search seconds)``; the search is the part the
    tracked run also computes."""
    values = table[training["features"]].to_numpy(dtype=float)
    specs = expand_search_space(training["search_space"], training["pca_components"])
    started = time.perf_counter()
    rows = [leaderboard_row(spec, score_candidate(spec, values, training)) for spec in specs]
    seconds = time.perf_counter() - started
    incumbent = None if previous is None else previous.clustering.spec.name
    leaderboard = rank_candidates(pd.DataFrame(rows), training["selection"], incumbent)
    return build_model(leaderboard.iloc[0], table, training, previous), leaderboard, seconds


def chosen_k_by_seed(features: pd.DataFrame, training: dict, family: str) -> dict[int, int]:
    """The cluster count the selection rule picks within ``family`` (the champion's), for
    each of SELECTION_SEEDS: does the data choose k, or the seed?"""
    values = features[training["features"]].to_numpy(dtype=float)
    specs = expand_search_space(training["search_space"], training["pca_components"])
    chosen = {}
    for seed in SELECTION_SEEDS:
        rows = [
            {"candidate": spec.name, "model_family": spec.family}
            | score_candidate(spec, values, {**training, "seed": seed})
            for spec in specs
            if spec.family == family
        ]
        best = rank_candidates(pd.DataFrame(rows), training["selection"]).iloc[0]
        chosen[seed] = int(best["n_clusters"])
    return chosen


def names_of(model: ArchetypeModel, table: pd.DataFrame) -> pd.Series:
    return model.predict(None, table)["ARCHETYPE_NAME"]


def top_scorer_spread(labelled: pd.DataFrame) -> float:
    """Mean over seasons of the share of its ten top scorers (total points, playoffs
    weighted as in the features) held by the two archetypes holding most of them."""
    points = labelled.assign(POINTS=labelled["PTS_PER36"] * labelled["MIN"] / 36.0)
    top = points.sort_values("POINTS", ascending=False).groupby("SEASON").head(10)
    shares = top.groupby("SEASON")["ARCHETYPE_ID"].agg(
        lambda ids: ids.value_counts().head(2).sum() / len(ids)
    )
    return float(shares.mean())


def quintile_ami(labelled: pd.DataFrame, column: str) -> float:
    """Adjusted mutual information between the archetype and the within-season quintile of
    ``column``."""
    quintile = labelled.groupby("SEASON")[column].transform(lambda x: pd.qcut(x, 5, labels=False))
    return float(adjusted_mutual_info_score(quintile, labelled["ARCHETYPE_ID"]))


def ts_quintile_ami(labelled: pd.DataFrame) -> float:
    return quintile_ami(labelled, "TS_PCT")


def similar_lists(index: SimilarityIndex, keys: pd.DataFrame, all_seasons: bool):
    """Over every player-season's 10-list: the most places one other player fills, the
    share of lists where one fills more than 3, and query milliseconds."""
    most, crowded, timings = 0, 0, []
    for player_id, season in keys[["PLAYER_ID", "SEASON"]].itertuples(index=False):
        started = time.perf_counter()
        found = index.most_similar(player_id, season, k=LIST_LENGTH, all_seasons=all_seasons)
        timings.append((time.perf_counter() - started) * 1000)
        fills = int(found["PLAYER_ID"].value_counts().max())
        most, crowded = max(most, fills), crowded + (fills > 3)
    return most, crowded / len(keys), np.array(timings)


def print_archetypes(labelled: pd.DataFrame, profiles: pd.DataFrame) -> None:
    """Each archetype: size, defining traits, and one example of each era: the player-season
    with the most minutes among its firm members (share at least EXAMPLE_MIN_SHARE)."""
    print("\nArchetypes (id, name, size, defining traits; examples from three eras):")
    firm = labelled[labelled["CONFIDENCE"] >= EXAMPLE_MIN_SHARE]
    for archetype, profile in profiles.iterrows():
        members = firm[firm["ARCHETYPE_ID"] == archetype]
        examples = []
        for first, last in ERAS:
            era = members[members["SEASON"].between(first, last)]
            if len(era):
                best = era.sort_values("MIN", ascending=False).iloc[0]
                examples.append(f"{best['PLAYER_NAME']} {best['SEASON']}")
        print(f"  {archetype}. {profile['ARCHETYPE_NAME']} ({profile['SIZE']}): "
              f"{profile['DEFINING_TRAITS'] or 'no trait beyond the threshold'}")  # fmt: skip
        print(f"     e.g. {'; '.join(examples)}")


def print_famous(labelled: pd.DataFrame, index: SimilarityIndex) -> None:
    by_key = labelled.set_index(["PLAYER_ID", "SEASON"])
    for name, season in FAMOUS:
        match = labelled[(labelled["PLAYER_NAME"] == name) & (labelled["SEASON"] == season)]
        if match.empty:
            continue
        player = match.iloc[0]
        print(f"\n{name} {season}: {player['HYBRID_NAME']} "
              f"({player['CONFIDENCE']:.2f} / {player['RUNNER_UP_SHARE']:.2f})")  # fmt: skip
        for all_seasons in (False, True):
            found = index.most_similar(player["PLAYER_ID"], season, k=LIST_LENGTH,
                                       all_seasons=all_seasons)  # fmt: skip
            names = [f"{by_key.loc[(p, s), 'PLAYER_NAME']} {s[2:4]}"
                     for p, s in zip(found["PLAYER_ID"], found["SEASON"], strict=True)]  # fmt: skip
            print(f"  {'all seasons' if all_seasons else 'default':<12}{', '.join(names)}")


def run_pipelines(responses: dict) -> dict:
    """The real pipelines on the recorded seasons, training against a real MLflow server:
    their outputs, the training run's wall seconds and the parts it logged."""
    with (
        replaying(responses) as replay,
        tempfile.TemporaryDirectory(prefix="nba-cluster-archetypes-") as tmp,
    ):
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
    """The same search without tracking (timed), another seed, and 29 then 30 seasons."""
    print("retraining without tracking: the same search, another seed, 29 then 30 seasons ...",
          flush=True)  # fmt: skip
    model, leaderboard, seconds = train_untracked(features, training)
    other_seed, _, _ = train_untracked(features, {**training, "seed": OTHER_SEED})
    older = features[features["SEASON"] < LAST_SEASON]
    before, _, _ = train_untracked(older, training)
    after, _, _ = train_untracked(features, training, previous=before)
    family = leaderboard.iloc[0]["model_family"]
    print(f"the selection rule within {family} for seeds {SELECTION_SEEDS} ...", flush=True)
    return {
        "untracked_seconds": seconds,
        "leaderboard": leaderboard,
        "chosen_k_by_seed": chosen_k_by_seed(features, training, family),
        "seeds_agree": float((names_of(model, features) == names_of(other_seed, features)).mean()),
        "retrain_kept": float((names_of(before, older) == names_of(after, older)).mean()),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__.split("\n\n")[0], argv)
    training = yaml.safe_load((PROJECT_ROOT / "conf/base/parameters_training.yml").read_text())
    training = training["training"]
    run = run_pipelines(with_latest_season(args.responses, args.shared))
    retrained = retrain_untracked(run["features"], training)
    features, labelled = run["features"], run["labelled"]
    leaderboard = retrained["leaderboard"]
    low, high = training["selection"]["cluster_count_range"]
    chosen_k = int(leaderboard.iloc[0]["n_clusters"])
    by_seed = retrained["chosen_k_by_seed"]
    index = SimilarityIndex(run["vectors"])
    diverse_most, diverse_crowded, timings = similar_lists(index, run["vectors"], False)
    every_most, every_crowded, _ = similar_lists(index, run["vectors"], True)
    recorded = features.groupby("SEASON")["PFD_RECORDED"].all()
    ami_ts, spread = ts_quintile_ami(labelled), top_scorer_spread(labelled)
    tracked, untracked = run["tracked_seconds"], retrained["untracked_seconds"]
    hybrid_share = float(
        (labelled["RUNNER_UP_SHARE"] >= training["naming"]["hybrid_min_share"]).mean()
    )

    print(f"\n{len(features)} player-seasons, {features['SEASON'].nunique()} seasons "
          f"({FIRST_SEASON}..{LAST_SEASON}); champion {run['decision']['candidate']}")  # fmt: skip
    print(
        "fouls drawn rejected (league PFD/FTA outside the band) in: "
        + ", ".join(recorded[~recorded].index)
    )
    print("selection curve (k: stability, silhouette, membership temperature):")
    for row in leaderboard.sort_values("n_clusters").itertuples(index=False):
        print(f"  {row.n_clusters:4.0f}: {row.stability:.3f}  {row.silhouette:.3f}  "
              f"{row.membership_temperature:.3f}")  # fmt: skip
    figures = [
        ("AMI(archetype, within-season TS quintile)", ami_ts, f"<= {TARGETS['ami_ts']}",
         ami_ts <= TARGETS["ami_ts"]),
        ("AMI(archetype, within-season assist-ratio quintile), for contrast",
         quintile_ami(labelled, "AST_RATIO"), "-", True),
        ("top-10 scorers in their season's two main archetypes (mean share)", spread,
         f"<= {TARGETS['top_scorers_top2']}", spread <= TARGETS["top_scorers_top2"]),
        ("retrain +1 season: shared player-seasons keeping their name",
         retrained["retrain_kept"], f">= {TARGETS['retrain_kept']}",
         retrained["retrain_kept"] >= TARGETS["retrain_kept"]),
        (f"seeds {training['seed']} and {OTHER_SEED}: player-seasons with the same name",
         retrained["seeds_agree"], f">= {TARGETS['seeds_agree']}",
         retrained["seeds_agree"] >= TARGETS["seeds_agree"]),
        (f"chosen k (range {low}-{high})", chosen_k, "not an end", low < chosen_k < high),
        (f"chosen k within the champion's family, seeds {'/'.join(map(str, SELECTION_SEEDS))}",
         " ".join(str(k) for k in by_seed.values()), "one k", len(set(by_seed.values())) == 1),
        ("median membership share of the archetype", float(labelled["CONFIDENCE"].median()),
         "-", True),
        ("share of hybrids (runner-up share >= hybrid_min_share)", hybrid_share, "-", True),
        ("similar players, default: most places one player fills in a 10-list", diverse_most,
         f"<= {TARGETS['list_max_same_player']}",
         diverse_most <= TARGETS["list_max_same_player"]),
        ("similar players, default: lists where one player fills > 3", diverse_crowded, "-",
         True),
        ("similar players, all seasons: most places one player fills", every_most, "-", True),
        ("similar players, all seasons: lists where one player fills > 3", every_crowded,
         "-", True),
        ("similar-players query p50 / p99 (ms)",
         f"{np.median(timings):.2f} / {np.percentile(timings, 99):.2f}", "milliseconds", True),
        ("training wall time, real MLflow server (s)", tracked,
         f"<= {TARGETS['training_seconds']:g}", tracked <= TARGETS["training_seconds"]),
        ("same search without tracking, in process (s)", untracked, "-", True),
        ("tracked / untracked", tracked / untracked, f"<= {TARGETS['tracked_ratio']}",
         tracked / untracked <= TARGETS["tracked_ratio"]),
        ("  of the tracked run: the search with its nested runs (s)",
         run["tracked_search_seconds"], "-", True),
        ("  of the tracked run: registration (refit, model logged, registered, scored) (s)",
         run["register_seconds"], "-", True),
        ("  of the tracked run: the rest, kedro and kedro-mlflow start-up and exit (s)",
         tracked - run["tracked_search_seconds"] - run["register_seconds"], "-", True),
        ("tracked search / untracked search", run["tracked_search_seconds"] / untracked,
         f"<= {TARGETS['tracked_ratio']}",
         run["tracked_search_seconds"] / untracked <= TARGETS["tracked_ratio"]),
    ]  # fmt: skip
    print(f"\n{'figure':<72}{'value':>14}  target")
    for label, value, target, passed in figures:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{label:<72}{shown:>14}  {target:<14}{'PASS' if passed else 'FAIL'}")
    print_archetypes(labelled, run["profiles"].set_index("ARCHETYPE_ID"))
    print_famous(labelled, index)
    if not args.no_record:
        rows = [(label, value, target) for label, value, target, _ in figures]
        page = record("archetypes", command_line("benchmarks.archetypes", argv), rows)
        print(f"\nrecorded in {page}")
    return 0 if all(passed for *_, passed in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
