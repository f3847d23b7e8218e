"""Who captures the value of AI: market value gained by firm and by layer of the stack, growth of revenue and
operating income by layer, the largest buyers' capex against their suppliers' revenue, and private model
makers' valuations next to their suppliers' market value.

Inputs are the ``valuations``, ``financials`` and ``entity_layers`` tables (DataFrames with the schema's
columns). Amounts are US dollars (``*_usd``); shares are fractions (0-1); growth is ``to / from - 1``.
Missing figures are never read as zero: a firm without a value near a date is kept with ``status`` saying why,
and left out of every sum, and every total says how many firms it holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..errors import InvalidInputError

PUBLIC_KINDS = ("market_cap",)
#: Where the part of a conglomerate outside its AI-stack segments is booked (Amazon's shops, Google Search).
OUTSIDE_STACK = "outside the AI stack"
#: What a segment's share of its firm may be measured in (:func:`segment_attribution`).
SEGMENT_BASES = ("revenue", "operating_income")
PRIVATE_KINDS = ("post_money", "secondary")
UNCLASSIFIED = "unclassified"
#: Default window around a target date in which a valuation counts as "on" that date (days).
DEFAULT_TOLERANCE_DAYS = 45
#: Half a year: a fiscal year counts for the calendar year holding its midpoint (period_end - 182 days).
HALF_YEAR_DAYS = 182
#: Layers whose capex is the demand for AI infrastructure, and the layers that supply it.
BUYER_LAYERS = ("cloud",)
SUPPLIER_LAYERS = ("accelerators", "memory", "foundry", "servers", "networking")

EVIDENCE_COLUMNS = ["entity_id", "date", "kind", "amount_usd", "source_id", "note"]
#: Deal kinds in which the payer buys goods or compute from the payee (money that becomes the payee's revenue).
PURCHASE_KINDS = ("chip_purchase", "compute_capacity_purchase", "cloud_contract")
#: The two steps of "the buyers' capex is the suppliers' revenue" seen in the deal web.
FLOW_STEPS = (("models", "cloud"), ("cloud", "accelerators"), ("cloud", "servers"), ("datacenters", "servers"))


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"{what}: missing column(s) {', '.join(missing)}; pass the `{what}` table")


def _as_date(value: date | str, what: str) -> date:
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError) as error:
        raise InvalidInputError(f"{what}: {value!r} is not a date (use YYYY-MM-DD)") from error


def _dated(valuations: pd.DataFrame) -> pd.DataFrame:
    _require(valuations, EVIDENCE_COLUMNS[:5], "valuations")
    undated = valuations[valuations["date"].isna()]
    if len(undated):
        names = ", ".join(sorted(set(undated["entity_id"].astype(str))))
        raise InvalidInputError(f"valuations: {len(undated)} row(s) without a date ({names}); date every valuation")
    out = valuations.copy()
    out["date"] = pd.to_datetime(out["date"]).dt.date
    out["amount_usd"] = out["amount_usd"].astype(float)
    return out


def layer_map(entity_layers: pd.DataFrame) -> dict[str, str]:
    """entity_id -> layer, from the ``entity_layers`` table."""
    _require(entity_layers, ["entity_id", "layer"], "entity_layers")
    return dict(zip(entity_layers["entity_id"].astype(str), entity_layers["layer"].astype(str), strict=True))


def layer_of(entity_id: str, layers: Mapping[str, str], parents: Mapping[str, str]) -> str | None:
    """The layer of an entity, or of its nearest parent that has one (AWS -> Amazon -> cloud)."""
    seen: set[str] = set()
    current: str | None = entity_id
    while current is not None and current not in seen:
        if current in layers:
            return layers[current]
        seen.add(current)
        current = parents.get(current)
    return None


def purchase_flows(
    edges: pd.DataFrame,
    entity_layers: pd.DataFrame,
    entities: pd.DataFrame,
    steps: Sequence[tuple[str, str]] = FLOW_STEPS,
    kinds: Sequence[str] = PURCHASE_KINDS,
) -> pd.DataFrame:
    """The purchase deals of the deal web that carry money one step down the stack (e.g. model makers -> clouds,
    clouds -> accelerator makers), with each party's layer (through its parent when it has none of its own).

    ``edges`` are money edges of the deals in force (:func:`marketpower.flows.network.money_edges`: deal_id,
    payer_id, payee_id, kind, amount_usd, amount_basis, announced, status, source_id). Amounts stay as published:
    ``amount_basis`` says point, range, up_to, at_least or unknown, and unknown amounts are never counted as zero."""
    _require(edges, ["deal_id", "payer_id", "payee_id", "kind", "amount_usd", "amount_basis", "announced"], "edges")
    layers = layer_map(entity_layers)
    parents = {
        str(e): str(p) for e, p in zip(entities["id"], entities["parent_id"], strict=True) if isinstance(p, str) and p
    }
    rows = edges[edges["kind"].isin(kinds)].copy()
    rows["payer_layer"] = [layer_of(str(e), layers, parents) for e in rows["payer_id"]]
    rows["payee_layer"] = [layer_of(str(e), layers, parents) for e in rows["payee_id"]]
    wanted = {tuple(step) for step in steps}
    keep = [(a, b) in wanted for a, b in zip(rows["payer_layer"], rows["payee_layer"], strict=True)]
    rows = rows[keep]
    rows["year"] = pd.to_datetime(rows["announced"]).dt.year
    return rows.sort_values(["year", "payer_layer", "deal_id"]).reset_index(drop=True)


def purchase_flows_by_year(flows: pd.DataFrame) -> pd.DataFrame:
    """Per announcement year and step (payer layer -> payee layer): the sum of published point amounts, the sum of
    ceilings ("up to" caps and the high ends of published ranges) and of "at least" floors kept apart, the
    number of deals whose amount is not published, and the number with a public party (``public_private``
    column of the flows, counted apart; 0 without it)."""
    if flows.empty:
        return pd.DataFrame(
            columns=[
                "year", "step", "deals", "point_usd", "up_to_usd", "at_least_usd", "unknown", "public_private_deals",
            ]
        )
    records = []
    for (year, payer, payee), group in flows.groupby(["year", "payer_layer", "payee_layer"], sort=True):
        by_basis = group.groupby("amount_basis")["amount_usd"].sum()
        records.append({
            "year": int(str(year)), "step": f"{payer} -> {payee}", "deals": len(group),
            "point_usd": float(by_basis.get("point", 0.0)),
            "up_to_usd": float(by_basis.get("up_to", 0.0) + by_basis.get("range", 0.0)),
            "at_least_usd": float(by_basis.get("at_least", 0.0)),
            "unknown": int((group["amount_basis"] == "unknown").sum()),
            "public_private_deals": int(group["public_private"].sum()) if "public_private" in group else 0,
        })  # fmt: skip
    return pd.DataFrame.from_records(records)


def valuation_on(
    valuations: pd.DataFrame,
    entity_id: str,
    on: date | str,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
    kinds: Sequence[str] = PUBLIC_KINDS,
) -> dict[str, Any] | None:
    """The valuation of ``entity_id`` closest to ``on`` (within ``tolerance_days``; ties go to the earlier date),
    as its evidence row plus ``days_off`` (row date - ``on``, days); None when there is none that close."""
    target = _as_date(on, "on")
    if tolerance_days < 0:
        raise InvalidInputError(f"tolerance_days: {tolerance_days} is negative; give a window in days (>= 0)")
    rows = _dated(valuations)
    rows = rows[(rows["entity_id"] == entity_id) & rows["kind"].isin(kinds)]
    if rows.empty:
        return None
    offsets = pd.Series([(d - target).days for d in rows["date"]], index=rows.index)
    near = offsets[offsets.abs() <= tolerance_days]
    if near.empty:
        return None
    best = min(near.index, key=lambda i: (abs(int(near[i])), int(near[i])))
    evidence = {c: _plain(rows.at[best, c]) for c in EVIDENCE_COLUMNS if c in rows.columns}
    evidence["days_off"] = int(near[best])
    return evidence


def latest_valuation(
    valuations: pd.DataFrame, entity_id: str, kinds: Sequence[str] = PUBLIC_KINDS, as_of: date | str | None = None
) -> dict[str, Any] | None:
    """The most recent valuation of ``entity_id`` of one of ``kinds`` on or before ``as_of`` (default: any)."""
    rows = _dated(valuations)
    rows = rows[(rows["entity_id"] == entity_id) & rows["kind"].isin(kinds)]
    if as_of is not None:
        rows = rows[rows["date"] <= _as_date(as_of, "as_of")]
    if rows.empty:
        return None
    best = rows.sort_values("date", kind="stable").index[-1]
    return {c: _plain(rows.at[best, c]) for c in EVIDENCE_COLUMNS if c in rows.columns}


def valuation_change(
    valuations: pd.DataFrame,
    entity_id: str,
    since: date | str,
    until: date | str | None = None,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
    kinds: Sequence[str] = PUBLIC_KINDS,
) -> dict[str, Any]:
    """Change of ``entity_id``'s value from ``since`` to ``until`` (default: its latest valuation):
    ``change_usd = end - start`` and ``ratio = end / start``, with both evidence rows (date, amount, source).

    Raises InvalidInputError when no valuation lies within ``tolerance_days`` of a date."""
    start = valuation_on(valuations, entity_id, since, tolerance_days, kinds)
    if start is None:
        raise InvalidInputError(
            f"{entity_id}: no {'/'.join(kinds)} valuation within {tolerance_days} days of {since}; "
            "add one to `valuations` or widen the tolerance"
        )
    if until is None:
        end = latest_valuation(valuations, entity_id, kinds)
    else:
        end = valuation_on(valuations, entity_id, until, tolerance_days, kinds)
    if end is None:
        raise InvalidInputError(
            f"{entity_id}: no {'/'.join(kinds)} valuation within {tolerance_days} days of {until}; "
            "add one to `valuations` or widen the tolerance"
        )
    if start["amount_usd"] <= 0:
        raise InvalidInputError(f"{entity_id}: start value on {start['date']} is not positive; cannot form a ratio")
    return {
        "entity_id": entity_id,
        "start": start,
        "end": end,
        "change_usd": end["amount_usd"] - start["amount_usd"],
        "ratio": end["amount_usd"] / start["amount_usd"],
    }


def market_value_change(
    valuations: pd.DataFrame,
    entity_layers: pd.DataFrame,
    since: date | str,
    until: date | str | None = None,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> pd.DataFrame:
    """Market-capitalisation change of every listed firm from ``since`` to ``until`` (default: each firm's
    latest market cap). One row per firm with a market cap: layer (``unclassified`` when the firm has none),
    start/end date, value and source, ``change_usd = end_usd - start_usd``, ``ratio = end_usd / start_usd``
    and ``status``: ``ok``, or why a value is missing (then the amounts are empty, never 0)."""
    since_date = _as_date(since, "since")
    until_date = None if until is None else _as_date(until, "until")
    if until_date is not None and until_date <= since_date:
        raise InvalidInputError(f"until {until_date} is not after since {since_date}; swap or fix the dates")
    rows = _dated(valuations)
    layers = layer_map(entity_layers)
    records = []
    for entity_id in sorted(set(rows.loc[rows["kind"].isin(PUBLIC_KINDS), "entity_id"].astype(str))):
        start = valuation_on(rows, entity_id, since_date, tolerance_days)
        if until_date is None:
            end = latest_valuation(rows, entity_id)
            if end is not None and start is not None and end["date"] <= start["date"]:
                end = None
        else:
            end = valuation_on(rows, entity_id, until_date, tolerance_days)
        status = "ok"
        if start is None:
            status = f"no market cap within {tolerance_days} days of {since_date}"
            first = min(rows.loc[(rows["entity_id"] == entity_id) & rows["kind"].isin(PUBLIC_KINDS), "date"])
            if first > since_date:
                status += f"; its first in the data is on {first} (listed later, or no earlier value found)"
        elif end is None:
            status = (
                f"no market cap after {start['date']}"
                if until_date is None
                else (f"no market cap within {tolerance_days} days of {until_date}")
            )
        elif not start["amount_usd"] > 0:
            status = f"market cap on {start['date']} is {start['amount_usd']:g} USD, not positive: no ratio"
        ok = status == "ok"
        records.append(
            {
                "entity_id": entity_id,
                "layer": layers.get(entity_id, UNCLASSIFIED),
                "start_date": start["date"] if start else None,
                "start_usd": start["amount_usd"] if start else None,
                "start_source": start["source_id"] if start else None,
                "end_date": end["date"] if end else None,
                "end_usd": end["amount_usd"] if end else None,
                "end_source": end["source_id"] if end else None,
                "change_usd": end["amount_usd"] - start["amount_usd"] if ok and start and end else None,
                "ratio": end["amount_usd"] / start["amount_usd"] if ok and start and end else None,
                "status": status,
            }
        )
    columns = [
        "entity_id",
        "layer",
        "start_date",
        "start_usd",
        "start_source",
        "end_date",
        "end_usd",
        "end_source",
        "change_usd",
        "ratio",
        "status",
    ]
    out = pd.DataFrame.from_records(records, columns=columns)
    for column in ("start_usd", "end_usd", "change_usd", "ratio"):
        out[column] = out[column].astype(float)
    return out


def common_end_date(
    valuations: pd.DataFrame, since: date | str, tolerance_days: int = DEFAULT_TOLERANCE_DAYS
) -> date | None:
    """One end date for every firm: of the market-cap dates after ``since`` + ``tolerance_days``, the one
    near which (within ``tolerance_days``) the most firms with a market cap near ``since`` also have one; ties
    go to the latest date. None when no firm has two such values."""
    since_date = _as_date(since, "since")
    rows = _dated(valuations)
    rows = rows[rows["kind"].isin(PUBLIC_KINDS)]
    dates_by_firm = {str(e): sorted(set(g["date"])) for e, g in rows.groupby("entity_id")}
    window = timedelta(days=tolerance_days)
    started = {e for e, ds in dates_by_firm.items() if any(abs(d - since_date) <= window for d in ds)}
    candidates = sorted({d for e in started for d in dates_by_firm[e] if d > since_date + window})
    best: tuple[int, date] | None = None
    for candidate in candidates:
        count = sum(any(abs(d - candidate) <= window for d in dates_by_firm[e]) for e in started)
        if best is None or (count, candidate) >= best:
            best = (count, candidate)
    return best[1] if best else None


def segment_attribution(segments: pd.DataFrame, basis: str = "revenue") -> dict[str, list[dict[str, Any]]]:
    """How each conglomerate of ``segments`` splits across layers: entity id -> parts (``layer``, ``fraction``
    of the firm, ``segments`` named, ``basis``, ``period``, ``source_ids``), the fractions adding up to 1.

    The firm's latest period (by ``period_end``) with ``basis`` figures is used (a firm without any uses the other
    metric, and its parts say so); ``fraction = Σ segment_amount / firm_amount`` per layer, segments without a
    layer and the rest of the firm going to :data:`OUTSIDE_STACK` (segments whose rounded figures add up to more
    than the firm are scaled to it)."""
    if basis not in SEGMENT_BASES:
        raise InvalidInputError(f"segment basis {basis!r}: use one of {', '.join(SEGMENT_BASES)}")
    if segments.empty:
        return {}
    _require(segments, ["entity_id", "period", "period_end", "segment", "layer", "metric", "segment_amount",
                        "firm_amount", "source_id"], "segments")  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = {}
    for entity_id, rows in segments.groupby("entity_id", sort=True):
        metric = basis if (rows["metric"] == basis).any() else next(m for m in SEGMENT_BASES if m != basis)
        rows = rows[rows["metric"] == metric]
        latest = rows[rows["period_end"].astype(str) == max(rows["period_end"].astype(str))]
        firm_amount = float(latest["firm_amount"].iloc[0])
        parts: dict[str, dict[str, Any]] = {}
        for _, row in latest.iterrows():
            layer = row["layer"] if isinstance(row["layer"], str) and row["layer"] else OUTSIDE_STACK
            part = parts.setdefault(layer, {"fraction": 0.0, "segments": [], "source_ids": []})
            part["fraction"] += float(row["segment_amount"]) / firm_amount
            part["segments"].append(str(row["segment"]))
            part["source_ids"].append(str(row["source_id"]))
        reported = math.fsum(p["fraction"] for p in parts.values())
        if reported > 1.0:  # rounded figures (162.36 + 2.15 of 164.50): scale the parts to the whole firm
            for part in parts.values():
                part["fraction"] /= reported
        rest = 1.0 - min(reported, 1.0)
        if rest > 1e-9:
            outside = parts.setdefault(OUTSIDE_STACK, {"fraction": 0.0, "segments": [], "source_ids": []})
            outside["fraction"] += rest
            outside["segments"].append("rest of the firm")
        period = str(latest["period"].iloc[0])
        out[str(entity_id)] = [
            {
                "layer": layer,
                "fraction": part["fraction"],
                "segments": ", ".join(part["segments"]),
                "basis": metric,
                "period": period,
                "source_ids": list(dict.fromkeys(part["source_ids"])),
            }
            for layer, part in sorted(parts.items())
        ]
    return out


def attribute_changes(changes: pd.DataFrame, attribution: Mapping[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """:func:`market_value_change` rows split by :func:`segment_attribution`: a firm with parts gives one row per
    part, its amounts times the part's ``fraction``; any other firm one row, whole (``fraction`` 1) in its own
    layer. ``attribution`` says in words what each row holds ("AWS: 16.9% of FY2024 revenue", "whole firm")."""
    records = []
    change: dict[str, Any]
    for change in changes.to_dict("records"):  # type: ignore[assignment]
        parts = attribution.get(str(change["entity_id"]))
        if not parts:
            records.append({**change, "fraction": 1.0, "attribution": "whole firm", "segment_sources": []})
            continue
        for part in parts:
            scaled = {c: None if change[c] is None or pd.isna(change[c]) else change[c] * part["fraction"]
                      for c in ("start_usd", "end_usd", "change_usd")}  # fmt: skip
            basis = part["basis"].replace("_", " ")
            records.append(
                {
                    **change,
                    **scaled,
                    "layer": part["layer"],
                    "fraction": part["fraction"],
                    "attribution": f"{part['segments']}: {part['fraction']:.1%} of {part['period']} {basis}",
                    "segment_sources": part["source_ids"],
                }
            )
    out = pd.DataFrame.from_records(records, columns=[*changes.columns, "fraction", "attribution", "segment_sources"])
    for column in ("start_usd", "end_usd", "change_usd", "fraction"):
        out[column] = out[column].astype(float)
    return out


def value_capture_by_layer(changes: pd.DataFrame) -> pd.DataFrame:
    """Sum :func:`market_value_change` rows (or their :func:`attribute_changes` parts) with ``status == ok`` by
    layer: ``start_usd``, ``end_usd``, ``change_usd``, ``growth = end_usd / start_usd - 1`` and
    ``share_of_gain = change_usd / Σ change_usd`` over the layers of the AI stack (each layer's share of their
    net change; negative for a layer that lost value; empty for :data:`OUTSIDE_STACK`, which is listed apart).
    ``firms`` counts the firms summed, ``gaps`` those left out for a missing value and ``covers`` names each
    firm with the part of it counted ("amazon (AWS: 16.9% of FY2024 revenue)", "nvidia (whole firm)"); a layer
    with gaps only is listed with empty amounts."""
    _require(changes, ["layer", "start_usd", "end_usd", "change_usd", "status"], "changes")
    ok = changes[changes["status"] == "ok"]
    total = float(ok.loc[ok["layer"] != OUTSIDE_STACK, "change_usd"].sum())
    if ok.empty or total == 0:
        raise InvalidInputError(
            "changes: no firm with both values, or a net change of exactly 0; no share of the gain can be formed"
        )
    grouped = ok.groupby("layer", sort=True).agg(
        firms=("status", "size"),
        start_usd=("start_usd", "sum"),
        end_usd=("end_usd", "sum"),
        change_usd=("change_usd", "sum"),
    )
    grouped = grouped.reindex(sorted(set(changes["layer"])))
    grouped["firms"] = grouped["firms"].fillna(0).astype(int)
    gaps = changes[changes["status"] != "ok"].groupby("layer").size()
    grouped["gaps"] = gaps.reindex(grouped.index).fillna(0).astype(int)
    grouped["growth"] = grouped["end_usd"] / grouped["start_usd"] - 1
    grouped["share_of_gain"] = grouped["change_usd"] / total
    grouped.loc[grouped.index == OUTSIDE_STACK, "share_of_gain"] = None
    what = ok["attribution"] if "attribution" in ok else pd.Series("whole firm", index=ok.index)
    covers = {
        layer: ", ".join(f"{e} ({w})" for e, w in zip(rows["entity_id"], what[rows.index], strict=True))
        for layer, rows in ok.groupby("layer", sort=True)
    }
    grouped["covers"] = [covers.get(str(layer), "no firm") for layer in grouped.index]
    return grouped.sort_values("change_usd", ascending=False, na_position="last").reset_index(names="layer")


def calendar_year(period_end: date | str) -> int:
    """Calendar year holding the midpoint of a fiscal year ending on ``period_end`` (end - 182 days), so that
    fiscal years ending in January (Nvidia, Dell) count for the year before."""
    return (_as_date(period_end, "period_end") - timedelta(days=HALF_YEAR_DAYS)).year


def _annual(financials: pd.DataFrame, metric: str) -> pd.DataFrame:
    _require(financials, ["entity_id", "period", "period_end", "metric", "amount_usd"], "financials")
    rows = financials[(financials["metric"] == metric) & financials["period"].astype(str).str.startswith("FY")]
    rows = rows.copy()
    rows["year"] = [calendar_year(d) for d in rows["period_end"]]
    rows["amount_usd"] = rows["amount_usd"].astype(float)
    return rows


def growth_by_layer(
    financials: pd.DataFrame, entity_layers: pd.DataFrame, metric: str, from_year: int, to_year: int
) -> pd.DataFrame:
    """Growth of an annual ``metric`` by layer from ``from_year`` to ``to_year`` (calendar years of the fiscal
    years, see :func:`calendar_year`), over the firms reporting both years (a balanced panel):
    ``growth = Σ to_usd / Σ from_usd - 1``; ``missing`` names firms of the layer lacking one of the years,
    ``firm_ids`` the firms summed and ``covers`` says in words what the layer's figure covers (e.g. "intel
    only; without tsmc, umc (no figure for 2022 or 2024)"), so one firm is never read as its whole layer."""
    if to_year <= from_year:
        raise InvalidInputError(f"to_year {to_year} is not after from_year {from_year}")
    rows = _annual(financials, metric)
    if rows.empty:
        raise InvalidInputError(f"financials: no annual `{metric}` rows; check the metric name")
    layers = layer_map(entity_layers)
    wide = rows.pivot_table(index="entity_id", columns="year", values="amount_usd", aggfunc="sum")
    wide = wide.reindex(columns=sorted(set(wide.columns) | {from_year, to_year}))
    records = []
    for layer in sorted({layers.get(e, UNCLASSIFIED) for e in wide.index}):
        firms = [e for e in wide.index if layers.get(e, UNCLASSIFIED) == layer]
        both = [e for e in firms if pd.notna(wide.loc[e, [from_year, to_year]]).all()]
        start = float(wide.loc[both, from_year].sum()) if both else None
        end = float(wide.loc[both, to_year].sum()) if both else None
        records.append(
            {
                "layer": layer,
                "metric": metric,
                "from_year": from_year,
                "to_year": to_year,
                "firms": len(both),
                "from_usd": start,
                "to_usd": end,
                "growth": end / start - 1 if start and end is not None and start > 0 else None,
                "missing": sorted(set(firms) - set(both)),
                "firm_ids": sorted(both),
                "covers": _covers(sorted(both), sorted(set(firms) - set(both)), from_year, to_year),
            }
        )
    return pd.DataFrame.from_records(records)


