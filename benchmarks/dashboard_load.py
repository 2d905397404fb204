"""Load the dashboard with normal visitors and attackers at once (not a test).

    uv run python -m benchmarks.dashboard_load [--project DIR] [--clients 32] [--seconds 60]
        [--attack mixed|malformed]

Serves the dashboard as the compose stack does (gunicorn, 2 workers x 2 threads) on 127.0.0.1
and runs ``--clients`` clients for ``--seconds``, twice: first only visitors, then with one
client in four replaced by an attacker. Visitors send what the page sends (similar players, map
updates: random player-seasons and filters from the real data), pausing ``--think-seconds``
between requests as a person does; attackers send, at the same pace (or
``--attacker-think-seconds``: 0 is a flood, which no per-request bound can absorb), the requests
that used to starve it: 20 MB bodies, 80 kB type-ahead queries, ``n=-1``, ``?n=%C2%B2``, a
5,000-digit ``?player=``, garbage control values; with ``--attack malformed``, callback
requests no page sends, which Dash's dispatcher itself fails on (``malformed_callbacks``).
Prints p50/p95/p99 of the visitors' requests in both rounds (target with attackers: p95 <= 150
ms, 0 errors) and what each attack got.

``--project DIR``: a Kedro project root with inference outputs and its MLflow store (as for
benchmarks/dashboard.py), built there first when it has none; by default one is built in a
temp dir from the recorded seasons in ../shared/nba-stats (``--shared``: all four pipelines, a
small search), which takes a few minutes. Figures go to docs/measurements.md (``--no-record``).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import tempfile
import threading
import time
from pathlib import Path

import requests

from benchmarks._measurements import command_line, record
from benchmarks._recorded import ingestion_params, parse_arguments, timed_kedro_run
from benchmarks.dashboard import (
    TARGET_P95_MS,
    callback_payload,
    gunicorn,
    make_workloads,
    percentile,
)
from tests.support.dashboard import callback_outputs, output_path
from tests.support.project import copy_project
from tests.support.replay import replaying

SMALL_SEARCH = [  # lists as --params carries them
    "training.pca_components=3",  # within both axes' feature counts
    "training.axes.offense.search_space.kmeans.n_clusters=8|10",
    "training.axes.offense.search_space.gaussian_mixture.n_components=8",
    "training.axes.offense.search_space.agglomerative_ward.n_clusters=8",
    "training.axes.defense.search_space.kmeans.n_clusters=4|5",
    "training.axes.defense.search_space.gaussian_mixture.n_components=4",
    "training.axes.defense.search_space.agglomerative_ward.n_clusters=4",
    "training.evaluation.bootstraps=1",
]
OVERSIZED_BODY = b'{"output": "x", "inputs": [' + b" " * (20 * 2**20) + b"]}"


def build_project(root: Path, responses: dict, tracking_uri: str) -> None:
    """All four pipelines on the recorded seasons, in a copy of the project at ``root``."""
    copy_project(root)
    with replaying(responses) as replay:
        params = ingestion_params(replay.base_url, ingestion__http__pause_seconds=0)
        arguments = ["--params", ",".join([params, *SMALL_SEARCH])]
        seconds = timed_kedro_run(root, arguments, tracking_uri)
    print(f"built the project in {seconds:.0f} s")


def attacks(dependencies: list[dict], player: int, season: str) -> dict[str, dict | bytes]:
    def post(output, values, trigger):
        return callback_payload(dependencies, output, values, trigger)

    sync = {"url.search": "", "tabs.value": "explorer", "season-range.value": None,
            "archetype-filter.value": None, "player.value": None, "season.value": None,
            "compare-season.value": None, "n-similar.value": None, "era-weight.value": None,
            "defensive-filter.value": None, "similar-space.value": None,
            "map-axis.value": None, "archetypes-axis.value": None, "eras-axis.value": None,
            "map.clickData": None}  # fmt: skip
    open_player = next(
        i for c in dependencies if "url.search" in c["output"] for i in c["inputs"]
        if i["id"].startswith("{")
    )  # fmt: skip
    sync_inputs = {f"{open_player['id']}.{open_player['property']}": []}

    def url(search):
        return post("url.search", {**sync, **sync_inputs, "url.search": search}, "url.search")

    return {
        "20 MB body": OVERSIZED_BODY,
        "80 kB type-ahead": post("player.options@", {"player.search_value": "a " * 40_000,
                                                     "player.value": None}, "player.search_value"),
        "n=-1": post("similar-list.children", {"player.value": player, "season.value": season,
                                               "compare-season.value": "any",
                                               "n-similar.value": -1,
                                               "similar-space.value": "combined"},
                     "n-similar.value"),
        "?n=%C2%B2": url("?tab=explorer&n=%C2%B2"),
        "5,000-digit ?player=": url("?tab=explorer&player=" + "9" * 5000),
        "garbage controls": post("map.figure", {"season-range.value": "all",
                                                "archetype-filter.value": {"a": 1},
                                                "defensive-filter.value": "x",
                                                "map-axis.value": ["up"],
                                                "player.value": [1], "season.value": 5},
                                 "season-range.value"),
    }  # fmt: skip


def malformed_callbacks(dependencies: list[dict]) -> dict[str, dict]:
    """Callback requests no page sends: Dash's dispatcher itself fails on them, before any of
    the app's callbacks runs (each must cost a refusal, not a logged traceback)."""
    callback = next(c for c in dependencies if "map.figure" in c["output"])
    valid = {
        "output": callback["output"],
        "outputs": callback_outputs(callback),
        "inputs": [{**i, "value": None} for i in callback["inputs"]],
        "changedPropIds": [f"{callback['inputs'][0]['id']}.{callback['inputs'][0]['property']}"],
        "state": [{**s, "value": None} for s in callback["state"]],
    }
    return {
        "no inputs": {key: value for key, value in valid.items() if key != "inputs"},
        "inputs not a list": {**valid, "inputs": "x"},
        "unknown output": {**valid, "output": "no-such.children",
                           "outputs": {"id": "no-such", "property": "children"}},
        "outputs not an object": {**valid, "outputs": 7},
        "inputs without ids": {**valid, "inputs": [{"value": 1}] * len(valid["inputs"])},
    }  # fmt: skip


