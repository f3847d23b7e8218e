"""Read, validate and write Frictionless data packages (``datapackage.json`` + ``data/<table>.csv``).

Validation runs every check and reports every problem (file, line, field, message) at once:
file-level (exists, UTF-8, no merge-conflict markers), header (required and unknown columns),
cells (types and constraints, with Frictionless), keys (uniqueness, foreign keys) and the tables'
own cross-row rules declared in :mod:`marketpower.schema`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from frictionless import Resource, Schema

from ..errors import DataPackageError, Problem
from ..schema import TABLES, Table
from ..schema.market import OTHERS_ID

DESCRIPTOR = "datapackage.json"
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")
FRICTIONLESS_MESSAGES = {
    "type-error": "value {cell!r} is not a valid {type}",
    "constraint-error": "value {cell!r} breaks the constraint: {note}",
    "missing-cell": "the row has too few cells (missing this one)",
    "extra-cell": "the row has more cells than the header",
    "blank-row": "blank row",
    "primary-key": "duplicate key: {note}",
}


@dataclass
class DataPackage:
    """A validated data package: its folder, name and one DataFrame per table (index i is CSV line i + 2)."""

    path: Path
    name: str
    tables: dict[str, pd.DataFrame]


def csv_line(index: Any) -> int:
    """CSV line of a DataFrame row read by this module (header is line 1)."""
    return int(index) + 2


def _file_problems(path: Path, shown: str) -> list[Problem]:
    """UTF-8 and merge-conflict checks on the raw bytes."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return [Problem(shown, line, None, f"not UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded; "
                        "re-save the file as UTF-8")]
    problems = []
    for number, line_text in enumerate(text.splitlines(), start=1):
        if line_text.startswith(CONFLICT_MARKERS):
            problems.append(Problem(shown, number, None, f"git merge-conflict marker {line_text[:40]!r}: "
                                    "resolve the conflict before loading"))
    return problems


def _header_problems(table: Table, header: list[str], shown: str) -> list[Problem]:
    problems = []
    for f in table.fields:
        if f.required and f.name not in header:
            problems.append(Problem(shown, 1, f.name, "required column is missing"))
    known = set(table.field_names)
    for name in header:
        if name not in known:
            problems.append(Problem(shown, 1, name, f"unknown column (table '{table.name}' has: "
                                    f"{', '.join(table.field_names)})"))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(shown, 1, name, "column appears twice"))
        seen.add(name)
    return problems


def _cell_problems(table: Table, folder: Path, relpath: str, shown: str, header: list[str]) -> list[Problem]:
    """Type and constraint errors of every cell, found by Frictionless against our schema."""
    descriptor = table.frictionless()
    descriptor.pop("foreignKeys", None)
    descriptor.pop("primaryKey", None)
    descriptor["fields"] = [f for f in descriptor["fields"] if f["name"] in header]
    # Columns in file order, so Frictionless matches cells to fields by position.
    by_name = {f["name"]: f for f in descriptor["fields"]}
    descriptor["fields"] = [by_name[name] for name in header if name in by_name]
    resource = Resource(path=relpath, basepath=str(folder), schema=Schema.from_descriptor(descriptor),
                        format="csv", encoding="utf-8")
    report = resource.validate(limit_errors=10_000)
    problems = []
    for task in report.tasks:
        for err in task.errors:
            template = FRICTIONLESS_MESSAGES.get(err.type, "{note}")
            cell = getattr(err, "cell", None)
            field_name = getattr(err, "field_name", None)
            ftype = table.field(field_name).type if field_name in table.field_names else "value"
            message = template.format(cell=cell, type=ftype, note=getattr(err, "note", "") or err.type)
            problems.append(Problem(shown, getattr(err, "row_number", None), field_name, message))
    return problems


