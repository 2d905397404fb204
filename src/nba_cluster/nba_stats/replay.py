"""A stand-in for stats.nba.com that replays ``leaguedashplayerstats`` responses.

Point ``NBA_STATS_BASE_URL`` at it to run ingestion with no access to stats.nba.com: in tests,
in the Docker end-to-end check, or behind a firewall. It serves, in this order of preference:

- raw responses saved as ``<season>_<season type>.json`` (the layout of ``data/01_raw``);
- recorded nba_api tables (``--recorded DIR``: the CSV captures described in
  ``shared/nba-stats/PROVENANCE.md``), turned back into the API's JSON shape;
- a small synthetic league (``--synthetic 2015-16:2017-18``) with known archetypes.

With ``--recorded``, the 2025-26 regular-season capture (to 2026-02-21) plays the season in
progress: it is served once the project's clock (``NBA_CLUSTER_TODAY``) is past the capture,
and before that the season has no games yet. A season it knows nothing of is answered with an
empty table, as the real API does for a season with no games yet. Only ``PerMode=Totals`` is
served, the mode the project asks for. ``GET /requests`` answers how many requests it has had
for each season and season type, so a test can tell what a run fetched.

    python -m nba_cluster.nba_stats.replay --port 8765 --synthetic 2019-20:2021-22
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from nba_cluster.nba_stats.response import BASE_HEADERS, response_body
from nba_cluster.nba_stats.seasons import parse_partition_key, season_range, today
from nba_cluster.nba_stats.synthetic import ResponseKey, synthetic_responses

RECORDED_TOTALS = {
    "Regular Season": "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/regular_raw.csv",
    "Playoffs": "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/playoff_raw.csv",
}
# A raw response body of the season in progress, and the day after the last games it holds.
LIVE_CAPTURE = "swar__nba_api/leaguedashplayerstats_2025-26_Totals_RegularSeason.json"
LIVE_KEY = ("2025-26", "Regular Season")
LIVE_CAPTURE_DAY = dt.date(2026, 2, 22)


def raw_responses_in(directory: Path) -> dict[ResponseKey, bytes]:
    """Responses saved as ``<partition key>.json``, e.g. a ``data/01_raw`` folder."""
    return {
        parse_partition_key(path.stem): path.read_bytes()
        for path in sorted(Path(directory).glob("*.json"))
    }


def live_capture(shared_dir: Path) -> dict[ResponseKey, tuple[dt.date, bytes]]:
    """The season-in-progress capture of ``shared/nba-stats`` and the first day it may be
    served (empty if absent)."""
    path = Path(shared_dir) / LIVE_CAPTURE
    return {LIVE_KEY: (LIVE_CAPTURE_DAY, path.read_bytes())} if path.is_file() else {}


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
    """Serves ``responses``, and each of ``live`` from its day on by the project's clock;
    ``script`` holds faults to play first, one per request: an ``int`` status code (e.g. 503),
    ``"hang"`` (never answer), or ``bytes`` to send."""

    daemon_threads = True

    def __init__(
        self,
        responses: dict[ResponseKey, bytes],
        host="127.0.0.1",
        port=0,
        live: dict[ResponseKey, tuple[dt.date, bytes]] | None = None,
    ):
        super().__init__((host, port), _ReplayHandler)
        self.responses = responses
        self.live = live or {}
        self.script: list[int | str | bytes] = []
        self.requests: list[ResponseKey] = []
        self._lock = threading.Lock()
        self._stop_hanging = threading.Event()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def body_for(self, key: ResponseKey) -> bytes | None:
        if key in self.live:
            first_day, body = self.live[key]
            return body if today() >= first_day else None
        return self.responses.get(key)

    def request_counts(self) -> dict[str, int]:
        return dict(Counter(f"{season} {season_type}" for season, season_type in self.requests))

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
        path = urlsplit(self.path).path.rstrip("/")
        if path == "/requests":
            return self._send_request_counts()
        if path.rsplit("/", 1)[-1].lower() != "leaguedashplayerstats":
            return self._send(404, b'{"Message": "unknown endpoint"}')
        return self._send_league_dash()

    def _send_league_dash(self) -> None:
        query = {name: values[0] for name, values in parse_qs(urlsplit(self.path).query).items()}
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
        body = self.server.body_for(key)
        if body is None:
            body = response_body(*key, pd.DataFrame(columns=BASE_HEADERS))
        return self._send(200, body)

    def _send_request_counts(self) -> None:
        counts = self.server.request_counts()
        body = {"total": sum(counts.values()), "by_season": counts}
        self._send(200, json.dumps(body, sort_keys=True).encode())

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
    live: dict[ResponseKey, tuple[dt.date, bytes]] = {}
    if args.synthetic:
        responses |= synthetic_responses(season_range(*args.synthetic.split(":")))
    try:
        if args.recorded:
            responses |= recorded_responses(args.recorded)
            live = live_capture(args.recorded)
        if args.raw_dir:
            responses |= raw_responses_in(args.raw_dir)
    except PermissionError as error:
        # e.g. a bind-mounted folder the container's user (uid 1000) may not read
        parser.error(f"cannot read {error.filename}: permission denied for uid {os.getuid()}")
    server = ReplayServer(responses, args.host, args.port, live=live)
    seasons = sorted({season for season, _ in responses})
    span = f"{seasons[0]}..{seasons[-1]}" if seasons else "none"
    print(f"Replaying {len(responses)} responses (seasons {span}) on {server.base_url}", flush=True)
    for (season, season_type), (first_day, _) in live.items():
        print(f"{season} {season_type} in progress from {first_day} (today: {today()})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
