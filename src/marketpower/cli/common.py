"""Options and output helpers shared by every command: one way to open the store, print and fail."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from ..errors import DataPackageError, MarketpowerError

if TYPE_CHECKING:  # pandas, the store and the serialiser load when a command uses them, not for `--help`
    import pandas as pd

    from ..store import Store

#: Every string printed is shown literally: no console markup (``[bold]``), no emoji codes (``:x:``), no
#: highlighting, so data, arguments and messages can never be interpreted. Styling goes through
#: :class:`rich.text.Text` objects. Wide tables stay readable when output goes to a file or a pipe (Rich would
#: otherwise assume 80 columns).
def console_width(environ: Mapping[str, str] = os.environ, tty: bool | None = None) -> int | None:
    """Width of printed tables: ``COLUMNS`` when set to a positive number, the terminal's width on a terminal
    (None: Rich asks it), else 200 so wide tables stay readable in files and pipes."""
    columns = environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if (sys.stdout.isatty() if tty is None else tty) else 200


console = Console(width=console_width(), markup=False, emoji=False, highlight=False)
err_console = Console(stderr=True, markup=False, emoji=False, highlight=False)

PackageOpt = Annotated[
    Path | None,
    typer.Option("--package", help="Data package folder (datapackage.json + data/*.csv). Default: bundled aistack."),
]
DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file to keep the store in (default: in memory)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def input_path(name: str | None, help: str, folder: bool | None = False) -> Any:
    """Typer metadata for a path the command reads: an Option ``name`` (an Argument when None) naming a file
    (``folder=False``), a folder (True) or either (None). A path that is missing, unreadable or of the wrong
    kind is a usage error naming the option (exit 2), never a traceback."""
    file_ok, dir_ok = folder is not True, folder is not False
    if name is None:
        return typer.Argument(help=help, exists=True, file_okay=file_ok, dir_okay=dir_ok, readable=True)
    return typer.Option(name, help=help, exists=True, file_okay=file_ok, dir_okay=dir_ok, readable=True)


def output_path(name: str, help: str, folder: bool = False) -> Any:
    """Typer metadata for the Option ``name``, a file (or ``folder``) the command writes: a path of the other
    kind, one that is not writable, or one whose folder is a file or not writable is a usage error naming the
    option (exit 2), never a traceback. Missing folders above it are created when it is written."""
    return typer.Option(
        name, help=help, file_okay=not folder, dir_okay=folder, writable=True, callback=_place_is_writable
    )


def _place_is_writable(value: Path | None) -> Path | None:
    """Refuse a path under a file, or in a folder this process cannot write in (checks the nearest existing one)."""
    if value is None or value.exists():
        return value
    for parent in value.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise typer.BadParameter(f"{parent} is a file, so {value} cannot be written under it")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise typer.BadParameter(f"cannot write in the folder {parent}")
            break
    return value


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clean error (no traceback) and exit non-zero."""
    err_console.print(Text.assemble(("error:", "bold red"), f" {message}"), soft_wrap=True)
    raise typer.Exit(code)


def report_error(error: MarketpowerError) -> NoReturn:
    """Print a marketpower error in full (every problem of a DataPackageError) and exit non-zero."""
    if isinstance(error, DataPackageError):
        err_console.print(Text.assemble(("error:", "bold red"), f" {len(error.problems)} problem(s) found:"))
        for problem in error.problems:
            err_console.print(f"  - {problem}", soft_wrap=True)
        raise typer.Exit(1)
    fail(str(error))


def open_store(package: Path | None, db: Path | None, read_only: bool = False) -> Store:
    """The store the command works on; errors in the package are printed and end the command."""
    from ..store import Store

    return Store.open(package=package, db=db, read_only=read_only)


def emit(data: Any, as_json: bool, title: str | None = None, columns: list[str] | None = None) -> None:
    """Print ``data`` as JSON (``--json``) or as a Rich table (DataFrames, lists of records) / key-value table."""
    from ..api.serialize import dumps, jsonable

    if as_json:
        typer.echo(dumps(data))
        return
    records = jsonable(data)
    if isinstance(records, dict):
        records = [{"key": k, "value": v} for k, v in records.items()]
    if not records:
        console.print(Text(f"{title + ': ' if title else ''}nothing to show", style="dim"))
        return
    cols = columns or list(records[0].keys())
    cells = [[_cell(rec.get(c), c) for c in cols] for rec in records]
    numbers = [max((len(row[k]) for row, rec in zip(cells, records, strict=True) if _is_number(rec.get(c))),
                   default=0) for k, c in enumerate(cols)]  # fmt: skip
    table = RichTable(title=title, show_lines=False, header_style="bold")
    widths = column_widths(cols, cells, numbers, console.width)
    for k, c in enumerate(cols):
        table.add_column(Text(c.replace("_", " ")), overflow="fold", width=widths[k] if widths else None)
    for row in cells:
        table.add_row(*row)
    console.print(table)


def table_chrome(columns: int) -> int:
    """Characters a Rich table (default box, one space of padding each side) adds to its cells' widths: three
    per column (two of padding, one border) and the closing border."""
    return 3 * columns + 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def column_widths(cols: list[str], cells: list[list[str]], numbers: list[int], screen: int) -> list[int] | None:
    """Widths of the columns of a table too wide for ``screen`` characters, or None when it fits as it is (or
    cannot fit even with every column at its narrowest: Rich then folds cells as it can).

    A column never gets narrower than its longest number (``numbers``: 0 for a column without one), so no number
    is split across lines, nor, when the screen allows, than the longest word of its header (underscores are
    spaces), so no header word is split either. The room left is shared like water poured over the columns:
    every column narrower than a common level is raised to it, or to its longest cell when that is shorter, at
    the highest level the screen allows."""
    longest = [max([cell_len(c), *(cell_len(row[k]) for row in cells)]) for k, c in enumerate(cols)]
    room = screen - table_chrome(len(cols))
    if sum(longest) <= room:
        return None
    for floors in ([max(_word(c), n) for c, n in zip(cols, numbers, strict=True)], [max(n, 1) for n in numbers]):
        if sum(floors) <= room:
            return _pour(floors, longest, room)
    return None


def _pour(floors: list[int], tops: list[int], room: int) -> list[int]:
    """Widths between ``floors`` and ``tops`` adding up to ``room`` (Σ floors <= room < Σ tops): the highest
    level ``t`` with Σ min(top, max(floor, t)) <= room, then one more character to the first columns still under
    their top until the room is used."""
    def at(level: int) -> list[int]:
        return [min(top, max(floor, level)) for floor, top in zip(floors, tops, strict=True)]

    low, high = 0, max(tops)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if sum(at(middle)) <= room else (low, middle - 1)
    widths = at(low)
    for k in range(len(widths)):
        if sum(widths) == room:
            break
        if widths[k] < tops[k] and widths[k] == max(floors[k], low):
            widths[k] += 1
    return widths


def _word(column: str) -> int:
    """The longest word of a column name (split at underscores): the narrowest the column may get."""
    return max(len(w) for w in column.split("_")) if column else 1


def is_year_column(column: str) -> bool:
    """Columns holding calendar years ("year", "year_online", "start_year"): printed without separators."""
    return column == "year" or column.startswith("year_") or column.endswith("_year")


def _cell(value: Any, column: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if is_year_column(column) and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def frame_or_empty(frame: pd.DataFrame | None) -> pd.DataFrame:
    import pandas as pd

    return frame if frame is not None else pd.DataFrame()
