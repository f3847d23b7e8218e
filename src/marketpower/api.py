"""The Python API: DataFrames in, DataFrames out. The CLI, the web app and the report all call these.

>>> from marketpower import api
>>> store = api.open_store()               # bundled aistack package, in memory
>>> api.markets(store, year=2024).head()   # HHI range, CR4, classes per market-year
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import InvalidInputError
from .measures.markets import concentration_table
from .store import Store


def open_store(package: Path | str | None = None, db: Path | str | None = None, read_only: bool = False) -> Store:
    """Open the store on ``package`` (default: bundled ``aistack``), in memory or in the DuckDB file ``db``."""
    return Store.open(package=package, db=db, read_only=read_only)


def markets(store: Store, year: int | None = None, layer: str | None = None) -> pd.DataFrame:
    """Concentration of every market-year (see :func:`marketpower.measures.markets.concentration_table`),
    optionally for one year and/or one layer."""
    table = concentration_table(store.table("shares"), store.table("markets"), store.table("entities"))
    if layer is not None:
        known = set(store.table("markets")["layer"])
        if layer not in known:
            raise InvalidInputError(f"--layer {layer!r}: unknown layer (known: {', '.join(sorted(known))})")
        table = table[table["layer"] == layer]
    if year is not None:
        table = table[table["year"] == year]
    return table.reset_index(drop=True)


def market_shares(store: Store, market_id: str) -> pd.DataFrame:
    """Every share row of one market with its entity name and its source (publisher, title, URL, date)."""
    _check_market(store, market_id)
    return store.frame(
        """
        SELECT s.*, coalesce(e.name, 'Others') AS entity, src.publisher, src.title AS source_title,
               src.url AS source_url, src.published AS source_published, src.date_basis AS source_date_basis
        FROM shares s
        LEFT JOIN entities e ON e.id = s.entity_id
        JOIN sources src ON src.id = s.source_id
        WHERE s.market_id = ?
        ORDER BY s.year, s.period NULLS FIRST, s.series NULLS FIRST, s.share DESC NULLS LAST
        """,
        [market_id],
    )


def trend(store: Store, market_id: str) -> pd.DataFrame:
    """Concentration of one market year by year, with the HHI change from the previous year of the same series."""
    _check_market(store, market_id)
    return trend_of(markets(store), market_id)


def trend_of(table: pd.DataFrame, market_id: str) -> pd.DataFrame:
    """The rows of one market in a :func:`markets` table, with ``hhi_low_change``/``hhi_high_change`` from the
    previous row of the same series and period."""
    rows = table[table["market_id"] == market_id].copy()
    by_series = rows.groupby(["series", "period"], sort=False)
    rows["hhi_low_change"] = by_series["hhi_low"].diff()
    rows["hhi_high_change"] = by_series["hhi_high"].diff()
    return rows.reset_index(drop=True)


def sources(store: Store, unused_only: bool = False) -> pd.DataFrame:
    """Every source with the number of rows citing it in each table that has a ``source_id``."""
    frame = store.table("sources")
    counts = []
    for name in _sourced_tables(store):
        cited = store.frame(f'SELECT source_id AS id, count(*) AS n FROM "{name}" GROUP BY 1')
        counts.append(cited.assign(table=name))
    cites = pd.concat(counts) if counts else pd.DataFrame(columns=["id", "n", "table"])
    cited_by = {
        source_id: ", ".join(f"{t}: {n}" for t, n in zip(group["table"], group["n"], strict=True))
        for source_id, group in cites.groupby("id")
    }
    summary = pd.DataFrame({"id": list(cited_by), "cited_by": list(cited_by.values())})
    frame = frame.merge(summary, on="id", how="left")
    frame["cited_by"] = frame["cited_by"].fillna("")
    if unused_only:
        frame = frame[frame["cited_by"] == ""]
    return frame.reset_index(drop=True)


def _sourced_tables(store: Store) -> list[str]:
    from .schema import TABLES

    return [name for name, t in TABLES.items() if "source_id" in t.field_names and store.has_table(name)]


def _check_market(store: Store, market_id: str) -> None:
    known = set(store.table("markets")["id"])
    if market_id not in known:
        raise InvalidInputError(f"unknown market {market_id!r} (see `marketpower markets` for the ids)")
