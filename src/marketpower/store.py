"""The DuckDB store: the only module that touches the database.

A store is in memory by default, or a file (``db``) that keeps what was loaded and ingested. Bulk ingests
keep Parquet files in a folder beside the file named after the whole file name (``x.duckdb`` ->
``x.duckdb.fec/``) and views that name them relative to the file's folder, so a store moved together with that
folder keeps working when opened through :meth:`Store.open`. Loading a package replaces that package's tables
in one transaction: on any failure (or a killed process) nothing changes. A file that cannot be opened (a
folder, another process holding its lock, not a DuckDB file) is an :class:`InvalidInputError` saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from .datasets import AISTACK
from .errors import InvalidInputError
from .ingest.store_folder import use_store_folder
from .schema import TABLES
from .store_cache import cached_store_file, open_cached_store

if TYPE_CHECKING:
    from .ingest.datapackage import DataPackage

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def connect_file(db: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file ``db``, or raise :class:`InvalidInputError` saying what is wrong and what to do
    (a folder, a missing folder, a lock held by another process (named with its PID when DuckDB knows it),
    a file that is not a DuckDB database)."""
    if db.is_dir():
        raise InvalidInputError(f"--db {db}: this is a folder; give a DuckDB file, e.g. --db {db / 'store.duckdb'}")
    if not db.parent.is_dir():
        raise InvalidInputError(f"--db {db}: the folder {db.parent} does not exist; create it or choose another")
    try:
        return duckdb.connect(str(db), read_only=read_only)
    except duckdb.Error as error:
        text = str(error).splitlines()[0]
        holder = _LOCK_HOLDER.search(text)
        if holder:
            raise InvalidInputError(
                f"--db {db}: the store is in use: {holder['program']} (PID {holder['pid']}) holds its lock. A store "
                "file takes one writing process at a time; wait for that command to finish (or stop it: "
                f"kill {holder['pid']}), or use another --db file"
            ) from None
        if "lock" in text.lower():
            raise InvalidInputError(
                f"--db {db}: another process holds the store's lock ({text}); wait for it to finish or use "
                "another --db file"
            ) from None
        if "not a valid DuckDB database file" in text:
            raise InvalidInputError(
                f"--db {db}: the file exists but is not a DuckDB database; give another file"
            ) from None
        raise InvalidInputError(f"--db {db}: cannot open the store ({text})") from None


def _read_package(folder: Path | str) -> DataPackage:
    """:func:`marketpower.ingest.datapackage.read_package`, imported when a package is read (its validator costs
    a tenth of a second to import; the cached bundled store needs none)."""
    from .ingest.datapackage import read_package

    return read_package(folder)


class Store:
    """An open DuckDB database holding the data-package tables (and whatever ingest commands added)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, package_name: str | None = None):
        self._con = connection
        self.package_name = package_name

    @classmethod
    def open(cls, package: Path | str | None = None, db: Path | str | None = None, read_only: bool = False) -> Store:
        """Open a store and make sure it holds a package.

        - no ``db``: an in-memory store loaded with ``package`` (default: the bundled ``aistack``). The bundled
          package is read from its cached DuckDB file (:mod:`marketpower.store_cache`), copied into memory, or,
          with ``read_only``, opened in place (read only);
        - ``db`` given: the file is opened (created if new); ``package`` is (re)loaded into it when given,
          or when the file holds no package yet (then the bundled one).
        """
        if db is None:
            bundled = package is None or Path(package).resolve() == AISTACK
            connection = open_cached_store(AISTACK) if bundled and read_only else None
            cached = cached_store_file(AISTACK) if bundled and not read_only else None
            if connection is not None or cached is not None:
                store = cls(connection or duckdb.connect(":memory:"))
                if cached is not None:
                    store._copy_tables(cached)
                store.package_name = store._stored_package_name()
                return store
            store = cls(duckdb.connect(":memory:"))
            store.load(_read_package(package or AISTACK))
            return store
        db_path = Path(db)
        if read_only and not db_path.exists():
            raise InvalidInputError(f"--db {db_path}: no such database file")
        store = cls(connect_file(db_path, read_only=read_only))
        use_store_folder(store.connection)
        if package is not None or not store.has_table("sources"):
            if read_only:
                raise InvalidInputError(f"--db {db_path}: the file holds no data package; load one first")
            store.load(_read_package(package or AISTACK))
        else:
            store.package_name = store._stored_package_name()
        return store

    def _copy_tables(self, db: Path) -> None:
        """Fill this (empty) store with the schema tables and package record of the DuckDB file ``db``."""
        con = self._con
        con.execute("ATTACH ? AS _source (READ_ONLY)", [str(db)])
        try:
            for name, table in TABLES.items():
                con.execute(table.duckdb_ddl())
                con.execute(f'INSERT INTO "{name}" SELECT * FROM _source."{name}"')
            con.execute("CREATE TABLE _package AS SELECT * FROM _source._package")
        finally:
            con.execute("DETACH _source")

    def _stored_package_name(self) -> str | None:
        if not self.has_table("_package"):
            return None
        rows = self._con.execute("SELECT name FROM _package").fetchall()
        return str(rows[0][0]) if rows else None

    def load(self, package: DataPackage) -> None:
        """Replace every schema table with the package's rows (empty where the package lacks the table)."""
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            for name, table in TABLES.items():
                con.execute(table.duckdb_ddl())
                con.execute(f'DELETE FROM "{name}"')
                frame = package.tables.get(name)
                if frame is not None and len(frame):
                    con.register("_incoming", frame[table.field_names])
                    con.execute(f'INSERT INTO "{name}" SELECT * FROM _incoming')
                    con.unregister("_incoming")
            con.execute("CREATE TABLE IF NOT EXISTS _package (name VARCHAR, path VARCHAR)")
            con.execute("DELETE FROM _package")
            con.execute("INSERT INTO _package VALUES (?, ?)", [package.name, str(package.path)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.package_name = package.name

    def has_table(self, name: str) -> bool:
        rows = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()
        return bool(rows and rows[0])

    def frame(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a query (on its own cursor, safe across threads) and return a DataFrame."""
        cursor = self._con.cursor()
        try:
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()

    def table(self, name: str) -> pd.DataFrame:
        """A whole schema table as a DataFrame."""
        if name not in TABLES:
            raise InvalidInputError(f"unknown table {name!r} (known: {', '.join(TABLES)})")
        return self.frame(f'SELECT * FROM "{name}"')

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The raw connection, for ingest modules that stream bulk files into their own tables."""
        return self._con

    def close(self) -> None:
        self._con.close()
