"""The schema engine: a table is declared once and drives validation, DuckDB DDL, the Frictionless
Table Schema written into ``datapackage.json`` and the data dictionary in the docs."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from ..errors import InvalidInputError, Problem

FieldType = Literal["string", "integer", "number", "date", "boolean"]

#: Boolean spellings read from CSV cells (Frictionless' defaults); nothing else is a boolean.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
#: Cell grammars (whole cell, after trimming surrounding spaces). Numbers: decimal digits, an optional point and
#: exponent; no digit-group separators (``_``, ``,``), no ``NaN``/``INF``, no non-ASCII digits.
INTEGER_GRAMMAR = re.compile(r"[+-]?[0-9]+")
NUMBER_GRAMMAR = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
DATE_GRAMMAR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INT64_LIMIT = 2**63
#: Characters no string field may hold: C0 controls other than tab/LF/CR, DEL, C1 controls, UTF-16 surrogates and
#: U+FFFE/U+FFFF (most cannot appear in XML 1.0 at all, and none belongs in a name, an id or a note).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The same plus tab and line breaks: what a field that is not free text (``multiline``) may not hold.
CONTROL_OR_LINE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class CellError(InvalidInputError):
    """One cell does not parse as its field's type or breaks a constraint; the message says what and how to fix."""


def _control_problem(bad: re.Match[str], multiline: bool) -> str:
    where = "" if multiline else " (tab and line breaks are allowed only in free-text fields such as notes)"
    return (f"control character U+{ord(bad.group()):04X} at position {bad.start() + 1} of the text{where}: "
            "remove it")

DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Field:
    """One column. ``references`` is ``"table.column"`` for a foreign key (checked across the package)."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    references: str | None = None
    #: Free text (notes, descriptions): may hold tab and line breaks; every other string field may not.
    multiline: bool = False

    def parse(self, text: str) -> Any:
        """The value of one CSV cell: ``None`` when empty (after trimming spaces), else an ``int``, ``float``
        (finite), ``datetime.date``, ``bool`` or ``str`` that meets the field's constraints. Raises
        :class:`CellError` naming what is wrong. Validation and loading both use this, so they cannot disagree."""
        if self.type == "string":
            bad = (CONTROL_CHARACTERS if self.multiline else CONTROL_OR_LINE_CHARACTERS).search(text)
            if bad is not None:
                raise CellError(_control_problem(bad, self.multiline))
        cell = text.strip()
        if cell == "":
            if self.required:
                raise CellError("required value is missing")
            return None
        value = cell if self.type == "string" else self._typed(cell)
        if self._constrained:
            self._check_constraints(cell, value)
        return value

    @cached_property
    def _constrained(self) -> bool:
        return self.enum is not None or self.minimum is not None or self.maximum is not None or bool(self.pattern)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern is not None else None

    def _typed(self, cell: str) -> Any:
        if self.type == "integer":
            if not INTEGER_GRAMMAR.fullmatch(cell):
                raise CellError(f"value {_shown(cell)} is not a valid integer (digits, optionally signed){_na(cell)}")
            digits = cell.lstrip("+-").lstrip("0")
            if len(digits) > 19 or not -INT64_LIMIT <= int(cell) < INT64_LIMIT:
                raise CellError(f"value {_shown(cell)} is outside the 64-bit integer range")
            return int(cell)
        if self.type == "number":
            if not NUMBER_GRAMMAR.fullmatch(cell):
                raise CellError(f"value {_shown(cell)} is not a valid number (digits with an optional '.' and "
                                f"exponent, e.g. 0.67 or 1.5e9; no '_', ',' or spaces inside){_na(cell)}")
            real = float(cell)
            if not math.isfinite(real):
                raise CellError(f"value {_shown(cell)} is too large for a number (above 1.8e308)")
            return real
        if self.type == "date":
            try:
                if not DATE_GRAMMAR.fullmatch(cell):
                    raise ValueError(cell)
                return dt.date.fromisoformat(cell)
            except ValueError:
                raise CellError(f"value {_shown(cell)} is not a valid date (YYYY-MM-DD, a day that exists)"
                                f"{_na(cell)}") from None
        if self.type == "boolean":
            if cell in TRUE_VALUES:
                return True
            if cell in FALSE_VALUES:
                return False
            raise CellError(f"value {_shown(cell)} is not a valid boolean (write {'/'.join(TRUE_VALUES)} or "
                            f"{'/'.join(FALSE_VALUES)}){_na(cell)}")
        return cell

    def _check_constraints(self, cell: str, value: Any) -> None:
        if self.enum is not None and value not in self.enum:
            raise CellError(f"value {_shown(cell)} breaks the constraint: one of {', '.join(self.enum)}")
        if self.minimum is not None and value < self.minimum:
            raise CellError(f"value {_shown(cell)} breaks the constraint: at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise CellError(f"value {_shown(cell)} breaks the constraint: at most {self.maximum:g}")
        if self._pattern is not None and not self._pattern.fullmatch(value):
            raise CellError(f"value {_shown(cell)} breaks the constraint: matches {self.pattern}")

    def frictionless(self) -> dict[str, Any]:
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if constraints:
            out["constraints"] = constraints
        return out


def _shown(cell: str) -> str:
    """A cell quoted for a message, cut to 60 characters."""
    return repr(cell if len(cell) <= 60 else cell[:57] + "...")


def _na(cell: str) -> str:
    """Hint for R's ``write.csv`` default of writing missing values as ``NA``."""
    return '; write an empty cell for a missing value (R: write.csv(..., na = ""))' if cell == "NA" else ""


