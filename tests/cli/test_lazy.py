"""Commands load when they run: the CLI and its ``--help`` import none of the heavy libraries, the listing is the
one the command modules register, and the cached index is rebuilt whenever it does not match the source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from marketpower.cache import CACHE_ENV, cache_dir
from marketpower.cli import lazy

HEAVY = ("pandas", "duckdb", "networkx", "scipy", "marketpower.api", "marketpower.store")

_PROBE = """
import contextlib, io, sys
from marketpower.cli import main
if sys.argv[1:] == ["--help"]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main()
        except SystemExit:
            pass
    assert "hhi" in out.getvalue(), out.getvalue()
heavy = {heavy!r}
print(",".join(name for name in heavy if name in sys.modules))
"""


def _heavy_modules_loaded(tmp_path: Path, *args: str) -> str:
    """Which heavy modules a fresh interpreter holds after importing the CLI (and running ``args``)."""
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, CACHE_ENV: str(tmp_path)},
    )
    assert probe.returncode == 0, probe.stderr
    return probe.stdout.strip()


def test_importing_the_cli_loads_no_heavy_library(tmp_path: Path) -> None:
    assert _heavy_modules_loaded(tmp_path) == ""


def test_help_loads_no_heavy_library_once_indexed(tmp_path: Path) -> None:
    lazy.command_index.cache_clear()
    _heavy_modules_loaded(tmp_path, "--help")  # the first run builds the index (imports every command module)
    assert list(tmp_path.glob("cli-index-*.json")), "the index was not cached"
    assert _heavy_modules_loaded(tmp_path, "--help") == ""


def test_index_lists_what_the_modules_register() -> None:
    eager = lazy.build_group(lazy.COMMAND_MODULES)
    index = lazy.command_index()
    assert list(index) == list(eager.commands)
    for name, command in eager.commands.items():
        assert index[name].help == (command.short_help or command.help or ""), name
    assert index["hhi"].modules == ("measures",)
    assert index["ingest"].modules == ("ingest_markets", "finance", "flows")
    assert set(eager.commands["ingest"].commands) >= {"eto", "epoch-chips", "sec-facts", "epoch-hub"}


def test_help_lists_every_command(cli) -> None:
    result = cli("--help")
    assert result.code == 0
    listed = {line.split()[1] for line in result.out.splitlines() if line.startswith("│ ") and line[2] != " "}
    assert set(lazy.command_index()) <= listed | {"--debug", "--version", "--help"}


def test_a_lazy_command_runs(cli) -> None:
    result = cli("hhi", "--shares", "0.3,0.7", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["hhi"] == pytest.approx(0.3**2 * 10_000 + 0.7**2 * 10_000, abs=1e-9)
    nested = cli("ingest", "--help")
    assert nested.code == 0 and "epoch-chips" in nested.out and "sec-facts" in nested.out


@pytest.mark.parametrize("content", ["{not json", json.dumps({"key": "0" * 64, "commands": []})])
def test_an_index_that_does_not_match_is_rebuilt(content: str) -> None:
    key = lazy.source_key()
    path = cache_dir() / f"cli-index-{key[:16]}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    lazy.command_index.cache_clear()
    try:
        assert "hhi" in lazy.command_index()
        assert json.loads(path.read_text(encoding="utf-8"))["key"] == key
    finally:
        lazy.command_index.cache_clear()


def test_source_key_follows_the_command_modules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = lazy.source_key()
    fake = tmp_path / "__init__.py"
    fake.write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(lazy, "__file__", str(fake))
    assert lazy.source_key() != before


def test_a_mistyped_command_gets_suggestions_from_every_command(cli) -> None:
    result = cli("hhhi")
    assert result.code == 2
    assert "No such command 'hhhi'. Did you mean 'hhi', 'mhhi'?" in " ".join(result.err.split())
