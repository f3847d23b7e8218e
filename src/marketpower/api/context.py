"""A read-only view of one store: every table and derived frame is computed once, then reused.

The application layer's functions read through a :class:`Context` (a plain :class:`~marketpower.store.Store`
is wrapped in one), so the dashboard, the report, the briefing and the claims check never query the store
twice for the same thing and never write to it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from ..schema import TABLES
from ..store import Store
from .markets import market_shares, markets, trend, trend_of
from .serialize import jsonable

T = TypeVar("T")


class Context:
    """Tables and derived frames of one store, cached; safe to share between the web app's threads."""

    def __init__(self, store: Store):
        self.store = store
        self.package_name = store.package_name or "package"
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """``build()`` once per key (the store is read-only while published)."""
        if key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[no-any-return]

    def table(self, name: str) -> pd.DataFrame:
        """A schema table (empty with the schema's columns when the store lacks it)."""

        def load() -> pd.DataFrame:
            if name in TABLES and self.store.has_table(name):
                return self.store.table(name)
            fields = TABLES[name].field_names if name in TABLES else []
            return pd.DataFrame(columns=fields)

        return self.cached(f"table:{name}", load)

    def ingested(self, name: str) -> pd.DataFrame | None:
        """A table written by an ingest command outside the data package (e.g. ``bills`` from ``marketpower
        bills ingest``), or None when the store has none."""
        return self.cached(
            f"ingested:{name}",
            lambda: self.store.frame(f'SELECT * FROM "{name}"') if self.store.has_table(name) else None,
        )

    def has_rows(self, name: str) -> bool:
        return name in TABLES and len(self.table(name)) > 0

    @property
    def concentration(self) -> pd.DataFrame:
        """Every market-year's concentration (:func:`marketpower.api.markets`)."""
        return self.cached("concentration", lambda: markets(self.store))

    def trend(self, market_id: str) -> pd.DataFrame:
        """One market's concentration year by year with the HHI change from the previous row of the same
        series and period: :func:`marketpower.api.trend`, taken from the cached table of every market."""

        def build() -> pd.DataFrame:
            if market_id not in set(self.table("markets")["id"]):
                return trend(self.store, market_id)  # raises the API's "unknown market" error
            return trend_of(self.concentration, market_id)

        return self.cached(f"trend:{market_id}", build)

    def rows_by(self, name: str, column: str) -> dict[str, pd.DataFrame]:
        """The rows of table ``name`` grouped by the values of ``column`` (for pages of one entity)."""

        def build() -> dict[str, pd.DataFrame]:
            frame = self.table(name)
            return {str(key): group for key, group in frame.groupby(column, sort=False)} if len(frame) else {}

        return self.cached(f"rows_by:{name}:{column}", build)

    def rows_of(self, name: str, column: str, value: str) -> pd.DataFrame:
        return self.rows_by(name, column).get(value, self.table(name).iloc[0:0])

    def market_shares(self, market_id: str) -> pd.DataFrame:
        return self.cached(f"shares:{market_id}", lambda: market_shares(self.store, market_id))

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        """Source id -> its record (publisher, title, url, published)."""
        return self.cached("sources", lambda: {r["id"]: r for r in jsonable(self.table("sources"))})

    @property
    def names(self) -> dict[str, str]:
        """Entity id -> name (``others`` -> "Others")."""

        def build() -> dict[str, str]:
            entities = self.table("entities")
            return {"others": "Others", **dict(zip(entities["id"], entities["name"], strict=True))}

        return self.cached("names", build)

    def name(self, entity_id: Any) -> str | None:
        if entity_id is None or (isinstance(entity_id, float) and pd.isna(entity_id)):
            return None
        return self.names.get(str(entity_id), str(entity_id))

    def cited(self, ids: Any) -> list[dict[str, Any]]:
        """Source records of ``ids`` (unique, in first-seen order; unknown or empty ids dropped)."""
        seen: list[str] = []
        for value in ids:
            for sid in str(value).split(",") if value is not None and not pd.isna(value) else []:
                sid = sid.strip()
                if sid and sid not in seen and sid in self.sources:
                    seen.append(sid)
        return [self.sources[s] for s in seen]