@dataclass(frozen=True)
class Table:
    """One resource of a data package: a CSV file ``data/<name>.csv`` with these fields."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    required_resource: bool = False
    #: Cross-row rules: each takes the package's tables (name -> DataFrame) and returns located problems.
    checks: tuple[Callable[[Mapping[str, Any]], list[Problem]], ...] = field(default=())

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def key_is_required(self) -> bool:
        """True when every key column is required (then it is a primary key in Frictionless and DuckDB;
        otherwise the key is still unique, checked by validation, but may hold empty cells)."""
        return all(self.field(c).required for c in self.primary_key)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def frictionless(self) -> dict[str, Any]:
        """Frictionless Table Schema (v1) for this table."""
        schema: dict[str, Any] = {"fields": [f.frictionless() for f in self.fields], "missingValues": [""]}
        if self.primary_key and self.key_is_required:
            schema["primaryKey"] = list(self.primary_key)
        fks = [
            {
                "fields": f.name,
                "reference": {"resource": f.references.split(".")[0], "fields": f.references.split(".")[1]},
            }
            for f in self.fields
            if f.references
        ]
        if fks:
            schema["foreignKeys"] = fks
        return schema

    def duckdb_ddl(self) -> str:
        """``CREATE TABLE IF NOT EXISTS`` statement for the DuckDB store."""
        cols = []
        for f in self.fields:
            col = f'"{f.name}" {DUCKDB_TYPES[f.type]}'
            if f.required:
                col += " NOT NULL"
            cols.append(col)
        if self.primary_key and self.key_is_required:
            cols.append("PRIMARY KEY (" + ", ".join(f'"{c}"' for c in self.primary_key) + ")")
        return f'CREATE TABLE IF NOT EXISTS "{self.name}" (\n  ' + ",\n  ".join(cols) + "\n)"

    def markdown(self) -> str:
        """Data-dictionary section for the docs."""
        lines = [f"### `{self.name}`", "", self.description, ""]
        if self.primary_key:
            lines += [f"Unique key: `{', '.join(self.primary_key)}`.", ""]
        lines += ["| field | type | required | constraints | description |", "|---|---|---|---|---|"]
        for f in self.fields:
            cons = []
            if f.enum:
                cons.append("one of " + ", ".join(f"`{v}`" for v in f.enum))
            if f.minimum is not None:
                cons.append(f"≥ {f.minimum:g}")
            if f.maximum is not None:
                cons.append(f"≤ {f.maximum:g}")
            if f.pattern:
                cons.append(f"matches `{f.pattern}`")
            if f.references:
                cons.append(f"references `{f.references}`")
            lines.append(
                f"| `{f.name}` | {f.type} | {'yes' if f.required else ''} | {'; '.join(cons)} | {f.description} |"
            )
        return "\n".join(lines) + "\n"