def _attack(url: str, payload: dict | bytes) -> int | str:
    """One attack on a fresh connection (a refused body closes it); the status it got."""
    endpoint = f"{url}/_dash-update-component"
    try:
        if isinstance(payload, bytes):
            headers = {"Content-Type": "application/json"}
            response = requests.post(endpoint, data=payload, headers=headers, timeout=30)
        else:
            response = requests.post(endpoint, json=payload, timeout=30)
        return response.status_code
    except requests.RequestException as error:
        return type(error).__name__


def run_load(
    url: str,
    normal: list[dict],
    attack: dict | None,
    *,
    clients: int,
    seconds: float,
    think: float,
    attacker_think: float,
) -> dict:
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors: collections.Counter = collections.Counter()
    outcomes: dict[str, collections.Counter] = {n: collections.Counter() for n in attack or {}}
    lock = threading.Lock()

    def visitor(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        while time.monotonic() < deadline:
            payload = rng.choice(normal)
            started = time.perf_counter()
            try:
                try:
                    response = session.post(f"{url}/_dash-update-component", json=payload,
                                            timeout=30)  # fmt: skip
                except requests.ConnectionError:
                    # gunicorn closed the idle keep-alive connection as it was reused: a
                    # browser retries on a new one, and so does this visitor (counted)
                    session.close()
                    session = requests.Session()
                    with lock:
                        errors["reconnected (not an error)"] += 1
                    response = session.post(f"{url}/_dash-update-component", json=payload,
                                            timeout=30)  # fmt: skip
                status = response.status_code
            except requests.RequestException as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[status] += 1
            time.sleep(rng.expovariate(1 / think) if think > 0 else 0)
        session.close()

    def attacker(seed: int) -> None:
        rng = random.Random(seed)
        names = list(attack)
        while time.monotonic() < deadline:
            name = rng.choice(names)
            status = _attack(url, attack[name])
            with lock:
                outcomes[name][status] += 1
            time.sleep(rng.expovariate(1 / attacker_think) if attacker_think > 0 else 0)

    threads = [
        threading.Thread(target=attacker if attack and index % 4 == 0 else visitor, args=(index,))
        for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "outcomes": outcomes}


def report(title: str, result: dict, visitors: int) -> float:
    latencies = [1000 * s for s in result["latencies"]]
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    print(f"{title} ({visitors} visitors, machine load average {result['load']:.1f}): "
          f"{len(latencies)} requests ok, errors: {dict(result['errors']) or 0}")  # fmt: skip
    print(f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   "
          f"target p95 <= {TARGET_P95_MS:g} ms")  # fmt: skip
    return p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, help="a project with outputs (default: build)")
    parser.add_argument("--shared", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=1.0,
        help="a visitor's mean pause between requests (0: none)",
    )
    parser.add_argument("--attack", choices=("mixed", "malformed"), default="mixed",
                        help="what attackers send (default: the mixed set)")  # fmt: skip
    parser.add_argument("--attacker-think-seconds", type=float, default=None,
                        help="an attacker's mean pause (default: a visitor's)")  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nba-cluster-load-") as scratch:
        project = (args.project or Path(scratch) / "project").resolve()
        tracking_uri = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{project / 'mlflow.db'}")
        if not output_path(project, "player_archetypes").exists():
            recorded = parse_arguments(__doc__, [f"--shared={args.shared}"] if args.shared else [])
            project.mkdir(parents=True, exist_ok=True)
            build_project(project, recorded.responses, tracking_uri)
        server = gunicorn(project, tracking_uri, workers=2, threads=2, log_dir=Path(scratch))
        try:
            dependencies = requests.get(f"{server.url}/_dash-dependencies", timeout=30).json()
            workloads = make_workloads(project, dependencies, 400)
            normal = workloads["similar"] + workloads["map"]
            values = {i["id"]: i["value"] for i in workloads["similar"][0]["inputs"]}
            attack = (
                malformed_callbacks(dependencies) if args.attack == "malformed"
                else attacks(dependencies, values["player"], values["season"])
            )  # fmt: skip
            attacker_think = args.think_seconds if args.attacker_think_seconds is None else (
                args.attacker_think_seconds)  # fmt: skip
            pace = {"clients": args.clients, "seconds": args.seconds,
                    "think": args.think_seconds, "attacker_think": attacker_think}  # fmt: skip
            quiet = run_load(server.url, normal, None, **pace)
            quiet["load"] = os.getloadavg()[0]
            result = run_load(server.url, normal, attack, **pace)
            result["load"] = os.getloadavg()[0]
        finally:
            server.stop()
    print(f"\n{args.clients} clients for {args.seconds:g} s each round, visitors pausing "
          f"{args.think_seconds:g} s on average; gunicorn 2 workers x 2 threads; "
          f"{os.cpu_count()} cores")  # fmt: skip
    quiet_ms = [1000 * s for s in quiet["latencies"]]
    attacked_ms = [1000 * s for s in result["latencies"]]
    report("visitors only", quiet, args.clients)
    p95 = report(f"with {args.clients // 4} attackers pausing {attacker_think:g} s", result,
                 args.clients - args.clients // 4)  # fmt: skip
    print("attacks (answers):")
    for name, counts in result["outcomes"].items():
        print(f"  {name:24} {dict(counts)}")
    server_errors = sum(
        n for counts in result["outcomes"].values() for s, n in counts.items() if s == 500
    )
    failures = {k: n for k, n in result["errors"].items() if not str(k).startswith("reconnected")}
    ok = p95 <= TARGET_P95_MS and not failures and not server_errors
    print("target met" if ok else "target NOT met")
    if not args.no_record:
        rows = [
            ("clients (attackers), seconds per round", f"{args.clients} ({args.clients // 4} "
             f"{args.attack}), {args.seconds:g}", ""),
            ("visitors only: p50 / p95 ms", f"{percentile(quiet_ms, 50):.0f} / "
             f"{percentile(quiet_ms, 95):.0f}", ""),
            ("with attackers: p50 / p95 ms", f"{percentile(attacked_ms, 50):.0f} / {p95:.0f}",
             f"p95 <= {TARGET_P95_MS:g}"),
            ("errors with attackers", sum(failures.values()), "0"),
            ("attack answers", "; ".join(f"{name}: {dict(counts)}" for name, counts
                                         in result["outcomes"].items()), "no 500"),
        ]  # fmt: skip
        page = record("dashboard_load", command_line("benchmarks.dashboard_load", argv), rows)
        print(f"recorded in {page}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
