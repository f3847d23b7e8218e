"""Shared fixtures: paths to the repository, the shared data folder and the small test package."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# pytest-xdist sets COLUMNS=80 in its workers; the CLI reads COLUMNS for its table width when its console is made
# (at import), so drop it before marketpower is imported: every worker prints as a plain pipe does (200 columns).
# Tests of COLUMNS itself set it with monkeypatch.
os.environ.pop("COLUMNS", None)

from marketpower.cache import CACHE_ENV
from marketpower.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]
MINI_PACKAGE = REPO_ROOT / "tests" / "fixtures" / "mini"

# Property tests give the same verdict on every machine: the same examples everywhere (derandomized), no
# per-example time limit (a loaded or slow CI machine must not fail a correct test), no example database on disk.
settings.register_profile("marketpower", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile("marketpower")


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test (and every process it starts) keeps marketpower's cache in its own temporary folder, never the
    user's (``MARKETPOWER_CACHE_DIR``, see marketpower.cache)."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(folder))
        yield folder


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's ../shared folder (reference outputs and public data sets); skip when absent."""
    for candidate in (REPO_ROOT.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    pytest.skip("../shared is not available")


@pytest.fixture(scope="session")
def mini_package() -> Path:
    return MINI_PACKAGE


#: Debian's Chromium, which the browser tests drive with Playwright (scripts/ensure-test-deps.sh installs it).
CHROMIUM = Path("/usr/bin/chromium")


def chromium_problem() -> str | None:
    """Why Debian's Chromium cannot run the browser tests here (missing, or present but not starting), or None."""
    if not CHROMIUM.is_file():
        return (
            "Debian's chromium is not installed at /usr/bin/chromium (`make test` installs it with apt when run as "
            "root; see scripts/ensure-test-deps.sh)"
        )
    try:
        probe = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"/usr/bin/chromium does not start: {type(error).__name__}: {error}"
    if probe.returncode != 0 or "Chromium" not in probe.stdout:
        return f"/usr/bin/chromium does not start (exit {probe.returncode}): {probe.stderr.strip()[:300]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium executable for a browser test; the test skips, with the reason, where it cannot run."""
    problem = chromium_problem()
    if problem is not None:
        pytest.skip(problem)
    return CHROMIUM


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["marketpower", *args])
        code = 0
        try:
            main()
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
