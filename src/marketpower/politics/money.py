"""Money of political committees: bundled facts (pledges vs reported money) and FEC itemised records.

Pure functions over DataFrames. Pledges (``is_pledge``) and reported money are never added together.
"""

from __future__ import annotations

import pandas as pd

from ..errors import InvalidInputError

MONEY_KINDS = ("commitment", "receipts", "spending", "cash_on_hand")


def committee_overview(committees: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """One row per committee: identity plus the latest figure of each money kind for the committee alone
    (``<kind>_usd``) and for its network (``network_<kind>_usd``); ``pledge_unquantified`` flags pledges
    published without a figure. Latest = the row with the latest ``period_end`` per (kind, scope, donor),
    a filed figure before an announced or press-reported one of the same date, then summed across donors."""
    frame = money.copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["donor_id"] = frame["donor_id"].fillna("")
    frame["_filed"] = (frame["basis"] == "filing") if "basis" in frame else False
    latest = frame.sort_values(["period_end", "_filed"], kind="stable")
    latest = latest.groupby(["committee_id", "scope", "kind", "donor_id"]).tail(1)
    totals = latest.groupby(["committee_id", "scope", "kind"])["amount_usd"].sum(min_count=1).reset_index()
    out = committees[["id", "name", "kind", "jurisdiction", "network", "sponsor_id", "stance"]].copy()
    for scope, prefix in (("committee", ""), ("network", "network_")):
        for kind in MONEY_KINDS:
            part = totals[(totals["scope"] == scope) & (totals["kind"] == kind)]
            out[f"{prefix}{kind}_usd"] = out["id"].map(dict(zip(part["committee_id"], part["amount_usd"], strict=True)))
    unquantified = set(frame.loc[frame["qualifier"] == "unquantified", "committee_id"])
    out["pledge_unquantified"] = out["id"].isin(unquantified)
    return out.rename(columns={"kind": "committee_kind"})


def committee_money(money: pd.DataFrame, committee_id: str) -> pd.DataFrame:
    """Every bundled money row of one committee, pledges first, then by date."""
    rows = money[money["committee_id"] == committee_id]
    if rows.empty:
        raise InvalidInputError(f"COMMITTEE {committee_id!r}: no money rows; see `marketpower politics committees`")
    return rows.sort_values(["is_pledge", "period_end"], ascending=[False, True]).reset_index(drop=True)


def receipts_by_donor(itemized: pd.DataFrame, links: pd.DataFrame | None = None) -> pd.DataFrame:
    """FEC itemised receipts of a committee by donor: ``donor, entity_id, amount_usd, transactions``.

    ``itemized`` holds rows of ``fec_indiv_current`` / ``fec_oth_current`` for one committee (columns ``name``,
    ``transaction_amt``, ``counts_in_totals``); memo rows (``counts_in_totals`` false) are left out so nothing is
    counted twice. ``links`` (from :func:`marketpower.politics.linking.link_names`) adds the linked entity.
    """
    rows = itemized[itemized["counts_in_totals"].astype(bool)]
    out = (
        rows.groupby("name")["transaction_amt"]
        .agg(["sum", "count"])
        .reset_index()
        .rename(columns={"name": "donor", "sum": "amount_usd", "count": "transactions"})
    )
    out["amount_usd"] = out["amount_usd"].astype(float)
    if links is not None and not links.empty:
        linked = links[links["decision"] == "linked"].set_index("name")["entity_id"]
        out["entity_id"] = out["donor"].map(linked)
    else:
        out["entity_id"] = None
    return out.sort_values("amount_usd", ascending=False).reset_index(drop=True)[
        ["donor", "entity_id", "amount_usd", "transactions"]
    ]


def receipts_over_time(itemized: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Itemised receipts (memo rows left out) summed per period (``M`` months, ``Q`` quarters)."""
    rows = itemized[itemized["counts_in_totals"].astype(bool) & itemized["transaction_dt"].notna()].copy()
    rows["period"] = pd.to_datetime(rows["transaction_dt"]).dt.to_period(freq).astype(str)
    out = rows.groupby("period")["transaction_amt"].agg(["sum", "count"]).reset_index()
    out.columns = ["period", "amount_usd", "transactions"]
    out["amount_usd"] = out["amount_usd"].astype(float)
    return out


def spending_by_race(ie: pd.DataFrame) -> pd.DataFrame:
    """Independent expenditures (amendments resolved, ``fec_ie_current``) per race, candidate and
    support/oppose: ``state, office, district, cand_id, cand_name, sup_opp, amount_usd, expenditures``."""
    keys = ["can_office_state", "can_office", "can_office_dis", "cand_id", "cand_name", "sup_opp"]
    out = ie.groupby(keys, dropna=False)["exp_amo"].agg(["sum", "count"]).reset_index()
    out = out.rename(
        columns={
            "can_office_state": "state",
            "can_office": "office",
            "can_office_dis": "district",
            "sum": "amount_usd",
            "count": "expenditures",
        }
    )
    out["amount_usd"] = out["amount_usd"].astype(float)
    return out.sort_values("amount_usd", ascending=False).reset_index(drop=True)


#: How a money row is published, for a timeline: pledges apart from each basis of reported money.
RECORD_KINDS = ("pledge", "filing", "announcement", "press_report")


def money_timeline(money: pd.DataFrame) -> pd.DataFrame:
    """Every bundled money row dated by ``period_end`` for a timeline: ``date, committee_id, scope, kind,
    donor_id, amount_usd, qualifier, record, source_id`` where ``record`` is ``pledge`` for a promise and
    otherwise the basis of the reported figure (``filing``, ``announcement``, ``press_report``). Rows published
    without a figure (``qualifier = unquantified``) keep an empty amount. Sorted by date, then committee."""
    for column in ("committee_id", "scope", "kind", "period_end", "amount_usd", "is_pledge", "basis", "source_id"):
        if column not in money:
            raise InvalidInputError(f"committee_money: column '{column}' is required")
    out = money.copy()
    out["date"] = pd.to_datetime(out["period_end"]).dt.date
    out["record"] = [
        "pledge" if str(p).strip().lower() in ("true", "1") else str(b)
        for p, b in zip(out["is_pledge"], out["basis"], strict=True)
    ]
    if "donor_id" not in out:
        out["donor_id"] = None
    if "qualifier" not in out:
        out["qualifier"] = None
    columns = ["date", "committee_id", "scope", "kind", "donor_id", "amount_usd", "qualifier", "record", "source_id"]
    return out.sort_values(["date", "committee_id", "kind"], kind="stable").reset_index(drop=True)[columns]
