"""Options and output helpers shared by every command: one way to open the store, print and fail."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.segment import Segment, Segments
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
    table, width = _table(records, cols, title, whole_header_words=True), console.width
    for _ in range(4):  # headers kept whole widen their columns past what Rich planned: plan narrower
        lines = _render(table, width)
        excess = max((Segment.get_line_length(line) for line in lines), default=0) - console.width
        if excess <= 0:  # print what was rendered: laying a long table out again costs as much as the first time
            console.print(Segments(segment for line in lines for segment in (*line, Segment.line())))
            return
        width -= excess
    console.print(_table(records, cols, title, whole_header_words=False))  # all columns shown, headers may break


def _table(records: list[dict[str, Any]], cols: list[str], title: str | None, whole_header_words: bool) -> RichTable:
    """The Rich table of ``records``; with ``whole_header_words`` a header wraps between the words of its name
    (underscores shown as spaces), never inside one."""
    table = RichTable(title=title, show_lines=False, header_style="bold")
    for c in cols:
        table.add_column(Text(c.replace("_", " ")), overflow="fold", min_width=_word(c) if whole_header_words else None)
    for rec in records:
        table.add_row(*[_cell(rec.get(c), c) for c in cols])
    return table


def _render(table: RichTable, width: int) -> list[list[Segment]]:
    """The lines of ``table`` laid out for ``width`` columns, before Rich crops them to the screen."""
    return list(Segment.split_lines(console.render(table, console.options.update_width(width))))


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
