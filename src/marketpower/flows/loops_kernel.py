"""Compiled kernel of :func:`marketpower.flows.loops.find_cycles`: the per-start search, in Numba.

For each start ``s`` (nodes by rank): a backward breadth-first search of :data:`HORIZON` steps over nodes ranked
after ``s`` gives exact distances back to ``s`` near it (every other node is at least ``HORIZON + 1`` away);
then a depth-first search, with an explicit stack in place of recursion, walks edges to nodes ranked after ``s``,
inside the time window of the path so far, to nodes that can still return in the steps left, and records each
return to ``s``. Neighbours are visited in the order of the forward adjacency (by date within a node), so loops
come out in the order of the recursive search this replaced. Compiled on first use, cached beside this file
(or in Numba's user cache when that is read-only).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
#: Steps of the backward search from each start. Its ball prunes only the last steps of a path, while its cost
#: grows with each step's fan-in: on bench_loops' power-law webs (400,000 and 1.6 million deals) one step took
#: 0.47 s and 5.5 s CPU, two 0.58 s and 6.2 s, three (max_len // 2, the pure-Python search's choice) 1.35 s and
#: 12.2 s, for the same loops.
HORIZON = 1


@njit(cache=True, inline="always")
def _first_at_least(values: IntArray, target: int, lo: int, hi: int) -> int:
    """Smallest k in [lo, hi) with values[k] >= target (hi if none): ``bisect_left``."""
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always")
def _first_above(values: IntArray, target: int, lo: int, hi: int) -> int:
    """Smallest k in [lo, hi) with values[k] > target (hi if none): ``bisect_right``."""
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] <= target:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _grown(array: IntArray, needed: int) -> IntArray:
    if needed <= array.shape[0]:
        return array
    bigger = np.empty(max(needed, 2 * array.shape[0]), dtype=np.int64)
    bigger[: array.shape[0]] = array
    return bigger


@njit(cache=True)
def search_cycles(
    out_ptr: IntArray,
    out_nbr: IntArray,
    out_day: IntArray,
    out_edge: IntArray,
    in_ptr: IntArray,
    in_nbr: IntArray,
    max_out: IntArray,
    max_in: IntArray,
    max_len: int,
    window: int,
    windowed: bool,
) -> tuple[IntArray, IntArray]:
    """Offsets and edge indices of every loop (see :class:`marketpower.flows.loops.Cycles`); nodes are ranks,
    ``out_*`` the forward adjacency (each node's edges sorted by date), ``in_*`` the backward one."""
    n = out_ptr.shape[0] - 1
    unreachable = np.iinfo(np.int64).max // 4
    horizon = min(max_len // 2, HORIZON)  # exact distances up to here; beyond it a node is only known to be farther
    far = horizon + 1
    dist = np.full(n, unreachable, dtype=np.int64)
    ball = np.empty(n, dtype=np.int64)  # the nodes given a distance from the current start
    on_path = np.zeros(n, dtype=np.bool_)
    path = np.empty(max_len, dtype=np.int64)
    frame_node = np.empty(max_len, dtype=np.int64)
    frame_next = np.empty(max_len, dtype=np.int64)
    frame_end = np.empty(max_len, dtype=np.int64)
    frame_lo = np.empty(max_len, dtype=np.int64)
    frame_hi = np.empty(max_len, dtype=np.int64)
    offsets = np.zeros(1024, dtype=np.int64)
    edges = np.empty(4096, dtype=np.int64)
    n_cycles = 0
    n_edges = 0

    for s in range(n):
        if max_out[s] <= s or max_in[s] <= s:
            continue
        # backward breadth-first search from s over nodes ranked after s, `horizon` steps
        dist[s] = 0
        ball[0] = s
        size = 1
        layer_start = 0
        for depth in range(1, horizon + 1):
            layer_end = size
            for q in range(layer_start, layer_end):
                u = ball[q]
                for k in range(in_ptr[u], in_ptr[u + 1]):
                    v = in_nbr[k]
                    if v > s and dist[v] == unreachable:
                        dist[v] = depth
                        ball[size] = v
                        size += 1
            if size == layer_end:
                break
            layer_start = layer_end

        on_path[s] = True
        for k0 in range(out_ptr[s], out_ptr[s + 1]):
            v0 = out_nbr[k0]
            if v0 <= s or min(dist[v0], far) > max_len - 1:
                continue
            path[0] = out_edge[k0]
            on_path[v0] = True
            depth = 0
            frame_node[0] = v0
            frame_lo[0] = out_day[k0]
            frame_hi[0] = out_day[k0]
            a, b = out_ptr[v0], out_ptr[v0 + 1]
            if windowed:
                a = _first_at_least(out_day, frame_hi[0] - window, a, b)
                b = _first_above(out_day, frame_lo[0] + window, a, b)
            frame_next[0], frame_end[0] = a, b
            while depth >= 0:
                k = frame_next[depth]
                if k >= frame_end[depth]:
                    on_path[frame_node[depth]] = False
                    depth -= 1
                    continue
                frame_next[depth] = k + 1
                v = out_nbr[k]
                steps = depth + 1  # edges on the path so far
                room = max_len - steps - 1
                if v == s:
                    offsets = _grown(offsets, n_cycles + 2)
                    edges = _grown(edges, n_edges + steps + 1)
                    edges[n_edges : n_edges + steps] = path[:steps]
                    edges[n_edges + steps] = out_edge[k]
                    n_edges += steps + 1
                    n_cycles += 1
                    offsets[n_cycles] = n_edges
                elif v > s and room > 0 and not on_path[v] and min(dist[v], far) <= room:
                    day = out_day[k]
                    path[steps] = out_edge[k]
                    on_path[v] = True
                    depth += 1
                    lo = min(frame_lo[depth - 1], day)
                    hi = max(frame_hi[depth - 1], day)
                    frame_node[depth], frame_lo[depth], frame_hi[depth] = v, lo, hi
                    a, b = out_ptr[v], out_ptr[v + 1]
                    if windowed:
                        a = _first_at_least(out_day, hi - window, a, b)
                        b = _first_above(out_day, lo + window, a, b)
                    frame_next[depth], frame_end[depth] = a, b
        on_path[s] = False
        for q in range(size):
            dist[ball[q]] = unreachable
    return offsets[: n_cycles + 1].copy(), edges[:n_edges].copy()
