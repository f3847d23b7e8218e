"""FEC queries written once in Ibis, over the Parquet files the FEC ingest writes (:mod:`marketpower.ingest.fec`:
the interchange format, one folder per kind and cycle, columns typed; amounts DECIMAL(14,2), so sums are exact
on every engine).

The rules are the ingest's: amendments resolved by :data:`marketpower.ingest.fec.AMENDMENT_RULE` (the row of the
latest ``file_num``, then ``sub_id``, per cycle, committee, report type, year of the transaction and transaction
id; rows without a transaction id all kept); memo rows (``memo_cd = 'X'``) repeat money itemised elsewhere and
are left out of every total. Independent expenditures keep the latest ``file_num``, then ``receipt_dat``, per
cycle, spender and transaction id. Results are sorted so that two engines give the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..ingest.fec import MEMO_CODE, _load_dir_path
from .session import Engine, _ibis


def store_parquet(con: duckdb.DuckDBPyConnection, kind: str, db: Path | None) -> list[str]:
    """The Parquet folders of every cycle of ``kind`` (``indiv``, ``ie``, ``webk``, ...) the store behind ``con``
    holds (from its ``fec_manifest``), for an engine to read; empty when the store holds none."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "fec_manifest" not in tables:
        return []
    rows = con.execute(
        "SELECT DISTINCT load_dir FROM fec_manifest WHERE kind = ? AND load_dir IS NOT NULL ORDER BY 1", [kind]
    ).fetchall()
    return [str(_load_dir_path(db, r[0])) for r in rows]


def current_itemized(rows: Any) -> Any:
    """Itemised rows (indiv, oth, pas2) with amendments resolved and ``counts_in_totals`` (false for memo rows)."""
    ibis = _ibis()
    window = ibis.window(
        group_by=[rows.cycle, rows.cmte_id, rows.rpt_tp, rows.transaction_dt.year(), rows.tran_id],
        order_by=[ibis.desc(rows.file_num, nulls_first=False), ibis.desc(rows.sub_id, nulls_first=False)],
    )
    ranked = rows.mutate(_version=ibis.row_number().over(window))
    kept = ranked.filter(ranked.tran_id.isnull() | (ranked._version == 0)).drop("_version")
    return kept.mutate(counts_in_totals=kept.memo_cd.fill_null("") != MEMO_CODE)


def current_ie(rows: Any) -> Any:
    """Independent-expenditure rows with amendments resolved (latest file_num, then receipt date)."""
    ibis = _ibis()
    window = ibis.window(
        group_by=[rows.cycle, rows.spe_id, rows.tran_id],
        order_by=[ibis.desc(rows.file_num, nulls_first=False), ibis.desc(rows.receipt_dat, nulls_first=False)],
    )
    ranked = rows.mutate(_version=ibis.row_number().over(window))
    return ranked.filter(ranked.tran_id.isnull() | (ranked._version == 0)).drop("_version")


def _counted(current: Any, committees: Sequence[str]) -> Any:
    return current.filter(current.cmte_id.isin(list(committees)) & current.counts_in_totals)


def _month(date: Any) -> Any:
    """'YYYY-MM' of a date, built from integers so both engines print it alike."""
    return date.year().cast("string") + "-" + date.month().cast("string").lpad(2, "0")


def receipts_by_donor(engine: Engine, current: Any, committee: str) -> pd.DataFrame:
    """Itemised receipts of one committee by donor name: ``donor, amount_usd, transactions`` (amounts exact
    decimals), largest first, then by name."""
    ibis = _ibis()
    rows = _counted(current, [committee])
    expr = rows.group_by(donor=rows.name).aggregate(
        amount_usd=ibis._.transaction_amt.sum(), transactions=ibis._.count()
    )
    return _sorted(engine.execute(expr), ["amount_usd", "donor"], [False, True])


def receipts_by_employer_month(engine: Engine, current: Any, committee: str) -> pd.DataFrame:
    """Itemised receipts of one committee by donor's employer and month: ``employer, month, amount_usd,
    transactions`` (rows without a date fall in month ``None``)."""
    ibis = _ibis()
    rows = _counted(current, [committee])
    expr = rows.group_by(employer=rows.employer, month=_month(rows.transaction_dt)).aggregate(
        amount_usd=ibis._.transaction_amt.sum(), transactions=ibis._.count()
    )
    return _sorted(engine.execute(expr), ["employer", "month"], [True, True])


