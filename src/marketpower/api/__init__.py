"""The application layer: one function per question a user asks, between the domain packages and every front end
(CLI, web app, report, briefing, claims check). DataFrames in, DataFrames out.

>>> from marketpower import api
>>> store = api.open_store()               # bundled aistack package, in memory
>>> api.markets(store, year=2024).head()   # HHI range, CR4, classes per market-year
"""

from __future__ import annotations

from .markets import market_shares, market_snapshot, markets, open_store, screen_snapshot, sources, trend, trend_of

__all__ = [
    "market_shares",
    "market_snapshot",
    "markets",
    "open_store",
    "screen_snapshot",
    "sources",
    "trend",
    "trend_of",
]
