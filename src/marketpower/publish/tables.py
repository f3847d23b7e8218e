"""Every table of a dashboard page sorted, filtered and downloaded the way Datasette does it, on the server.

A page's tables are the lists of records in its model (the JSON twin): the model itself when it is a list
(named after the page), else each list of records under a key, or one level deeper (``worked_example.rows``).
The query string of a page or of its twin chooses a view of one of them:

* ``_table=<name>`` — which table (default: the page's first);
* ``_sort=<column>`` / ``_sort_desc=<column>`` — ascending / descending order (empty cells last, numbers
  before text);
* ``<column>=<value>`` (``__exact``), ``<column>__contains=<text>`` (case-insensitive), ``__not``, ``__gt``,
  ``__gte``, ``__lt``, ``__lte`` — filters, all of which must hold (numbers compare as numbers; a list cell
  matches ``exact`` when one of its items does);
* ``_format=html|json|csv|parquet`` (or the path suffix ``.json``, ``.csv``, ``.parquet``) — what comes back.

The page (HTML or JSON) then holds the view in place of the table, and CSV and Parquet hold the view's rows
with the JSON twin's values: empty for null, list and object cells as JSON text; the CSV is written by the one
CSV writer, :func:`marketpower.files.write_csv` (a text cell a spreadsheet would run as a formula gets a ``'``).
The static report writes each table of its top pages to such files at build time (:func:`write_files`). The
canonical query string (:meth:`TableQuery.query_string`) is the permalink of the view. Any other parameter
starting with ``_`` is refused, and so is a column the table does not have, naming the table and its columns
(:class:`marketpower.errors.InvalidInputError`).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from ..errors import InvalidInputError
from ..files import csv_bytes as csv_bytes_of
from ..files import write_csv

FORMATS = ("html", "json", "csv", "parquet")
OPERATORS = ("exact", "contains", "not", "gt", "gte", "lt", "lte")
#: Query parameters that belong to the page, not to a table view.
PAGE_PARAMETERS = ("lang",)
#: The filter form's fields, turned into a canonical query (:func:`form_query`) by a redirect.
FORM_FIELDS = ("_filter_column", "_filter_op", "_filter_value", "_sort_column", "_sort_dir")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}

Rows = list[dict[str, Any]]

#: The words of the tables' tools, by interface language.
LABELS = {
    "en": {
        "summary": "Tables on this page: sort, filter, download",
        "rows": "rows shown",
        "permalink": "Permalink to this view",
        "filter": "Filter",
        "sort": "Sort by",
        "ascending": "ascending",
        "descending": "descending",
        "apply": "Apply",
        "show_all": "show all rows",
        "view": "This view",
        "files": "Tables on this page as files",
        "rows_in_table": "rows",
        "filter_rows": "Filter rows",
    },
    "fr": {
        "summary": "Tableaux de la page : trier, filtrer, télécharger",
        "rows": "lignes affichées",
        "permalink": "Lien permanent vers cette vue",
        "filter": "Filtrer",
        "sort": "Trier par",
        "ascending": "croissant",
        "descending": "décroissant",
        "apply": "Appliquer",
        "show_all": "toutes les lignes",
        "view": "Cette vue",
        "files": "Tableaux de la page en fichiers",
        "rows_in_table": "lignes",
        "filter_rows": "Filtrer les lignes",
    },
}


@dataclasses.dataclass(frozen=True)
class Filter:
    """``column <operator> value``; ``value`` is the text of the query string."""

    column: str
    operator: str
    value: str

    @property
    def parameter(self) -> str:
        return self.column if self.operator == "exact" else f"{self.column}__{self.operator}"


@dataclasses.dataclass(frozen=True)
class TableQuery:
    """One view of one table of a page (see the module docstring); the empty query is the page as built."""

    table: str | None = None
    sort: str | None = None
    descending: bool = False
    filters: tuple[Filter, ...] = ()
    format: str = "html"

    @property
    def changes_rows(self) -> bool:
        return bool(self.sort or self.filters)

    def pairs(self) -> list[tuple[str, str]]:
        """The view's parameters in canonical order (table, filters, sort), without the format."""
        pairs = [("_table", self.table)] if self.table else []
        pairs += [(f.parameter, f.value) for f in self.filters]
        if self.sort:
            pairs.append(("_sort_desc" if self.descending else "_sort", self.sort))
        return pairs

    def query_string(self) -> str:
        """``?_table=..&col=..&_sort=..`` (empty for the page as built): the permalink's query."""
        pairs = self.pairs()
        return "?" + urlencode(pairs) if pairs else ""

    def cache_key(self) -> tuple[str, ...]:
        return tuple(f"{k}={v}" for k, v in self.pairs())


