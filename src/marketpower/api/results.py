"""What every answer of the application layer has in common: it prints as tables (Rich), gives its DataFrames
and a JSON-ready dict (through the one serialiser, :func:`marketpower.api.serialize.jsonable`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .serialize import jsonable

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store
    from .context import Context

    #: What an application-layer function reads from: an open store, or the cached view of one.
    Source = Store | Context


def __getattr__(name: str) -> Any:
    """``Source`` at run time, built on first use: the store (DuckDB) loads only for answers that read one."""
    if name != "Source":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ..store import Store
    from .context import Context

    globals()["Source"] = Store | Context
    return globals()["Source"]


def context_of(source: Source) -> Context:
    """The cached view of ``source`` (a store is wrapped once per call; a Context is reused as is)."""
    from .context import Context

    return source if isinstance(source, Context) else Context(source)


@dataclasses.dataclass(frozen=True)
class Result:
    """Base of the typed answers. Subclasses are dataclasses; :meth:`payload` says what the JSON holds."""

    def payload(self) -> Any:
        """The answer as Python data (DataFrames allowed), in the order the JSON lists it."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def to_dict(self) -> Any:
        """The JSON-ready answer: plain types only, NaN as None, dates as ISO strings."""
        return jsonable(self.payload())

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table of the answer as a DataFrame, by name."""
        import pandas as pd

        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), pd.DataFrame)
        }

    def title(self) -> str:
        return type(self).__name__

    def tables(self) -> list[Any]:
        """Rich tables: one key-value table of the answer's scalar fields (lists of scalars joined), then one
        table per DataFrame with its scalar columns (nested records stay in the JSON)."""
        from rich.table import Table

        out = []
        payload = self.payload()
        scalars = {}
        for key, value in (jsonable(payload).items() if isinstance(payload, Mapping) else []):
            if isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
                scalars[key] = ", ".join("" if v is None else str(v) for v in value)
            elif not isinstance(value, list | dict):
                scalars[key] = "" if value is None else str(value)
        if scalars:
            table = Table(title=self.title(), show_header=False, title_justify="left", min_width=len(self.title()))
            for key, text in scalars.items():
                table.add_row(key, text)
            out.append(table)
        for name, frame in self.frames().items():
            records = jsonable(frame)
            columns = [
                str(c) for c in frame.columns if not any(isinstance(r[str(c)], list | dict) for r in records)
            ]
            table = Table(title=name, title_justify="left")
            for column in columns:
                table.add_column(column)
            for record in records:
                table.add_row(*("" if record[c] is None else str(record[c]) for c in columns))
            out.append(table)
        return out

    def __rich__(self) -> Any:
        from rich.console import Group

        return Group(*self.tables())
