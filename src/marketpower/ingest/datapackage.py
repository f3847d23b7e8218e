"""Read, validate and write Frictionless data packages (``datapackage.json`` + ``data/<table>.csv``).

Validation runs every check and reports every problem (file, line, field, message) at once:
file-level (inside the package folder, UTF-8, no merge-conflict markers), CSV records (quoting, cell count),
header (required and unknown columns), cells (types and constraints), keys (uniqueness, foreign keys) and the
tables' own cross-row rules declared in :mod:`marketpower.schema`.

Validation and loading are one pass: each cell is parsed once by :meth:`marketpower.schema.core.Field.parse`, and
the typed table is built from the values that passed, so a package that validates always loads.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataPackageError, Problem
from ..schema import TABLES, Table
from ..schema.core import CONTROL_CHARACTERS, CellError
from ..schema.market import OTHERS_ID
from .safeload import DocumentError, load_document, utf8_text

DESCRIPTOR = "datapackage.json"
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")
#: pandas dtype of each field type in a loaded table.
DTYPES: dict[str, Any] = {
    "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": object, "string": object
}


@dataclass
class DataPackage:
    """A validated data package: its folder, name and one DataFrame per table. Row index i is the record that
    starts on CSV line i + 2 (the header is line 1), so problems found later can name the line."""

    path: Path
    name: str
    tables: dict[str, pd.DataFrame]


def csv_line(index: Any) -> int:
    """CSV line of a DataFrame row read by this module (header is line 1)."""
    return int(index) + 2


def _outside_problem(folder: Path, path: Path, shown: str) -> Problem | None:
    """A problem when ``path`` (after following symbolic links) is not a regular file inside ``folder``.

    A link that leads out of the package is refused before anything is read, so no file outside the package is
    ever opened and none of its content can appear in a message."""
    try:
        resolved, root = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):
        return Problem(shown, None, None, "symbolic link loop: replace the link with the file itself")
    if resolved != root and root not in resolved.parents:
        return Problem(shown, None, None, "symbolic link to a file outside the package folder: refused (copy "
                       "the file into the package instead)")
    if not path.exists():
        return None
    if not path.is_file():
        return Problem(shown, None, None, "not a regular file (a folder, device or pipe): give a file")
    return None


def _text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The file's text if it is UTF-8 (a leading byte-order mark is skipped) with no merge-conflict markers."""
    try:
        text = utf8_text(path.read_bytes(), shown)
    except DocumentError as err:
        return None, [err.problem]
    problems = []
    for number, line_text in enumerate(text.split("\n"), start=1):
        if line_text.startswith(CONFLICT_MARKERS):
            problems.append(Problem(shown, number, None, f"git merge-conflict marker {line_text[:40]!r}: "
                                    "resolve the conflict before loading"))
    return (None if problems else text), problems


def _records(text: str, shown: str, malformed: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each CSV record (RFC 4180: ``"`` quotes, ``""`` inside quotes, line breaks allowed
    in quoted cells). A malformed record is put in ``malformed`` and ends the file: what follows cannot be
    trusted."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            malformed.append(Problem(shown, start, None, f"malformed CSV record starting on this line ({err}): "
                                     "check for an unclosed or stray '\"' quote"))
            return
        yield start, record


def _header_problems(table: Table, header: list[str], shown: str) -> list[Problem]:
    problems = []
    for f in table.fields:
        if f.required and f.name not in header:
            problems.append(Problem(shown, 1, f.name, "required column is missing"))
    known = set(table.field_names)
    for name in header:
        if name not in known:
            hint = (" — a first column with an empty name is R's row names: write.csv(..., row.names = FALSE)"
                    if name == "" else "")
            problems.append(Problem(shown, 1, _shown_name(name), f"unknown column (table '{table.name}' has: "
                                    f"{', '.join(table.field_names)}){hint}"))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(shown, 1, _shown_name(name), "column appears twice"))
        seen.add(name)
    return problems


def _shown_name(name: str) -> str:
    """A column name as shown in a problem: control characters escaped, cut to 60 characters."""
    if CONTROL_CHARACTERS.search(name) or len(name) > 60:
        return repr(name[:60])[1:-1]
    return name


