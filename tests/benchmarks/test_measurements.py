"""benchmarks/_measurements.py: each benchmark's block of docs/measurements.md."""

from __future__ import annotations

import os
import re

from benchmarks._measurements import command_line, record

COMMAND = "uv run python -m benchmarks.training --shared /data"


def block(text: str, name: str) -> str:
    start, end = f"<!-- measurements:{name} start -->", f"<!-- measurements:{name} end -->"
    assert text.count(start) == 1 and text.count(end) == 1, text
    return text[text.index(start) : text.index(end) + len(end)]


def test_a_missing_page_is_created_with_the_block(tmp_path):
    page = tmp_path / "docs" / "measurements.md"

    record("training", COMMAND, [("training wall time", 57.25, "<= 120 s")], page=page)

    text = page.read_text()
    assert text.startswith("# Measurements\n")
    lines = block(text, "training").splitlines()
    assert re.fullmatch(
        rf"Measured \d{{4}}-\d\d-\d\d \d\d:\d\d UTC with `{COMMAND}` on a machine with "
        rf"{os.cpu_count()} cores\.",
        lines[1],
    )
    assert lines[3:6] == [
        "| figure | value | target |",
        "| --- | --- | --- |",
        "| training wall time | 57.25 | <= 120 s |",
    ]


def test_only_the_benchmarks_own_block_is_replaced(tmp_path):
    page = tmp_path / "measurements.md"
    record("training", COMMAND, [("training wall time", "80 s", "<= 120 s")], page=page)
    record("dashboard", "uv run python -m benchmarks.dashboard", [("p95", "90 ms", "< 150 ms")],
           page=page)  # fmt: skip
    with page.open("a") as docs:
        docs.write("\nProse the docs keep.\n")
    dashboard_before = block(page.read_text(), "dashboard")

    record("training", COMMAND, [("training wall time", "57 s", "<= 120 s")], page=page)

    text = page.read_text()
    assert "| training wall time | 57 s | <= 120 s |" in block(text, "training")
    assert "80 s" not in text
    assert block(text, "dashboard") == dashboard_before
    assert "Prose the docs keep." in text
    assert text.index("measurements:training start") < text.index("measurements:dashboard start")


def test_a_block_missing_from_an_existing_page_is_added_at_its_end(tmp_path):
    page = tmp_path / "measurements.md"
    page.write_text("# Measurements\n\nWritten by hand.\n")

    record("ingest_features", "cmd", [("wall time", "41 s", "<= 90 s")], page=page)

    text = page.read_text()
    assert text.startswith("# Measurements\n\nWritten by hand.\n")
    assert text.rstrip().endswith("<!-- measurements:ingest_features end -->")
    assert "| wall time | 41 s | <= 90 s |" in block(text, "ingest_features")


def test_pipes_and_empty_cells_do_not_break_the_table(tmp_path):
    page = tmp_path / "measurements.md"
    record("docker_image", "cmd", [("image size", "a | b", "")], page=page)
    assert "| image size | a \\| b | - |" in page.read_text()


def test_the_command_line_quotes_its_arguments():
    assert command_line("benchmarks.dashboard", ["--project", "/tmp/my project"]) == (
        "uv run python -m benchmarks.dashboard --project '/tmp/my project'"
    )
