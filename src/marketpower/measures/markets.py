"""Concentration of every market-year in a shares table (pure function over DataFrames)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
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

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
#: The share columns of a shares table (fractions; NaN where absent).
SHARE_COLUMNS = ("share", "share_low", "share_high")

#: Columns of :func:`concentration_table`, in order.
COLUMNS = [
    "market_id", "market", "layer", "geography", "measure", "unit", "year", "period", "series",
    "n_firms", "others_share", "leader_id", "leader", "leader_share",
    "cr1_low", "cr1_high", "cr4_low", "cr4_high", "hhi_low", "hhi_high", "class_2023", "class_2010",
    "source_ids",
]


def group_positions(frame: pd.DataFrame, keys: list[str]) -> Iterator[tuple[tuple[Any, ...], IntArray]]:
    """``(key, row positions)`` of each group of ``frame`` by ``keys``, in ``groupby``'s sorted order and with the
    rows of a group in table order, as ``frame.groupby(keys)`` iterates, without building a DataFrame per group."""
    grouped = frame.groupby(keys, sort=True)
    number = grouped.ngroup().to_numpy()
    order = np.argsort(number, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(number, minlength=grouped.ngroups))])
    key_rows = frame[keys].to_numpy(dtype=object)
    for g in range(grouped.ngroups):
        rows = order[bounds[g] : bounds[g + 1]]
        yield tuple(key_rows[rows[0]]), rows


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


def concentration_table(shares: pd.DataFrame, markets: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """HHI range, CR1, CR4, leader and US guideline classes for every (market, year, period, series).

    HHI is on the 0-10,000 scale; the remainder of the market ("others", explicit or implied by shares summing
    below 1) counts as unknown firms: ``hhi_low`` splits it infinitely, ``hhi_high`` treats it as one firm.
    """
    if shares.empty:
        return pd.DataFrame(columns=COLUMNS)
    names = dict(zip(entities["id"], entities["name"], strict=True))
    keyed = shares.assign(period=shares["period"].fillna(""), series=shares["series"].fillna(""))
    entity_ids = keyed["entity_id"].to_numpy(dtype=object)
    share, share_low, share_high = (np.asarray(keyed[c].astype(float), dtype=np.float64) for c in SHARE_COLUMNS)
    source_ids = keyed["source_id"].to_numpy(dtype=object)
    rows = []
    for key, at in group_positions(keyed, ["market_id", "year", "period", "series"]):
        market_id, year, period, series = key
        measures = _group_measures(entity_ids[at], share[at], share_low[at], share_high[at], source_ids[at], names)
        rows.append({"market_id": market_id, "year": int(str(year)), "period": period, "series": series,
                     **measures})
    out = pd.DataFrame(rows).merge(
        markets.rename(columns={"id": "market_id", "name": "market"})[
            ["market_id", "market", "layer", "geography", "measure", "unit"]
        ],
        on="market_id",
        how="left",
    )
    out = out.round({c: 6 for c in ("others_share", "leader_share", "cr1_low", "cr1_high", "cr4_low", "cr4_high")})
    out = out.round({"hhi_low": 2, "hhi_high": 2})
    return out[COLUMNS].sort_values(["layer", "market_id", "year", "period", "series"]).reset_index(drop=True)