def employer_candidates(engine: Engine, current: Any, committee: str) -> pd.DataFrame:
    """Donor linking's candidate generation: each distinct employer named in a committee's receipts with its
    total (``employer, amount_usd, transactions``); the names then go to
    :func:`marketpower.politics.linking.link_names` on the driver."""
    ibis = _ibis()
    rows = _counted(current, [committee]).filter(ibis._.employer.notnull())
    expr = rows.group_by("employer").aggregate(amount_usd=ibis._.transaction_amt.sum(), transactions=ibis._.count())
    return _sorted(engine.execute(expr), ["amount_usd", "employer"], [False, True])


def committees_timeline(engine: Engine, current: Any, committees: Sequence[str]) -> pd.DataFrame:
    """The AI committees' itemised receipts per month: ``committee_id, month, amount_usd, transactions``."""
    ibis = _ibis()
    rows = _counted(current, committees).filter(ibis._.transaction_dt.notnull())
    expr = rows.group_by(committee_id=rows.cmte_id, month=_month(rows.transaction_dt)).aggregate(
        amount_usd=ibis._.transaction_amt.sum(), transactions=ibis._.count()
    )
    return _sorted(engine.execute(expr), ["committee_id", "month"], [True, True])


def spending_by_race(engine: Engine, ie_current: Any, committee: str | None = None) -> pd.DataFrame:
    """Independent expenditures per race, candidate and support/oppose (of one spender, or all): ``state,
    office, district, cand_id, cand_name, sup_opp, amount_usd, expenditures``, largest first."""
    ibis = _ibis()
    rows = ie_current if committee is None else ie_current.filter(ie_current.spe_id == committee)
    expr = rows.group_by(
        state=rows.can_office_state, office=rows.can_office, district=rows.can_office_dis, cand_id=rows.cand_id,
        cand_name=rows.cand_name, sup_opp=rows.sup_opp,
    ).aggregate(amount_usd=ibis._.exp_amo.sum(), expenditures=ibis._.count())  # fmt: skip
    keys = ["amount_usd", "state", "office", "district", "cand_id", "cand_name", "sup_opp"]
    return _sorted(engine.execute(expr), keys, [False, *[True] * 6])


def summaries_by_committee_type(engine: Engine, webk: Any) -> pd.DataFrame:
    """The PAC and party summary (webk) per cycle, committee type and designation: ``cycle, cmte_tp, cmte_dsgn,
    committees, receipts_usd, disbursements_usd, cash_on_hand_usd, independent_expenditures_usd``."""
    ibis = _ibis()
    expr = webk.group_by(["cycle", "cmte_tp", "cmte_dsgn"]).aggregate(
        committees=ibis._.cmte_id.nunique(),
        receipts_usd=ibis._.ttl_receipts.sum(),
        disbursements_usd=ibis._.ttl_disb.sum(),
        cash_on_hand_usd=ibis._.coh_cop.sum(),
        independent_expenditures_usd=ibis._.ind_exp.sum(),
    )
    return _sorted(engine.execute(expr), ["cycle", "cmte_tp", "cmte_dsgn"], [True, True, True])


def committee_summaries(engine: Engine, webk: Any, cm: Any, committees: Sequence[str]) -> pd.DataFrame:
    """Each named committee's PAC summary with its name and connected organisation from the committee master:
    ``cmte_id, cmte_nm, connected_org_nm, cvg_end_dt, receipts_usd, disbursements_usd, cash_on_hand_usd``."""
    summary = webk.filter(webk.cmte_id.isin(list(committees))).select(
        "cmte_id", "cycle", "cvg_end_dt", receipts_usd="ttl_receipts", disbursements_usd="ttl_disb",
        cash_on_hand_usd="coh_cop",
    )  # fmt: skip
    names = cm.select("cmte_id", "cycle", "cmte_nm", "connected_org_nm")
    expr = summary.left_join(names, ["cmte_id", "cycle"]).select(
        "cmte_id", "cycle", "cmte_nm", "connected_org_nm", "cvg_end_dt", "receipts_usd", "disbursements_usd",
        "cash_on_hand_usd",
    )  # fmt: skip
    return _sorted(engine.execute(expr), ["cmte_id", "cycle", "cvg_end_dt"], [True, True, True])


def _sorted(frame: pd.DataFrame, keys: list[str], ascending: list[bool]) -> pd.DataFrame:
    """Rows in one order whatever the engine (missing keys last); count columns as int64."""
    for column in frame.columns:
        if column in ("transactions", "expenditures", "committees"):
            frame[column] = frame[column].astype("int64")
    return frame.sort_values(keys, ascending=ascending, na_position="last", kind="stable").reset_index(drop=True)
