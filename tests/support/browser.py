"""Headless Debian Chromium for Playwright (never a downloaded browser), and screenshots."""

from __future__ import annotations

from pathlib import Path

from tests.support.project import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "dashboard"


def screenshot(page, name: str) -> Path:
    """A full-page screenshot of ``page`` in test-output/dashboard/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
