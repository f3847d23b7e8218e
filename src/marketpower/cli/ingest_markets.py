"""``marketpower ingest epoch-chips DIR`` and ``marketpower ingest eto DIR``: market-share data sets into the store
(``--db``) or into a new data package (``--out``)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer

from ..errors import InvalidInputError
from ..ingest.datapackage import read_package, write_package
from ..ingest.epoch_chips import ingest_epoch_chips
from ..ingest.eto import parse_eto
from ..schema import TABLES
from ..store import Store
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, input_path, open_store, output_path

OutOpt = Annotated[
    Path | None,
    output_path("--out", "Write a new data package to this (new or empty) folder instead of the store.", folder=True),
]


def register(ingest_app: typer.Typer) -> None:
    ingest_app.command("epoch-chips")(epoch_chips)
    ingest_app.command("eto")(eto)


def merge_tables(current: dict[str, pd.DataFrame], incoming: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Current tables plus incoming rows: an incoming row replaces a current row with the same key, except
    entities, where the current row (maybe richer: parent, ticker) is kept."""
    merged = {}
    for name, table in TABLES.items():
        base = current.get(name, pd.DataFrame(columns=table.field_names))
        new = incoming.get(name)
        if new is None or new.empty:
            merged[name] = base
            continue
        new = new.reindex(columns=table.field_names)
        combined = pd.concat([base, new], ignore_index=True) if not base.empty else new
        keep: Literal["first", "last"] = "first" if name == "entities" else "last"
        key = list(table.primary_key)
        merged[name] = combined.drop_duplicates(key, keep=keep) if key else combined
    return merged


def _as_schema_types(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Store rows with schema date columns as dates (DuckDB hands them back as timestamps)."""
    for f in TABLES[name].fields:
        if f.type == "date" and f.name in frame:
            frame[f.name] = pd.to_datetime(frame[f.name]).dt.date.where(frame[f.name].notna(), None)
    return frame


def _load(store: Store, incoming: dict[str, pd.DataFrame]) -> None:
    """Validate the store's tables merged with ``incoming`` as a whole package, then load them in one go."""
    current = {name: _as_schema_types(name, store.table(name)) for name in TABLES}
    merged = merge_tables(current, incoming)
    with tempfile.TemporaryDirectory(prefix="mp-ingest-") as tmp:
        folder = Path(tmp) / (store.package_name or "package")
        write_package(folder, store.package_name or "package", "store with ingested rows", merged)
        store.load(read_package(folder))


def _finish(
    tables: dict[str, pd.DataFrame], out: Path | None, package: Path | None, db: Path | None, name: str, title: str
) -> str:
    if out is not None:
        write_package(out, name, title, tables)
        return f"data package written to {out}"
    store = open_store(package, db)
    try:
        _load(store, tables)
    finally:
        store.close()
    if db is None:
        return "validated against the package and loaded into an in-memory store (use --db FILE to keep it)"
    return f"loaded into {db}"


def epoch_chips(
    directory: Annotated[Path, input_path(None, "Epoch AI ai-chip-counts download (repository root).", folder=True)],
    out: OutOpt = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    allow_missing_files: Annotated[
        bool,
        typer.Option("--allow-missing-files", help="Ingest a download lacking an owner file, marked incomplete."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Installed AI accelerators by owner per quarter (H100e, Epoch AI), with the HHI range their 5th-95th
    percentile uncertainty implies."""
    result = ingest_epoch_chips(directory, allow_missing_files=allow_missing_files)
    message = _finish(result.tables, out, package, db, "epoch-chip-owners", "Epoch AI chip owners")
    if as_json:
        emit({"result": message, "missing": result.missing, "quarters": result.summary}, True)
    else:
        emit(result.summary, False, title="Installed H100e by owner: concentration per quarter")
        if result.missing:
            console.print("incomplete download, every quarter's total is low; missing:")
            for part in result.missing:
                console.print(f"  {part}")
        console.print(message)


def eto(
    directory: Annotated[
        Path, input_path(None, "CSET ETO chip-explorer download (inputs/providers/provision).", folder=True)
    ],
    out: OutOpt = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    published: Annotated[
        str | None, typer.Option("--published", help="Release date of the download, YYYY-MM-DD (default: file date).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One market per supply-chain input, firms and countries apart (CC BY-NC: ingested, never bundled)."""
    try:
        release = date.fromisoformat(published) if published else None
    except ValueError as err:
        raise InvalidInputError(f"--published {published!r}: not a date, write YYYY-MM-DD") from err
    known = None
    if out is None:
        store = open_store(package, db)
        known = store.table("entities")[["id", "name"]]
        store.close()
    result = parse_eto(directory, known_entities=known, published=release)
    message = _finish(result.tables, out, package, db, "eto-chip-explorer", "CSET ETO chip explorer")
    shares = result.shares
    summary = (
        shares.assign(
            presence=shares["share"].isna(),
            named=shares["share"].notna() & (shares["entity_id"] != "others"),
            rescaled=shares["note"].str.contains("rescaled", regex=False),
        )
        .groupby(["market_id", "year"], sort=True)
        .agg(named=("named", "sum"), presence=("presence", "sum"), rescaled=("rescaled", "any"))
        .reset_index()
    )
    if as_json:
        emit({"result": message, "markets": summary}, True)
    else:
        emit(summary, False, title="ETO markets ingested")
        console.print(message)
