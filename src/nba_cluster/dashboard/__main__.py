"""Serve the dashboard without Docker, from a Kedro project's local ``data/``:

    uv run python -m nba_cluster.dashboard --host 127.0.0.1 --port 8050

MLflow is read through MLFLOW_TRACKING_URI (else the project's mlflow.yml). This runs the same
app as gunicorn does in the ``dashboard`` container, on Flask's development server.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nba_cluster.dashboard.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nba_cluster.dashboard",
        description="Serve the dashboard (Flask's server) from a Kedro project's local data/.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="Dash dev tools and reloading")
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        help="Kedro project root (default: NBA_CLUSTER_PROJECT or the cwd)",
    )
    args = parser.parse_args(argv)
    app = create_app(args.project)
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
