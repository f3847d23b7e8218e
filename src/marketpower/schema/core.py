"""The schema engine: a table is declared once and drives validation, DuckDB DDL, the Frictionless
Table Schema written into ``datapackage.json`` and the data dictionary in the docs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import Problem

FieldType = Literal["string", "integer", "number", "date", "boolean"]

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
