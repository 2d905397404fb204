"""The search's nested MLflow runs, written by one background thread.

Each MLflow call is a round trip to the server, and made inline they added to every
candidate's time (docs/model.md). Here the run of the next candidate is opened, and the last
one's parameters and metrics written, while the main thread fits: a candidate's run is
RUNNING while it is fitted, as with ``start_run``, and a failed call surfaces in the main
thread at the next candidate. Once a call has failed on the server, the calls queued behind it
fail at once without asking it again: a search that fitted its candidates faster than the
server failed would otherwise wait out every queued call's retries, one after the other.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import mlflow
import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param
from mlflow.exceptions import MlflowException
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

# What a nested run started with ``mlflow.start_run`` would record of where it came from.
INHERITED_TAGS = (
    "mlflow.user",
    "mlflow.source.name",
    "mlflow.source.type",
    "mlflow.source.git.commit",
    "mlflow.project.env",
)


class CandidateRuns:
    """Nested runs under the active run, one per candidate::

    with CandidateRuns() as runs:
        for spec in specs:
            run = runs.open(spec.name)    # created in the background
            metrics = fit_and_score(spec)
            runs.close(run, params, metrics)
    run_ids = runs.run_ids()              # in the order they were opened
    """

    def __init__(self) -> None:
        parent = mlflow.active_run()
        if parent is None:
            raise RuntimeError("CandidateRuns needs an active MLflow run (kedro-mlflow's)")
        self._client = MlflowClient()
        self._experiment_id = parent.info.experiment_id
        self._tags = {MLFLOW_PARENT_RUN_ID: parent.info.run_id} | {
            name: value for name, value in parent.data.tags.items() if name in INHERITED_TAGS
        }
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="candidate-runs")
        self._opened: list[Future[str]] = []
        self._closed: list[Future[None]] = []
        self._server_failure: BaseException | None = None  # the first, for every later call

    def __enter__(self) -> CandidateRuns:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        server_failed = isinstance(error, MlflowException | requests.RequestException)
        # queued calls to a server that failed would each wait out their retries
        self._writer.shutdown(wait=True, cancel_futures=server_failed)
        if error_type is None:
            self.raise_if_failed()
        elif not server_failed:
            # the search itself failed: the candidates fitted keep their finished runs, the
            # one being fitted ends FAILED. (When the server fails, open runs stay open under
            # the parent, which RunOutcome's ledger holds and the next start closes.)
            for index, run in enumerate(self._opened):
                closed = self._closed[index] if index < len(self._closed) else None
                if _succeeded(run) and (closed is None or not _succeeded(closed)):
                    with contextlib.suppress(MlflowException, requests.RequestException):
                        self._client.set_terminated(run.result(), "FAILED")

    def open(self, name: str) -> Future[str]:
        """Start creating the candidate's run; returns the future of its id."""
        self.raise_if_failed()
        run = self._writer.submit(self._create, name)
        self._opened.append(run)
        return run

    def close(self, run: Future[str], params: dict[str, Any], metrics: dict[str, float]) -> None:
        """Queue the candidate's parameters and metrics, then end its run FINISHED; first
        re-raise a failed MLflow call, so a search whose runs were all opened at its start
        stops at the next candidate done when the server fails."""
        self.raise_if_failed()
        self._closed.append(self._writer.submit(self._finish, run, params, metrics))

    def run_ids(self) -> list[str]:
        return [run.result() for run in self._opened]

    def raise_if_failed(self) -> None:
        """Re-raise, in the caller's thread, the first MLflow call that failed so far."""
        for future in [*self._opened, *self._closed]:
            if future.done() and not future.cancelled() and future.exception() is not None:
                raise future.exception()

    def _create(self, name: str) -> str:
        with self._server_call():
            run = self._client.create_run(self._experiment_id, run_name=name, tags=self._tags)
        return run.info.run_id

    def _finish(self, run: Future[str], params: dict[str, Any], metrics: dict[str, float]) -> None:
        run_id = run.result()  # created before: the writer runs its calls in order
        now = int(time.time() * 1000)
        with self._server_call():
            self._client.log_batch(
                run_id,
                metrics=[Metric(key, float(value), now, 0) for key, value in metrics.items()],
                params=[Param(key, str(value)) for key, value in params.items()],
            )
            self._client.set_terminated(run_id, "FINISHED")

    @contextlib.contextmanager
    def _server_call(self) -> Iterator[None]:
        """Fails at once, with the first server failure, once there has been one."""
        if self._server_failure is not None:
            raise self._server_failure
        try:
            yield
        except (MlflowException, requests.RequestException) as error:
            self._server_failure = error
            raise


def _succeeded(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
