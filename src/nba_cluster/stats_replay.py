"""A stand-in for stats.nba.com that replays ``leaguedashplayerstats`` responses.

Point ``NBA_STATS_BASE_URL`` at it to run ingestion with no access to stats.nba.com: in tests,
in the Docker end-to-end check, or behind a firewall. It serves, in this order of preference:

- raw responses saved as ``<season>_<season type>.json`` (the layout of ``data/01_raw``);
- recorded nba_api tables (``--recorded DIR``: the CSV captures described in
  ``shared/nba-stats/PROVENANCE.md``), turned back into the API's JSON shape;
- a small synthetic league (``--synthetic 2015-16:2017-18``) with known archetypes.

A season it knows nothing of is answered with an empty table, as the real API does for a
season with no games yet. Only ``PerMode=Totals`` is served, the mode the project asks for.

    python -m nba_cluster.stats_replay --port 8765 --synthetic 2019-20:2021-22
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd

from nba_cluster.nba_stats import RESULT_SET, SEASON_TYPES, parse_partition_key, season_range

ResponseKey = tuple[str, str]  # (season, season type)

BASE_HEADERS = [
    "PLAYER_ID",
    "PLAYER_NAME",
    "NICKNAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "AGE",
    "GP",
    "W",
    "L",
    "W_PCT",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "TOV",
    "STL",
    "BLK",
    "BLKA",
    "PF",
    "PFD",
    "PTS",
    "PLUS_MINUS",
    "TEAM_COUNT",
]
RECORDED_TOTALS = {
    "Regular Season": "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/regular_raw.csv",
    "Playoffs": "ashwins-ai__Era-Adjusted-NBA-Performance-Analysis-Using-SQL/playoff_raw.csv",
}


def response_body(season: str, season_type: str, table: pd.DataFrame) -> bytes:
    """A body shaped like stats.nba.com's, for one table of players (headers in its order)."""
    rows = [
        [None if _is_missing(value) else _plain(value) for value in row]
        for row in table.itertuples(index=False)
    ]
    payload = {
        "resource": "leaguedashplayerstats",
        "parameters": {
            "MeasureType": "Base",
            "PerMode": "Totals",
            "Season": season,
            "SeasonType": season_type,
        },
        "resultSets": [{"name": RESULT_SET, "headers": list(table.columns), "rowSet": rows}],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


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


ARCHETYPES = {
    # per-36: FGA 3PA/FGA FTA/FGA OREB DREB AST TOV STL BLK PF; shooting FG2% FG3%
    # (points follow from the shots)
    "Rim-running big": (10, 0.02, 0.45, 4.0, 8.5, 1.5, 1.8, 0.8, 2.2, 4.5, 0.60, 0.25),
    "Stretch big": (14, 0.45, 0.22, 2.0, 7.5, 2.2, 1.6, 0.7, 1.1, 3.6, 0.52, 0.37),
    "Primary creator": (20, 0.35, 0.35, 0.7, 4.0, 8.5, 3.6, 1.3, 0.3, 2.3, 0.50, 0.36),
    "3-and-D wing": (10, 0.62, 0.15, 0.8, 4.2, 2.0, 1.1, 1.6, 0.5, 3.2, 0.50, 0.38),
    "Slashing scorer": (18, 0.15, 0.40, 1.5, 4.5, 3.2, 2.4, 1.1, 0.5, 2.8, 0.52, 0.30),
}


def synthetic_responses(
    seasons: Iterable[str], players_per_archetype: int = 12, seed: int = 7
) -> dict[ResponseKey, bytes]:
    """A small, seeded league with five clear roles, for tests that must always run.

    The same players return each season (ids stable, age +1) with their role's rates plus
    noise; fouls drawn are 0 before 2005-06, as in the real data.
    """
    rng = np.random.default_rng(seed)
    roster = [
        (1000 + index, f"{name.split()[0]} Player{index:03d}", name)
        for index, name in enumerate(
            name for name in ARCHETYPES for _ in range(players_per_archetype)
        )
    ]
    teams = ["ATL", "BOS", "CHI", "DAL", "DEN", "LAL", "MIA", "NYK", "PHX", "SAS"]
    responses = {}
    for season_index, season in enumerate(seasons):
        start_year = int(season[:4])
        for season_type in SEASON_TYPES:
            playoffs = season_type == "Playoffs"
            rows = []
            for player_id, name, archetype in roster:
                if playoffs and player_id % 2:  # half the league makes the playoffs
                    continue
                (fga, share3, fta_rate, oreb, dreb, ast, tov, stl, blk, pf, pct2, pct3) = (
                    ARCHETYPES[archetype]
                )
                noise = rng.normal(1.0, 0.08, size=9).clip(0.6, 1.4)
                games = int(rng.integers(8, 18) if playoffs else rng.integers(40, 82))
                minutes = float(games * rng.uniform(18, 36))
                scale = minutes / 36.0
                fga_total = round(fga * noise[0] * scale)
                fg3a = round(fga_total * min(share3 * noise[1], 0.95))
                fg3m = round(fg3a * pct3)
                fgm = fg3m + round((fga_total - fg3a) * pct2)
                fta = round(fga_total * fta_rate * noise[2])
                ftm = round(fta * 0.75)
                counts = {
                    "OREB": round(oreb * noise[3] * scale),
                    "DREB": round(dreb * noise[4] * scale),
                    "AST": round(ast * noise[5] * scale),
                    "TOV": round(tov * scale),
                    "STL": round(stl * noise[6] * scale),
                    "BLK": round(blk * noise[7] * scale),
                    "PF": round(pf * noise[8] * scale),
                }
                rows.append(
                    {
                        "PLAYER_ID": player_id,
                        "PLAYER_NAME": name,
                        "NICKNAME": name.split()[0],
                        "TEAM_ID": 1610612700 + player_id % len(teams),
                        "TEAM_ABBREVIATION": teams[player_id % len(teams)],
                        "AGE": float(20 + player_id % 12 + season_index),
                        "GP": games,
                        "W": games // 2,
                        "L": games - games // 2,
                        "W_PCT": 0.5,
                        "MIN": minutes,
                        "FGM": fgm,
                        "FGA": fga_total,
                        "FG_PCT": round(fgm / max(fga_total, 1), 3),
                        "FG3M": fg3m,
                        "FG3A": fg3a,
                        "FG3_PCT": round(fg3m / max(fg3a, 1), 3),
                        "FTM": ftm,
                        "FTA": fta,
                        "FT_PCT": round(ftm / max(fta, 1), 3),
                        "OREB": counts["OREB"],
                        "DREB": counts["DREB"],
                        "REB": counts["OREB"] + counts["DREB"],
                        "AST": counts["AST"],
                        "TOV": counts["TOV"],
                        "STL": counts["STL"],
                        "BLK": counts["BLK"],
                        "BLKA": 0,
                        "PF": counts["PF"],
                        "PFD": 0 if start_year < 2005 else round(fta * 0.45),
                        "PTS": 2 * fgm + fg3m + ftm,
                        "PLUS_MINUS": 0,
                        "TEAM_COUNT": 1,
                    }
                )
            table = pd.DataFrame(rows, columns=BASE_HEADERS)
            responses[(season, season_type)] = response_body(season, season_type, table)
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
