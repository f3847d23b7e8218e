"""Races where the AI committees spent, the state grid (AI bills next to AI-committee money per state), a firm's
political money in one place, and the reconciliation checks on bundled sums.

Pure functions over DataFrames of the bundled tables (``independent_expenditures``, ``races``, ``committees``,
``committee_money``, ``lobbying``, ``state_bill_counts``, ``policy_events``). Pledges never enter a spending sum:
``independent_expenditures`` holds only money reported as spent, and ``committee_money`` rows with
``is_pledge`` true are kept in their own columns.
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import InvalidInputError

RACE_KEYS = ["state", "office", "district", "election", "election_date"]
CANDIDATE_KEYS = [*RACE_KEYS, "candidate"]


def _state_code(state: str) -> str:
    code = state.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise InvalidInputError(f"--state {state!r}: give a two-letter state code such as NY")
    return code


def _known_committee(committees: pd.DataFrame, committee_id: str) -> None:
    if committee_id not in set(committees["id"]):
        known = ", ".join(sorted(committees["id"]))
        raise InvalidInputError(
            f"--committee {committee_id!r}: no such committee in committees.csv; known ids: {known}"
        )


def _district(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str)


def race_spending(
    spending: pd.DataFrame,
    races: pd.DataFrame,
    committees: pd.DataFrame,
    state: str | None = None,
    committee_id: str | None = None,
) -> pd.DataFrame:
    """Every candidate of every race where an AI committee spent: ``state, office, district, election,
    election_date, candidate, party, committee_id, committee_name, stance, support_usd, oppose_usd,
    qualifiers, spending_sources, result, vote_share, result_source``.

    One row per candidate and committee; ``support_usd`` / ``oppose_usd`` sum that committee's reported
    independent expenditures for / against the candidate (blank when none is quantified). ``qualifiers`` lists
    the qualifiers of the summed rows other than ``exact`` ("about" figures make the sum approximate).
    ``result`` comes from ``races`` (blank until a result is bundled). Sorted by election date, state, office,
    district, then most money first."""
    rows = spending.copy()
    if state is not None:
        rows = rows[rows["state"] == _state_code(state)]
    if committee_id is not None:
        _known_committee(committees, committee_id)
        rows = rows[rows["committee_id"] == committee_id]
    columns = [
        *CANDIDATE_KEYS,
        "party",
        "committee_id",
        "committee_name",
        "stance",
        "support_usd",
        "oppose_usd",
        "qualifiers",
        "spending_sources",
        "result",
        "vote_share",
        "result_source",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["district"] = _district(rows["district"])
    rows["election_date"] = pd.to_datetime(rows["election_date"]).dt.date
    keys = [*CANDIDATE_KEYS, "committee_id"]
    out = rows.groupby(keys, dropna=False).agg(
        party=("party", "first"),
        qualifiers=("qualifier", lambda q: ", ".join(sorted({str(v) for v in q.dropna() if v != "exact"}))),
        spending_sources=("source_id", lambda s: ", ".join(sorted(set(s)))),
    )
    for side in ("support", "oppose"):
        part = rows[rows["support_oppose"] == side].groupby(keys, dropna=False)["amount_usd"].sum(min_count=1)
        out[f"{side}_usd"] = part
    out = out.reset_index()
    names = committees.set_index("id")
    out["committee_name"] = out["committee_id"].map(names["name"])
    out["stance"] = out["committee_id"].map(names["stance"])
    results = races.copy()
    if not results.empty:
        results["district"] = _district(results["district"])
        results["election_date"] = pd.to_datetime(results["election_date"]).dt.date
        results = results.rename(columns={"source_id": "result_source"})[
            [*CANDIDATE_KEYS, "result", "vote_share", "result_source"]
        ]
        out = out.merge(results, on=CANDIDATE_KEYS, how="left")
    else:
        out = out.assign(result=None, vote_share=None, result_source=None)
    out["_money"] = out[["support_usd", "oppose_usd"]].sum(axis=1, min_count=1).fillna(0)
    out = out.sort_values(["election_date", "state", "office", "district", "_money"], ascending=[True] * 4 + [False])
    return out.reset_index(drop=True)[columns]


def race_candidates(races: pd.DataFrame, spending_rows: pd.DataFrame) -> pd.DataFrame:
    """Candidates of the races in ``spending_rows`` (from :func:`race_spending`) that no AI committee spent on
    (their opponents), so a race lists its whole field as bundled: ``state ... candidate, party, result,
    vote_share, result_source``."""
    if races.empty or spending_rows.empty:
        return pd.DataFrame(columns=[*CANDIDATE_KEYS, "party", "result", "vote_share", "result_source"])
    results = races.copy()
    results["district"] = _district(results["district"])
    results["election_date"] = pd.to_datetime(results["election_date"]).dt.date
    in_races = results.merge(spending_rows[RACE_KEYS].drop_duplicates(), on=RACE_KEYS)
    spent_on = set(map(tuple, spending_rows[CANDIDATE_KEYS].to_numpy()))
    others = in_races[[tuple(r) not in spent_on for r in in_races[CANDIDATE_KEYS].to_numpy()]]
    return others.rename(columns={"source_id": "result_source"})[
        [*CANDIDATE_KEYS, "party", "result", "vote_share", "result_source"]
    ].reset_index(drop=True)


def state_grid(
    state_counts: pd.DataFrame,
    spending: pd.DataFrame,
    committees: pd.DataFrame,
    money: pd.DataFrame,
    year: int | None = None,
) -> pd.DataFrame:
    """AI bills next to AI-committee money per state: ``state, introduced, enacted, ie_support_usd,
    ie_oppose_usd, state_committee_receipts_usd, state_committees, classifier_version, precision``.

    Bills are the classifier's counts (``state_bill_counts``) for ``year`` or, when None, summed over all years.
    ``ie_*`` sum the independent expenditures in races of that state; ``state_committee_receipts_usd`` sums the
    latest reported (never pledged) receipts of committees registered in that state (``jurisdiction``), counted
    once per committee; ``state_committees`` names them. Sorted by introduced bills, most first."""
    counts = state_counts if year is None else state_counts[state_counts["year"] == year]
    bills = counts.groupby("state")[["introduced", "enacted"]].sum()
    meta = counts.groupby("state")[["classifier_version", "precision"]].first()
    out = bills.join(meta)
    for side in ("support", "oppose"):
        part = spending[spending["support_oppose"] == side].groupby("state")["amount_usd"].sum(min_count=1)
        out = out.join(part.rename(f"ie_{side}_usd"), how="outer")
    local = committees[committees["jurisdiction"] != "US"]
    reported = money[
        (money["kind"] == "receipts")
        & (~money["is_pledge"].astype(str).str.lower().isin(["true", "1"]))
        & money["committee_id"].isin(local["id"])
    ].copy()
    reported["period_end"] = pd.to_datetime(reported["period_end"])
    latest = reported.sort_values("period_end").groupby(["committee_id", "donor_id"], dropna=False).tail(1)
    jurisdiction = local.set_index("id")["jurisdiction"]
    latest = latest.assign(state=latest["committee_id"].map(jurisdiction))
    out = out.join(latest.groupby("state")["amount_usd"].sum(min_count=1).rename("state_committee_receipts_usd"),
                   how="outer")
    out = out.join(local.groupby("jurisdiction")["id"].agg(lambda s: ", ".join(sorted(s))).rename("state_committees"),
                   how="outer")
    out.index.name = "state"
    out[["introduced", "enacted"]] = out[["introduced", "enacted"]].fillna(0).astype(int)
    return out.reset_index().sort_values(["introduced", "state"], ascending=[False, True]).reset_index(drop=True)[
        [
            "state",
            "introduced",
            "enacted",
            "ie_support_usd",
            "ie_oppose_usd",
            "state_committee_receipts_usd",
            "state_committees",
            "classifier_version",
            "precision",
        ]
    ]


def firm_money(
    entity_id: str,
    entities: pd.DataFrame,
    committees: pd.DataFrame,
    money: pd.DataFrame,
    lobbying: pd.DataFrame,
    positions: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """A firm's political money in one place: ``committees`` it sponsors (``sponsor_id``), ``contributions`` it
    or its people gave or pledged to committees (``committee_money`` rows with ``donor_id`` = the firm or an
    entity whose ``parent_id`` is the firm; pledges keep ``is_pledge``), ``lobbying`` by year and quarter, and
    the ``positions`` on preemption stated by the firm, its people or its committees (``policy_positions``).

    Raises :class:`InvalidInputError` naming the known firms when ``entity_id`` is not an entity."""
    if entity_id not in set(entities["id"]):
        firms = sorted(
            set(lobbying["entity_id"]) | set(committees["sponsor_id"].dropna()) | set(money["donor_id"].dropna())
        )
        raise InvalidInputError(
            f"ENTITY {entity_id!r}: no such entity in entities.csv; firms with political money: {', '.join(firms)}"
        )
    people = set(entities.loc[entities["parent_id"] == entity_id, "id"]) | {entity_id}
    sponsored = committees[committees["sponsor_id"] == entity_id][
        ["id", "name", "kind", "jurisdiction", "fec_id", "network", "stance", "source_id"]
    ].reset_index(drop=True)
    given = money[money["donor_id"].isin(people)][
        [
            "committee_id",
            "donor_id",
            "kind",
            "period_start",
            "period_end",
            "amount_usd",
            "qualifier",
            "is_pledge",
            "basis",
            "source_id",
        ]
    ].sort_values(["period_end", "committee_id"]).reset_index(drop=True)
    lobby = lobbying[lobbying["entity_id"] == entity_id][
        ["jurisdiction", "year", "period", "amount_usd", "qualifier", "lobbyists", "source_id", "note"]
    ]
    lobby = lobby.sort_values(["jurisdiction", "year", "period"], na_position="first").reset_index(drop=True)
    columns = ["entity_id", "date", "event_id", "position", "statement", "source_id"]
    stated = pd.DataFrame(columns=columns) if positions is None else positions
    stated = stated[stated["entity_id"].isin(people | set(sponsored["id"]))][columns]
    return {
        "committees": sponsored,
        "contributions": given,
        "lobbying": lobby,
        "positions": stated.sort_values("date").reset_index(drop=True),
    }


def reconcile_periods(
    money: pd.DataFrame, committee_id: str, kind: str = "receipts", rel: float = 1e-9
) -> pd.DataFrame:
    """For each reported (not pledged) ``kind`` row of a committee whose period covers other rows of the same
    committee, scope, kind and donor, the sum of the covered rows beside it: ``period_start, period_end,
    reported_usd, periods_usd, periods, difference_usd, reconciles`` (``reconciles``: |difference| <= rel *
    reported). Covered rows are those wholly inside the covering row's period; a covering row with no
    covered row is not listed."""
    rows = money[
        (money["committee_id"] == committee_id)
        & (money["kind"] == kind)
        & ~money["is_pledge"].astype(str).str.lower().isin(["true", "1"])
        & money["period_start"].notna()
        & money["amount_usd"].notna()
    ].copy()
    rows["start"] = pd.to_datetime(rows["period_start"])
    rows["end"] = pd.to_datetime(rows["period_end"])
    rows["donor_id"] = rows["donor_id"].fillna("")
    out = []
    for _, total in rows.iterrows():
        inside = rows[
            (rows["scope"] == total["scope"])
            & (rows["donor_id"] == total["donor_id"])
            & (rows["start"] >= total["start"])
            & (rows["end"] <= total["end"])
            & ~((rows["start"] == total["start"]) & (rows["end"] == total["end"]))
        ]
        if inside.empty:
            continue
        parts = float(inside["amount_usd"].sum())
        difference = parts - float(total["amount_usd"])
        out.append(
            {
                "period_start": total["start"].date(),
                "period_end": total["end"].date(),
                "reported_usd": float(total["amount_usd"]),
                "periods_usd": parts,
                "periods": len(inside),
                "difference_usd": difference,
                "reconciles": abs(difference) <= rel * abs(float(total["amount_usd"])),
            }
        )
    columns = ["period_start", "period_end", "reported_usd", "periods_usd", "periods", "difference_usd", "reconciles"]
    return pd.DataFrame(out, columns=columns)


def ie_by_candidate(spending: pd.DataFrame, committee_id: str) -> pd.DataFrame:
    """A committee's independent expenditures summed per candidate and side: ``state, office, district,
    candidate, support_oppose, amount_usd, rows`` (the parts a reported IE total must add up to)."""
    rows = spending[spending["committee_id"] == committee_id].copy()
    rows["district"] = _district(rows["district"])
    out = rows.groupby(["state", "office", "district", "candidate", "support_oppose"])["amount_usd"].agg(
        ["sum", "count"]
    )
    return out.reset_index().rename(columns={"sum": "amount_usd", "count": "rows"})


#: Relative slack for quarters against a year's total when either figure is rounded ("about", "more than").
ROUNDED_SLACK = 0.01


def reconcile_lobbying(lobbying: pd.DataFrame) -> pd.DataFrame:
    """For each firm, jurisdiction and year with both a full-year figure and quarterly figures: ``entity_id,
    jurisdiction, year, annual_usd, quarters_usd, quarters, difference_usd, consistent, complete``.

    ``difference_usd`` = quarters - annual. ``consistent``: the quarters do not exceed the year (by more than
    :data:`ROUNDED_SLACK` of the year when a figure is not exact); with all four quarters (``complete``) they
    must also reach it within that slack. Several full-year rows of one year are an error of the table."""
    rows = lobbying.copy()
    rows["period"] = rows["period"].fillna("")
    rows["rounded"] = rows["qualifier"].fillna("exact") != "exact"
    keys = ["entity_id", "jurisdiction", "year"]
    annual = rows[rows["period"] == ""]
    repeated = annual[annual.duplicated(keys, keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        raise InvalidInputError(
            f"lobbying.csv: {first['entity_id']} {first['jurisdiction']} {first['year']} has "
            f"{int((repeated[keys] == first[keys]).all(axis=1).sum())} full-year rows: keep one number per year"
        )
    quarters = rows[rows["period"] != ""].groupby(keys).agg(
        quarters_usd=("amount_usd", "sum"), quarters=("period", "nunique"), rounded_q=("rounded", "any")
    )
    out = annual.set_index(keys)[["amount_usd", "rounded"]].rename(columns={"amount_usd": "annual_usd"})
    out = out.join(quarters, how="inner")
    out["difference_usd"] = out["quarters_usd"] - out["annual_usd"]
    slack = (out["rounded"] | out["rounded_q"]) * ROUNDED_SLACK * out["annual_usd"]
    out["complete"] = out["quarters"] == 4
    out["consistent"] = (out["difference_usd"] <= slack) & (~out["complete"] | (out["difference_usd"] >= -slack))
    columns = ["annual_usd", "quarters_usd", "quarters", "difference_usd", "consistent", "complete"]
    return out.reset_index()[[*keys, *columns]]
