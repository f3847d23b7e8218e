"""Each everyday command imports only what it needs: ``marketpower hhi`` computes with NumPy and
:mod:`marketpower.measures.concentration`, without pandas, DuckDB, NetworkX, SciPy or the store; ``simulate`` of a
case file without DuckDB or the store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from marketpower.cache import CACHE_ENV
from marketpower.datasets import AISTACK

HEAVY = ("pandas", "duckdb", "networkx", "scipy", "marketpower.store")

_PROBE = """
import contextlib, io, json, sys
from marketpower.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main()
    except SystemExit as stop:
        assert not stop.code, stop.code
print(json.dumps({{"out": out.getvalue(), "heavy": [m for m in {heavy!r} if m in sys.modules],
                  "modules": sorted(m for m in sys.modules if m.startswith("marketpower"))}}))
"""


def _run(tmp_path: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, CACHE_ENV: str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_hhi_loads_no_heavy_library(tmp_path: Path) -> None:
    _run(tmp_path, "--help")  # the first run builds the command index (imports every command module)
    result = _run(tmp_path, "hhi", "--shares", "0.3,0.7", "--json")
    assert result["heavy"] == []
    # 10,000 * (0.3^2 + 0.7^2) = 5,800
    assert '"hhi": 5800' in str(result["out"])


def test_markets_reads_the_cached_store_without_the_package_reader(tmp_path: Path) -> None:
    """Once the bundled store is cached, ``markets`` neither imports the package reader nor reads the CSV files,
    and prints what a fresh load of the same package (a copy, so not the cached one) prints."""
    _run(tmp_path, "markets")  # builds the command index and the cached store
    cached = _run(tmp_path, "markets", "--json")
    assert "marketpower.ingest.datapackage" not in cached["modules"]
    copy = shutil.copytree(AISTACK, tmp_path / "aistack-copy")
    fresh = _run(tmp_path, "markets", "--json", "--package", str(copy))
    assert "marketpower.ingest.datapackage" in fresh["modules"]
    assert json.loads(str(cached["out"])) == json.loads(str(fresh["out"]))


def test_simulate_of_a_case_file_loads_no_store(tmp_path: Path) -> None:
    """``simulate`` of a case file computes from the file alone: no DuckDB, no store, no deal-web libraries."""
    case = Path(__file__).resolve().parents[2] / "examples" / "cases" / "logit_three_firms.json"
    _run(tmp_path, "--help")  # builds the command index
    result = _run(tmp_path, "simulate", str(case), "--json")
    heavy, modules = list(result["heavy"]), list(result["modules"])  # type: ignore[call-overload]
    assert [m for m in heavy if m in ("duckdb", "networkx", "marketpower.store")] == []
    assert not any(m.startswith(("marketpower.api.markets", "marketpower.api.context")) for m in modules)
    # inside shares 0.30, 0.25, 0.20 of 0.75: 10,000 * (0.4^2 + (1/3)^2 + (4/15)^2) = 3,422.2...
    assert json.loads(str(result["out"]))["hhi_pre"] == pytest.approx(10_000 * (0.16 + 1 / 9 + 16 / 225), abs=1e-6)
