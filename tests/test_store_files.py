"""Opening a store file: a folder, a missing folder, a file that is not DuckDB and a store another process holds
give one clear error saying what holds it and what to do, never DuckDB's raw IOException."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from marketpower.errors import InvalidInputError
from marketpower.store import Store

HOLD = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1]); con.execute('CREATE TABLE t (x INTEGER)'); "
    "print('held', flush=True); sys.stdin.read()"
)


@pytest.fixture()
def held_store(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A store file whose lock another process holds until the test ends."""
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield db, holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_a_store_held_by_another_process_names_it(held_store: tuple[Path, int]) -> None:
    db, pid = held_store
    for read_only in (False, True):
        with pytest.raises(InvalidInputError) as caught:
            Store.open(db=db, read_only=read_only)
        message = str(caught.value)
        assert f"PID {pid}" in message and "in use" in message and "another --db" in message


def test_cli_on_a_held_store_prints_one_clear_line(cli: Callable[..., Any], held_store: tuple[Path, int]) -> None:
    db, pid = held_store
    result = cli("markets", "--db", str(db))
    assert result.code != 0 and f"PID {pid}" in result.err
    assert "Traceback" not in result.err and "IOException" not in result.err


def test_db_pointing_at_a_folder_or_nowhere_or_at_another_file(tmp_path: Path, cli: Callable[..., Any]) -> None:
    with pytest.raises(InvalidInputError, match="this is a folder"):
        Store.open(db=tmp_path)
    with pytest.raises(InvalidInputError, match="this is a folder"):
        Store.open(db=tmp_path, read_only=True)
    with pytest.raises(InvalidInputError, match="does not exist"):
        Store.open(db=tmp_path / "missing" / "store.duckdb")
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 500)
    with pytest.raises(InvalidInputError, match="not a DuckDB database"):
        Store.open(db=text)
    assert text.read_text() == "not a database\n" * 500  # left as it was
    result = cli("markets", "--db", str(tmp_path))
    assert result.code != 0 and "this is a folder" in result.err and "Traceback" not in result.err
