"""Each everyday command imports only what it needs: ``marketpower hhi`` computes with NumPy and
:mod:`marketpower.measures.concentration`, without pandas, DuckDB, NetworkX, SciPy or the store; ``simulate`` of a
case file without DuckDB, the store, NetworkX or Numba; ``markets`` on the bundled package reads its cached Parquet
tables, without pandas, DuckDB, the store, NetworkX, SciPy or Numba; ``--help`` imports no command module at all."""

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

HEAVY = ("pandas", "duckdb", "networkx", "scipy", "numba", "marketpower.store")

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


def test_markets_reads_the_cached_tables_without_the_package_reader_or_duckdb(tmp_path: Path) -> None:
    """Once the bundled package is cached, ``markets`` imports neither the package reader, DuckDB nor pandas (it
    reads the cached Parquet tables' columns), and prints, as JSON and as tables, what a fresh load of the same
    package into the store (a copy, so not the cached one) prints. The printed text is compared exactly on
    purpose: both runs are on one machine and compute the figures with the same code from the same values (the
    Parquet tables equal the store's DataFrames bit for bit, tests/test_store_cache.py), so any difference is a
    defect of the cache."""
    _run(tmp_path, "markets")  # builds the command index, the cached store and its Parquet tables
    copy = shutil.copytree(AISTACK, tmp_path / "aistack-copy")
    for options in (["--json"], [], ["--year", "2024"], ["--layer", "memory", "--json"]):
        cached = _run(tmp_path, "markets", *options)
        assert "marketpower.ingest.datapackage" not in cached["modules"]
        assert cached["heavy"] == [], options  # not even pandas: the tables' columns are read with pyarrow
        fresh = _run(tmp_path, "markets", *options, "--package", str(copy))
        assert "marketpower.ingest.datapackage" in fresh["modules"] and "duckdb" in fresh["heavy"]
        assert cached["out"] == fresh["out"], options
    assert json.loads(str(cached["out"])) and all(row["layer"] == "memory" for row in json.loads(str(cached["out"])))


def test_simulate_of_a_case_file_loads_no_store(tmp_path: Path) -> None:
    """``simulate`` of a case file computes from the file alone: no DuckDB, no store, no deal-web libraries."""
    case = Path(__file__).resolve().parents[2] / "examples" / "cases" / "logit_three_firms.json"
    _run(tmp_path, "--help")  # builds the command index
    result = _run(tmp_path, "simulate", str(case), "--json")
    heavy, modules = list(result["heavy"]), list(result["modules"])  # type: ignore[call-overload]
    assert heavy == []  # not even pandas: the tables print from to_dict()
    assert not any(m.startswith(("marketpower.api.markets", "marketpower.api.context")) for m in modules)
    # inside shares 0.30, 0.25, 0.20 of 0.75: 10,000 * (0.4^2 + (1/3)^2 + (4/15)^2) = 3,422.2...
    assert json.loads(str(result["out"]))["hhi_pre"] == pytest.approx(10_000 * (0.16 + 1 / 9 + 16 / 225), abs=1e-6)


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    """``--help`` lists every command from the index: no command module, no application layer, nothing heavy."""
    _run(tmp_path, "--help")  # builds the command index
    result = _run(tmp_path, "--help")
    assert result["heavy"] == []
    loaded = [m for m in list(result["modules"]) if m.startswith(("marketpower.cli.", "marketpower.api."))]  # type: ignore[call-overload]
    assert sorted(loaded) == ["marketpower.cli.common", "marketpower.cli.lazy"]
