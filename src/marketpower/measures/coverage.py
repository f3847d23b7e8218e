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


def _missing_text(missing: list[dict[str, object]], names: dict[str, str]) -> str:
    return ", ".join(
        f"{names.get(str(m['entity_id']), m['entity_id'])} ({float(str(m['share'])):.0%} in {m['year']})"
        for m in missing
    )


def coverage_note(row: Mapping[str, Any], names: dict[str, str]) -> str:
    """Why a snapshot (a row of a concentration table joined with :func:`coverage_table`) gives no trend or
    headline, or "" when it does."""
    reasons = []
    if row["coverage_break"]:
        reasons.append(f"coverage break: no share for {_missing_text(row['missing_shares'], names)}")
    width = float(row["hhi_high"]) - float(row["hhi_low"])
    if width > HHI_RANGE_LIMIT:
        reasons.append(
            f"HHI range {row['hhi_low']:,.0f}-{row['hhi_high']:,.0f} is {width:,.0f} points wide "
            f"(limit {HHI_RANGE_LIMIT:,.0f})"
        )
    return "; ".join(reasons)


def leader_note(row: Mapping[str, Any], names: dict[str, str]) -> str:
    """Why a snapshot names no leader, or "" when its leader is known: a coverage break, or an unattributed
    remainder larger than the named leader's share when named firms hold under :data:`NAMED_SHARE_LIMIT`."""
    if row["coverage_break"]:
        return f"coverage break: no share for {_missing_text(row['missing_shares'], names)}"
    leader_share = row["leader_share"]
    others = float(row["others_share"])
    if (
        float(row["named_share"]) < NAMED_SHARE_LIMIT
        and not is_empty(leader_share)
        and others > float(leader_share)
    ):
        return (
            f"named firms hold {float(row['named_share']):.0%}; the unattributed {others:.0%} could hold a firm "
            f"larger than {names.get(str(row['leader_id']), row['leader_id'])}'s {float(leader_share):.0%}"
        )
    return ""


def with_coverage(
    table: list[dict[str, Any]], coverage: list[dict[str, Any]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Rows of a concentration table (:func:`marketpower.measures.markets.concentration_rows`) with their
    coverage columns (:func:`coverage_rows`, matched on :data:`KEYS`), ``headline_note`` (why no trend or
    headline may be read from the row, "" when one may) and ``leader_note``; the leader columns are emptied where
    ``leader_note`` is set."""
    coverage_of = {keys_of(row): row for row in coverage}
    out = []
    for row in table:
        joined = {**row, **{c: v for c, v in coverage_of[keys_of(row)].items() if c not in KEYS}}
        joined["headline_note"] = coverage_note(joined, names)
        joined["leader_note"] = leader_note(joined, names)
        if joined["leader_note"]:
            joined.update(leader_id=None, leader=None, leader_share=None)
        out.append(joined)
    return out