def parse_query(params: Iterable[tuple[str, str]], format: str = "html") -> TableQuery:
    """The view a query string asks for (``format``: the one the path's suffix gives, which ``_format`` may
    replace). Raises InvalidInputError for an unknown ``_`` parameter, format or operator, a repeated
    ``_sort``/``_table`` or both ``_sort`` and ``_sort_desc``."""
    table, sorts, filters = None, [], []
    for name, value in params:
        if name in PAGE_PARAMETERS or name in FORM_FIELDS:
            continue
        if name == "_format":
            format = value
        elif name == "_table":
            if table is not None:
                raise InvalidInputError("_table: give one table per view")
            table = value
        elif name in ("_sort", "_sort_desc"):
            sorts.append((value, name == "_sort_desc"))
        elif name.startswith("_"):
            known = "_table, _sort, _sort_desc, _format"
            raise InvalidInputError(f"query parameter {name!r}: not a table option (use {known} or a column name)")
        else:
            column, _, operator = name.partition("__")
            operator = operator or "exact"
            if operator not in OPERATORS:
                raise InvalidInputError(f"filter {name!r}: unknown operator {operator!r} (use {', '.join(OPERATORS)})")
            filters.append(Filter(column, operator, value))
    if format not in FORMATS:
        raise InvalidInputError(f"_format {format!r}: use one of {', '.join(FORMATS)}")
    if len(sorts) > 1:
        raise InvalidInputError("_sort and _sort_desc: give one sort column (ascending _sort or descending _sort_desc)")
    sort, descending = sorts[0] if sorts else (None, False)
    return TableQuery(table, sort or None, descending, tuple(filters), format)


def form_query(params: Mapping[str, str], current: TableQuery) -> TableQuery:
    """The view the filter form submits: the current view plus the form's filter and sort (blank fields change
    nothing; a blank sort column keeps the current sort)."""
    filters = current.filters
    column, value = params.get("_filter_column", ""), params.get("_filter_value", "")
    if column and value != "":
        filters = (*filters, Filter(column, params.get("_filter_op", "exact") or "exact", value))
    sort, descending = current.sort, current.descending
    if params.get("_sort_column"):
        sort, descending = params["_sort_column"], params.get("_sort_dir") == "desc"
    query = TableQuery(current.table, sort, descending, filters, current.format)
    return parse_query(query.pairs(), query.format)  # the same checks as a typed URL


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(row, dict) for row in value)


def page_tables(data: Any, page: str) -> dict[str, Rows]:
    """Name -> rows of every table in a page model (see the module docstring), in the model's order."""
    if isinstance(data, list):
        return {page: data} if not data or _is_records(data) else {}
    found: dict[str, Rows] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if _is_records(value):
                found[str(key)] = value
            elif isinstance(value, dict):
                found.update({f"{key}.{k}": v for k, v in value.items() if _is_records(v)})
    return found


