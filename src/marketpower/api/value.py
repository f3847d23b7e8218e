"""Who wins: market value gained since a date (by layer of the stack or by firm), private valuations beside listed
layers, growth of revenue and capex, and the capex money carried down the stack."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
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


#: How a conglomerate's value is split across layers by default (:func:`winners`): `revenue`,
#: `operating_income` or `none` (each firm whole in its own layer).
DEFAULT_SEGMENT_BASIS = "revenue"


@dataclasses.dataclass(frozen=True)
class Winners(Result):
    """Market value change of every listed firm between ``since`` and ``until`` (``changes``; ``until``: the
    date asked for, or the common end date chosen, see ``window``), split by reported segments (``attributed``)
    and summed by layer (``layers``, each saying what it ``covers``); ``gaps``: firms without a value near a
    date."""

    since: str
    until: str | None
    by: str
    changes: pd.DataFrame
    layers: pd.DataFrame
    gaps: pd.DataFrame
    attributed: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    window: dict[str, Any] = dataclasses.field(default_factory=dict)

    def payload(self) -> Any:
        if self.by == "firm":
            return self.changes.sort_values("change_usd", ascending=False, na_position="last")
        return {
            "since": self.since,
            "until": self.until,
            "window": self.window,
            "layers": self.layers,
            "attributed": self.attributed,
            "gaps": self.gaps,
        }


def winners(
    source: Source,
    since: str = CHATGPT_RELEASE,
    until: str | None = None,
    by: str = "layer",
    tolerance_days: int = vc.DEFAULT_TOLERANCE_DAYS,
    segments: str = DEFAULT_SEGMENT_BASIS,
) -> Winners:
    """Market value gained from ``since`` (default ChatGPT's release) to ``until``, by layer or by firm
    (:func:`marketpower.measures.value_capture.market_value_change`, :func:`marketpower.measures.value_capture.
    value_capture_by_layer`); market caps within ``tolerance_days`` of each date.

    One window for every firm: without ``until`` the end is the common end date
    (:func:`marketpower.measures.value_capture.common_end_date`), never each firm's latest value. A
    conglomerate's value is split across layers by its reported ``segments`` (`revenue` or `operating_income`
    shares, :func:`marketpower.measures.value_capture.segment_attribution`; `none` keeps each firm whole)."""
    if by not in ("layer", "firm"):
        raise InvalidInputError(f"--by {by!r}: use `layer` or `firm`")
    if segments not in (*vc.SEGMENT_BASES, "none"):
        raise InvalidInputError(f"--segments {segments!r}: use revenue, operating_income or none")
    ctx = context_of(source)
    valuations = ctx.table("valuations")
    end = until
    if until is None:
        common = vc.common_end_date(valuations, since, tolerance_days)
        end = common.isoformat() if common else None
    changes = vc.market_value_change(valuations, ctx.table("entity_layers"), since, end, tolerance_days)
    attribution = {} if segments == "none" else vc.segment_attribution(ctx.table("segments"), segments)
    attributed = vc.attribute_changes(changes, attribution)
    layers = vc.value_capture_by_layer(attributed)
    gaps = changes[changes["status"] != "ok"][["entity_id", "layer", "status"]]
    compared = int((changes["status"] == "ok").sum())
    window: dict[str, Any] = {
        "since": since,
        "until": end,
        "end_chosen": until is None,
        "tolerance_days": tolerance_days,
        "firms_compared": compared,
        "firms_left_out": len(gaps),
        "segments": segments,
    }
    window["note"] = window_note(window)
    return Winners(since, end, by, changes, layers, gaps, attributed, window)


def window_note(window: Mapping[str, Any]) -> str:
    """The English note of a :func:`winners` window (its ``since``, ``until``, ``end_chosen``,
    ``tolerance_days``, ``firms_compared``, ``firms_left_out`` and ``segments``), as ``window["note"]``;
    front ends write it in their language from the same fields."""
    since, end, segments = window["since"], window["until"], window["segments"]
    return (
        f"Every firm from {since} to {end} (market caps within {window['tolerance_days']} days of both dates"
        + (f"; {end} is the date near which most firms have a market cap" if window["end_chosen"] else "")
        + f"): {window['firms_compared']} firms compared, {window['firms_left_out']} left out. Conglomerates split by "
        + ("reported segment " + segments.replace("_", " ") if segments != "none" else "nothing (whole firms)")
        + f"; '{vc.OUTSIDE_STACK}' holds the rest of them and is not in the stack's total."
    )


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


def private_value(source: Source, as_of: str | None = None, segments: str = DEFAULT_SEGMENT_BASIS) -> PrivateValue:
    """Where the value sits on ``as_of`` (default: latest): private valuations and listed layers, conglomerates
    split by reported ``segments`` as in :func:`winners` (`none`: whole firms); each layer says which dates it
    adds (:func:`marketpower.measures.value_capture.private_vs_public`)."""
    if segments not in (*vc.SEGMENT_BASES, "none"):
        raise InvalidInputError(f"--segments {segments!r}: use revenue, operating_income or none")
    ctx = context_of(source)
    valuations, entity_layers = ctx.table("valuations"), ctx.table("entity_layers")
    attribution = {} if segments == "none" else vc.segment_attribution(ctx.table("segments"), segments)
    table = vc.private_vs_public(valuations, entity_layers, as_of, attribution)
    layers = layers_of(ctx)
    public_ids = sorted(set(valuations.loc[valuations["kind"].isin(vc.PUBLIC_KINDS), "entity_id"]))
    cited: dict[str, list[str]] = {}
    for entity_id in public_ids:
        last = vc.latest_valuation(ctx.rows_of("valuations", "entity_id", entity_id), entity_id, as_of=as_of)
        if last is None:
            continue
        parts = attribution.get(entity_id) or [{"layer": layers.get(entity_id, vc.UNCLASSIFIED), "source_ids": []}]
        for part in parts:
            cited.setdefault(part["layer"], []).extend([last["source_id"], *part["source_ids"]])
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
