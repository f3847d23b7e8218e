"""find_cycles' search (flows.loops_kernel), compiled by Numba and interpreted by Python on lists (small webs),
finds the same loops, in the same order, as the recursive pure-Python search it replaced, kept below in substance
as the reference (issue 19), on random windowed webs."""

from __future__ import annotations

import subprocess
import sys
from bisect import bisect_left, bisect_right
from functools import partial

import numpy as np
import pytest

from marketpower.flows import loops_kernel
from marketpower.flows.loops import DEFAULT_MAX_LEN, UNREACHABLE, Cycles, _check, _csr, find_cycles

IntArray = np.ndarray


def reference_cycles(
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
    out_nbr = rank[dst[out_order]].tolist()
    out_day = days[out_order].tolist()
    out_edge = out_order.tolist()
    # Backward adjacency by rank (for the distance bound), as arrays for vectorised BFS.
    in_order = keep[np.argsort(rdst, kind="stable")]
    in_ptr = _csr(rank[dst[in_order]], n)
    in_nbr = rank[src[in_order]]
    # A start can only close a loop if it has an edge to and an edge from a later-ranked node.
    max_out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(max_out, rsrc, rdst)
    max_in = np.full(n, -1, dtype=np.int64)
    np.maximum.at(max_in, rdst, rsrc)

    dist = np.full(n, UNREACHABLE, dtype=np.int64)
    slot = np.zeros(n, dtype=np.int64)
    horizon = max_len // 2  # exact distances up to here; beyond it a node is only known to be farther
    search = _Search(out_ptr.tolist(), out_nbr, out_day, out_edge, max_len, window)

    for s in range(n):
        if max_out[s] <= s or max_in[s] <= s:
            continue
        # Backward BFS from s over nodes ranked after s, up to `horizon` steps.
        seen = [np.array([s], dtype=np.int64)]
        dist[s] = 0
        frontier = seen[0]
        for depth in range(1, horizon + 1):
            starts, stops = in_ptr[frontier], in_ptr[frontier + 1]
            sizes = stops - starts
            total = int(sizes.sum())
            if total == 0:
                break
            idx = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(total)
            preds = in_nbr[idx]
            preds = preds[(preds > s) & (dist[preds] == UNREACHABLE)]
            if len(preds) == 0:
                break
            slot[preds] = np.arange(len(preds))
            preds = preds[slot[preds] == np.arange(len(preds))]  # first occurrence of each node
            dist[preds] = depth
            seen.append(preds)
            frontier = preds
        ball = {int(v): d for d, layer in enumerate(seen) for v in layer.tolist()}
        search.from_start(s, ball, horizon + 1)
        for layer in seen:
            dist[layer] = UNREACHABLE
    return Cycles(np.asarray(search.offsets, dtype=np.int64), np.asarray(search.edges, dtype=np.int64))


class _Search:
    """Depth-first search for the loops through one start node; collects them as edge indices."""

    def __init__(
        self, out_ptr: list[int], out_nbr: list[int], out_day: list[int], out_edge: list[int], max_len: int, window: int
    ):
        self.out_ptr, self.out_nbr, self.out_day, self.out_edge = out_ptr, out_nbr, out_day, out_edge
        self.max_len, self.window = max_len, window
        self.offsets: list[int] = [0]
        self.edges: list[int] = []

    def from_start(self, s: int, ball: dict[int, int], far: int) -> None:
        """Loops whose lowest-ranked node is ``s``; ``ball`` maps nodes near ``s`` to their distance back to
        ``s``, every other node being at least ``far`` steps away."""
        out_ptr, out_nbr, out_day, out_edge = self.out_ptr, self.out_nbr, self.out_day, self.out_edge
        max_len, window, found_edges, found_offsets = self.max_len, self.window, self.edges, self.offsets
        path_edges: list[int] = []
        on_path = {s}

        def extend(u: int, steps: int, lo: int, hi: int) -> None:
            # lo/hi: earliest and latest date on the path; the next edge must keep hi - lo <= window.
            a, b = out_ptr[u], out_ptr[u + 1]
            if window < UNREACHABLE:
                a = bisect_left(out_day, hi - window, a, b)
                b = bisect_right(out_day, lo + window, a, b)
            room = max_len - steps - 1
            for k in range(a, b):
                v = out_nbr[k]
                if v == s:
                    found_edges.extend(path_edges)
                    found_edges.append(out_edge[k])
                    found_offsets.append(len(found_edges))
                elif v > s and room > 0 and v not in on_path and ball.get(v, far) <= room:
                    d = out_day[k]
                    path_edges.append(out_edge[k])
                    on_path.add(v)
                    extend(v, steps + 1, min(lo, d), max(hi, d))
                    on_path.discard(v)
                    path_edges.pop()

        for k in range(out_ptr[s], out_ptr[s + 1]):
            v = out_nbr[k]
            if v > s and ball.get(v, far) <= max_len - 1:
                d = out_day[k]
                path_edges.append(out_edge[k])
                on_path.add(v)
                extend(v, 1, d, d)
                on_path.discard(v)
                path_edges.pop()


def _web(seed: int, firms: int, deals: int) -> tuple[IntArray, IntArray, IntArray]:
    """Power-law payers and payees (hubs close many loops), self-deals and parallel deals included."""
    rng = np.random.default_rng(seed)
    weight = rng.pareto(1.5, firms) + 1.0
    src = rng.choice(firms, deals, p=weight / weight.sum())
    dst = rng.choice(firms, deals, p=weight / weight.sum())
    days = rng.integers(0, 3_000, deals)
    return src, dst, days


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])
@pytest.mark.parametrize(
    ("seed", "firms", "deals", "max_len", "window"),
    [
        (0, 30, 120, 6, None),
        (1, 60, 300, 6, 365),
        (2, 200, 1_500, 5, 730),
        (3, 20, 400, 3, 30),
        (4, 500, 4_000, 6, 200),
        (5, 15, 80, 8, 1_000),
        (6, 100, 600, 1, None),
        (7, 80, 500, 2, 90),
    ],
)
def test_compiled_and_interpreted_search_equal_the_recursive_search(
    seed: int, firms: int, deals: int, max_len: int, window: int | None, compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loops_kernel, "search_cycles", partial(loops_kernel.search_cycles, compiled=compiled))
    src, dst, days = _web(seed, firms, deals)
    ours, reference = find_cycles(src, dst, days, max_len, window), reference_cycles(src, dst, days, max_len, window)
    assert len(ours) > 0 or max_len == 1
    assert ours.offsets.tolist() == reference.offsets.tolist()
    assert ours.edges.tolist() == reference.edges.tolist()


def test_small_webs_are_searched_without_loading_numba() -> None:
    """Below COMPILED_MIN_EDGES edges (the bundled web and its rewirings) the search runs interpreted, in a fresh
    process that never imports Numba; above it (self-loops aside), compiled (the same loops either way, above)."""
    code = (
        "import sys; import numpy as np; from marketpower.flows.loops import find_cycles;"
        "from marketpower.flows.loops_kernel import COMPILED_MIN_EDGES as n;"
        "rng = np.random.default_rng(0); src, dst = rng.integers(0, 2000, (2, n - 1));"
        "find_cycles(src, dst, rng.integers(0, 900, n - 1), 6, 365); small = 'numba' in sys.modules;"
        "find_cycles(*rng.integers(0, 2000, (2, 2 * n)), rng.integers(0, 900, 2 * n), 6, 365);"
        "print(small, 'numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
