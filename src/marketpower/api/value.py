"""Who wins: market value gained since a date (by layer of the stack or by firm), private valuations beside listed
layers, growth of revenue and capex, and the capex money carried down the stack."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..measures import value_capture as vc
from ..schema.finance import METRICS
from .assumptions import CHATGPT_RELEASE
from .deals import web_edges
from .results import Result, Source, context_of

#: Days a market capitalisation may lie from the date asked for.
DEFAULT_TOLERANCE_DAYS = vc.DEFAULT_TOLERANCE_DAYS


@dataclasses.dataclass(frozen=True)
class Winners(Result):
    """Market value change of every listed firm between ``since`` and ``until`` (``changes``), summed by layer
    (``layers``); ``gaps``: firms without a value near a date."""

    since: str
    until: str | None
    by: str
    changes: pd.DataFrame
    layers: pd.DataFrame
    gaps: pd.DataFrame

    def payload(self) -> Any:
        if self.by == "firm":
            return self.changes.sort_values("change_usd", ascending=False, na_position="last")
        return {"since": self.since, "until": self.until, "layers": self.layers, "gaps": self.gaps}


def winners(
    source: Source,
    since: str = CHATGPT_RELEASE,
    until: str | None = None,
    by: str = "layer",
    tolerance_days: int = vc.DEFAULT_TOLERANCE_DAYS,
) -> Winners:
    """Market value gained since ``since`` (default ChatGPT's release), by layer or by firm
    (:func:`marketpower.measures.value_capture.market_value_change`, :func:`marketpower.measures.value_capture.
    value_capture_by_layer`); market caps within ``tolerance_days`` of each date."""
    if by not in ("layer", "firm"):
        raise InvalidInputError(f"--by {by!r}: use `layer` or `firm`")
    ctx = context_of(source)
    changes = vc.market_value_change(ctx.table("valuations"), ctx.table("entity_layers"), since, until, tolerance_days)
    layers = vc.value_capture_by_layer(changes)
    gaps = changes[changes["status"] != "ok"][["entity_id", "layer", "status"]]
    return Winners(since, until, by, changes, layers, gaps)


def layers_of(source: Source) -> dict[str, str]:
    """Entity id -> its layer of the stack (:func:`marketpower.measures.value_capture.layer_map`)."""
    ctx = context_of(source)
    return ctx.cached(
        "api:layers_of",
        lambda: vc.layer_map(ctx.table("entity_layers")) if ctx.has_rows("entity_layers") else {},
    )


@dataclasses.dataclass(frozen=True)
class PrivateValue(Result):
    """Private model makers' latest valuations next to each listed layer's summed market value
    (:func:`marketpower.measures.value_capture.private_vs_public`); ``layer_sources``: layer -> the source of
    the latest market cap of each of its listed firms (:func:`marketpower.measures.value_capture.latest_valuation`)."""

    table: pd.DataFrame
    layer_sources: dict[str, list[str]]

    def payload(self) -> Any:
        return self.table


def private_value(source: Source, as_of: str | None = None) -> PrivateValue:
    """Where the value sits on ``as_of`` (default: latest): private valuations and listed layers."""
    ctx = context_of(source)
    valuations, entity_layers = ctx.table("valuations"), ctx.table("entity_layers")
    table = vc.private_vs_public(valuations, entity_layers, as_of)
    layers = layers_of(ctx)
    public_ids = sorted(set(valuations.loc[valuations["kind"].isin(vc.PUBLIC_KINDS), "entity_id"]))
    cited: dict[str, list[str]] = {}
    for entity_id in public_ids:
        last = vc.latest_valuation(ctx.rows_of("valuations", "entity_id", entity_id), entity_id)
        if last is not None:
            cited.setdefault(layers.get(entity_id, vc.UNCLASSIFIED), []).append(last["source_id"])
    return PrivateValue(table, {k: list(dict.fromkeys(v)) for k, v in cited.items()})


def finance_growth(source: Source, metric: str = "revenue", from_year: int = 2022, to_year: int = 2024) -> pd.DataFrame:
    """Growth of ``metric`` (revenue, operating income or capex) by layer between two calendar years, firms
    reporting both (:func:`marketpower.measures.value_capture.growth_by_layer`)."""
    if metric not in METRICS:
        raise InvalidInputError(f"--metric {metric!r}: use one of {', '.join(METRICS)}")
    ctx = context_of(source)
    return vc.growth_by_layer(ctx.table("financials"), ctx.table("entity_layers"), metric, from_year, to_year)


@dataclasses.dataclass(frozen=True)
class CapexFlows(Result):
    """The largest buyers' capex against their suppliers' revenue by year (``capex_vs_supplier_revenue``), and
    the purchase deals of the deal web carrying that money down the stack (``deal_flows``, summed by year in
    ``deal_flows_by_year``)."""

    capex_vs_supplier_revenue: pd.DataFrame
    deal_flows_by_year: pd.DataFrame
    deal_flows: pd.DataFrame


def capex_flows(source: Source, years: list[int]) -> CapexFlows:
    """:func:`marketpower.measures.value_capture.capex_vs_supplier_revenue` for ``years`` and
    :func:`marketpower.measures.value_capture.purchase_flows` of the deals in force, deals with a public party
    flagged ``public_private`` and counted apart."""
    ctx = context_of(source)
    table = vc.capex_vs_supplier_revenue(ctx.table("financials"), ctx.table("entity_layers"), years)
    edges = web_edges(ctx, rollup=False)  # each flagged public_private; layers come through the parents already
    flows = vc.purchase_flows(edges, ctx.table("entity_layers"), ctx.table("entities"))
    return CapexFlows(table, vc.purchase_flows_by_year(flows), flows)


def market_cap_on(source: Source, entity_id: str, date: str, window_days: int = vc.DEFAULT_TOLERANCE_DAYS) -> Any:
    """The market capitalisation of ``entity_id`` nearest ``date`` within ``window_days`` (a record with
    ``days_off``; :func:`marketpower.measures.value_capture.valuation_on`), or None."""
    return vc.valuation_on(context_of(source).table("valuations"), entity_id, date, window_days)


def valuation_change(
    source: Source, entity_id: str, since: str, until: str, window_days: int = vc.DEFAULT_TOLERANCE_DAYS
) -> dict[str, Any]:
    """Market value of ``entity_id`` on ``since`` and ``until`` and their ratio
    (:func:`marketpower.measures.value_capture.valuation_change`)."""
    return dict(vc.valuation_change(context_of(source).table("valuations"), entity_id, since, until, window_days))
