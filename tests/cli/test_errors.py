"""No traceback reaches a user: unexpected errors become one line naming the command (exit 70, traceback with
--debug / MARKETPOWER_DEBUG=1), Ctrl-C exits 130, usage errors keep Typer's message, and text from data or
arguments is printed literally (no Rich markup, no emoji codes)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketpower.cli import EXIT_BUG, EXIT_INTERRUPTED, command_name
from marketpower.errors import DataPackageError, Problem

HOSTILE = "[/x] [bold]B[/bold] :x: [link=javascript:alert(1)]L[/link]"
#: Short enough that no table folds it over two lines.
SHORT = "[/x][b]:x:"


@pytest.fixture()
def failing_command() -> Iterator[dict[str, BaseException]]:
    """A command ``boom-for-test`` that raises what the test puts in the returned dict (removed afterwards)."""
    from marketpower.cli import app

    to_raise: dict[str, BaseException] = {}

    def boom_for_test() -> None:
        raise to_raise["error"]

    app.command("boom-for-test")(boom_for_test)
    yield to_raise
    app.registered_commands[:] = [c for c in app.registered_commands if c.name != "boom-for-test"]


def test_unexpected_error_is_one_line_naming_the_command(cli, failing_command, monkeypatch) -> None:
    failing_command["error"] = ZeroDivisionError("float division by zero")
    monkeypatch.delenv("MARKETPOWER_DEBUG", raising=False)
    result = cli("boom-for-test")
    assert result.code == EXIT_BUG == 70
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "`marketpower boom-for-test` failed unexpectedly (ZeroDivisionError: float division by zero)" in lines[0]
    assert "report it with the command you ran" in lines[0] and "--debug" in lines[0]


def test_debug_flag_and_environment_show_the_traceback(cli, failing_command, monkeypatch) -> None:
    failing_command["error"] = ZeroDivisionError("float division by zero")
    monkeypatch.delenv("MARKETPOWER_DEBUG", raising=False)
    flagged = cli("--debug", "boom-for-test")
    assert flagged.code == EXIT_BUG
    assert "Traceback (most recent call last)" in flagged.err and "boom_for_test" in flagged.err
    assert "`marketpower boom-for-test` failed unexpectedly" in flagged.err
    monkeypatch.setenv("MARKETPOWER_DEBUG", "1")
    from_env = cli("boom-for-test")
    assert from_env.code == EXIT_BUG and "Traceback (most recent call last)" in from_env.err


def test_keyboard_interrupt_exits_130_cleanly(cli, failing_command) -> None:
    failing_command["error"] = KeyboardInterrupt()
    result = cli("boom-for-test")
    assert result.code == EXIT_INTERRUPTED == 130
    assert result.err.strip() == "interrupted"


def test_project_errors_in_a_command_print_their_message(cli, failing_command) -> None:
    failing_command["error"] = DataPackageError([Problem("shares.csv", 3, "share", "[/x] is not a number")])
    result = cli("boom-for-test")
    assert result.code == 1
    assert result.err.splitlines() == [
        "error: 1 problem(s) found:",
        "  - shares.csv, line 3, field 'share': [/x] is not a number",
    ]


def test_project_errors_and_usage_errors_keep_their_messages(cli) -> None:
    own = cli("trend", "no-such-market")
    assert own.code == 2 and own.err.strip() == (
        "error: unknown market 'no-such-market' (see `marketpower markets` for the ids)"
    )
    usage = cli("hhi", "--bogus")
    assert usage.code == 2 and "No such option: --bogus" in usage.err and "Traceback" not in usage.err
    missing = cli("trend")
    assert missing.code == 2 and "Missing argument" in missing.err


def test_command_name_walks_the_command_tree() -> None:
    from typer.main import get_command

    from marketpower.cli import app

    root = get_command(app)
    assert command_name(root, ["--debug", "fec", "ingest", "DIR", "--cycle", "2026"]) == "marketpower fec ingest"
    assert command_name(root, ["hhi", "--shares", "0.5"]) == "marketpower hhi"
    assert command_name(root, ["nonsense"]) == "marketpower"


# --- text from data and arguments is printed literally ------------------------------------------------------


def test_hostile_argument_in_an_error_message_is_printed_literally(cli) -> None:
    for market in ("[/x]", ":x:", HOSTILE):
        result = cli("trend", market)
        assert result.code == 2, result.err
        assert f"unknown market {market!r}" in result.err.replace("\n", "")
        assert "❌" not in result.err


@pytest.fixture()
def hostile_package(mini_package: Path, tmp_path: Path) -> Path:
    """The mini package in a folder named with markup, with an entity, a market and a publisher named with it."""
    pkg = tmp_path / "pkg [/x] :x:"
    shutil.copytree(mini_package, pkg)
    for name, old, new in (
        ("entities.csv", "Alpha Corp", SHORT),
        ("markets.csv", "widgets,Widgets,", f"widgets,{SHORT},"),
        ("sources.csv", "Example Research", SHORT),
    ):
        path = pkg / "data" / name
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    return pkg


def test_hostile_data_is_printed_literally_by_several_commands(cli, hostile_package: Path) -> None:
    pkg = str(hostile_package)
    valid = cli("validate", pkg)
    assert valid.code == 0 and f"valid: {pkg}" in valid.out.replace("\n", "")
    for args in (
        ("markets", "--package", pkg, "--year", "2024"),
        ("trend", "widgets", "--package", pkg),
        ("sources", "--package", pkg),
    ):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert SHORT in result.out, (args, result.out)
        assert "❌" not in result.out


def test_rich_tables_titles_and_screens_print_markup_literally(cli, tmp_path: Path) -> None:
    shares = tmp_path / "shares.csv"
    shares.write_text("firm,share\n[bold]a[/bold],0.5\n:x:,0.3\nc,0.2\n")
    result = cli("screen", "[/x]", "--shares", str(shares), "--merge", "[bold]a[/bold],:x:")
    assert result.code == 0, result.err
    assert "❌" not in result.out and "Traceback" not in result.err
    assert ":x:" in result.out or "[bold]a[/bold]" in result.out
