"""The bundled package's cached store: built once and reused, rebuilt (silently) whenever a package file changes
or the cached file is unreadable, and never corrupted by processes building it at the same time; its Parquet
tables give the store's DataFrames and are rewritten when damaged or stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from marketpower.cache import CACHE_ENV
from marketpower.datasets import AISTACK
from marketpower.errors import InvalidInputError
from marketpower.ingest.datapackage import read_package
from marketpower.schema import TABLES
from marketpower.store import Store
from marketpower.store_cache import (
    MANIFEST,
    cached_path,
    cached_store_file,
    cached_tables,
    package_key,
    recorded_key,
    tables_path,
)


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty cache folder for this test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture()
def package(tmp_path: Path, mini_package: Path) -> Path:
    """A copy of the small test package that a test may edit."""
    return Path(shutil.copytree(mini_package, tmp_path / "mini"))


def _tables(store: Store) -> dict[str, pd.DataFrame]:
    return {name: store.table(name) for name in ("entities", "markets", "shares")}


def test_bundled_store_is_built_once_and_holds_the_package(cache: Path) -> None:
    first = Store.open(read_only=True)
    path = cached_path(package_key(AISTACK))
    assert path.is_file() and recorded_key(path) == package_key(AISTACK)
    built = path.stat().st_mtime_ns
    again = Store.open()  # in memory, copied from the cached file
    assert path.stat().st_mtime_ns == built
    fresh = read_package(AISTACK)
    for name, frame in fresh.tables.items():
        assert len(first.table(name)) == len(frame) == len(again.table(name)), name
    pd.testing.assert_frame_equal(first.table("shares"), again.table("shares"))
    assert first.package_name == again.package_name == fresh.name
    assert not [p for p in cache.iterdir() if p.name.startswith(".store-")], "a temporary file was left"


def test_changed_package_file_invalidates_the_cache(cache: Path, package: Path) -> None:
    before = cached_store_file(package)
    assert before is not None
    shares = package / "data" / "shares.csv"
    text = shares.read_text(encoding="utf-8")
    assert "widgets,alpha,2023,,,0.4," in text
    shares.write_text(text.replace("widgets,alpha,2023,,,0.4,", "widgets,alpha,2023,,,0.35,"), encoding="utf-8")
    after = cached_store_file(package)
    assert after is not None and after != before
    assert recorded_key(after) == package_key(package) != recorded_key(before)
    with duckdb.connect(str(after), read_only=True) as con:
        row = con.execute("SELECT share FROM shares WHERE entity_id = 'alpha' AND year = 2023").fetchone()
    assert row is not None and row[0] == pytest.approx(0.35, abs=1e-12)


def test_corrupted_cache_file_is_rebuilt_without_a_word(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(read_only=True).close()
    path = cached_path(package_key(AISTACK))
    expected = len(read_package(AISTACK).tables["shares"])
    for damage in (b"not a database", path.read_bytes()[: path.stat().st_size // 2]):
        path.write_bytes(damage)
        assert recorded_key(path) is None
        store = Store.open(read_only=True)
        assert len(store.table("shares")) == expected
        store.close()
        assert recorded_key(path) == package_key(AISTACK)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_file_recording_another_key_is_not_trusted(cache: Path, package: Path, mini_package: Path) -> None:
    shares = package / "data" / "shares.csv"
    shares.write_text(shares.read_text(encoding="utf-8").replace(",0.4,", ",0.35,", 1), encoding="utf-8")
    other = cached_store_file(package)
    assert other is not None
    path = cached_path(package_key(mini_package))
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(other, path)  # a whole database, under the wrong name
    assert recorded_key(path) != package_key(mini_package)
    assert cached_store_file(mini_package) == path
    assert recorded_key(path) == package_key(mini_package)


def test_processes_building_at_once_leave_one_whole_file(cache: Path, package: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from marketpower.store_cache import cached_store_file;"
        "print(cached_store_file(Path(sys.argv[1])))"
    )
    env = {**os.environ, CACHE_ENV: str(cache)}
    runs = [
        subprocess.Popen([sys.executable, "-c", code, str(package)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, text=True)
        for _ in range(4)
    ]  # fmt: skip
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, [err for _, err in outputs]
    path = cached_path(package_key(package))
    assert {out.strip() for out, _ in outputs} == {str(path)}
    assert recorded_key(path) == package_key(package)
    assert sorted(p.name for p in cache.iterdir()) == [path.name]
    store = Store(duckdb.connect(str(path), read_only=True))
    for name, frame in read_package(package).tables.items():
        assert len(store.table(name)) == len(frame), name
    store.close()


def test_unwritable_cache_folder_loads_the_package_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # cannot be created: its parent is a file
    expected = len(read_package(AISTACK).tables["shares"])
    for read_only in (True, False):
        store = Store.open(read_only=read_only)
        assert len(store.table("shares")) == expected
        assert store.package_name == "aistack"
        store.close()


def test_parquet_tables_give_the_stores_dataframes(cache: Path, package: Path) -> None:
    """Every schema table read back from the Parquet folder is the DataFrame the store gives (values, dtypes,
    column order), the folder is written once and its manifest records each file's SHA-256."""
    tables = cached_tables(package)
    assert tables is not None and tables.folder == tables_path(package_key(package))
    store = Store(duckdb.connect(str(cached_path(package_key(package))), read_only=True))
    for name in TABLES:
        pd.testing.assert_frame_equal(tables.table(name), store.table(name), check_exact=True)
    store.close()
    manifest = (tables.folder / MANIFEST).stat().st_mtime_ns
    again = cached_tables(package)
    assert again is not None and (again.folder / MANIFEST).stat().st_mtime_ns == manifest
    assert not [p for p in cache.iterdir() if p.name.startswith(".tables-")], "a temporary folder was left"
    with pytest.raises(InvalidInputError, match="unknown table 'nope'"):
        tables.table("nope")


