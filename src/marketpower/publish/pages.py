"""Page models: the data each page shows, used for its HTML, its JSON twin and the static report alike."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import api
from ..store import Store
from . import charts
from .serialize import jsonable


def latest_per_market(table: pd.DataFrame) -> pd.DataFrame:
    """The latest full-year row of each (market, series)."""
    full_year = table[table["period"] == ""]
    if full_year.empty:
        return full_year
    idx = full_year.groupby(["market_id", "series"])["year"].idxmax()
    return full_year.loc[idx].sort_values(["layer", "market_id", "series"]).reset_index(drop=True)


def source_index(store: Store) -> dict[str, dict[str, Any]]:
    """Source id -> its record (publisher, title, url, published), for footnotes and links."""
    frame = store.table("sources")
    return {rec["id"]: rec for rec in jsonable(frame)}


def overview_page(store: Store) -> dict[str, Any]:
    """The AI stack at a glance: the latest year of every market, with its HHI range and classes."""
    latest = latest_per_market(api.markets(store))
    return {
        "page": "overview",
        "markets": jsonable(latest),
        "charts": {"hhi_by_market": charts.hhi_by_market(latest, "HHI") if not latest.empty else None},
        "sources": _cited(store, latest["source_ids"].explode().dropna().unique().tolist() if len(latest) else []),
    }


def markets_page(store: Store) -> list[dict[str, Any]]:
    """Every market-year's concentration: exactly what ``marketpower markets --json`` prints."""
    return list(jsonable(api.markets(store)))


def market_page(store: Store, market_id: str) -> dict[str, Any]:
    """One market: its definition, every share with its source, and the concentration trend."""
    rows = api.market_shares(store, market_id)
    trend = api.trend(store, market_id)
    market = jsonable(store.frame("SELECT * FROM markets WHERE id = ?", [market_id]))[0]
    return {
        "page": "market",
        "market": market,
        "shares": jsonable(rows),
        "trend": jsonable(trend),
        "charts": {
            "shares_over_time": charts.shares_over_time(rows, market["name"]) if len(rows) else None,
            "hhi_trend": charts.hhi_trend(trend, market["name"]) if len(trend) else None,
        },
        "sources": _cited(store, sorted(set(rows["source_id"]))),
    }


def sources_page(store: Store) -> list[dict[str, Any]]:
    """Every source and what cites it."""
    return list(jsonable(api.sources(store)))


def _cited(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    index = source_index(store)
    return [index[i] for i in ids if i in index]