def _covers(summed: list[str], missing: list[str], from_year: int, to_year: int) -> str:
    """What a layer's growth figure covers, in words: the firms summed and those left out for lack of a year."""
    text = "no firm" if not summed else ", ".join(summed) + (" only" if len(summed) == 1 else "")
    if missing:
        text += f"; without {', '.join(missing)} (no figure for {from_year} or {to_year})"
    return text


def capex_vs_supplier_revenue(
    financials: pd.DataFrame,
    entity_layers: pd.DataFrame,
    years: Sequence[int],
    buyer_layers: Sequence[str] = BUYER_LAYERS,
    supplier_layers: Sequence[str] = SUPPLIER_LAYERS,
) -> pd.DataFrame:
    """ "The buyers' capex is the suppliers' revenue": per calendar year, the capex of the firms in
    ``buyer_layers`` against the revenue of the firms in ``supplier_layers`` (their data-center segment
    revenue where they report one, else total revenue), ``ratio = buyer_capex_usd / supplier_revenue_usd``.
    Only firms reporting the year are summed; the ``buyers`` and ``suppliers`` columns name them.

    Like with like: ``ratio_common`` sums only the buyers and the suppliers present in every year of ``years``
    (``buyer_capex_common_usd``, ``supplier_revenue_common_usd``; None when no firm of a side is in every
    year); ``not_every_year`` names the firms of the year left out of it, so a change of ``ratio`` that comes
    from the set of firms changing is visible."""
    layers = layer_map(entity_layers)
    capex = _annual(financials, "capex")
    revenue = _annual(financials, "revenue")
    segment = _annual(financials, "datacenter_revenue")
    per_year: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
    for year in years:
        buyers = capex[(capex["year"] == year) & capex["entity_id"].map(lambda e: layers.get(e) in buyer_layers)]
        by_buyer = {str(e): float(a) for e, a in buyers.groupby("entity_id")["amount_usd"].sum().items()}
        per_year[year] = (by_buyer, _supplier_revenue(revenue, segment, year, layers, supplier_layers))
    common_buyers = set.intersection(*(set(b) for b, _ in per_year.values())) if per_year else set()
    common_suppliers = set.intersection(*(set(s) for _, s in per_year.values())) if per_year else set()
    records = []
    for year, (by_buyer, supplier_rows) in per_year.items():
        buyer_total = math.fsum(by_buyer.values()) if by_buyer else None
        supplier_total = math.fsum(supplier_rows.values()) if supplier_rows else None
        buyer_common = math.fsum(by_buyer[e] for e in common_buyers) if common_buyers else None
        supplier_common = math.fsum(supplier_rows[e] for e in common_suppliers) if common_suppliers else None
        records.append(
            {
                "year": year,
                "buyer_capex_usd": buyer_total,
                "buyers": sorted(by_buyer),
                "supplier_revenue_usd": supplier_total,
                "suppliers": sorted(supplier_rows),
                "ratio": buyer_total / supplier_total if buyer_total is not None and supplier_total else None,
                "buyer_capex_common_usd": buyer_common,
                "supplier_revenue_common_usd": supplier_common,
                "ratio_common": buyer_common / supplier_common
                if buyer_common is not None and supplier_common
                else None,
                "not_every_year": sorted((set(by_buyer) - common_buyers) | (set(supplier_rows) - common_suppliers)),
            }
        )
    return pd.DataFrame.from_records(records)


