"""Concentration of every market-year in a shares table (pure function over DataFrames)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema.market import OTHERS_ID
from .concentration import summarize

#: Columns of :func:`concentration_table`, in order.
COLUMNS = [
    "market_id", "market", "layer", "geography", "measure", "unit", "year", "period", "series",
    "n_firms", "others_share", "leader_id", "leader", "leader_share",
    "cr1_low", "cr1_high", "cr4_low", "cr4_high", "hhi_low", "hhi_high", "class_2023", "class_2010",
    "source_ids",
]


def _group_measures(group: pd.DataFrame, names: dict[str, str]) -> dict[str, object]:
    """Measures of one market-year-series. Rows with a published range count with their low share for the
    lower bounds and their high share for the upper bounds."""
    named = group[group["entity_id"] != OTHERS_ID]
    point = named["share"].astype(float)
    low = named["share_low"].astype(float).fillna(point).to_numpy(dtype=np.float64)
    high = named["share_high"].astype(float).fillna(point).to_numpy(dtype=np.float64)
    explicit_others = group.loc[group["entity_id"] == OTHERS_ID, "share"].astype(float).sum()
    lower = summarize(low, others=float(explicit_others))
    upper = summarize(high, others=max(0.0, 1.0 - float(high.sum())))
    leader_pos = int(np.argmax(high)) if len(high) else -1
    leader_id = str(named["entity_id"].iloc[leader_pos]) if leader_pos >= 0 else None
    return {
        "n_firms": lower.n_firms,
        "others_share": lower.others_share,
        "leader_id": leader_id,
        "leader": names.get(leader_id, leader_id) if leader_id else None,
        "leader_share": float(point.iloc[leader_pos]) if leader_pos >= 0 and not pd.isna(point.iloc[leader_pos])
        else None,
        "cr1_low": lower.cr1_low,
        "cr1_high": max(lower.cr1_high, upper.cr1_high),
        "cr4_low": lower.cr4_low,
        "cr4_high": max(lower.cr4_high, upper.cr4_high),
        "hhi_low": lower.hhi_low,
        "hhi_high": max(lower.hhi_high, upper.hhi_high),
        "class_2023": _joined(lower.class_2023, upper.class_2023),
        "class_2010": _joined(lower.class_2010, upper.class_2010),
        "source_ids": sorted(set(group["source_id"])),
    }


def _joined(a: str, b: str) -> str:
    """Widest class range from two labels of the form "X" or "X to Y"."""
    first = a.split(" to ")[0]
    last = b.split(" to ")[-1]
    return first if first == last else f"{first} to {last}"


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