def _read_table(table: Table, text: str, shown: str) -> tuple[pd.DataFrame | None, set[int], list[Problem]]:
    """Parse every cell of one CSV against the table's fields: (typed table, index of rows with a bad cell,
    problems). The typed table holds every field (empty where the column is absent), None when the header or a
    record is unreadable; a bad cell is left empty in it, and reported."""
    problems: list[Problem] = []
    malformed: list[Problem] = []
    records = _records(text, shown, malformed)
    first = next(records, None)
    if first is None:
        return None, set(), malformed or [Problem(shown, 1, None, "empty file: the header row is missing")]
    header = [name.strip() for name in first[1]]
    header_problems = _header_problems(table, header, shown)
    if header_problems:
        return None, set(), header_problems
    fields = [table.field(name) for name in header]
    columns: list[list[Any]] = [[] for _ in header]
    index: list[int] = []
    bad_rows: set[int] = set()
    parsers = list(zip(columns, [f.parse for f in fields], strict=True))
    for line, cells in records:
        if not "".join(cells).strip():
            problems.append(Problem(shown, line, None, "blank row: remove it"))
            continue
        if len(cells) != len(header):
            which = "too few" if len(cells) < len(header) else "too many"
            problems.append(Problem(shown, line, None, f"the row has {len(cells)} cells but the header has "
                                    f"{len(header)} ({which}; check the commas and quotes)"))
            continue
        index.append(line - 2)
        for (column, parse), f, cell in zip(parsers, fields, cells, strict=True):
            try:
                column.append(parse(cell))
            except CellError as err:
                problems.append(Problem(shown, line, f.name, str(err)))
                column.append(None)
                bad_rows.add(line - 2)
    if malformed:
        return None, bad_rows, problems + malformed
    values = dict(zip(header, columns, strict=True))
    frame = pd.DataFrame(
        {f.name: pd.Series(values.get(f.name, [None] * len(index)), index=index, dtype=DTYPES[f.type])
         for f in table.fields},
        index=pd.Index(index, dtype="int64"),
    )
    return frame, bad_rows, problems


def _key_problems(table: Table, frame: pd.DataFrame, bad_rows: set[int], shown: str) -> list[Problem]:
    """Rows whose key (empty cells included) repeats an earlier row's; rows with a bad cell are left out."""
    if not table.primary_key:
        return []
    columns = [frame[c].tolist() for c in table.primary_key]
    seen: set[tuple[str, ...]] = set()
    problems = []
    for position, i in enumerate(frame.index):
        if i in bad_rows:
            continue
        key = tuple("" if pd.isna(column[position]) else str(column[position]) for column in columns)
        if key in seen:
            problems.append(Problem(shown, csv_line(i), ",".join(table.primary_key),
                                    f"duplicate key ({', '.join(key)}) already used earlier in the file"))
        seen.add(key)
    return problems


