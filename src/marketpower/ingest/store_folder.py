"""Where a DuckDB store file's bulk Parquet files are found: shared by the store (when it opens a file) and the
bulk ingests (when they write views over their Parquet files), so ingest never has to import the store."""

from __future__ import annotations

from pathlib import Path

import duckdb


def use_store_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Put the store file's folder on DuckDB's file search path, for every cursor of the database (the relative
    paths of views over Parquet files start there); the store file's path, or None for an in-memory store."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0]:
        return None
    db = Path(row[0]).resolve()
    con.execute("SET GLOBAL file_search_path = '" + str(db.parent).replace("'", "''") + "'")
    return db
