"""Check structured claims against the data package and the models.

For each claim, an *evaluator* finds what the data says (a value or a range, in the metric's base unit, with
the rows and sources it rests on); then the verdict compares the two:

- ``implausible unit``: the claim's unit is not one the metric is measured in (a deal's amount in GW), or the
  claimed value is at least :data:`SCALE_FACTOR` (1,000) times larger or smaller than every sourced figure for
  it: a scale word or unit went wrong ("552 milliards de milliards" for 552 milliards);
- ``no data``: nothing in the data answers the claim (no figure near the date, a table not loaded);
- ``supported`` / ``contradicted``: the claimed value agrees or not with what was found, by its qualifier:
  ``exactly`` (relative tolerance 1%), ``about`` (10%), ``nearly`` (found within 10% below the value, and
  not above it by more than 1%), ``at_least`` (found >= value), ``up_to`` (a published cap equal to the value
  within 1%, or a point amount not above it), ``range`` (the claimed and found intervals overlap). A claim's
  ``tolerance`` field replaces the default.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import api
from ..api import Context, accelerators_for_power, jsonable, model_params
from ..errors import InvalidInputError
from ..store import Store
from .spec import METRICS, Claim, ClaimsFile

VERDICTS = ("supported", "contradicted", "implausible unit", "no data")
SCALE_FACTOR = 1_000.0
DEFAULT_TOLERANCE = {"exactly": 0.01, "about": 0.10, "nearly": 0.10, "up_to": 0.01, "at_least": 0.0, "range": 0.0}
#: Days a market value may lie from the claim's date when the claim gives no window.
DEFAULT_WINDOW_DAYS = api.DEFAULT_TOLERANCE_DAYS


@dataclass(frozen=True)
class Found:
    """What the data says: low <= central <= high in the metric's base unit, the evidence rows and sources.

    ``scale_reference`` is any sourced figure of the same quantity (even outside the claim's date window), used
    only to detect scale errors."""

    low: float | None
    central: float | None
    high: float | None
    evidence: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    scale_reference: float | None = None
    cap: float | None = None

    @property
    def has_value(self) -> bool:
        return self.central is not None


@dataclass(frozen=True)
class ClaimResult:
    """A claim, its verdict, what was found and the sources of the evidence."""

    claim: Claim
    verdict: str
    found: Found
    reason: str
    sources: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        low, high = self.claim.base()
        return {
            "id": self.claim.id,
            "verdict": self.verdict,
            "reason": self.reason,
            "claim": self.claim.to_dict(),
            "claimed_low": low,
            "claimed_high": high,
            "unit_family": METRICS[self.claim.metric][0],
            "found": {"low": self.found.low, "central": self.found.central, "high": self.found.high},
            "evidence": self.found.evidence,
            "rows": jsonable(self.found.rows),
            "sources": self.sources,
        }

    def summary(self) -> dict[str, Any]:
        low, high = self.claim.base()
        claimed = f"{_short(low)}" if low == high else f"{_short(low)}–{_short(high)}"
        found = (
            ""
            if self.found.central is None
            else (
                _short(self.found.central)
                if self.found.low == self.found.high
                else f"{_short(self.found.low)}–{_short(self.found.high)}"
            )
        )
        return {
            "id": self.claim.id,
            "verdict": self.verdict,
            "claimed": f"{self.claim.qualifier} {claimed}",
            "found": found,
            "evidence": self.reason,
            "sources": ", ".join(s["id"] for s in self.sources),
        }


def _short(value: float | None) -> str:
    if value is None:
        return ""
    size = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if size >= limit:
            return f"{value / limit:,.3g}{suffix}"
    return f"{value:,.4g}"


# ------------------------------------------------------------------------------------------------ evaluators


def _market_cap(ctx: Context, claim: Claim) -> Found:
    valuations = ctx.table("valuations")
    entity = str(claim.entity)
    all_rows = valuations[(valuations["entity_id"] == entity) & (valuations["kind"] == "market_cap")]
    reference = None
    if len(all_rows):
        nearest = all_rows.assign(_off=(pd.to_datetime(all_rows["date"]) - pd.Timestamp(str(claim.date))).abs())
        reference = float(nearest.sort_values("_off")["amount_usd"].iloc[0])
    window = claim.date_window_days if claim.date_window_days is not None else DEFAULT_WINDOW_DAYS
    row = api.market_cap_on(ctx, entity, str(claim.date), window)
    if row is None:
        known = ", ".join(f"{r['date']}: {_short(r['amount_usd'])}" for r in jsonable(all_rows)) or "none"
        return Found(
            None,
            None,
            None,
            [
                f"no market capitalisation of {ctx.name(entity)} within {window} days of "
                f"{claim.date} (values in the data: {known})"
            ],
            rows=jsonable(all_rows),
            source_ids=list(all_rows["source_id"]),
            scale_reference=reference,
        )
    amount = float(row["amount_usd"])
    return Found(
        amount,
        amount,
        amount,
        [
            f"{ctx.name(entity)}: market capitalisation {_short(amount)} USD on {row['date']} "
            f"({row['days_off']:+d} days from {claim.date})"
        ],
        rows=[row],
        source_ids=[row["source_id"]],
        scale_reference=amount,
    )


def _valuation_ratio(ctx: Context, claim: Claim) -> Found:
    window = claim.date_window_days if claim.date_window_days is not None else DEFAULT_WINDOW_DAYS
    try:
        change = api.valuation_change(ctx, str(claim.entity), str(claim.since), str(claim.date), window)
    except InvalidInputError as error:
        return Found(None, None, None, [str(error)])
    ratio = float(change["ratio"])
    start, end = change.get("start", {}), change.get("end", {})
    sources = [s for s in (start.get("source_id"), end.get("source_id")) if s]
    return Found(
        ratio,
        ratio,
        ratio,
        [
            f"{ctx.name(claim.entity)}: {_short(start.get('amount_usd'))} USD on {start.get('date')} → "
            f"{_short(end.get('amount_usd'))} USD on {end.get('date')}: × {ratio:.3f}"
        ],
        rows=[start, end],
        source_ids=sources,
        scale_reference=ratio,
    )


def _deal_rows(ctx: Context, claim: Claim) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals between the two parties known at the claim's date (in force then), and later revisions."""
    as_of = None if claim.date is None else str(claim.date)
    return api.deals_between(ctx, str(claim.entity), str(claim.counterparty), as_of)


def _deal(ctx: Context, claim: Claim, column: str, unit: str) -> Found:
    current, later = _deal_rows(ctx, claim)
    notes = [f"later: {r['id']} ({r['announced']}): {r.get('description') or r['kind']}" for r in jsonable(later)]
    if current.empty:
        return Found(
            None,
            None,
            None,
            [
                f"no deal between {claim.entity} and {claim.counterparty} in the data"
                + (f" announced by {claim.date}" if claim.date else ""),
                *notes,
            ],
            rows=jsonable(later),
            source_ids=list(later["source_id"]),
        )
    rows = jsonable(current)
    lows, highs, points, caps, lines = [], [], [], [], []
    for r in rows:
        if column == "amount_usd":
            point, low, high = r.get("amount_usd"), r.get("amount_usd_low"), r.get("amount_usd_high")
            if point is not None:
                points.append(point)
            elif high is not None:
                caps.append(high)
            lows.append(point if point is not None else (low if low is not None else high))
            highs.append(point if point is not None else high)
            lines.append(
                f"{r['id']} ({r['announced']}, {r['status']}): "
                + (
                    f"{_short(point)} {unit}"
                    if point is not None
                    else f"up to {_short(high)} {unit}"
                    if high is not None
                    else "amount not published"
                )
            )
        else:
            value = r.get(column)
            lows.append(value)
            highs.append(value)
            lines.append(f"{r['id']} ({r['announced']}): {value if value is not None else 'not published'} {unit}")
    known_lows = [v for v in lows if v is not None]
    known_highs = [v for v in highs if v is not None]
    if not known_highs:
        return Found(None, None, None, lines + notes, rows=rows, source_ids=[r["source_id"] for r in rows])
    low, high = min(known_lows), max(known_highs)
    return Found(
        low,
        high,
        high,
        lines + notes,
        rows=rows + jsonable(later),
        source_ids=[r["source_id"] for r in rows] + list(later["source_id"]),
        scale_reference=high,
        cap=max(caps) if caps else None,
    )


def _accelerators_for_power(ctx: Context, claim: Claim) -> Found:
    if ctx.table("hardware").empty:
        return Found(None, None, None, ["the hardware table has no rows"])
    low_c, high_c = claim.base()
    ids = list(claim.accelerators) or None
    fed = accelerators_for_power(ctx, float(claim.power_gw or 0) * 1_000.0, target=(low_c, high_c), ids=ids)
    params, table = model_params(ctx), fed.rows
    if table.empty:
        return Found(None, None, None, [f"none of the accelerators {claim.accelerators} has a power figure"])
    lines = [
        f"{r['model']}: {_short(r['count_low'])}–{_short(r['count_high'])} (central {_short(r['count_central'])},"
        f" {r['verdict']})"
        for r in jsonable(table)
    ]
    hardware = ctx.table("hardware").set_index("id")
    sources = [
        s
        for aid in table["accelerator"]
        for s in (hardware.at[aid, "source_id"], hardware.at[aid, "system_power_source_id"])
        if isinstance(s, str)
    ]
    sources += [s.strip() for s in params["pue"].source.split(",")]
    centrals = sorted(table["count_central"])
    return Found(
        float(table["count_low"].min()),
        float(centrals[len(centrals) // 2]),
        float(table["count_high"].max()),
        lines,
        rows=jsonable(table),
        source_ids=sources,
        scale_reference=float(centrals[len(centrals) // 2]),
    )


def _market_share(ctx: Context, claim: Claim) -> Found:
    shares = ctx.table("shares")
    rows = shares[
        (shares["market_id"] == claim.market) & (shares["entity_id"] == claim.entity) & (shares["year"] == claim.year)
    ]
    if rows.empty:
        return Found(None, None, None, [f"no share of {claim.entity} in {claim.market} for {claim.year}"])
    low = rows["share_low"].fillna(rows["share"]).min()
    high = rows["share_high"].fillna(rows["share"]).max()
    lines = [f"{r['series'] or 'main'} {r['year']}{r['period'] or ''}: {r['share']}" for r in jsonable(rows)]
    return Found(
        float(low),
        float(rows["share"].median()),
        float(high),
        lines,
        rows=jsonable(rows),
        source_ids=list(rows["source_id"]),
        scale_reference=float(high),
    )


def _hhi(ctx: Context, claim: Claim) -> Found:
    table = ctx.concentration
    rows = table[(table["market_id"] == claim.market) & (table["year"] == claim.year)]
    if rows.empty:
        return Found(None, None, None, [f"no concentration figure for {claim.market} in {claim.year}"])
    lines = [
        f"{r['series'] or 'main'} {r['year']}{r['period']}: HHI {r['hhi_low']:,.0f}–{r['hhi_high']:,.0f}"
        for r in jsonable(rows)
    ]
    low, high = float(rows["hhi_low"].min()), float(rows["hhi_high"].max())
    return Found(
        low,
        (low + high) / 2,
        high,
        lines,
        rows=jsonable(rows),
        source_ids=[s for ids in rows["source_ids"] for s in ids],
        scale_reference=high,
    )


def _bill_count(ctx: Context, claim: Claim) -> Found:
    counts = ctx.table("bill_counts")
    rows = counts[(counts["state"] == "ALL") & (counts["year"] == claim.year) & counts["introduced"].notna()]
    if claim.date is not None:
        rows = rows[pd.to_datetime(rows["as_of"]) <= pd.Timestamp(claim.date)]
    if rows.empty:
        return Found(
            None,
            None,
            None,
            [
                f"no count of AI bills in all US states for {claim.year}"
                + (f" published by {claim.date}" if claim.date else "")
            ],
        )
    lines = [
        f"{r['tracker']} (as of {r['as_of']}): {r['introduced_qualifier'] or 'exact'} {r['introduced']:,}"
        for r in jsonable(rows.sort_values("as_of"))
    ]
    values = rows["introduced"].astype(float)
    return Found(
        float(values.min()),
        float(values.max()),
        float(values.max()),
        [*lines, "trackers define an AI bill differently; the claim is compared with the largest count"],
        rows=jsonable(rows),
        source_ids=list(rows["source_id"]),
        scale_reference=float(values.max()),
    )


def _committee_money(ctx: Context, claim: Claim) -> Found:
    money = ctx.table("committee_money")
    rows = money[
        (money["donor_id"] == claim.entity)
        & money["amount_usd"].notna()
        & ~money["is_pledge"].astype(bool)
        & (money["kind"] == "receipts")
    ]
    if claim.counterparty is not None:
        rows = rows[rows["committee_id"] == claim.counterparty]
    if claim.date is not None:
        rows = rows[pd.to_datetime(rows["period_end"]) <= pd.Timestamp(claim.date)]
    if rows.empty:
        return Found(
            None,
            None,
            None,
            [f"no filed committee receipts from {claim.entity}" + (f" by {claim.date}" if claim.date else "")],
        )
    total = float(rows["amount_usd"].sum())
    lines = [
        f"{r['committee_id']} {r['kind']} to {r['period_end']}: {_short(r['amount_usd'])} USD" for r in jsonable(rows)
    ]
    return Found(
        total, total, total, lines, rows=jsonable(rows), source_ids=list(rows["source_id"]), scale_reference=total
    )


EVALUATORS: dict[str, Callable[[Context, Claim], Found]] = {
    "market_cap": _market_cap,
    "valuation_ratio": _valuation_ratio,
    "deal_amount": lambda ctx, claim: _deal(ctx, claim, "amount_usd", "USD"),
    "deal_capacity": lambda ctx, claim: _deal(ctx, claim, "capacity_gw", "GW"),
    "accelerators_for_power": _accelerators_for_power,
    "market_share": _market_share,
    "hhi": _hhi,
    "bill_count": _bill_count,
    "committee_money": _committee_money,
}


# ------------------------------------------------------------------------------------------------ verdict


def verdict(claim: Claim, found: Found) -> tuple[str, str]:
    """(verdict, reason) for a claim and what the data says (see the module docstring for the rules)."""
    family = METRICS[claim.metric][0]
    if claim.family != family:
        return "implausible unit", f"{claim.metric} is measured in {family}; the claim gives {claim.unit}"
    low, high = claim.base()
    reference = found.scale_reference
    if reference is not None and reference > 0 and low > 0:
        factor = math.sqrt(low * high) / reference
        if factor >= SCALE_FACTOR or factor <= 1 / SCALE_FACTOR:
            return "implausible unit", (
                f"the claimed value is {factor:,.3g} times the sourced figure "
                f"({_short(reference)}): a scale word or unit is wrong"
            )
    if not found.has_value:
        return "no data", found.evidence[0] if found.evidence else "nothing in the data answers this claim"
    tol = claim.tolerance if claim.tolerance is not None else DEFAULT_TOLERANCE[claim.qualifier]
    f_low, f_mid, f_high = (float(v) for v in (found.low, found.central, found.high))  # type: ignore[arg-type]
    value = low
    if claim.qualifier == "exactly" or claim.qualifier == "about":
        ok = f_low <= value * (1 + tol) and f_high >= value * (1 - tol)
        rule = f"{claim.qualifier}: found within ±{tol:.0%} of {_short(value)}"
    elif claim.qualifier == "nearly":
        ok = value * (1 - tol) <= f_mid <= value * 1.01
        rule = f"nearly {_short(value)}: found between {_short(value * (1 - tol))} and {_short(value * 1.01)}"
    elif claim.qualifier == "at_least":
        ok = f_high >= value * (1 - tol)
        rule = f"at least {_short(value)}: the largest figure found is {_short(f_high)}"
    elif claim.qualifier == "up_to":
        cap = found.cap
        ok = (cap is not None and abs(cap - value) <= tol * value) or (cap is None and f_high <= value * (1 + tol))
        rule = f"up to {_short(value)}: " + (
            f"published cap {_short(cap)}" if cap is not None else f"published amount {_short(f_high)}"
        )
    else:
        ok = f_low <= high and f_high >= low
        rule = f"range {_short(low)}–{_short(high)} against {_short(f_low)}–{_short(f_high)} found"
    return ("supported" if ok else "contradicted"), rule


def check_claims(store: Store | Context, claims: ClaimsFile) -> list[ClaimResult]:
    """Check every claim of a parsed file against the store's data and the models."""
    ctx = store if isinstance(store, Context) else Context(store)
    results = []
    for claim in claims.claims:
        found = EVALUATORS[claim.metric](ctx, claim)
        decided, reason = verdict(claim, found)
        results.append(ClaimResult(claim, decided, found, reason, ctx.cited(found.source_ids)))
    return results