def _foreign_key_problems(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> list[Problem]:
    problems = []
    for name, frame in tables.items():
        table = TABLES[name]
        for f in table.fields:
            if not f.references:
                continue
            ref_table, ref_field = f.references.split(".")
            if ref_table not in tables:
                continue
            known = set(tables[ref_table][ref_field].dropna())
            if name == "shares" and f.name == "entity_id":
                known.add(OTHERS_ID)
            for i, value in frame[f.name].items():
                if value is not None and not pd.isna(value) and value not in known:
                    problems.append(Problem(files[name], csv_line(i), f.name,
                                            f"unknown {ref_table} id {value!r} (not in {ref_table}.{ref_field})"))
    return problems


def _load_descriptor(folder: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """``datapackage.json``, read with the project's safe loader (size, nesting, UTF-8, repeated keys)."""
    path = folder / DESCRIPTOR
    shown = str(path)
    outside = _outside_problem(folder, path, shown)
    if outside is not None:
        return None, [outside]
    if not path.is_file():
        return None, [Problem(shown, None, None, "no datapackage.json: not a data package folder")]
    try:
        descriptor = load_document(path, "data package descriptor")
    except DocumentError as err:
        return None, [err.problem]
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return None, [Problem(shown, None, "resources", "expected an object with a 'resources' list")]
    if not isinstance(descriptor.get("name", ""), str):
        return None, [Problem(shown, None, "name", "the package name must be a string")]
    return descriptor, []


def _path_problem(relpath: Any) -> str | None:
    if not isinstance(relpath, str) or not relpath.strip():
        return f"path {_brief(relpath)} must be one relative file path (a string) inside the package folder"
    if CONTROL_CHARACTERS.search(relpath) or "\n" in relpath or "\t" in relpath:
        return f"path {relpath!r} holds a control character"
    if relpath.startswith(("/", "\\")) or ".." in Path(relpath).parts or "://" in relpath:
        return f"path {relpath!r} must be a relative path inside the package folder"
    return None


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _resource_paths(descriptor: dict[str, Any], folder: Path) -> tuple[dict[str, str], list[Problem]]:
    shown = str(folder / DESCRIPTOR)
    paths: dict[str, str] = {}
    problems = []
    for i, res in enumerate(descriptor["resources"]):
        if not isinstance(res, dict):
            problems.append(Problem(shown, None, f"resources[{i}]", f"expected an object with 'name' and 'path', "
                                    f"got {_brief(res)}"))
            continue
        name, relpath = res.get("name"), res.get("path")
        path_problem = _path_problem(relpath)
        if not isinstance(name, str) or name not in TABLES:
            problems.append(Problem(shown, None, f"resources[{i}].name",
                                    f"unknown table {_brief(name)} (known: {', '.join(TABLES)})"))
        elif path_problem:
            problems.append(Problem(shown, None, f"resources[{i}].path", path_problem))
        elif name in paths:
            problems.append(Problem(shown, None, f"resources[{i}].name", f"table {name!r} is declared twice"))
        else:
            paths[name] = str(relpath)
    for name, table in TABLES.items():
        if table.required_resource and name not in paths:
            problems.append(Problem(shown, None, "resources", f"required table {name!r} is missing"))
    return paths, problems


def _read(folder: Path) -> tuple[DataPackage | None, list[Problem]]:
    folder = Path(folder)
    descriptor, problems = _load_descriptor(folder)
    if descriptor is None:
        return None, problems
    paths, problems = _resource_paths(descriptor, folder)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, relpath in paths.items():
        table, path = TABLES[name], folder / relpath
        shown = str(path)
        files[name] = shown
        outside = _outside_problem(folder, path, shown)
        if outside is not None:
            problems.append(outside)
            continue
        if not path.is_file():
            problems.append(Problem(shown, None, None, f"file of table {name!r} not found"))
            continue
        text, file_problems = _text(path, shown)
        problems += file_problems
        if text is None:
            continue
        frame, bad_rows, table_problems = _read_table(table, text, shown)
        problems += table_problems
        if frame is not None:
            problems += _key_problems(table, frame, bad_rows, shown)
            tables[name] = frame
    problems += _foreign_key_problems(tables, files)
    if not problems:
        for name in tables:
            for check in TABLES[name].checks:
                problems += [Problem(files[name], p.line, p.field, p.message) for p in check(tables)]
    name = str(descriptor.get("name") or folder.name)
    return (DataPackage(folder, name, tables) if not problems else None), problems


def validate_package(folder: Path | str) -> list[Problem]:
    """Every problem of the package at ``folder`` (empty list when valid)."""
    return _read(Path(folder))[1]


def read_package(folder: Path | str) -> DataPackage:
    """Read and validate a data package; raise :class:`DataPackageError` listing every problem."""
    package, problems = _read(Path(folder))
    if problems or package is None:
        raise DataPackageError(problems)
    return package


def descriptor_for(name: str, title: str, table_names: list[str]) -> dict[str, Any]:
    """The ``datapackage.json`` of a package holding ``table_names``, generated from the schema."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "resources": [
            {
                "name": t,
                "path": f"data/{t}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": TABLES[t].description,
                "schema": TABLES[t].frictionless(),
            }
            for t in TABLES
            if t in table_names
        ],
    }


def write_descriptor(folder: Path | str, title: str | None = None) -> Path:
    """Regenerate ``datapackage.json`` of ``folder`` from the schema, for every ``data/<table>.csv`` present."""
    folder = Path(folder)
    present = sorted(p.stem for p in (folder / "data").glob("*.csv") if p.stem in TABLES)
    old: dict[str, Any] = {}
    if (folder / DESCRIPTOR).exists() or (folder / DESCRIPTOR).is_symlink():
        loaded, problems = _load_descriptor(folder)
        if loaded is None:
            raise DataPackageError(problems)
        old = loaded
    descriptor = descriptor_for(old.get("name", folder.name), title or old.get("title", folder.name), present)
    for key in ("description", "licenses", "contributors", "homepage"):
        if key in old:
            descriptor[key] = old[key]
    target = folder / DESCRIPTOR
    target.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def write_package(folder: Path | str, name: str, title: str, tables: Mapping[str, pd.DataFrame]) -> DataPackage:
    """Write ``tables`` as a new data package at ``folder``, atomically: it is built and validated in a
    temporary folder, then moved into place; on any problem nothing is written."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise DataPackageError([Problem(str(folder), None, None, "folder exists and is not empty; choose a new "
                                        "folder so nothing already stored is overwritten")])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".mp-", dir=folder.parent))
    try:
        (staging / "data").mkdir()
        for t, frame in tables.items():
            columns = [c for c in TABLES[t].field_names if c in frame.columns]
            frame[columns].to_csv(staging / "data" / f"{t}.csv", index=False, encoding="utf-8")
        (staging / DESCRIPTOR).write_text(
            json.dumps(descriptor_for(name, title, list(tables)), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        read_package(staging)
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_package(folder)
