"""The small search space that keeps training quick on two cores, for ``kedro run``
(``--params``) and for in-memory runs (the training parameters) alike."""

from __future__ import annotations

import copy
from typing import Any

from nba_cluster.features.table import AXES
from tests.support.kedro_session import apply_params
from tests.support.project import project_parameters

# One small grid per family, merged into the project's own search space as ``--params`` would;
# the synthetic league's five roles make five clusters the clear winner.
SMALL_SEARCH_SPACE = {
    "kmeans": {"n_clusters": [5, 6]},
    "gaussian_mixture": {"n_components": [5], "covariance_type": ["diag"]},
    "agglomerative_ward": {"n_clusters": [5], "fit_sample_size": [100]},
    "hdbscan": {"min_cluster_size": [15], "min_samples": [10]},
}
# No PCA variant, two bootstraps, one worker (tests run beside each other on two cores), and a
# cluster-count range around the synthetic league's five, on both axes.
SMALL_SETTINGS = {
    "pca_components": [None],
    "search_workers": 1,
    "evaluation.bootstraps": 2,
    **{f"axes.{axis}.cluster_count_range": [4, 8] for axis in AXES},
}


def small_search_params() -> dict[str, Any]:
    """The small search as ``kedro run --params`` takes it: ``training.``-dotted keys."""
    params = {
        f"training.axes.{axis}.search_space.{family}.{name}": values
        for axis in AXES
        for family, grid in SMALL_SEARCH_SPACE.items()
        for name, values in grid.items()
    }
    return params | {f"training.{key}": value for key, value in SMALL_SETTINGS.items()}


def small_training_parameters(search_space: dict | None = None) -> dict[str, Any]:
    """The project's training parameters as ``small_search_params`` changes them; with
    ``search_space``, that replaces each axis's whole search space instead."""
    parameters = copy.deepcopy(project_parameters("training"))
    small = {key.removeprefix("training."): value for key, value in small_search_params().items()}
    apply_params(parameters, copy.deepcopy(small))
    if search_space is not None:
        for axis in AXES:
            parameters["axes"][axis]["search_space"] = copy.deepcopy(search_space)
    return parameters


# Every family, as `kedro run --params` carries lists (a|b), with candidate runs that stay
# open long enough to kill a process or a server while one is being fitted.
SLOW_CANDIDATE_SEARCH = [
    "training.pca_components=3",  # within both axes' feature counts
    "training.search_workers=1",
    *(
        f"training.axes.{axis}.{setting}"
        for axis in AXES
        for setting in (
            "search_space.kmeans.n_clusters=5|6|7",
            "search_space.gaussian_mixture.n_components=5|6",
            "search_space.agglomerative_ward.n_clusters=5",
            "search_space.hdbscan.min_cluster_size=15",
            "cluster_count_range=4|8",
        )
    ),
    # each candidate's run is open while it is fitted and refitted: on the synthetic league's
    # 240 rows, 100 refits keep it open for most of a second, so the kill lands in one
    "training.evaluation.bootstraps=100",
]
