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

from ..flows.compute import check_positive
from ..flows.loops import DEFAULT_MAX_LEN
from ..flows.network import EXPORT_FORMATS
from ..flows.nullmodel import DEFAULT_REWIRINGS, DEFAULT_SEED
from ..ingest.epoch_chips import MARKET_ID as CHIP_OWNERSHIP_MARKET
from ..measures.guidelines import GUIDELINE_IDS, MergerScreen, parse_guidelines
from ..simulate.result import MATRIX_CHOICES
from .assumptions import CHATGPT_RELEASE, SEED_DEALS, WORKED_EXAMPLE_GW, WORKED_EXAMPLE_TARGET
from .compute import (
    AcceleratorsForPower,
    ComputeConversion,
    ComputeShare,
    Sensitivity,
    WorkedExample,
    accelerators_for_power,
    compute_conversion,
    compute_market,
    compute_share,
    model_params,
    sensitivities,
    worked_example,
)
from .concentration import (
    CommonOwnership,
    MarketConcentration,
    common_ownership,
    concentration,
    market_concentration,
    modified_hhi,
)
from .context import Context
from .deals import (
    Centrality,
    Deals,
    DealWeb,
    Dependence,
    Loops,
    Owners,
    Ownership,
    centrality,
    deal_web,
    deals,
    deals_between,
    dependence,
    export_deal_web,
    iso_date,
    loops,
    owners,
    ownership,
    web_edges,
)
from .markets import market_shares, market_snapshot, markets, open_store, screen_snapshot, sources, trend, trend_of
from .politics import (
    BillsSummary,
    CommitteeMoney,
    Committees,
    FirmMoney,
    MoneyTimeline,
    Races,
    StateGrid,
    bill_topics,
    bills_summary,
    committees,
    firm,
    latest_bill_counts,
    money,
    money_timeline,
    races,
    state_grid,
)
from .results import Result, Source, context_of
from .screening import MergerScreenResult, merger_screen, read_shares_file
from .serialize import dumps, jsonable
from .simulation import PairScreen, is_case_file, market_case, screen_all, simulate, vertical_guppi
from .value import (
    DEFAULT_TOLERANCE_DAYS,
    CapexFlows,
    PrivateValue,
    Winners,
    capex_flows,
    finance_growth,
    layers_of,
    market_cap_on,
    private_value,
    valuation_change,
    winners,
)

__all__ = [
    "CHATGPT_RELEASE",
    "CHIP_OWNERSHIP_MARKET",
    "DEFAULT_MAX_LEN",
    "DEFAULT_REWIRINGS",
    "DEFAULT_SEED",
    "DEFAULT_TOLERANCE_DAYS",
    "EXPORT_FORMATS",
    "GUIDELINE_IDS",
    "MATRIX_CHOICES",
    "SEED_DEALS",
    "WORKED_EXAMPLE_GW",
    "WORKED_EXAMPLE_TARGET",
    "AcceleratorsForPower",
    "BillsSummary",
    "CapexFlows",
    "Centrality",
    "CommitteeMoney",
    "Committees",
    "CommonOwnership",
    "ComputeConversion",
    "ComputeShare",
    "Context",
    "DealWeb",
    "Deals",
    "Dependence",
    "Loops",
    "MarketConcentration",
    "MergerScreen",
    "MergerScreenResult",
    "MoneyTimeline",
    "FirmMoney",
    "Races",
    "StateGrid",
    "Owners",
    "Ownership",
    "PairScreen",
    "PrivateValue",
    "Result",
    "Sensitivity",
    "Source",
    "Winners",
    "WorkedExample",
    "accelerators_for_power",
    "bill_topics",
    "bills_summary",
    "capex_flows",
    "centrality",
    "check_positive",
    "committees",
    "common_ownership",
    "compute_conversion",
    "compute_market",
    "compute_share",
    "concentration",
    "context_of",
    "deal_web",
    "deals",
    "deals_between",
    "dependence",
    "dumps",
    "export_deal_web",
    "finance_growth",
    "is_case_file",
    "iso_date",
    "jsonable",
    "latest_bill_counts",
    "layers_of",
    "loops",
    "market_cap_on",
    "market_case",
    "market_concentration",
    "market_shares",
    "market_snapshot",
    "markets",
    "merger_screen",
    "model_params",
    "modified_hhi",
    "money",
    "money_timeline",
    "firm",
    "races",
    "state_grid",
    "open_store",
    "owners",
    "ownership",
    "parse_guidelines",
    "private_value",
    "read_shares_file",
    "screen_all",
    "screen_snapshot",
    "sensitivities",
    "simulate",
    "sources",
    "trend",
    "trend_of",
    "valuation_change",
    "vertical_guppi",
    "web_edges",
    "winners",
    "worked_example",
]
