"""The search over both axes' candidates, spread over the machine's cores.

Every (axis, candidate) is fitted and scored on its own (``score_candidate``: a fit, its
internal validity, its stability refits), so candidates run in parallel: in this process and
in worker processes (joblib's loky executor), handed back as each is done. A candidate's
scores depend only on its spec, its axis's features and the seed, never on which worker ran
it or when: the same seed gives the same leaderboard, and the same labels, with 1 worker or
many. Tracking stays in the caller's process (one MLflow writer).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from joblib.externals.loky import get_reusable_executor
from threadpoolctl import threadpool_limits

from nba_cluster.clustering.candidates import (
    CandidateSpec,
    evaluate,
    expand_search_space,
    fit_clustering,
)
from nba_cluster.features.table import AXES, axis_columns


@dataclass(frozen=True)
class SearchTask:
    axis: str
    spec: CandidateSpec

    @property
    def run_name(self) -> str:
        return f"{self.axis}: {self.spec.name}"


def search_tasks(training: Mapping[str, Any]) -> list[SearchTask]:
    """Every candidate of every axis's search space, offense first."""
    return [
        SearchTask(axis, spec)
        for axis in AXES
        for spec in expand_search_space(
            training["axes"][axis]["search_space"], training["pca_components"]
        )
    ]


def axis_values(player_features: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each axis's clustering input: its feature-table columns, as floats."""
    return {axis: player_features[axis_columns(axis)].to_numpy(dtype=float) for axis in AXES}


def axis_selection(training: Mapping[str, Any], axis: str) -> dict[str, Any]:
    """The selection rule for one axis: the shared rule with the axis's cluster-count range."""
    return {**training["selection"], "cluster_count_range": training["axes"][axis][
        "cluster_count_range"]}  # fmt: skip


def score_candidate(spec: CandidateSpec, values: np.ndarray, training: Mapping[str, Any]):
    """Fit one candidate and measure it, with no tracking: what the search computes.

    One thread per process: the fits are small, and on a shared machine BLAS and OpenMP
    thread pools spin against each other (measured: 0.2 s single-threaded against 6.7 s
    for a k-means fit on a loaded 2-core host); the parallelism is across candidates.
    """
    with threadpool_limits(limits=1):
        fitted = fit_clustering(spec, values, training["seed"])
        return evaluate(fitted, values, seed=training["seed"], **training["evaluation"])


# Relative cost of a candidate by family, measured single-threaded on the 30 recorded seasons
# with eight refits each (HDBSCAN 5-6 s, Ward on its 2,500-row sample 2-4 s, k-means with ten
# restarts 1-3 s, a diagonal mixture about 1 s): the longest go first, so no worker is left
# alone with a long candidate at the end while the other idles.
EXPECTED_COST = {"hdbscan": 3, "agglomerative_ward": 2, "kmeans": 2, "gaussian_mixture": 1}


def score_in_parallel(
    tasks: list[SearchTask],
    values: Mapping[str, np.ndarray],
    training: Mapping[str, Any],
    workers: int,
    on_start: Callable[[int], None] = lambda position: None,
) -> Iterator[tuple[int, dict[str, float]]]:
    """``(position in tasks, metrics)`` for every task as soon as it is done, computed by
    ``workers`` processes (-1: one per core; 1: this process alone), the costliest families
    first; ``on_start(position)`` is called as a task is handed to a worker or begun here.

    This process is one of the workers: it scores candidates itself while the others start
    (spawning a worker and importing scikit-learn in it takes 2-5 s on this machine, which
    would otherwise be idle time on every core), and keeps each of them fed with at most two
    candidates ahead.
    """
    order = deque(
        sorted(range(len(tasks)), key=lambda i: -EXPECTED_COST.get(tasks[i].spec.family, 0))
    )
    helpers = (os.cpu_count() or 1) - 1 if workers == -1 else workers - 1
    pool = get_reusable_executor(max_workers=helpers) if helpers > 0 and len(order) > 1 else None
    running: set[Future] = set()

    def score(position: int) -> tuple[int, dict[str, float]]:
        task = tasks[position]
        return _score_at(position, task.spec, values[task.axis], training)

    while order or running:
        while pool is not None and order and len(running) < 2 * helpers:
            position = order.popleft()
            task = tasks[position]
            on_start(position)
            running.add(pool.submit(_score_at, position, task.spec, values[task.axis], training))
        if order:
            position = order.popleft()
            on_start(position)
            yield score(position)
        else:
            wait(running, return_when=FIRST_COMPLETED)
        for future in [future for future in running if future.done()]:
            running.discard(future)
            yield future.result()


def _score_at(position: int, spec: CandidateSpec, values: np.ndarray, training):
    return position, score_candidate(spec, values, training)
