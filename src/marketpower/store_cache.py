"""The bundled data package, loaded once: a DuckDB file in the cache folder (:func:`marketpower.cache.cache_dir`)
holding the package's tables, kept under the SHA-256 of the package's files, of the schema's table definitions and
of the code that loads them (:func:`package_key`). Reading it costs milliseconds where validating and loading the
CSV files costs about a second.

The file is never trusted on its name alone: it records its key, and a file whose recorded key differs, or that
DuckDB cannot open or read (truncated, overwritten, not a database), is rebuilt without a word. It is written
atomically (a temporary file in the same folder, renamed over the old one), so concurrent builders each write
their own file and a reader sees a whole one. Without a writable cache folder the caller loads the package in
memory as before.

Commands that only read whole tables (``marketpower markets``) read them from Parquet files written once from
the DuckDB file (:func:`cached_tables`): the DataFrames DuckDB gives, with pandas' dtypes recorded, so reading one
back with pyarrow gives the same DataFrame as :meth:`marketpower.store.Store.table` without importing or opening
DuckDB, or its columns as Python lists without importing pandas either. The folder records the key, the library
versions that wrote it and the SHA-256 of every file it holds (checked on each open, a file that differs or is
missing means a rebuild) and is renamed into place whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import cache_dir
from .errors import InvalidInputError, StorageError

if TYPE_CHECKING:  # DuckDB loads when the DuckDB file is opened or built, not to read the Parquet tables
    import duckdb
    import pandas as pd
    import pyarrow as pa

#: Bumped when the layout of the cached file changes.
CACHE_FORMAT = 1
#: The table in the cached file recording the key it was built under.
KEY_TABLE = "_cache_key"
#: The file of a Parquet folder recording its key, its libraries and the SHA-256 of each table file.
MANIFEST = "manifest.json"
_HERE = Path(__file__).resolve().parent
#: The code whose behaviour the cached tables depend on (besides the package files): the store's loading, the
#: package reader and the schema.
_CODE = (_HERE / "store.py", _HERE / "ingest" / "datapackage.py", *sorted((_HERE / "schema").glob("*.py")))


def package_key(package: Path) -> str:
    """SHA-256 over the relative path and bytes of every file of the package folder ``package``, the code in
    :data:`_CODE` and :data:`CACHE_FORMAT`."""
    digest = hashlib.sha256(f"marketpower store cache {CACHE_FORMAT}\n".encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(b"package\0" + path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for path in _CODE:
        digest.update(b"code\0" + path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cached_path(key: str) -> Path:
    """Where the store of the package with ``key`` is kept."""
    return cache_dir() / f"store-{key[:16]}.duckdb"


def _open_current(path: Path, key: str) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to ``path`` when it is a readable DuckDB file recording ``key``, else None."""
    import duckdb

    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except (duckdb.Error, OSError):
        return None
    try:
        row = con.execute(f"SELECT key FROM {KEY_TABLE}").fetchone()
    except duckdb.Error:
        row = None
    if row is None or str(row[0]) != key:
        con.close()
        return None
    return con


def recorded_key(path: Path) -> str | None:
    """The key recorded in the cached file ``path``, or None when it is missing or unreadable."""
    import duckdb

    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(f"SELECT key FROM {KEY_TABLE}").fetchone()
    except (duckdb.Error, OSError):
        return None
    return str(row[0]) if row else None


def _build(package: Path, key: str, target: Path) -> None:
    """Load ``package`` into a new DuckDB file, record ``key`` in it, and rename it to ``target``."""
    import duckdb

    from .ingest.datapackage import read_package
    from .store import Store

    loaded = read_package(package)  # before any file is made: a package error leaves the cache as it was
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".store-", suffix=".duckdb", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # DuckDB creates the file itself (an empty file is not a database)
    try:
        store = Store(duckdb.connect(str(tmp)))
        try:
            store.load(loaded)
            store.connection.execute(f"CREATE TABLE {KEY_TABLE} (key VARCHAR)")
            store.connection.execute(f"INSERT INTO {KEY_TABLE} VALUES (?)", [key])
            store.connection.execute("CHECKPOINT")
        finally:
            store.close()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


