"""The Dash app. ``server`` is the WSGI entry point for gunicorn:

    gunicorn --bind 0.0.0.0:8050 nba_cluster.dashboard.app:server

The app is created on first access of ``app`` or ``server`` (so importing this module, e.g.
for ``create_app`` in tests, reads nothing), from the Kedro project in the working directory
or in ``NBA_CLUSTER_PROJECT``.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from pathlib import Path

import dash
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from nba_cluster.dashboard import bounds, layout
from nba_cluster.dashboard.components import Links
from nba_cluster.dashboard.store import DataStore
from nba_cluster.framework import mlflow_patience

logger = logging.getLogger(__name__)
ASSETS = Path(__file__).with_name("assets")


def create_app(
    project_path: str | Path | None = None,
    *,
    store: DataStore | None = None,
    links: Links | None = None,
    tracking_uri: str | None = None,
    ttl_seconds: float | None = None,
    warm_up: bool = True,
) -> dash.Dash:
    """The dashboard for one Kedro project (default: ``NBA_CLUSTER_PROJECT`` or the working
    directory). With ``warm_up``, data and champion are read in a background thread at once,
    so the first visitor does not wait for them; requests then re-check them per TTL."""
    mlflow_patience.use_by_default(mlflow_patience.DASHBOARD)
    if store is None:
        project = project_path or os.environ.get("NBA_CLUSTER_PROJECT") or Path.cwd()
        ttl = (
            ttl_seconds
            if ttl_seconds is not None
            else float(os.environ.get("DASHBOARD_REFRESH_SECONDS", "5"))
        )
        store = DataStore.for_project(project, tracking_uri=tracking_uri, ttl_seconds=ttl)
    links = links or Links.from_env()
    app = dash.Dash(
        __name__,
        title="NBA player archetypes",
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,  # the empty state has none of the views' components
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = functools.partial(layout.serve, store, links)
    layout.register(app, store)
    app.server.config["MAX_CONTENT_LENGTH"] = bounds.MAX_BODY_BYTES  # larger bodies: 413
    app.server.register_error_handler(Exception, _refuse_malformed_callback)
    _add_health_route(app, store)
    app.store = store  # for tests and the benchmark
    if warm_up:  # read the data now rather than in the first visitor's request
        threading.Thread(
            target=_warm_up, args=(store, links), name="dashboard-warm-up", daemon=True
        ).start()
    return app


def _warm_up(store: DataStore, links: Links) -> None:
    try:
        layout.serve(store, links)  # the snapshot, and the page built from it
    except Exception:  # the first request will report it
        logger.exception("Reading the dashboard data at start-up failed")


def _refuse_malformed_callback(error: Exception):
    """A callback that fails on what a request carried answers 400, not 500: the inputs are
    bounded (``bounds.py``), so this is the net under them. A refusal is the client's error
    and must stay cheap: one log line, no traceback (formatting one costs a hundred times the
    refusal, which let a few such clients starve the visitors); the traceback is logged at
    DEBUG. Anything else is ours: a 500 with its traceback."""
    if isinstance(error, HTTPException):
        return error
    if request.path.endswith("_dash-update-component"):
        logger.warning(
            "Refused a malformed callback from %s: %s: %s",
            request.remote_addr, type(error).__name__, str(error)[:200].replace("\n", " "),
        )  # fmt: skip
        logger.debug("The malformed callback's traceback", exc_info=error)
        return jsonify({"error": "bad request"}), 400
    logger.exception("Request %s failed", request.path)
    return jsonify({"error": "internal error"}), 500


def _add_health_route(app: dash.Dash, store: DataStore) -> None:
    @app.server.route("/healthz")
    def healthz():
        """``status``: ok, empty (nothing to show yet) or degraded (an output file is broken:
        ``broken_output`` names it; the last good data is still shown)."""
        snapshot = store.snapshot()
        champion = snapshot.champion
        status = "ok" if snapshot.ready else "empty"
        if snapshot.load_error:
            status = "degraded"
        return jsonify(
            {
                "status": status,
                "broken_output": snapshot.broken_output,
                "champion_version": champion.version if champion else None,
                "data_model_version": snapshot.data_model_version,
                "data_timestamp": snapshot.data_timestamp.isoformat()
                if snapshot.data_timestamp
                else None,
                "player_seasons": len(snapshot.archetypes) if snapshot.has_data else 0,
                "detail": snapshot.empty_reason
                or (f"{snapshot.broken_output} unreadable" if snapshot.broken_output else None),
            }
        )


@functools.cache
def _default_app() -> dash.Dash:
    return create_app()


def __getattr__(name: str):
    if name == "app":
        return _default_app()
    if name == "server":
        return _default_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