def _typed_frame(table: Table, path: Path) -> pd.DataFrame:
    """Read a CSV already validated cell by cell into a DataFrame with the schema's dtypes (all columns)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    out = pd.DataFrame(index=frame.index)
    for f in table.fields:
        column = frame[f.name] if f.name in frame else pd.Series([""] * len(frame), index=frame.index, dtype=str)
        column = column.str.strip().replace("", None)
        if f.type == "integer":
            out[f.name] = pd.to_numeric(column).astype("Int64")
        elif f.type == "number":
            out[f.name] = pd.to_numeric(column).astype("Float64")
        elif f.type == "date":
            out[f.name] = pd.to_datetime(column, format="%Y-%m-%d").dt.date
        elif f.type == "boolean":
            out[f.name] = column.map({"true": True, "false": False, "True": True, "False": False}).astype("boolean")
        else:
            out[f.name] = column.astype(object)
    return out


def _key_problems(table: Table, frame: pd.DataFrame, shown: str) -> list[Problem]:
    if not table.primary_key:
        return []
    keys = frame[list(table.primary_key)].fillna("").astype(str)
    dup = keys.duplicated(keep="first")
    return [
        Problem(shown, csv_line(i), ",".join(table.primary_key),
                f"duplicate key ({', '.join(keys.loc[i])}) already used earlier in the file")
        for i in frame.index[dup]
    ]


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
    path = folder / DESCRIPTOR
    if not path.is_file():
        return None, [Problem(str(path), None, None, "no datapackage.json: not a data package folder")]
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, [Problem(str(path), getattr(err, "lineno", None), None, f"not valid UTF-8 JSON: {err}")]
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return None, [Problem(str(path), None, "resources", "expected an object with a 'resources' list")]
    return descriptor, []


def _resource_paths(descriptor: dict[str, Any], folder: Path) -> tuple[dict[str, str], list[Problem]]:
    shown = str(folder / DESCRIPTOR)
    paths: dict[str, str] = {}
    problems = []
    for i, res in enumerate(descriptor["resources"]):
        name, relpath = res.get("name"), res.get("path")
        if name not in TABLES:
            problems.append(Problem(shown, None, f"resources[{i}].name",
                                    f"unknown table {name!r} (known: {', '.join(TABLES)})"))
        elif not isinstance(relpath, str) or relpath.startswith("/") or ".." in Path(relpath).parts:
            problems.append(Problem(shown, None, f"resources[{i}].path", f"path {relpath!r} must be a relative "
                                    "path inside the package folder"))
        elif name in paths:
            problems.append(Problem(shown, None, f"resources[{i}].name", f"table {name!r} is declared twice"))
        else:
            paths[name] = relpath
    for name, table in TABLES.items():
        if table.required_resource and name not in paths:
            problems.append(Problem(shown, None, "resources", f"required table {name!r} is missing"))
    return paths, problems


def _raw_frame(path: Path) -> pd.DataFrame:
    """The CSV as strings (empty cells as None), for key checks that must run even when some cells are bad."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", on_bad_lines="skip")
    return pd.DataFrame({c: frame[c].str.strip().replace("", None) for c in frame.columns}, index=frame.index)


def _read(folder: Path) -> tuple[DataPackage | None, list[Problem]]:
    folder = Path(folder)
    descriptor, problems = _load_descriptor(folder)
    if descriptor is None:
        return None, problems
    paths, problems = _resource_paths(descriptor, folder)
    raw: dict[str, pd.DataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, relpath in paths.items():
        table, path = TABLES[name], folder / relpath
        shown = str(path)
        files[name] = shown
        if not path.is_file():
            problems.append(Problem(shown, None, None, f"file of table {name!r} not found"))
            continue
        file_problems = _file_problems(path, shown)
        if file_problems:
            problems += file_problems
            continue
        with path.open(encoding="utf-8") as handle:
            header = [h.strip() for h in handle.readline().rstrip("\r\n").split(",")]
        header_problems = _header_problems(table, header, shown)
        if header_problems:
            problems += header_problems
            continue
        cell_problems = _cell_problems(table, folder, relpath, shown, header)
        problems += cell_problems
        raw[name] = _raw_frame(path).reindex(columns=table.field_names)
        problems += _key_problems(table, raw[name], shown)
        if not cell_problems:
            tables[name] = _typed_frame(table, path)
    problems += _foreign_key_problems(raw, files)
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
    if (folder / DESCRIPTOR).is_file():
        old = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
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
