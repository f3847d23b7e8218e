"""Concentration of every market-year in a shares table (pure functions over a table's columns, and their
DataFrame form).

A table is given as its columns (:data:`Columns`: each column's values in row order, ``None`` or NaN where a
cell is empty), so the command line reads the bundled package's tables without importing pandas; the DataFrame
functions are the same computation on ``frame.to_dict("list")``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..schema.market import OTHERS_ID
from .concentration import (
    class_2010,
    class_2023,
    class_range,
    hhi_box_range,
    largest_sum,
    one_minus_sum,
    summarize,
)

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
#: A table as its columns: name -> the column's values in row order (None or NaN where a cell is empty).
Columns = Mapping[str, Sequence[Any]]
#: The share columns of a shares table (fractions; NaN where absent).
SHARE_COLUMNS = ("share", "share_low", "share_high")
#: The columns that key a snapshot of a market: one market, year, period and series.
KEYS = ("market_id", "year", "period", "series")

#: Columns of :func:`concentration_table`, in order.
COLUMNS = [
    "market_id", "market", "layer", "geography", "measure", "unit", "year", "period", "series",
    "n_firms", "others_share", "leader_id", "leader", "leader_share",
    "cr1_low", "cr1_high", "cr4_low", "cr4_high", "hhi_low", "hhi_high", "class_2023", "class_2010",
    "source_ids",
]
#: The market's columns a concentration row carries, as named in the ``markets`` table.
_MARKET_FIELDS = {"market": "name", "layer": "layer", "geography": "geography", "measure": "measure", "unit": "unit"}
#: Decimals kept by :func:`concentration_rows` (shares as fractions, HHI points).
_DECIMALS = {
    "others_share": 6, "leader_share": 6, "cr1_low": 6, "cr1_high": 6, "cr4_low": 6, "cr4_high": 6,
    "hhi_low": 2, "hhi_high": 2,
}  # fmt: skip


def is_empty(value: Any) -> bool:
    """Whether a cell is empty: None, or a float NaN (how pandas marks an empty cell)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def text_or_empty(value: Any) -> str:
    """A text cell, "" when empty (period and series of a snapshot without one)."""
    return "" if is_empty(value) else str(value)


def float_array(values: Sequence[Any]) -> FloatArray:
    """A column of numbers as floats, NaN where empty."""
    return np.array([math.nan if is_empty(v) else float(v) for v in values], dtype=np.float64)