def _supplier_revenue(
    revenue: pd.DataFrame, segment: pd.DataFrame, year: int, layers: Mapping[str, str], supplier_layers: Sequence[str]
) -> dict[str, float]:
    """entity_id -> revenue counted for one year: data-center segment revenue where reported, else revenue."""
    chosen: dict[str, float] = {}
    for frame in (revenue, segment):  # segment second, so it replaces total revenue where present
        rows = frame[(frame["year"] == year) & frame["entity_id"].map(lambda e: layers.get(e) in supplier_layers)]
        for entity_id, amount in zip(rows["entity_id"], rows["amount_usd"], strict=True):
            chosen[str(entity_id)] = float(amount)
    return chosen


def _date_spread_note(first: date, last: date) -> str:
    """What a sum of values dated ``first`` to ``last`` adds ("" for one date); beyond
    :data:`DEFAULT_TOLERANCE_DAYS` apart it is said not to be one day's value."""
    days = (last - first).days
    if days == 0:
        return ""
    text = f"adds values dated {first.isoformat()} to {last.isoformat()} ({days} days apart)"
    return text + (": not one day's value" if days > DEFAULT_TOLERANCE_DAYS else "")


def private_vs_public(
    valuations: pd.DataFrame,
    entity_layers: pd.DataFrame,
    as_of: date | str | None = None,
    attribution: Mapping[str, list[dict[str, Any]]] | None = None,
) -> pd.DataFrame:
    """Where the value sits on ``as_of`` (default: latest data): one row per private firm with its latest
    post-money (or secondary) valuation, date and source, then one row per layer with the sum of its firms'
    latest market caps (``firms`` counted, ``date`` = the oldest of those market caps), a conglomerate of
    ``attribution`` (:func:`segment_attribution`) counting with each part in its layer (the rest in
    :data:`OUTSIDE_STACK`). ``covers`` names each summed firm with the date of its value (and the part
    counted), and ``note`` says when those dates differ, and beyond :data:`DEFAULT_TOLERANCE_DAYS` that the
    total is not one day's value."""
    rows = _dated(valuations)
    layers = layer_map(entity_layers)
    records = []
    for entity_id in sorted(set(rows.loc[rows["kind"].isin(PRIVATE_KINDS), "entity_id"].astype(str))):
        last = latest_valuation(rows, entity_id, PRIVATE_KINDS, as_of)
        if last is not None:
            records.append(
                {
                    "group": "private",
                    "name": entity_id,
                    "layer": layers.get(entity_id, UNCLASSIFIED),
                    "kind": last["kind"],
                    "date": last["date"],
                    "amount_usd": last["amount_usd"],
                    "firms": 1,
                    "source_id": last["source_id"],
                }
            )
    public: dict[str, list[dict[str, Any]]] = {}
    for entity_id in sorted(set(rows.loc[rows["kind"].isin(PUBLIC_KINDS), "entity_id"].astype(str))):
        last = latest_valuation(rows, entity_id, PUBLIC_KINDS, as_of)
        if last is None:
            continue
        parts = (attribution or {}).get(entity_id)
        if not parts:
            public.setdefault(layers.get(entity_id, UNCLASSIFIED), []).append(last)
            continue
        for part in parts:
            share = f"{part['segments']} {part['fraction']:.1%} of {part['period']} {part['basis'].replace('_', ' ')}"
            public.setdefault(part["layer"], []).append(
                {**last, "amount_usd": last["amount_usd"] * part["fraction"], "part": share}
            )
    for layer, lasts in sorted(public.items()):
        records.append(
            {
                "group": "public",
                "name": layer,
                "layer": layer,
                "kind": "market_cap",
                "date": min(r["date"] for r in lasts),
                "amount_usd": sum(r["amount_usd"] for r in lasts),
                "firms": len(lasts),
                "source_id": None,
                "covers": ", ".join(
                    f"{r['entity_id']} ({r['date'].isoformat()}{'; ' + r['part'] if r.get('part') else ''})"
                    for r in lasts
                ),
                "note": _date_spread_note(min(r["date"] for r in lasts), max(r["date"] for r in lasts)),
            }
        )
    columns = ["group", "name", "layer", "kind", "date", "amount_usd", "firms", "source_id", "covers", "note"]
    return pd.DataFrame.from_records(records, columns=columns)


def _plain(value: Any) -> Any:
    """A scalar from a DataFrame cell as a plain Python value (float, str, date or None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value
