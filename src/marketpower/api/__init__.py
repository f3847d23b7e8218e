"""The application layer: one function per question a user asks, between the domain packages and every front end
(CLI, web app, report, briefing, claims check). Each question takes the store (or its cached view, a
:class:`Context`) and returns a typed result that prints as tables, gives DataFrames (``.frames()``) and a
JSON-ready dict (``.to_dict()``).

>>> from marketpower import api
>>> store = api.open_store()               # bundled aistack package, in memory
>>> api.markets(store, year=2024).head()   # HHI range, CR4, classes per market-year
>>> api.merger_screen(store, "hbm", ["samsung", "micron"]).to_dict()["delta_hhi"]

Importing this package loads no submodule (nor pandas, DuckDB, NetworkX or SciPy): each public name is imported
from its submodule on first use (PEP 562), so ``from marketpower.api import simulate`` costs what ``simulate``
needs and ``marketpower hhi`` never loads the store.
"""

# ruff: noqa: I001  (`name as name` marks the re-exports for mypy; isort would split them one import per name)
from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

#: Each public name by the submodule that defines it (relative to this package), one line per module. A new
#: name goes here and, for type checkers, in the same import under ``TYPE_CHECKING`` below
#: (``tests/api/test_lazy_api.py`` checks that the two agree and that every name resolves).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "..flows.compute": ("check_positive",),
    "..flows.loops": ("DEFAULT_MAX_LEN",),
    "..flows.network": ("EXPORT_FORMATS",),
    "..flows.nullmodel": ("DEFAULT_REWIRINGS", "DEFAULT_SEED"),
    "..ingest.epoch_chips": ("CHIP_OWNERSHIP_MARKET",),
    "..measures.guidelines": ("GUIDELINE_IDS", "MergerScreen", "parse_guidelines"),
    "..simulate.result": ("MATRIX_CHOICES",),
    ".assumptions": ("CHATGPT_RELEASE", "SEED_DEALS", "WORKED_EXAMPLE_GW", "WORKED_EXAMPLE_TARGET"),
    ".compute": (
        "AcceleratorsForPower",
        "ComputeConversion",
        "ComputeShare",
        "Sensitivity",
        "WorkedExample",
        "accelerators_for_power",
        "compute_conversion",
        "compute_market",
        "compute_share",
        "model_params",
        "sensitivities",
        "worked_example",
    ),
    ".concentration": (
        "CommonOwnership",
        "MarketConcentration",
        "common_ownership",
        "market_concentration",
        "modified_hhi",
    ),
    ".context": ("Context",),
    ".scale": (
        "CusipCandidates",
        "FEC_QUERIES",
        "FecQuery",
        "KappaSeries",
        "cusip_candidates",
        "fec_query",
        "kappa_series",
        "stored_kappa_series",
    ),
    ".deals": (
        "Centrality",
        "Deals",
        "DealWeb",
        "DealWebHistory",
        "Dependence",
        "Loops",
        "Owners",
        "Ownership",
        "centrality",
        "controlling_parents",
        "deal_web",
        "deal_web_history",
        "deals",
        "deals_between",
        "dependence",
        "export_deal_web",
        "iso_date",
        "loops",
        "owners",
        "ownership",
        "web_edges",
    ),
    ".markets": (
        "market_rows",
        "market_shares",
        "market_snapshot",
        "markets",
        "open_store",
        "screen_snapshot",
        "sources",
        "trend",
        "trend_of",
    ),
    ".politics": (
        "BillsSummary",
        "CommitteeMoney",
        "Committees",
        "FirmMoney",
        "MoneyTimeline",
        "Races",
        "StateGrid",
        "bill_topics",
        "bills_summary",
        "committees",
        "firm",
        "latest_bill_counts",
        "money",
        "money_timeline",
        "races",
        "state_grid",
    ),
    ".results": ("Result", "Source", "context_of"),
    ".screening": ("MergerScreenResult", "merger_screen", "read_shares_file"),
    ".serialize": ("dumps", "jsonable"),
    ".shares": ("concentration",),
    ".simulation": ("PairScreen", "is_case_file", "market_case", "screen_all", "simulate", "vertical_guppi"),
    ".value": (
        "DEFAULT_SEGMENT_BASIS",
        "DEFAULT_TOLERANCE_DAYS",
        "CapexFlows",
        "PrivateValue",
        "Winners",
        "capex_flows",
        "finance_growth",
        "layers_of",
        "market_cap_on",
        "private_value",
        "valuation_change",
        "winners",
    ),
}
#: Names exported under another name than their module's: exported name -> the module's name.
_ALIASES = {"CHIP_OWNERSHIP_MARKET": "MARKET_ID"}

_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)

