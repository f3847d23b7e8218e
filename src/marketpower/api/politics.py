"""Political money and state AI bills: the committees of the AI fight, the money into one committee and over time
beside the policy timeline, bill counts and topics."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from ..politics.bills import latest_bill_counts as latest_counts
from ..politics.bills import summarize_bills, topics_by_year
from ..politics.linking import link_names
from ..politics.money import committee_money, committee_overview, receipts_by_donor, spending_by_race
from ..politics.money import money_timeline as committee_timeline
from ..politics.policy import policy_timeline
from .results import Result, Source, context_of


@dataclasses.dataclass(frozen=True)
class Committees(Result):
    """The AI-industry committees with sponsor, network, stance, pledged and reported money."""

    table: pd.DataFrame

    def payload(self) -> Any:
        return self.table


def committees(source: Source) -> Committees:
    """:func:`marketpower.politics.money.committee_overview` of the ``committees`` and ``committee_money`` tables."""
    ctx = context_of(source)
    return Committees(committee_overview(ctx.table("committees"), ctx.table("committee_money")))


@dataclasses.dataclass(frozen=True)
class CommitteeMoney(Result):
    """Money into one committee: the bundled pledges and filings, and the FEC receipts by donor and spending by
    race when the store holds ingested FEC data for the committee's FEC id."""

    committee_id: str
    bundled: pd.DataFrame
    fec_receipts_by_donor: Any = None
    fec_spending_by_race: Any = None

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"committee_id": self.committee_id, "bundled": self.bundled}
        for key in ("fec_receipts_by_donor", "fec_spending_by_race"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


def money(source: Source, committee_id: str) -> CommitteeMoney:
    """:func:`marketpower.politics.money.committee_money` of one committee, plus FEC itemised receipts
    (:func:`marketpower.politics.money.receipts_by_donor`, employers linked to entities) and independent
    expenditures (:func:`marketpower.politics.money.spending_by_race`) when ingested."""
    ctx = context_of(source)
    store = ctx.store
    rows = committee_money(ctx.table("committee_money"), committee_id)
    fec = store.frame("SELECT fec_id FROM committees WHERE id = ?", [committee_id])
    fec_id = fec["fec_id"].iloc[0] if not fec.empty else None
    receipts: Any = None
    spending: Any = None
    if fec_id and store.has_table("fec_indiv"):
        itemized = store.frame("SELECT * FROM fec_indiv_current WHERE cmte_id = ?", [fec_id])
        links = link_names(itemized["employer"], ctx.table("entities")) if not itemized.empty else None
        receipts = receipts_by_donor(itemized, links) if not itemized.empty else []
    if fec_id and store.has_table("fec_ie"):
        ie = store.frame("SELECT * FROM fec_ie_current WHERE spe_id = ?", [fec_id])
        spending = spending_by_race(ie) if not ie.empty else []
    return CommitteeMoney(committee_id, rows, receipts, spending)


@dataclasses.dataclass(frozen=True)
class BillsSummary(Result):
    """Published tracker counts of AI bills (bundled ``bill_counts``) and, when bills were ingested, the
    classified bills introduced and enacted per state and year."""

    published_counts: pd.DataFrame
    ingested: pd.DataFrame | None

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"published_counts": self.published_counts}
        if self.ingested is not None:
            out["ingested"] = self.ingested
        return out


def bills_summary(source: Source, year: int | None = None, state: str | None = None) -> BillsSummary:
    """AI bills for one year and/or state (:func:`marketpower.politics.bills.summarize_bills`)."""
    ctx = context_of(source)
    published = ctx.table("bill_counts")
    if year is not None:
        published = published[published["year"] == year]
    if state is not None:
        published = published[published["state"].isin([state.upper()])]
    ingested = ctx.ingested("bills")
    summary = summarize_bills(ingested, year=year, state=state) if ingested is not None else None
    return BillsSummary(published, summary)


def latest_bill_counts(source: Source) -> pd.DataFrame:
    """The latest published count of AI bills per tracker and state (:func:`marketpower.politics.bills.
    latest_bill_counts`; the ``bill_counts`` table as is when empty)."""
    counts = context_of(source).table("bill_counts")
    return latest_counts(counts) if len(counts) else counts


def bill_topics(source: Source) -> pd.DataFrame | None:
    """AI bills per year and topic of the ingested bills (:func:`marketpower.politics.bills.topics_by_year`), or
    None when the store holds none."""
    ingested = context_of(source).ingested("bills")
    return None if ingested is None or ingested.empty else topics_by_year(ingested)


@dataclasses.dataclass(frozen=True)
class MoneyTimeline(Result):
    """The committees' money by date (``timeline``: :func:`marketpower.politics.money.money_timeline`, pledges
    kept apart) and the federal preemption debate's dated steps beside it (``events``:
    :func:`marketpower.politics.policy.policy_timeline`)."""

    timeline: pd.DataFrame
    events: pd.DataFrame


def money_timeline(source: Source) -> MoneyTimeline:
    """Money of the AI political committees over time, with the policy events of the same period."""
    ctx = context_of(source)
    timeline = committee_timeline(ctx.table("committee_money"))
    events_table = ctx.table("policy_events")
    events = policy_timeline(events_table, timeline) if len(events_table) else pd.DataFrame()
    return MoneyTimeline(timeline, events)
