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
from ..politics.races import firm_money, race_candidates, race_spending
from ..politics.races import state_grid as grid_of_states
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
    #: With an engine: the committee's itemised receipts per month.
    fec_receipts_by_month: Any = None

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"committee_id": self.committee_id, "bundled": self.bundled}
        for key in ("fec_receipts_by_donor", "fec_spending_by_race", "fec_receipts_by_month"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


def money(
    source: Source, committee_id: str, engine: str | None = None, spark_master: str = "local[*]"
) -> CommitteeMoney:
    """:func:`marketpower.politics.money.committee_money` of one committee, plus FEC itemised receipts
    (:func:`marketpower.politics.money.receipts_by_donor`, employers linked to entities) and independent
    expenditures (:func:`marketpower.politics.money.spending_by_race`) when ingested. With ``engine`` (``duckdb``
    or ``spark`` on ``spark_master``) the FEC parts run as :mod:`marketpower.engines.fec` over the ingested
    Parquet (:func:`marketpower.api.scale.engine_money_parts`), adding the receipts per month."""
    ctx = context_of(source)
    store = ctx.store
    rows = committee_money(ctx.table("committee_money"), committee_id)
    fec = store.frame("SELECT fec_id FROM committees WHERE id = ?", [committee_id])
    fec_id = fec["fec_id"].iloc[0] if not fec.empty else None
    if engine is not None:
        from .scale import engine_money_parts

        parts = engine_money_parts(source, fec_id, engine, spark_master) if fec_id else (None, None, None)
        return CommitteeMoney(committee_id, rows, *parts)
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
    """AI bills per year and topic: of the ingested bills (:func:`marketpower.politics.bills.topics_by_year`) when
    the store holds some, else the bundled ``bill_topic_counts`` (the classifier's counts on the tracker export,
    with ``classifier_version`` and ``source_id``); None when neither has rows."""
    ctx = context_of(source)
    ingested = ctx.ingested("bills")
    if ingested is not None and not ingested.empty:
        return topics_by_year(ingested)
    return ctx.table("bill_topic_counts") if ctx.has_rows("bill_topic_counts") else None


@dataclasses.dataclass(frozen=True)
class MoneyTimeline(Result):
    """The committees' money by date (``timeline``: :func:`marketpower.politics.money.money_timeline`, pledges
    kept apart) and the federal preemption debate's dated steps beside it (``events``:
    :func:`marketpower.politics.policy.policy_timeline`)."""

    timeline: pd.DataFrame
    events: pd.DataFrame
    #: The races where an AI committee spent, dated by election (:func:`marketpower.politics.races.race_spending`).
    races: pd.DataFrame | None = None


def money_timeline(source: Source) -> MoneyTimeline:
    """Money of the AI political committees over time, with the policy events and the races of the same period."""
    ctx = context_of(source)
    timeline = committee_timeline(ctx.table("committee_money"))
    events_table = ctx.table("policy_events")
    events = policy_timeline(events_table, timeline) if len(events_table) else pd.DataFrame()
    spent = race_spending(ctx.table("independent_expenditures"), ctx.table("races"), ctx.table("committees"))
    return MoneyTimeline(timeline, events, spent)


@dataclasses.dataclass(frozen=True)
class Races(Result):
    """Every race where an AI committee spent: for and against each candidate per committee, the result once
    bundled, and the source of each figure (``spending``); the other candidates of those races (``field``)."""

    state: str | None
    committee_id: str | None
    spending: pd.DataFrame
    field: pd.DataFrame


def races(source: Source, state: str | None = None, committee_id: str | None = None) -> Races:
    """:func:`marketpower.politics.races.race_spending` of the bundled ``independent_expenditures`` and
    ``races``, optionally for one state and/or one committee."""
    ctx = context_of(source)
    results = ctx.table("races")
    spending = race_spending(ctx.table("independent_expenditures"), results, ctx.table("committees"), state,
                             committee_id)
    return Races(state.upper() if state else None, committee_id, spending, race_candidates(results, spending))


@dataclasses.dataclass(frozen=True)
class StateGrid(Result):
    """AI bills introduced and enacted per state (our classifier's counts, with its version and precision) next to
    AI-committee spending in races of that state and the receipts of committees registered there."""

    year: int | None
    grid: pd.DataFrame


def state_grid(source: Source, year: int | None = None) -> StateGrid:
    """:func:`marketpower.politics.races.state_grid` of the bundled tables."""
    ctx = context_of(source)
    grid = grid_of_states(
        ctx.table("state_bill_counts"),
        ctx.table("independent_expenditures"),
        ctx.table("committees"),
        ctx.table("committee_money"),
        year,
    )
    return StateGrid(year, grid)


@dataclasses.dataclass(frozen=True)
class FirmMoney(Result):
    """A firm's political money in one place: the committees it sponsors (its PAC included), what it and its
    people gave or pledged to committees, its lobbying by year and quarter, the races its committees spent in, and
    the positions on preemption it or its committees stated."""

    entity_id: str
    committees: pd.DataFrame
    contributions: pd.DataFrame
    lobbying: pd.DataFrame
    races: pd.DataFrame
    positions: pd.DataFrame


def firm(source: Source, entity_id: str) -> FirmMoney:
    """:func:`marketpower.politics.races.firm_money` of one entity, plus :func:`~marketpower.politics.races.
    race_spending` of the committees it sponsors."""
    ctx = context_of(source)
    committees_table = ctx.table("committees")
    parts = firm_money(entity_id, ctx.table("entities"), committees_table, ctx.table("committee_money"),
                       ctx.table("lobbying"), ctx.table("policy_positions"))
    spending = race_spending(ctx.table("independent_expenditures"), ctx.table("races"), committees_table)
    own = spending[spending["committee_id"].isin(parts["committees"]["id"])].reset_index(drop=True)
    return FirmMoney(
        entity_id, parts["committees"], parts["contributions"], parts["lobbying"], own, parts["positions"]
    )