def columns_of(rows: Rows) -> list[str]:
    """Every column of the rows, in first-seen order."""
    return list(dict.fromkeys(column for row in rows for column in row))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def cell_text(value: Any) -> str:
    """A cell as CSV writes it: empty for null, JSON for lists, objects and booleans, else the value's text."""
    if value is None:
        return ""
    if isinstance(value, list | dict | bool):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _compare(value: Any, given: str, operator: str) -> bool:
    left, right = _number(value), _number(given)
    if left is not None and right is not None:
        a: Any = left
        b: Any = right
    else:
        a, b = cell_text(value), given
    return bool({"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[operator])


def matches(value: Any, condition: Filter) -> bool:
    """Whether one cell satisfies one filter (null cells satisfy only ``not``)."""
    items = value if isinstance(value, list) else [value]
    if condition.operator == "contains":
        return condition.value.casefold() in cell_text(value).casefold()
    exact = any(
        (_number(v) is not None and _number(v) == _number(condition.value)) or cell_text(v) == condition.value
        for v in items
    )
    if condition.operator == "exact":
        return exact
    if condition.operator == "not":
        return not exact
    return (
        value is not None
        and not isinstance(value, list | dict)
        and _compare(value, condition.value, condition.operator)
    )


def _sort_key(value: Any) -> tuple[int, float, str]:
    number = _number(value) if not isinstance(value, str) else None
    if value is None:
        return (2, 0.0, "")
    if number is not None:
        return (0, number, "")
    return (1, 0.0, cell_text(value).casefold())


def view(rows: Rows, query: TableQuery, table: str) -> Rows:
    """The rows of ``table`` that pass every filter, in the asked order (stable: ties keep the page's order;
    empty cells last in both directions). Raises InvalidInputError for a column the table does not have."""
    columns = columns_of(rows)
    for column in [f.column for f in query.filters] + ([query.sort] if query.sort else []):
        if column not in columns:
            listed = ", ".join(columns) if columns else "none: the table has no rows"
            raise InvalidInputError(f"table {table!r}: no column {column!r} (columns: {listed})")
    kept = [row for row in rows if all(matches(row.get(f.column), f) for f in query.filters)]
    sort = query.sort
    if sort:
        present = [row for row in kept if row.get(sort) is not None]
        empty = [row for row in kept if row.get(sort) is None]
        present.sort(key=lambda row: _sort_key(row[sort]), reverse=query.descending)
        kept = present + empty
    return kept


def chosen_table(tables: Mapping[str, Rows], query: TableQuery, page: str) -> str:
    """The name of the table a view is of (the page's first when ``_table`` is not given)."""
    if query.table is not None:
        if query.table not in tables:
            listed = ", ".join(tables) or "none"
            raise InvalidInputError(f"page {page!r}: no table {query.table!r} (tables: {listed})")
        return query.table
    if not tables:
        raise InvalidInputError(f"page {page!r} has no table to sort, filter or download")
    return next(iter(tables))


def apply(data: Any, page: str, query: TableQuery) -> tuple[Any, str, Rows]:
    """The page model with the chosen table replaced by its view, the table's name and the view's rows."""
    tables = page_tables(data, page)
    name = chosen_table(tables, query, page)
    rows = view(tables[name], query, name) if query.changes_rows else tables[name]
    if isinstance(data, list):
        return rows, name, rows
    out = dict(data)
    head, _, tail = name.partition(".")
    if tail:
        out[head] = {**out[head], tail: rows}
    else:
        out[head] = rows
    return out, name, rows


def frame(rows: Rows, columns: Sequence[str]) -> Any:
    """The rows as a DataFrame for :func:`marketpower.files.write_csv`: one object column per column, so numbers
    keep their JSON text (an integer column with empty cells stays integers); list, object and boolean cells as
    :func:`cell_text`, null as missing."""
    import pandas as pd

    def cell(value: Any) -> Any:
        return cell_text(value) if isinstance(value, list | dict | bool) else value

    return pd.DataFrame(
        {c: pd.Series([cell(row.get(c)) for row in rows], dtype=object) for c in columns}, columns=list(columns)
    )


def write_csv_file(rows: Rows, columns: Sequence[str], path: Path) -> None:
    """The rows as a UTF-8 CSV file with a header line, by :func:`marketpower.files.write_csv` (cells as
    :func:`cell_text`; text a spreadsheet would run as a formula neutralised)."""
    write_csv(frame(rows, columns), path)


def csv_bytes(rows: Rows, columns: Sequence[str]) -> bytes:
    """The bytes of :func:`write_csv_file` (the dashboard's downloads)."""
    return csv_bytes_of(frame(rows, columns))


def _parquet_column(values: list[Any]) -> Any:
    """One Parquet column: numbers as int64 or float64, booleans, text; list and object cells and any column
    mixing kinds as text (:func:`cell_text`, nulls kept null)."""
    import pyarrow as pa

    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return pa.array(values, type=pa.bool_())
    if kinds <= {int}:
        return pa.array(values, type=pa.int64())
    if kinds <= {int, float}:
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    return pa.array([None if v is None else cell_text(v) for v in values], type=pa.string())


def parquet_bytes(rows: Rows, columns: Sequence[str]) -> bytes:
    """The rows as one Parquet file (see :func:`_parquet_column` for the column types)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({c: _parquet_column([row.get(c) for row in rows]) for c in columns})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def download(rows: Rows, columns: Sequence[str], format: str) -> bytes:
    return csv_bytes(rows, columns) if format == "csv" else parquet_bytes(rows, columns)


def write_files(data: Any, page: str, folder: Path, stem: str) -> list[dict[str, Any]]:
    """Every table of a page model (:func:`page_tables`) as ``<stem>.<table>.csv`` and ``.parquet`` in ``folder``
    (the static report's downloads: its pages have no server to make them); for each table its name, rows,
    columns and the two file names."""
    written = []
    for name, rows in page_tables(data, page).items():
        columns = columns_of(rows)
        base = f"{stem}.{quote(name, safe='')}"
        write_csv_file(rows, columns, folder / f"{base}.csv")
        (folder / f"{base}.parquet").write_bytes(parquet_bytes(rows, columns))
        written.append(
            {"name": name, "rows": len(rows), "columns": columns, "csv": f"{base}.csv", "parquet": f"{base}.parquet"}
        )
    return written


def tools(data: Any, built: Any, page: str, path: str, query: TableQuery) -> list[dict[str, Any]]:
    """What a page shows under "Tables on this page": for each table its name, columns, rows shown and in all,
    the download and twin links of its current view, the permalink and the view's filters and sort.

    ``data``: the page model as shown (with the view), ``built``: as built; ``path``: the page's path without a
    suffix (``/markets``, ``/markets/hbm``; the overview's twins are ``/index.*``)."""
    shown, everything = page_tables(data, page), page_tables(built, page)
    active = chosen_table(everything, query, page) if everything and query.changes_rows else None
    base = "/index" if path == "/" else path
    out = []
    for position, name in enumerate(everything):
        table = None if position == 0 else name  # the first table needs no _table
        own = dataclasses.replace(query, table=table) if name == active else TableQuery(table)
        suffix = own.query_string()
        out.append(
            {
                "name": name,
                "columns": columns_of(everything[name]),
                "shown": len(shown.get(name, [])),
                "total": len(everything[name]),
                "active": name == active,
                "filters": [dataclasses.asdict(f) for f in own.filters],
                "sort": own.sort,
                "descending": own.descending,
                "hidden": own.pairs(),
                "path": path,
                "permalink": path + suffix,
                "csv": f"{base}.csv{suffix}",
                "parquet": f"{base}.parquet{suffix}",
                "json": f"{base}.json{suffix}",
            }
        )
    return out
