"""Coverage of each market-year: how much of the market the sources attribute to named firms, which major firms
of nearby years are missing, and whether a leader, a trend or a headline can be read from it (pure functions
over DataFrames).

A snapshot (market, year, period, series) has a *coverage break* when a firm holding at least
:data:`MAJOR_SHARE` of the market in any snapshot within :data:`ADJACENT_YEARS` years has no row in it while its
unattributed remainder is at least :data:`MAJOR_SHARE`: that firm's share may then sit, unseen, in the remainder
(with no such remainder the firm has left the market). Its HHI is *too wide to headline* when
``hhi_high − hhi_low`` exceeds :data:`HHI_RANGE_LIMIT`. A leader is named only when there is no break and, when
named firms hold under half the market, no unattributed remainder larger than the leader's share (it could be
one firm bigger); a change in HHI only between two snapshots that both pass.

Each "no" comes as reasons (dictionaries with a ``code`` and their figures, :func:`headline_reasons`,
:func:`leader_reason`) and as an English note written from them (:func:`note_text`); front ends write the note
in their language from the reasons.

Tables are given as their columns (:data:`marketpower.measures.markets.Columns`), rows as dictionaries; the
DataFrame function is the same computation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..schema.market import OTHERS_ID
from .markets import KEYS, Columns, columns_of, float_array, group_positions, is_empty, keys_of, snapshot_keys

if TYPE_CHECKING:
    import pandas as pd

#: A firm with at least this share (fraction) of a market in some snapshot counts as a major firm of it.
MAJOR_SHARE = 0.10
#: Snapshots this many years apart or closer are "adjacent" when looking for missing major firms.
ADJACENT_YEARS = 2
#: Widest HHI range (points on 0-10,000) a trend or a headline is read from. A midpoint of a wider range can be
#: more than 1,000 points from the true HHI, more than the whole moderately concentrated band of the US 2010
#: guidelines (1,500-2,500).
HHI_RANGE_LIMIT = 2_000.0
#: Below this named share (fraction) the unattributed remainder is most of the market and, when larger than the
#: leader's share, could be one firm bigger than the leader.
NAMED_SHARE_LIMIT = 0.5

#: Columns of :func:`coverage_table`, in order.
COLUMNS = [*KEYS, "named_share", "missing_ids", "missing_shares", "coverage_break"]


def coverage_rows(shares: Columns) -> list[dict[str, Any]]:
    """Coverage of every (market, year, period, series) of a ``shares`` table (period and series as empty
    strings when absent), as rows with :data:`COLUMNS` in key order.

    ``named_share``: Σ over named firms (not ``others``) of the point share, or of ``share_low`` when only a range
    is published (fraction 0-1). ``missing_ids``: the major firms of adjacent snapshots with no row here, largest
    first; ``missing_shares``: for each, its largest share in those snapshots (fraction) and that year.
    """
    keys = snapshot_keys(shares)
    entity_ids = [str(e) for e in shares["entity_id"]]
    years = [key[1] for key in keys]
    point, low = float_array(shares["share"]), float_array(shares["share_low"])
    sizes = np.where(np.isnan(point), low, point)
    is_named = np.array(entity_ids, dtype=object) != OTHERS_ID
    majors: dict[str, list[int]] = {}  # market -> its rows of a named firm with a major share, in table order
    for i in np.flatnonzero(is_named & (sizes >= MAJOR_SHARE)).tolist():
        majors.setdefault(keys[i][0], []).append(i)
    out = []
    for (market_id, year, period, series), at in group_positions(keys):
        here = {entity_ids[i] for i in at.tolist()}
        named_share = float(np.nansum(sizes[at][is_named[at]]))
        nearby = []
        if round(1.0 - named_share, 9) >= MAJOR_SHARE:
            nearby = [
                i
                for i in majors.get(market_id, [])
                if abs(years[i] - year) <= ADJACENT_YEARS and entity_ids[i] not in here
            ]
        largest: dict[str, int] = {}  # each missing firm's largest share (then latest year), largest first
        for i in sorted(nearby, key=lambda i: (-sizes[i], -years[i])):
            largest.setdefault(entity_ids[i], i)
        out.append(
            {
                "market_id": market_id,
                "year": year,
                "period": period,
                "series": series,
                "named_share": round(named_share, 6),
                "missing_ids": list(largest),
                "missing_shares": [
                    {"entity_id": e, "share": round(float(sizes[i]), 6), "year": years[i]} for e, i in largest.items()
                ],
                "coverage_break": bool(largest),
            }
        )
    return out


def coverage_table(shares: pd.DataFrame) -> pd.DataFrame:
    """:func:`coverage_rows` of a shares DataFrame, as a DataFrame."""
    import pandas as pd

    return pd.DataFrame(coverage_rows(columns_of(shares)), columns=COLUMNS)


def headline_reasons(row: Mapping[str, Any], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Why a snapshot (a row of a concentration table joined with :func:`coverage_table`) gives no trend or
    headline, as reasons ([] when it does): ``{"code": "coverage_break", "missing": [{"entity_id", "name", "share"
    (fraction), "year"}]}`` and ``{"code": "hhi_range_too_wide", "hhi_low", "hhi_high", "width", "limit"}`` (HHI
    points on 0-10,000, ``width = hhi_high − hhi_low``, ``limit`` :data:`HHI_RANGE_LIMIT`)."""
    reasons = []
    if row["coverage_break"]:
        reasons.append(_coverage_break(row, names))
    width = float(row["hhi_high"]) - float(row["hhi_low"])
    if width > HHI_RANGE_LIMIT:
        reasons.append(
            {
                "code": "hhi_range_too_wide",
                "hhi_low": float(row["hhi_low"]),
                "hhi_high": float(row["hhi_high"]),
                "width": width,
                "limit": HHI_RANGE_LIMIT,
            }
        )
    return reasons


