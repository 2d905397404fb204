"""Kedro-Viz for the compose stacks, without its deploy endpoint:

    python -m nba_cluster.services.viz_server --host 0.0.0.0 --port 4141

``kedro viz run`` also serves ``POST /api/deploy``, which builds the site and uploads it to a
cloud bucket named in the request, with whatever cloud credentials the container holds:
anyone who can reach the port could use them. This serves the same app (pipeline graph,
metadata, run status) with that one route removed; everything else is Kedro-Viz's own code.

Its version route asks PyPI for a newer Kedro-Viz on every page load (telemetry of a kind, and
up to 30 s where egress is blocked): it answers from the installed version instead, unless
``KEDRO_VIZ_CHECK_FOR_UPDATES=true`` (docs/docker.md, telemetry).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

DEPLOY_ROUTE = "/api/deploy"
VERSION_ROUTE = "/api/version"


def create_app(project_path: Path):
    from kedro_viz.api import apps  # noqa: PLC0415 - heavy; only when serving
    from kedro_viz.server import load_and_populate_data  # noqa: PLC0415

    load_and_populate_data(project_path, env=os.environ.get("KEDRO_ENV"))
    return without_deploy(apps.create_api_app_from_project(project_path))


def checks_for_updates() -> bool:
    return os.environ.get("KEDRO_VIZ_CHECK_FOR_UPDATES", "").lower() == "true"


def without_deploy(app):
    """The ASGI app answering 404 on the deploy route, however the path is spelled (FastAPI
    nests included routers, so removing the route itself depends on its version), and the
    version route without asking PyPI unless updates are to be checked."""
    from kedro_viz.api.rest.responses.version import (  # noqa: PLC0415
        get_static_version_response,
    )
    from starlette.responses import JSONResponse, PlainTextResponse  # noqa: PLC0415

    async def guarded(scope, receive, send):
        path = re.sub("/+", "/", scope.get("path", "")).rstrip("/").lower()
        if scope["type"] == "http" and path == DEPLOY_ROUTE:
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        if scope["type"] == "http" and path == VERSION_ROUTE and not checks_for_updates():
            version = get_static_version_response().model_dump()
            await JSONResponse(version)(scope, receive, send)
            return
        await app(scope, receive, send)

    return guarded


def main(argv: list[str] | None = None) -> None:
    import uvicorn  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="python -m nba_cluster.services.viz_server", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4141)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(Path.cwd()), host=args.host, port=args.port, log_config=None)


if __name__ == "__main__":
    main()
