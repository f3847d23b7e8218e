"""What the browser tests share: Debian's Chromium started headless once per test module (Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

#: Chromium's flags for a headless run in a container (no sandbox, no GPU, no first-run or background traffic).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[object]:
    """One Chromium for the module's tests (skipped, with the reason, where Playwright is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield launched
        launched.close()
