"""The benchmarks' figures on one dated page, docs/measurements.md.

Each benchmark owns one block of the page, between ``<!-- measurements:<name> start -->`` and
``<!-- measurements:<name> end -->``, and replaces it with its latest figures: the date (UTC),
the exact command, the machine's cores and a table ``figure | value | target``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MEASUREMENTS_PAGE = PROJECT_ROOT / "docs" / "measurements.md"
NEW_PAGE = (
    "# Measurements\n\n"
    "Figures written by the benchmarks (`benchmarks/`), each with its date and command.\n"
)


def add_no_record_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-record",
        action="store_true",
        help=f"print the figures only; leave {MEASUREMENTS_PAGE.relative_to(PROJECT_ROOT)} alone",
    )


def command_line(module: str, argv: list[str] | None = None) -> str:
    """How this benchmark was started: ``uv run python -m <module>`` and its arguments."""
    arguments = sys.argv[1:] if argv is None else argv
    return shlex.join(["uv", "run", "python", "-m", module, *arguments])


def record(
    name: str,
    command: str,
    rows: Iterable[tuple[str, object, str]],
    page: Path = MEASUREMENTS_PAGE,
) -> Path:
    """Replace the block of benchmark ``name`` in ``page`` with ``rows`` (figure, value,
    target), dated now, with ``command`` and this machine's cores; the block is added at the
    end of the page, and the page created, when missing. Returns the page."""
    start = f"<!-- measurements:{name} start -->"
    end = f"<!-- measurements:{name} end -->"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = [f"| {' | '.join(_cell(cell) for cell in row)} |" for row in rows]
    block = "\n".join([
        start,
        f"Measured {now} with `{command}` on a machine with {os.cpu_count()} cores.",
        "",
        "| figure | value | target |",
        "| --- | --- | --- |",
        *table,
        end,
    ])  # fmt: skip
    text = page.read_text(encoding="utf-8") if page.exists() else NEW_PAGE
    begins, ends = text.find(start), text.find(end)
    if begins != -1 and ends > begins:
        text = text[:begins] + block + text[ends + len(end) :]
    else:
        text = text.rstrip("\n") + f"\n\n## {name}\n\n{block}\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    return page


def _cell(value: object) -> str:
    """A table cell: floats to four significant digits, pipes escaped, no line breaks."""
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or "-"
