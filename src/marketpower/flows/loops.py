"""Circular money flows: every directed cycle of money edges up to a length bound, within a time window.

Semantics. An edge ``payer -> payee`` carries money (an investment, a credit, a purchase). A *loop* is a simple
directed cycle of such edges: money that leaves a firm returns to it through one or more other firms. Parallel
deals between two firms are distinct edges, so two cycles through the same firms but different deals are two
loops. With a window of ``W`` days, a loop counts only when all its legs were announced within ``W`` days of
each other (``max(date) − min(date) ≤ W``); legs need not be in date order (commitments are announced together).

Algorithm (``find_cycles``). Johnson-style canonical start: each cycle is found once, from its node of lowest
rank, where nodes are ranked by total degree, highest first, so the hubs are searched first and then removed,
and the remaining graph thins out quickly. From each start ``s`` a depth-first search walks only edges to nodes
ranked after ``s``, inside the time window of the path so far, and only to nodes that can still get back to
``s`` in the remaining number of steps (a backward breadth-first search from ``s`` of a few steps gives exact
distances near ``s``; nodes outside that ball are at least one step farther).
Cost is about the number of loops times their length plus, per start, the ball that can reach it. The search
itself (:mod:`.loops_kernel`) runs compiled by Numba from ``COMPILED_MIN_EDGES`` edges, and interpreted on
smaller webs, which would not repay Numba's load: the same function, the same loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import InvalidInputError
from ..schema.deals import CEILING_BASES

IntArray = NDArray[np.int64]
DEFAULT_MAX_LEN = 6
UNREACHABLE = np.iinfo(np.int64).max // 4
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Cycles:
    """Cycles as edge indices: cycle ``c`` is ``edges[offsets[c]:offsets[c + 1]]``, legs in flow order."""

    offsets: IntArray
    edges: IntArray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, c: int) -> list[int]:
        return [int(e) for e in self.edges[self.offsets[c] : self.offsets[c + 1]]]

    def lengths(self) -> IntArray:
        return np.diff(self.offsets)


def _check(src: IntArray, dst: IntArray, days: IntArray, max_len: int, window_days: int | None) -> None:
    if not (len(src) == len(dst) == len(days)):
        raise InvalidInputError("src, dst and days must have the same length (one entry per money edge)")
    if max_len < 1:
        raise InvalidInputError(f"max_len = {max_len}: the longest loop to look for must be at least 1 leg")
    if window_days is not None and window_days < 0:
        raise InvalidInputError(f"window_days = {window_days}: a time window cannot be negative")
    if len(src) and (min(src.min(), dst.min()) < 0):
        raise InvalidInputError("node indices must be >= 0")


def _csr(keys: IntArray, n: int) -> IntArray:
    """Row pointers of edges grouped by ``keys`` (the edges already sorted by key)."""
    counts = np.bincount(keys, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr


def find_cycles(
    src: IntArray, dst: IntArray, days: IntArray, max_len: int = DEFAULT_MAX_LEN, window_days: int | None = None
) -> Cycles:
    """Every simple directed cycle of at most ``max_len`` edges whose edge dates span at most ``window_days``.

    ``src[e] -> dst[e]`` is money edge ``e`` dated ``days[e]`` (any integer day count). Self-loops are ignored.
    Returns the cycles as edge indices (see :class:`Cycles`)."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    _check(src, dst, days, max_len, window_days)
    if len(src) == 0:
        return Cycles(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64))
    n = int(max(src.max(), dst.max())) + 1
    keep = np.flatnonzero(src != dst)
    degree = np.bincount(src[keep], minlength=n) + np.bincount(dst[keep], minlength=n)
    by_degree = np.argsort(-degree, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[by_degree] = np.arange(n)
    rsrc, rdst = rank[src[keep]], rank[dst[keep]]
    window = UNREACHABLE if window_days is None else int(window_days)

    # Forward adjacency by rank, each node's edges sorted by date (for the window bisection).
    out_order = keep[np.lexsort((days[keep], rsrc))]
    out_ptr = _csr(rank[src[out_order]], n)
    out_nbr = rank[dst[out_order]]
    out_day = np.ascontiguousarray(days[out_order])
    out_edge = out_order.astype(np.int64)
    # Backward adjacency by rank (for the distance bound), as arrays for vectorised BFS.
    in_order = keep[np.argsort(rdst, kind="stable")]
    in_ptr = _csr(rank[dst[in_order]], n)
    in_nbr = rank[src[in_order]]
    # A start can only close a loop if it has an edge to and an edge from a later-ranked node.
    max_out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(max_out, rsrc, rdst)
    max_in = np.full(n, -1, dtype=np.int64)
    np.maximum.at(max_in, rdst, rsrc)

    from .loops_kernel import search_cycles  # Numba: loaded when loops are searched

    offsets, found = search_cycles(
        out_ptr, out_nbr, out_day, out_edge, in_ptr, in_nbr, max_out, max_in, max_len, window, window < UNREACHABLE
    )
    return Cycles(offsets, found)


def loops_table(
    edges: pd.DataFrame,
    max_len: int = DEFAULT_MAX_LEN,
    window_days: int | None = None,
    min_usd: float | None = None,
) -> pd.DataFrame:
    """Money loops of a money-edge table (from :func:`marketpower.flows.network.money_edges`), ranked.

    One row per loop: ``firms`` (in flow order, first firm repeated at the end), ``legs`` (list of dicts:
    deal id, payer, payee (and ``payer_legal_id``/``payee_legal_id`` when the edges carry them), kind,
    amount_usd, amount_basis, announced, status, source_id), ``round_trip_usd`` =
    the smallest leg amount (NaN when a leg has no published amount), ``smallest_known_leg_usd``,
    ``upper_bound`` (True when a leg counts an "up to" amount) and ``share_of_commitments``: for each firm, the
    round trip as a fraction of all money announced to it (its revenue and funding commitments).
    Ranked by round trip, then by smallest known leg, largest first; ``min_usd`` drops smaller or unknown ones."""
    if edges.empty:
        return _empty_loops()
    nodes = pd.Index(pd.unique(pd.concat([edges["payer_id"], edges["payee_id"]])))
    src = nodes.get_indexer(edges["payer_id"]).astype(np.int64)
    dst = nodes.get_indexer(edges["payee_id"]).astype(np.int64)
    days = (pd.to_datetime(edges["announced"]) - pd.Timestamp("1970-01-01")).dt.days.to_numpy().astype(np.int64)
    cycles = find_cycles(src, dst, days, max_len, window_days)
    received = edges.groupby("payee_id")["amount_usd"].sum(min_count=1)
    inflow = {str(f): float(v) for f, v in received.items() if pd.notna(v) and v > 0}
    records = edges.reset_index(drop=True)
    rows = []
    if len(cycles):
        # per-loop figures as segment reductions over the loops' edges (cycle c: edges[offsets[c]:offsets[c+1]])
        starts = cycles.offsets[:-1]
        amounts = records["amount_usd"].to_numpy(dtype=float)[cycles.edges]
        round_trips = np.minimum.reduceat(amounts, starts)  # NaN as soon as one leg has no amount
        smallest_known = np.fmin.reduceat(amounts, starts)  # NaN only when no leg has one
        ceiling = np.logical_or.reduceat(records["amount_basis"].isin(CEILING_BASES).to_numpy()[cycles.edges], starts)
        first_day = np.minimum.reduceat(days[cycles.edges], starts)
        last_day = np.maximum.reduceat(days[cycles.edges], starts)
        payers = records["payer_id"].tolist()
        day_text = {d: str(_EPOCH + timedelta(days=d)) for d in set(days.tolist())}  # ISO date of each day count
        legs_of_edge = _legs(records, [day_text[d] for d in days.tolist()])
        for c in range(len(cycles)):
            edge_ids = cycles[c]
            firms = [payers[e] for e in edge_ids]
            round_trip = float(round_trips[c])
            rows.append(
                {
                    "loop": c,
                    "length": len(edge_ids),
                    "firms": [*firms, firms[0]],
                    "round_trip_usd": round_trip,
                    "smallest_known_leg_usd": float(smallest_known[c]),
                    "upper_bound": bool(ceiling[c]),
                    "first_announced": day_text[int(first_day[c])],
                    "last_announced": day_text[int(last_day[c])],
                    "share_of_commitments": (
                        {} if np.isnan(round_trip) else {f: round_trip / inflow[f] for f in firms if f in inflow}
                    ),
                    "legs": [dict(legs_of_edge[e]) for e in edge_ids],
                }
            )
    table = pd.DataFrame(rows) if rows else _empty_loops()
    if min_usd is not None:
        table = table[table["round_trip_usd"] >= min_usd]
    table = table.sort_values(["round_trip_usd", "smallest_known_leg_usd"], ascending=False, na_position="last")
    return table.reset_index(drop=True).assign(rank=lambda t: np.arange(1, len(t) + 1))


def _legs(records: pd.DataFrame, announced: list[str]) -> list[dict[str, object]]:
    """One leg dict per money edge (row of ``records``, announced on the ISO date ``announced``), as loops show
    them."""
    legal = [k for k in ("payer_legal_id", "payee_legal_id") if k in records.columns]
    ids = {k: records[k].tolist() for k in ("deal_id", "payer_id", "payee_id", *legal, "kind")}
    amounts = [None if pd.isna(a) else float(a) for a in records["amount_usd"].tolist()]
    basis, status, source = (records[k].tolist() for k in ("amount_basis", "status", "source_id"))
    return [
        {
            **{k: values[e] for k, values in ids.items()},
            "amount_usd": amounts[e],
            "amount_basis": basis[e],
            "announced": announced[e],
            "status": status[e],
            "source_id": source[e],
        }
        for e in range(len(records))
    ]


def _empty_loops() -> pd.DataFrame:
    columns = [
        "loop",
        "length",
        "firms",
        "round_trip_usd",
        "smallest_known_leg_usd",
        "upper_bound",
        "first_announced",
        "last_announced",
        "share_of_commitments",
        "legs",
        "rank",
    ]
    return pd.DataFrame(columns=columns)