def test_damaged_or_stale_parquet_tables_are_rewritten(cache: Path, package: Path) -> None:
    tables = cached_tables(package)
    assert tables is not None
    shares = tables.folder / "shares.parquet"
    expected = tables.table("shares")
    for damage in (lambda: shares.write_bytes(shares.read_bytes()[:100]), shares.unlink):
        damage()
        fixed = cached_tables(package)
        assert fixed is not None and fixed.folder == tables.folder
        pd.testing.assert_frame_equal(fixed.table("shares"), expected, check_exact=True)
    data = package / "data" / "shares.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",0.4,", ",0.35,", 1), encoding="utf-8")
    changed = cached_tables(package)
    assert changed is not None and changed.folder != tables.folder
    row = changed.table("shares").query("entity_id == 'alpha' and year == 2023")
    assert row["share"].iloc[0] == pytest.approx(0.35, abs=1e-12)


def test_unwritable_cache_folder_gives_no_parquet_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert cached_tables(AISTACK) is None


def test_parquet_columns_give_the_stores_values_without_pandas(cache: Path, package: Path) -> None:
    """``columns`` reads the same values as the store's DataFrames, empty cells as None (NaN in the DataFrame);
    a folder opened for columns only is checked for today's pandas before it is read as DataFrames."""
    tables = cached_tables(package, frames=False)
    assert tables is not None
    store = Store(duckdb.connect(str(cached_path(package_key(package))), read_only=True))
    for name in ("entities", "markets", "shares"):
        frame, columns = store.table(name), tables.columns(name)
        assert list(columns) == list(frame.columns)
        for column, values in columns.items():
            expected = [None if pd.isna(v) else v for v in frame[column].tolist()]
            assert values == expected, (name, column)  # ids, names and shares as stored: no arithmetic done
    pd.testing.assert_frame_equal(tables.table("shares"), store.table("shares"), check_exact=True)
    store.close()


def test_a_table_file_deleted_after_the_check_is_rewritten_before_it_is_read(cache: Path, package: Path) -> None:
    """A cache clean-up between opening the folder and reading a table (both forms) costs a rewrite, not an
    OSError."""
    tables = cached_tables(package)
    assert tables is not None
    expected = tables.table("shares")
    (tables.folder / "shares.parquet").unlink()
    pd.testing.assert_frame_equal(tables.table("shares"), expected, check_exact=True)
    (tables.folder / "markets.parquet").unlink()
    assert tables.columns("markets")["id"] == _market_ids(package)


def _market_ids(package: Path) -> list[str]:
    return read_package(package).tables["markets"]["id"].tolist()


def test_a_folder_written_under_another_pandas_is_rewritten_before_frames_are_read(
    cache: Path, package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest records the pandas that wrote the files: opened for columns only (pandas not checked), the
    folder is rewritten before a DataFrame is read when that pandas is not today's."""
    import json

    tables = cached_tables(package)
    assert tables is not None
    manifest_path = tables.folder / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["libraries"]["pandas"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    for_columns = cached_tables(package, frames=False)
    assert for_columns is not None
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["libraries"]["pandas"] == "0.0.1"
    for_columns.table("entities")
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["libraries"]["pandas"] == pd.__version__
