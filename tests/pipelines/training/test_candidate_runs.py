"""The search's nested runs, written in the background: what MLflow holds when the search ends
well, and when a candidate fails while its run is open."""

from __future__ import annotations

import mlflow
import pytest

from nba_cluster.pipelines.training.candidate_runs import CandidateRuns


def children(parent_run_id: str) -> dict[str, mlflow.entities.Run]:
    runs = mlflow.search_runs(
        search_all_experiments=True,
        filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",
        output_format="list",
    )
    return {run.info.run_name: run for run in runs}


def test_each_candidate_gets_a_finished_run_with_its_parameters_and_metrics(tracking):
    with mlflow.start_run() as parent, CandidateRuns() as runs:
        for name, k in [("a", 5), ("b", 6)]:
            run = runs.open(name)
            runs.close(run, {"n_clusters": k, "pca_components": None}, {"stability": k / 10})
    logged = children(parent.info.run_id)

    assert [logged[name].info.run_id for name in ["a", "b"]] == runs.run_ids()
    assert {name: run.info.status for name, run in logged.items()} == {
        "a": "FINISHED", "b": "FINISHED"}  # fmt: skip
    assert logged["b"].data.params == {"n_clusters": "6", "pca_components": "None"}
    assert logged["b"].data.metrics == {"stability": pytest.approx(0.6)}
    # where the run came from, as a nested start_run would record it
    assert logged["a"].data.tags["mlflow.source.name"] == parent.data.tags["mlflow.source.name"]


def test_a_candidate_failing_while_its_run_is_open_leaves_that_run_failed(tracking):
    with mlflow.start_run() as parent:
        with pytest.raises(ValueError, match="no convergence"), CandidateRuns() as runs:
            runs.close(runs.open("fitted"), {"n_clusters": 5}, {"stability": 0.5})
            runs.open("failing")
            raise ValueError("no convergence")
    statuses = {name: run.info.status for name, run in children(parent.info.run_id).items()}
    assert statuses == {"fitted": "FINISHED", "failing": "FAILED"}


def test_it_needs_the_parent_run():
    with pytest.raises(RuntimeError, match="active MLflow run"):
        CandidateRuns()
