"""How unusual the money loops are: the web against degree-preserving random rewirings of itself.

Method (Milo et al., "Network motifs: simple building blocks of complex networks", Science 298, 2002). The web
is reduced to a simple directed graph of firms (parallel deals and self-loops merged away). Each random web
starts from it and performs ``swaps_per_edge · E`` edge swaps: pick two edges ``a -> b`` and ``c -> d`` at
random and rewire them to ``a -> d`` and ``c -> b`` unless that makes a self-loop or an edge already present.
Every firm keeps its number of payees and of payers, so a loop that shows up as often in the rewired webs
is explained by who deals with how many, not by a circular pattern. The swap chain has a symmetric proposal,
so its stationary distribution is uniform over the simple digraphs reachable with the same degrees.

Loop window. When the loops are counted within a window of ``W`` days (every leg announced within ``W`` days
of the others, :mod:`.loops`), the null model counts them the same way: each edge of the simple graph keeps the
announcement dates of the deals it merges (a swap moves an edge's payee, never its payer or its dates), and a
cycle of firms counts in a web, observed or rewired, when some choice of one deal per leg spans at most ``W``
days. So the windowed loops are scored against rewirings of the same windowed web, not of the whole one.

Scores:

* per loop, ``null_fraction``: the fraction of rewired webs in which the same directed cycle of firms
  (same firms, same order) is present, within the window when there is one (near 0 = unusual; 1 = forced by
  the degrees);
* per loop length ``L``: the observed number of directed cycles of ``L`` firms, the mean and standard
  deviation over the rewired webs, ``z = (observed − mean) / sd`` (NaN when sd = 0) and ``p`` = the fraction of
  rewired webs with at least as many cycles of that length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from .loops import find_cycles

DEFAULT_REWIRINGS = 200
DEFAULT_SEED = 2002
DEFAULT_SWAPS_PER_EDGE = 10


@dataclass(frozen=True)
class NullModel:
    """Loop counts of a web against its rewirings: ``by_length`` (length, observed, null_mean, null_sd, z, p)
    and ``cycle_fraction`` (firm cycle as a tuple, rotated to start at its smallest id -> fraction)."""

    rewirings: int
    seed: int
    swaps_per_edge: int
    by_length: pd.DataFrame
    cycle_fraction: dict[tuple[str, ...], float]
    window_days: int | None = None

    def method(self) -> str:
        window = (
            "" if self.window_days is None else
            f"; loops counted within {self.window_days} days, each rewired edge keeping its deals' dates"
        )
        return (
            f"{self.rewirings} degree-preserving rewirings (seed {self.seed}, {self.swaps_per_edge} swaps per "
            f"edge) of the simple directed graph of firms{window}; Milo et al. 2002"
        )


Node = TypeVar("Node", str, int)


def canonical_cycle(firms: Sequence[Node]) -> tuple[Node, ...]:
    """A cycle of firms (first firm not repeated) rotated to start at its smallest id."""
    k = min(range(len(firms)), key=lambda i: firms[i])
    return tuple(firms[k:]) + tuple(firms[:k])


def rewire(src: np.ndarray, dst: np.ndarray, swaps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``swaps`` attempted degree-preserving swaps of a simple digraph's edges (see module docstring)."""
    src, dst = src.copy(), dst.copy()
    m = len(src)
    if m < 2:
        return src, dst
    present = set(zip(src.tolist(), dst.tolist(), strict=True))
    picks = rng.integers(0, m, size=(swaps, 2))
    for i, j in picks.tolist():
        a, b, c, d = src[i], dst[i], src[j], dst[j]
        if i == j or a == d or c == b or (a, d) in present or (c, b) in present:
            continue
        present.difference_update(((a, b), (c, d)))
        present.update(((a, d), (c, b)))
        dst[i], dst[j] = d, b
    return src, dst


