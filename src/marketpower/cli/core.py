"""Core commands: validate, schema, markets, trend, sources (report and serve live in cli/publish.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from .. import api
from ..datasets import AISTACK
from ..errors import DataPackageError
from ..schema import data_dictionary
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, input_path, open_store

MARKET_COLUMNS = [
    "market_id",
    "year",
    "series",
    "leader",
    "leader_share",
    "cr4_low",
    "cr4_high",
    "hhi_low",
    "hhi_high",
    "class_2023",
    "class_2010",
]
#: What `markets` adds to them: the share attributed to named firms, the market's flag (not a real antitrust
#: market) and why no leader or headline is drawn from the row (coverage break, HHI range too wide).
COVERAGE_COLUMNS = ["named_share", "flag", "headline_note"]


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(schema)
    app.command()(markets)
    app.command()(trend)
    app.command()(sources)


def validate(
    path: Annotated[
        Path | None, input_path(None, "Package folder to check (default: bundled aistack).", folder=True)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a data package against the schema; list every problem (file, line, field) and exit 1 if any."""
    from ..ingest.datapackage import validate_package  # here: `markets` and `trend` read no package

    folder = path or AISTACK
    problems = validate_package(folder)
    if as_json:
        emit({"package": str(folder), "valid": not problems, "problems": [p.to_dict() for p in problems]}, True)
        if problems:
            raise typer.Exit(1)
        return
    if problems:
        raise DataPackageError(problems)
    console.print(Text.assemble(("valid", "green"), f": {folder}"))


def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the data dictionary (Markdown).")] = False,
    write_descriptor_: Annotated[
        bool, typer.Option("--write-descriptor", help="Regenerate datapackage.json of --package from the schema.")
    ] = False,
    package: PackageOpt = None,
) -> None:
    """The schema of data packages: data dictionary, or regenerate a package's datapackage.json."""
    if write_descriptor_:
        from ..ingest.datapackage import write_descriptor

        console.print(f"written: {write_descriptor(package or AISTACK)}")
    else:
        typer.echo(data_dictionary() if markdown else "\n".join(_schema_lines()))


def _schema_lines() -> list[str]:
    from ..schema import TABLES

    return [f"{name}: {', '.join(t.field_names)}" for name, t in TABLES.items()]


def markets(
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Only this layer of the AI stack.")] = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """HHI (range), CR1, CR4 and the US 2023 / 2010 guidelines class of every market-year, with its coverage
    (share named, flag, why no leader or headline)."""
    from ..api.markets import bundled_tables

    tables = bundled_tables(package, frames=False) if db is None else None  # the bundled package: cached Parquet
    store = open_store(package, db, read_only=db is None) if tables is None else tables
    rows = api.market_rows(store, year=year, layer=layer)
    emit(rows, as_json, "Concentration by market", [*MARKET_COLUMNS, *COVERAGE_COLUMNS])


def trend(
    market_id: Annotated[str, typer.Argument(help="Market id (see `marketpower markets`).")],
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """HHI, CR4 and guidelines class of one market year by year, with the change in HHI."""
    store = open_store(package, db)
    emit(
        api.trend(store, market_id),
        as_json,
        f"Trend of {market_id}",
        [*MARKET_COLUMNS[:2], "period", *MARKET_COLUMNS[2:], "hhi_low_change", "hhi_high_change", "change_note"],
    )


def sources(
    unused: Annotated[bool, typer.Option("--unused", help="Only sources no row cites.")] = False,
    tier: Annotated[
        str | None,
        typer.Option("--tier", help="Only sources of this tier: primary, secondary or other (what rests on it)."),
    ] = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every source (publisher, title, URL, date, tier) and what cites it."""
    store = open_store(package, db)
    emit(
        api.sources(store, unused_only=unused, tier=tier),
        as_json,
        "Sources" if tier is None else f"Sources of tier {tier} and the rows that rest on them",
        ["id", "publisher", "title", "published", "tier", "cited_by"],
    )
