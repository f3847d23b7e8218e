"""Concentration of every market-year in a shares table (pure function over DataFrames)."""

from __future__ import annotations

import numpy as np
import pandas as pd

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

#: Columns of :func:`concentration_table`, in order.
COLUMNS = [
    "market_id", "market", "layer", "geography", "measure", "unit", "year", "period", "series",
    "n_firms", "others_share", "leader_id", "leader", "leader_share",
    "cr1_low", "cr1_high", "cr4_low", "cr4_high", "hhi_low", "hhi_high", "class_2023", "class_2010",
    "source_ids",
]


def _group_measures(group: pd.DataFrame, names: dict[str, str]) -> dict[str, object]:
    """Measures of one market-year-series.

    Point shares: :func:`summarize` (remainder as unknown firms). Rows with a published range: each firm's share
    lies in [share_low, share_high] and the remainder in [1 − Σ high, 1 − Σ low]; the HHI bounds are the exact
    minimum and maximum over that box (:func:`hhi_box_range`), and CRn runs from the n largest low shares to the
    n largest high shares (with the remainder as one firm), capped at 1.
    """
    named = group[group["entity_id"] != OTHERS_ID]
    point = named["share"].astype(float)
    low = named["share_low"].astype(float).fillna(point).to_numpy(dtype=np.float64)
    high = named["share_high"].astype(float).fillna(point).to_numpy(dtype=np.float64)
    explicit_others = float(group.loc[group["entity_id"] == OTHERS_ID, "share"].astype(float).sum())
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
    leader_id = str(named["entity_id"].iloc[leader_pos]) if leader_pos >= 0 else None
    leader_share = point.iloc[leader_pos] if leader_pos >= 0 else None
    return {
        "n_firms": central.n_firms,
        "others_share": central.others_share,
        "leader_id": leader_id,
        "leader": names.get(leader_id, leader_id) if leader_id else None,
        "leader_share": None if leader_share is None or pd.isna(leader_share) else float(leader_share),
        "cr1_low": central.cr1_low,
        "cr1_high": cr1_high,
        "cr4_low": central.cr4_low,
        "cr4_high": cr4_high,
        "hhi_low": hhi_low,
        "hhi_high": hhi_high,
        "class_2023": class_range(class_2023(hhi_low), class_2023(hhi_high)) if has_range else class_low,
        "class_2010": class_range(class_2010(hhi_low), class_2010(hhi_high)) if has_range else class_high,
        "source_ids": sorted(set(group["source_id"])),
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
    rows = []
    for key, group in keyed.groupby(["market_id", "year", "period", "series"]):
        market_id, year, period, series = key
        rows.append({"market_id": market_id, "year": int(str(year)), "period": period, "series": series,
                     **_group_measures(group, names)})
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
