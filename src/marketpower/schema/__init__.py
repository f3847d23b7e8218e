"""One schema for the whole data package: every table is declared once, in a module per domain."""

from __future__ import annotations

from . import compute, deals, finance, market, politics
from .core import Field, Table

TABLES: dict[str, Table] = {
    t.name: t for module in (market, deals, compute, politics, finance) for t in module.TABLES
}


def data_dictionary() -> str:
    """The data dictionary (Markdown) generated from the schema, as published in ``docs/data-dictionary.md``."""
    parts = [
        "# Data dictionary",
        "",
        "Generated from `marketpower.schema` (`marketpower schema --markdown`); do not edit by hand.",
        "A data package is a folder with `datapackage.json` and one CSV per table in `data/`.",
        "",
    ]
    parts += [t.markdown() for t in TABLES.values()]
    return "\n".join(parts)


__all__ = ["TABLES", "Field", "Table", "data_dictionary"]
