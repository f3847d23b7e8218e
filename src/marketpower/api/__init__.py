"""The application layer: one function per question a user asks, between the domain packages and every front end
(CLI, web app, report, briefing, claims check). Each question takes the store (or its cached view, a
:class:`Context`) and returns a typed result that prints as tables, gives DataFrames (``.frames()``) and a
JSON-ready dict (``.to_dict()``).

>>> from marketpower import api
>>> store = api.open_store()               # bundled aistack package, in memory
>>> api.markets(store, year=2024).head()   # HHI range, CR4, classes per market-year
>>> api.merger_screen(store, "hbm", ["samsung", "micron"]).to_dict()["delta_hhi"]
"""

from __future__ import annotations

from .assumptions import CHATGPT_RELEASE, SEED_DEALS, WORKED_EXAMPLE_GW, WORKED_EXAMPLE_TARGET
from .compute import (
    AcceleratorsForPower,
    ComputeConversion,
    ComputeShare,
    WorkedExample,
    accelerators_for_power,
    compute_conversion,
    compute_market,
    compute_share,
    model_params,
    worked_example,
)
from .context import Context
from .deals import Centrality, Dependence, Loops, Owners, centrality, dependence, iso_date, loops, owners
from .markets import market_shares, market_snapshot, markets, open_store, screen_snapshot, sources, trend, trend_of
from .politics import BillsSummary, CommitteeMoney, Committees, bills_summary, committees, money
from .results import Result, Source, context_of
from .screening import MergerScreenResult, merger_screen, read_shares_file
from .serialize import dumps, jsonable
from .value import Winners, winners

__all__ = [
    "CHATGPT_RELEASE",
    "SEED_DEALS",
    "WORKED_EXAMPLE_GW",
    "WORKED_EXAMPLE_TARGET",
    "AcceleratorsForPower",
    "BillsSummary",
    "Centrality",
    "CommitteeMoney",
    "Committees",
    "ComputeConversion",
    "ComputeShare",
    "Context",
    "Dependence",
    "Loops",
    "MergerScreenResult",
    "Owners",
    "Result",
    "Source",
    "Winners",
    "WorkedExample",
    "accelerators_for_power",
    "bills_summary",
    "centrality",
    "committees",
    "compute_conversion",
    "compute_market",
    "compute_share",
    "context_of",
    "dependence",
    "dumps",
    "iso_date",
    "jsonable",
    "loops",
    "market_shares",
    "market_snapshot",
    "markets",
    "merger_screen",
    "model_params",
    "money",
    "open_store",
    "owners",
    "read_shares_file",
    "screen_snapshot",
    "sources",
    "trend",
    "trend_of",
    "winners",
    "worked_example",
]
