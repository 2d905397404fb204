"""A stand-in for stats.nba.com that replays ``leaguedashplayerstats`` responses.

Point ``NBA_STATS_BASE_URL`` at it to run ingestion with no access to stats.nba.com: in tests,
in the Docker end-to-end check, or behind a firewall. It serves, in this order of preference:

- raw responses saved as ``<season>_<season type>.json`` (the layout of ``data/01_raw``);
- recorded nba_api tables (``--recorded DIR``: the CSV captures described in
  ``shared/nba-stats/PROVENANCE.md``), turned back into the API's JSON shape;
- a small synthetic league (``--synthetic 2015-16:2017-18``) with known archetypes.

A season it knows nothing of is answered with an empty table, as the real API does for a
season with no games yet. Only ``PerMode=Totals`` is served, the mode the project asks for.

    python -m nba_cluster.nba_stats.replay --port 8765 --synthetic 2019-20:2021-22
"""

from __future__ import annotations

import argparse
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from nba_cluster.nba_stats.response import BASE_HEADERS, response_body
from nba_cluster.nba_stats.seasons import parse_partition_key, season_range
from nba_cluster.nba_stats.synthetic import ResponseKey, synthetic_responses

RECORDED_TOTALS = {
    "Regular Season": "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/regular_raw.csv",
    "Playoffs": "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/playoff_raw.csv",
}


def raw_responses_in(directory: Path) -> dict[ResponseKey, bytes]:
    """Responses saved as ``<partition key>.json``, e.g. a ``data/01_raw`` folder."""
    return {
        parse_partition_key(path.stem): path.read_bytes()
        for path in sorted(Path(directory).glob("*.json"))
    }


def recorded_responses(shared_dir: Path) -> dict[ResponseKey, bytes]:
    """The recorded Totals tables of ``shared/nba-stats`` as API bodies (empty if absent)."""
    responses = {}
    for season_type, relative in RECORDED_TOTALS.items():
        path = Path(shared_dir) / relative
        if not path.is_file():
            continue
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
        for season, players in table.groupby("SEASON", sort=True):
            headers_only = players.drop(columns="SEASON")  # the collectors added SEASON
            responses[(season, season_type)] = response_body(season, season_type, headers_only)
    return responses


class ReplayServer(ThreadingHTTPServer):
    """Serves ``responses``; ``script`` holds faults to play first, one per request:
    an ``int`` status code (e.g. 503), ``"hang"`` (never answer), or ``bytes`` to send."""

    daemon_threads = True

    def __init__(self, responses: dict[ResponseKey, bytes], host="127.0.0.1", port=0):
        super().__init__((host, port), _ReplayHandler)
        self.responses = responses
        self.script: list[int | str | bytes] = []
        self.requests: list[ResponseKey] = []
        self._lock = threading.Lock()
        self._stop_hanging = threading.Event()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def next_fault(self):
        with self._lock:
            return self.script.pop(0) if self.script else None

    def start(self) -> ReplayServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop_hanging.set()
        self.shutdown()
        self.server_close()


class _ReplayHandler(BaseHTTPRequestHandler):
    server: ReplayServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        if url.path.rstrip("/").rsplit("/", 1)[-1].lower() != "leaguedashplayerstats":
            return self._send(404, b'{"Message": "unknown endpoint"}')
        key = (query.get("Season", ""), query.get("SeasonType", ""))
        self.server.requests.append(key)
        fault = self.server.next_fault()
        if fault == "hang":
            self.server._stop_hanging.wait(timeout=600)
            return None
        if isinstance(fault, int):
            return self._send(fault, b"<html>Service Unavailable</html>", "text/html")
        if isinstance(fault, bytes):
            return self._send(200, fault)
        if query.get("PerMode") != "Totals":
            return self._send(400, b'{"Message": "this replay serves PerMode=Totals only"}')
        body = self.server.responses.get(key)
        if body is None:
            body = response_body(*key, pd.DataFrame(columns=BASE_HEADERS))
        return self._send(200, body)

    def _send(self, status: int, body: bytes, content_type="application/json; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        """Quiet: the ingestion log already says what was asked."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--raw-dir", type=Path, help="folder of <season>_<type>.json responses")
    parser.add_argument("--recorded", type=Path, help="the shared/nba-stats folder")
    parser.add_argument("--synthetic", metavar="FIRST:LAST", help="e.g. 2015-16:2017-18")
    args = parser.parse_args(argv)

    responses: dict[ResponseKey, bytes] = {}
    if args.synthetic:
        responses |= synthetic_responses(season_range(*args.synthetic.split(":")))
    try:
        if args.recorded:
            responses |= recorded_responses(args.recorded)
        if args.raw_dir:
            responses |= raw_responses_in(args.raw_dir)
    except PermissionError as error:
        # e.g. a bind-mounted folder the container's user (uid 1000) may not read
        parser.error(f"cannot read {error.filename}: permission denied for uid {os.getuid()}")
    server = ReplayServer(responses, args.host, args.port)
    seasons = sorted({season for season, _ in responses})
    span = f"{seasons[0]}..{seasons[-1]}" if seasons else "none"
    print(f"Replaying {len(responses)} responses (seasons {span}) on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