def leader_reason(row: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any] | None:
    """Why a snapshot names no leader, or None when its leader is known: a coverage break (as in
    :func:`headline_reasons`), or ``{"code": "unattributed_may_be_larger", "named_share", "others_share",
    "leader_id", "leader_name", "leader_share"}`` (fractions) when named firms hold under
    :data:`NAMED_SHARE_LIMIT` and the unattributed remainder is larger than the leader's share."""
    if row["coverage_break"]:
        return _coverage_break(row, names)
    leader_share = row["leader_share"]
    others = float(row["others_share"])
    if float(row["named_share"]) < NAMED_SHARE_LIMIT and not is_empty(leader_share) and others > float(leader_share):
        return {
            "code": "unattributed_may_be_larger",
            "named_share": float(row["named_share"]),
            "others_share": others,
            "leader_id": row["leader_id"],
            "leader_name": names.get(str(row["leader_id"]), row["leader_id"]),
            "leader_share": float(leader_share),
        }
    return None


def _coverage_break(row: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    missing = [
        {
            "entity_id": m["entity_id"],
            "name": names.get(str(m["entity_id"]), m["entity_id"]),
            "share": float(m["share"]),
            "year": m["year"],
        }
        for m in row["missing_shares"]
    ]
    return {"code": "coverage_break", "missing": missing}


#: Codes of the reasons :func:`headline_reasons` and :func:`leader_reason` give.
REASON_CODES = ("coverage_break", "hhi_range_too_wide", "unattributed_may_be_larger")


def reason_text(reason: Mapping[str, Any]) -> str:
    """One reason of :func:`headline_reasons` or :func:`leader_reason` in English."""
    if reason["code"] == "coverage_break":
        missing = ", ".join(f"{m['name']} ({m['share']:.0%} in {m['year']})" for m in reason["missing"])
        return f"coverage break: no share for {missing}"
    if reason["code"] == "hhi_range_too_wide":
        return (
            f"HHI range {reason['hhi_low']:,.0f}-{reason['hhi_high']:,.0f} is {reason['width']:,.0f} points wide "
            f"(limit {reason['limit']:,.0f})"
        )
    if reason["code"] == "unattributed_may_be_larger":
        return (
            f"named firms hold {reason['named_share']:.0%}; the unattributed {reason['others_share']:.0%} could hold "
            f"a firm larger than {reason['leader_name']}'s {reason['leader_share']:.0%}"
        )
    raise ValueError(f"coverage reason code {reason['code']!r}: not one of {', '.join(REASON_CODES)}")


def note_text(reasons: list[dict[str, Any]] | dict[str, Any] | None) -> str:
    """Reasons (a list of :func:`headline_reasons`, or :func:`leader_reason`'s one or None) as the English note
    of the ``headline_note`` and ``leader_note`` columns ("" for none)."""
    if reasons is None:
        return ""
    return "; ".join(reason_text(reason) for reason in ([reasons] if isinstance(reasons, dict) else reasons))


def with_coverage(
    table: list[dict[str, Any]], coverage: list[dict[str, Any]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Rows of a concentration table (:func:`marketpower.measures.markets.concentration_rows`) with their
    coverage columns (:func:`coverage_rows`, matched on :data:`KEYS`), ``headline_reasons`` (why no trend or
    headline may be read from the row, :func:`headline_reasons`) and ``leader_reason`` (:func:`leader_reason`),
    each with its English note (:func:`note_text`: ``headline_note``, "" when a headline may be read, and
    ``leader_note``); the leader columns are emptied where ``leader_note`` is set."""
    coverage_of = {keys_of(row): row for row in coverage}
    out = []
    for row in table:
        joined = {**row, **{c: v for c, v in coverage_of[keys_of(row)].items() if c not in KEYS}}
        reasons, leader = headline_reasons(joined, names), leader_reason(joined, names)
        joined.update(headline_note=note_text(reasons), leader_note=note_text(leader))
        joined.update(headline_reasons=reasons, leader_reason=leader)
        if joined["leader_note"]:
            joined.update(leader_id=None, leader=None, leader_share=None)
        out.append(joined)
    return out