def _firm_cycles(
    src: np.ndarray, dst: np.ndarray, max_len: int, dates: list[list[int]] | None, window_days: int | None
) -> set[tuple[int, ...]]:
    """Directed cycles of firms (rotated to start at the smallest index) of the simple digraph ``src -> dst``;
    with a window, edge ``e`` stands for one deal on each day of ``dates[e]`` and a cycle counts when one deal
    per leg spans at most ``window_days`` days."""
    if window_days is None or dates is None:
        esrc, edst, edays = src, dst, np.zeros(len(src), dtype=np.int64)
    else:
        counts = np.array([len(d) for d in dates], dtype=np.int64)
        esrc, edst = np.repeat(src, counts), np.repeat(dst, counts)
        edays = np.array([day for d in dates for day in d], dtype=np.int64)
    cycles = find_cycles(esrc, edst, edays, max_len, window_days)
    found = set()
    for c in range(len(cycles)):
        firms = [int(esrc[e]) for e in cycles[c]]
        found.add(canonical_cycle(firms))
    return found


def null_model(
    payer_ids: Sequence[str],
    payee_ids: Sequence[str],
    loops: Sequence[Sequence[str]],
    max_len: int,
    rewirings: int = DEFAULT_REWIRINGS,
    seed: int = DEFAULT_SEED,
    swaps_per_edge: int = DEFAULT_SWAPS_PER_EDGE,
    *,
    announced: Sequence[date | str] | None = None,
    window_days: int | None = None,
) -> NullModel:
    """Score the cycles of the web ``payer_ids[e] -> payee_ids[e]`` against ``rewirings`` random rewirings.
    ``loops`` are the firm cycles to score (first firm not repeated at the end). With ``window_days``, cycles
    count only within that many days, edge ``e`` being announced on ``announced[e]`` (see the module
    docstring)."""
    if rewirings < 1:
        raise InvalidInputError(f"rewirings = {rewirings}: score against at least one rewired web")
    if swaps_per_edge < 1:
        raise InvalidInputError(f"swaps_per_edge = {swaps_per_edge}: at least one swap per edge")
    if window_days is not None and announced is None:
        raise InvalidInputError("a loop window needs the announcement date of every edge (announced)")
    days_of: dict[tuple[str, str], set[int]] = {}
    stamps = [0] * len(payer_ids) if announced is None else [
        int((pd.Timestamp(d) - pd.Timestamp("1970-01-01")).days) for d in announced
    ]
    for p, q, day in zip(payer_ids, payee_ids, stamps, strict=True):
        if p != q:
            days_of.setdefault((p, q), set()).add(day)
    pairs = sorted(days_of)
    names = sorted({f for pair in pairs for f in pair})
    index = {f: i for i, f in enumerate(names)}
    src = np.array([index[p] for p, _ in pairs], dtype=np.int64)
    dst = np.array([index[q] for _, q in pairs], dtype=np.int64)
    dates = [sorted(days_of[pair]) for pair in pairs] if window_days is not None else None
    wanted = {canonical_cycle(list(loop)) for loop in loops}
    wanted_idx = {
        c: canonical_cycle([index[f] for f in c]) if all(f in index for f in c) else None
        for c in wanted
    }
    observed = np.bincount([len(c) for c in _firm_cycles(src, dst, max_len, dates, window_days)],
                           minlength=max_len + 1)
    rng = np.random.default_rng(seed)
    counts = np.zeros((rewirings, max_len + 1), dtype=np.int64)
    hits = dict.fromkeys(wanted, 0)
    for r in range(rewirings):
        rs, rd = rewire(src, dst, swaps_per_edge * len(src), rng)
        found = _firm_cycles(rs, rd, max_len, dates, window_days)
        counts[r] = np.bincount([len(c) for c in found], minlength=max_len + 1)
        for cycle, target in wanted_idx.items():
            hits[cycle] += target in found
    rows = []
    for length in range(2, max_len + 1):
        mean, sd = float(counts[:, length].mean()), float(counts[:, length].std(ddof=1)) if rewirings > 1 else 0.0
        rows.append(
            {
                "length": length,
                "observed": int(observed[length]),
                "null_mean": mean,
                "null_sd": sd,
                "z": (observed[length] - mean) / sd if sd > 0 else float("nan"),
                "p": float((counts[:, length] >= observed[length]).mean()),
            }
        )
    fractions = {c: hits[c] / rewirings for c in wanted}
    return NullModel(rewirings, seed, swaps_per_edge, pd.DataFrame(rows), fractions, window_days)
