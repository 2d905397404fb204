"""One writer of the champion at a time, whichever way a training was started.

A training registers a version, compares it with the champion, then moves an alias. Two at
once (the scheduler's weekly training and a ``docker compose run pipeline``) could each compare
against the same old champion and the worse one move ``@champion`` last. This hook holds the
``champion_lease`` (catalog) from the first node that writes to the registry until the decision
is saved: the other training waits there, then reads the champion the first one left and
compares against it (compare-and-set).
"""

from __future__ import annotations

import contextlib
import logging

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog

from nba_cluster.datasets.names import CHAMPION_LEASE, CHAMPION_MODEL, REGISTERED_CANDIDATE
from nba_cluster.framework.lease import lease_at

logger = logging.getLogger(__name__)
# Long enough for another training's registration and decision, not for a hung one.
WAIT_SECONDS = 30 * 60


class ChampionLease:
    def __init__(self) -> None:
        self._catalog: DataCatalog | None = None
        self._held: contextlib.ExitStack | None = None

    @hook_impl
    def after_catalog_created(self, catalog: DataCatalog) -> None:
        self._catalog = catalog

    @hook_impl
    def before_node_run(self, node) -> None:
        if self._held is not None or not {REGISTERED_CANDIDATE, CHAMPION_MODEL} & set(node.outputs):
            return
        lease = lease_at(self._catalog.load(CHAMPION_LEASE))
        with contextlib.ExitStack() as held:
            if not held.enter_context(lease.hold(wait=False)):
                logger.info(
                    "Waiting for the champion lease %s: another training holds it", lease.location
                )
                held.enter_context(lease.hold(timeout_seconds=WAIT_SECONDS))
            self._held = held.pop_all()  # held until the decision is saved

    @hook_impl
    def after_dataset_saved(self, dataset_name: str) -> None:
        if dataset_name == CHAMPION_MODEL:
            self._release()

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._release()

    # Before RunOutcome's, which ends the hook call by raising the guidance (the last
    # registered of the ``tryfirst`` hooks is called first: settings.HOOKS lists this last).
    @hook_impl(tryfirst=True)
    def on_pipeline_error(self) -> None:
        self._release()

    def _release(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