if TYPE_CHECKING:  # the same names for type checkers, re-exported explicitly (`name as name`)
    from ..flows.compute import check_positive as check_positive
    from ..flows.loops import DEFAULT_MAX_LEN as DEFAULT_MAX_LEN
    from ..flows.network import EXPORT_FORMATS as EXPORT_FORMATS
    from ..flows.nullmodel import DEFAULT_REWIRINGS as DEFAULT_REWIRINGS, DEFAULT_SEED as DEFAULT_SEED
    from ..ingest.epoch_chips import MARKET_ID
    from ..measures.guidelines import (
        GUIDELINE_IDS as GUIDELINE_IDS,
        MergerScreen as MergerScreen,
        parse_guidelines as parse_guidelines,
    )
    from ..simulate.result import MATRIX_CHOICES as MATRIX_CHOICES
    from .assumptions import (
        CHATGPT_RELEASE as CHATGPT_RELEASE,
        SEED_DEALS as SEED_DEALS,
        WORKED_EXAMPLE_GW as WORKED_EXAMPLE_GW,
        WORKED_EXAMPLE_TARGET as WORKED_EXAMPLE_TARGET,
    )
    from .compute import (
        AcceleratorsForPower as AcceleratorsForPower,
        ComputeConversion as ComputeConversion,
        ComputeShare as ComputeShare,
        Sensitivity as Sensitivity,
        WorkedExample as WorkedExample,
        accelerators_for_power as accelerators_for_power,
        compute_conversion as compute_conversion,
        compute_market as compute_market,
        compute_share as compute_share,
        model_params as model_params,
        sensitivities as sensitivities,
        worked_example as worked_example,
    )
    from .concentration import (
        CommonOwnership as CommonOwnership,
        MarketConcentration as MarketConcentration,
        common_ownership as common_ownership,
        market_concentration as market_concentration,
        modified_hhi as modified_hhi,
    )
    from .context import Context as Context
    from .scale import (
        CusipCandidates as CusipCandidates,
        cusip_candidates as cusip_candidates,
        FEC_QUERIES as FEC_QUERIES,
        FecQuery as FecQuery,
        KappaSeries as KappaSeries,
        fec_query as fec_query,
        kappa_series as kappa_series,
        stored_kappa_series as stored_kappa_series,
    )
    from .deals import (
        Centrality as Centrality,
        Deals as Deals,
        DealWeb as DealWeb,
        DealWebHistory as DealWebHistory,
        Dependence as Dependence,
        Loops as Loops,
        Owners as Owners,
        Ownership as Ownership,
        centrality as centrality,
        controlling_parents as controlling_parents,
        deal_web as deal_web,
        deal_web_history as deal_web_history,
        deals as deals,
        deals_between as deals_between,
        dependence as dependence,
        export_deal_web as export_deal_web,
        iso_date as iso_date,
        loops as loops,
        owners as owners,
        ownership as ownership,
        web_edges as web_edges,
    )
    from .markets import (
        market_rows as market_rows,
        market_shares as market_shares,
        market_snapshot as market_snapshot,
        markets as markets,
        open_store as open_store,
        screen_snapshot as screen_snapshot,
        sources as sources,
        trend as trend,
        trend_of as trend_of,
    )
    from .politics import (
        BillsSummary as BillsSummary,
        CommitteeMoney as CommitteeMoney,
        Committees as Committees,
        FirmMoney as FirmMoney,
        MoneyTimeline as MoneyTimeline,
        Races as Races,
        StateGrid as StateGrid,
        bill_topics as bill_topics,
        bills_summary as bills_summary,
        committees as committees,
        firm as firm,
        latest_bill_counts as latest_bill_counts,
        money as money,
        money_timeline as money_timeline,
        races as races,
        state_grid as state_grid,
    )
    from .results import Result as Result, Source as Source, context_of as context_of
    from .screening import (
        MergerScreenResult as MergerScreenResult,
        merger_screen as merger_screen,
        read_shares_file as read_shares_file,
    )
    from .serialize import dumps as dumps, jsonable as jsonable
    from .shares import concentration as concentration
    from .simulation import (
        PairScreen as PairScreen,
        is_case_file as is_case_file,
        market_case as market_case,
        screen_all as screen_all,
        simulate as simulate,
        vertical_guppi as vertical_guppi,
    )
    from .value import (
        DEFAULT_SEGMENT_BASIS as DEFAULT_SEGMENT_BASIS,
        DEFAULT_TOLERANCE_DAYS as DEFAULT_TOLERANCE_DAYS,
        CapexFlows as CapexFlows,
        PrivateValue as PrivateValue,
        Winners as Winners,
        capex_flows as capex_flows,
        finance_growth as finance_growth,
        layers_of as layers_of,
        market_cap_on as market_cap_on,
        private_value as private_value,
        valuation_change as valuation_change,
        winners as winners,
    )

    CHIP_OWNERSHIP_MARKET = MARKET_ID  # an alias (see _ALIASES)


def __getattr__(name: str) -> Any:
    """Import the public ``name`` from its submodule on first use, and keep it here."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """This package's module type: where a public name is also a submodule's (``markets``, ``deals``,
    ``concentration``), importing the submodule (which sets it as an attribute of the package) keeps the name
    bound to the public object, as the eager imports did."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _MODULE_OF and isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            value = getattr(importlib.import_module(_MODULE_OF[name], __name__), _ALIASES.get(name, name))
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