def open_cached_store(package: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the cached DuckDB file of ``package``, checked and opened once (built first
    when missing, stale or unreadable); None when the cache folder cannot be written."""
    key = package_key(package)
    con = _open_current(cached_path(key), key)
    if con is None and cached_store_file(package) is not None:
        con = _open_current(cached_path(key), key)
    return con


def cached_store_file(package: Path) -> Path | None:
    """The cached DuckDB file of ``package`` (a package folder), built when missing, stale or unreadable; None
    when the cache folder cannot be written (the caller then loads the package in memory). Errors in the package
    itself are raised as :func:`marketpower.ingest.datapackage.read_package` raises them."""
    import duckdb

    key = package_key(package)
    path = cached_path(key)
    if recorded_key(path) == key:
        return path
    try:
        _build(package, key, path)
    except (OSError, duckdb.Error):  # no writable cache folder, a full disk: load in memory instead
        return None
    return path if recorded_key(path) == key else None


def tables_path(key: str) -> Path:
    """Where the Parquet tables of the package with ``key`` are kept."""
    return cache_dir() / f"store-{key[:16]}.parquet"


def _libraries() -> dict[str, str]:
    """The versions of the libraries that turn the Parquet files back into DataFrames (part of the folder's key)."""
    import pandas as pd
    import pyarrow as pa

    return {"pandas": pd.__version__, "pyarrow": pa.__version__}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _current_tables(folder: Path, key: str, frames: bool = True) -> bool:
    """Whether ``folder`` records ``key`` and today's pyarrow (and, with ``frames``, today's pandas, which only
    reading DataFrames needs), and holds every file its manifest lists unchanged."""
    import pyarrow as pa

    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        libraries = _libraries() if frames else {"pyarrow": pa.__version__}
        if manifest["key"] != key or any(manifest["libraries"][name] != v for name, v in libraries.items()):
            return False
        return all(_digest(folder / f"{name}.parquet") == sha for name, sha in manifest["files"].items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _export_tables(db: Path, key: str, target: Path) -> None:
    """Write every schema table of the cached DuckDB file ``db`` as Parquet (the DataFrame DuckDB gives, pandas'
    dtypes recorded) and a manifest into a new folder, then rename it to ``target``."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .schema import TABLES

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tables-", dir=target.parent))
    try:
        files = {}
        with duckdb.connect(str(db), read_only=True) as con:
            for name in TABLES:
                frame = con.execute(f'SELECT * FROM "{name}"').df()
                pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp / f"{name}.parquet")
                files[name] = _digest(tmp / f"{name}.parquet")
        manifest = {"key": key, "libraries": _libraries(), "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        if target.exists() and not _current_tables(target, key):
            shutil.rmtree(target, ignore_errors=True)  # stale or damaged: replaced by the whole new folder
        try:
            os.replace(tmp, target)
        except OSError:
            if not _current_tables(target, key):  # not another builder's whole folder: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class CachedTables:
    """The schema tables of the package folder ``package`` read from its Parquet folder (:func:`cached_tables`):
    :meth:`table` gives the DataFrame :meth:`marketpower.store.Store.table` gives for the same package,
    :meth:`columns` the same values as Python lists. A folder found stale or damaged after it was opened (checked
    only for :meth:`columns` and read as DataFrames, a file deleted by a cache clean-up) is rewritten first."""

    def __init__(self, folder: Path, package: Path, key: str, frames: bool = True):
        self.folder = folder
        self.package = package
        self._key = key
        self._checked_for_frames = frames

    def table(self, name: str) -> pd.DataFrame:
        """A whole schema table as a DataFrame."""
        if not self._checked_for_frames:
            self._rewrite_unless_current(frames=True)
            self._checked_for_frames = True
        frame: pd.DataFrame = self._read(name, frames=True).to_pandas()
        return frame

    def columns(self, name: str) -> dict[str, list[Any]]:
        """A whole schema table as its columns (name -> values in row order, None where a cell is empty), read
        without importing pandas."""
        columns: dict[str, list[Any]] = self._read(name, frames=False).to_pydict()
        return columns

    def _read(self, name: str, frames: bool) -> pa.Table:
        import pyarrow.parquet as pq

        from .schema import TABLES

        if name not in TABLES:
            raise InvalidInputError(f"unknown table {name!r} (known: {', '.join(TABLES)})")
        path = self.folder / f"{name}.parquet"
        try:
            with pq.ParquetFile(path) as file:  # not pq.read_table: it imports pyarrow.dataset
                return file.read()
        except OSError:  # deleted or damaged since the folder was checked: rewrite it, then read again
            self._rewrite_unless_current(frames)
            with pq.ParquetFile(path) as file:
                return file.read()

    def _rewrite_unless_current(self, frames: bool) -> None:
        if _current_tables(self.folder, self._key, frames) or _write_tables(self.package, self._key, self.folder):
            return
        raise StorageError(f"the cached tables of {self.package} could not be rewritten in {self.folder}")


def _write_tables(package: Path, key: str, folder: Path) -> bool:
    """Write the Parquet folder of ``package`` from its cached DuckDB file (built first when needed); whether the
    folder is current afterwards."""
    db = cached_store_file(package)
    if db is None:
        return False
    import duckdb

    try:
        _export_tables(db, key, folder)
    except (OSError, duckdb.Error):  # no writable cache folder, a full disk
        return False
    return _current_tables(folder, key)


def cached_tables(package: Path, frames: bool = True) -> CachedTables | None:
    """The tables of ``package`` (a package folder) from its Parquet folder, written from the cached DuckDB file
    when missing, stale or damaged; None when the cache folder cannot be written (the caller then opens the
    store). Without ``frames`` the folder is checked only for reading :meth:`CachedTables.columns` (pandas is not
    imported). Errors in the package itself are raised as :func:`cached_store_file` raises them."""
    key = package_key(package)
    folder = tables_path(key)
    if _current_tables(folder, key, frames) or _write_tables(package, key, folder):
        return CachedTables(folder, package, key, frames)
    return None
