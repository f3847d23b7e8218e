"""Shared fixtures: paths to the repository, the shared data folder and the small test package."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from marketpower.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]
MINI_PACKAGE = REPO_ROOT / "tests" / "fixtures" / "mini"


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