def columns_of(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A DataFrame as :data:`Columns`."""
    return {str(name): values for name, values in frame.to_dict("list").items()}


def snapshot_keys(shares: Columns) -> list[tuple[str, int, str, str]]:
    """The snapshot key (market id, year, period, series) of every row of a shares table, period and series ""
    when empty."""
    return list(
        zip(
            (str(m) for m in shares["market_id"]),
            (int(str(y)) for y in shares["year"]),
            (text_or_empty(p) for p in shares["period"]),
            (text_or_empty(s) for s in shares["series"]),
            strict=True,
        )
    )


def group_positions(keys: Sequence[tuple[Any, ...]]) -> Iterator[tuple[tuple[Any, ...], IntArray]]:
    """``(key, row positions)`` of each distinct key, keys in sorted order and the rows of a group in table
    order (as ``DataFrame.groupby(keys, sort=True)`` iterates)."""
    rows: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    for key in sorted(rows):
        yield key, np.array(rows[key], dtype=np.intp)


def _group_measures(
    entity_ids: NDArray[np.object_],
    share: FloatArray,
    share_low: FloatArray,
    share_high: FloatArray,
    source_ids: NDArray[np.object_],
    names: dict[str, str],
) -> dict[str, object]:
    """Measures of one market-year-series (its rows' entity ids, shares (NaN when absent) and source ids).

    Point shares: :func:`summarize` (remainder as unknown firms). Rows with a published range: each firm's share
    lies in [share_low, share_high] and the remainder in [1 − Σ high, 1 − Σ low]; the HHI bounds are the exact
    minimum and maximum over that box (:func:`hhi_box_range`), and CRn runs from the n largest low shares to the
    n largest high shares (with the remainder as one firm), capped at 1.
    """
    is_named = entity_ids != OTHERS_ID
    point = share[is_named]
    low = np.where(np.isnan(share_low[is_named]), point, share_low[is_named])
    high = np.where(np.isnan(share_high[is_named]), point, share_high[is_named])
    explicit_others = float(np.nansum(share[~is_named]))
    central = summarize(low, others=explicit_others)
    hhi_low, hhi_high = central.hhi_low, central.hhi_high
    cr1_high, cr4_high = central.cr1_high, central.cr4_high
    class_low, class_high = central.class_2023, central.class_2010
    has_range = bool(np.any(high > low))
    if has_range:
        others_low = max(explicit_others, one_minus_sum(high), 0.0)
        others_high = max(explicit_others, one_minus_sum(low), 0.0)
        hhi_low, hhi_high = hhi_box_range(low, high, others_low, others_high)
        top = np.append(high, others_high)
        cr1_high, cr4_high = min(1.0, largest_sum(top, 1)), min(1.0, largest_sum(top, 4))
    leader_pos = int(np.argmax(high)) if len(high) else -1
    leader_id = str(entity_ids[is_named][leader_pos]) if leader_pos >= 0 else None
    leader_share = float(point[leader_pos]) if leader_pos >= 0 else None
    return {
        "n_firms": central.n_firms,
        "others_share": central.others_share,
        "leader_id": leader_id,
        "leader": names.get(leader_id, leader_id) if leader_id else None,
        "leader_share": None if leader_share is None or np.isnan(leader_share) else leader_share,
        "cr1_low": central.cr1_low,
        "cr1_high": cr1_high,
        "cr4_low": central.cr4_low,
        "cr4_high": cr4_high,
        "hhi_low": hhi_low,
        "hhi_high": hhi_high,
        "class_2023": class_range(class_2023(hhi_low), class_2023(hhi_high)) if has_range else class_low,
        "class_2010": class_range(class_2010(hhi_low), class_2010(hhi_high)) if has_range else class_high,
        "source_ids": sorted(set(source_ids.tolist())),
    }


def concentration_rows(shares: Columns, markets: Columns, entities: Columns) -> list[dict[str, Any]]:
    """HHI range, CR1, CR4, leader and US guideline classes for every (market, year, period, series), as rows
    with :data:`COLUMNS`, ordered by layer, market, year, period and series.

    HHI is on the 0-10,000 scale; the remainder of the market ("others", explicit or implied by shares summing
    below 1) counts as unknown firms: ``hhi_low`` splits it infinitely, ``hhi_high`` treats it as one firm.
    Shares, CRn and the remainder are rounded to 6 decimals, HHIs to 2.
    """
    keys = snapshot_keys(shares)
    if not keys:
        return []
    names = dict(zip(entities["id"], entities["name"], strict=True))
    market_of = {
        str(market_id): {column: markets[field][i] for column, field in _MARKET_FIELDS.items()}
        for i, market_id in enumerate(markets["id"])
    }
    entity_ids = np.array(shares["entity_id"], dtype=object)
    share, share_low, share_high = (float_array(shares[c]) for c in SHARE_COLUMNS)
    source_ids = np.array(shares["source_id"], dtype=object)
    rows = []
    for (market_id, year, period, series), at in group_positions(keys):
        measures = _group_measures(entity_ids[at], share[at], share_low[at], share_high[at], source_ids[at], names)
        for column, decimals in _DECIMALS.items():
            value = measures[column]
            if isinstance(value, float):
                measures[column] = float(np.round(value, decimals))
        market = market_of.get(market_id, dict.fromkeys(_MARKET_FIELDS))
        row = {"market_id": market_id, **market, "year": year, "period": period, "series": series, **measures}
        rows.append({column: row[column] for column in COLUMNS})
    layers = [row["layer"] for row in rows]
    return [
        rows[i]
        for i in sorted(
            range(len(rows)),
            key=lambda i: (is_empty(layers[i]), "" if is_empty(layers[i]) else str(layers[i]), keys_of(rows[i])),
        )
    ]


def keys_of(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The snapshot key of a row (:data:`KEYS`)."""
    return tuple(row[k] for k in KEYS)


def concentration_table(shares: pd.DataFrame, markets: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """:func:`concentration_rows` of three DataFrames, as a DataFrame."""
    import pandas as pd

    rows = concentration_rows(columns_of(shares), columns_of(markets), columns_of(entities))
    return pd.DataFrame(rows, columns=COLUMNS)
