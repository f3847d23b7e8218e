"""Kernel of :func:`marketpower.flows.loops.find_cycles`: the per-start search, one implementation run two ways.

For each start ``s`` (nodes by rank): a backward breadth-first search of :data:`HORIZON` steps over nodes ranked
after ``s`` gives exact distances back to ``s`` near it (every other node is at least ``HORIZON + 1`` away);
then a depth-first search, with an explicit stack in place of recursion, walks edges to nodes ranked after ``s``,
inside the time window of the path so far, to nodes that can still return in the steps left, and records each
return to ``s``. Neighbours are visited in the order of the forward adjacency (by date within a node), so loops
come out in the order of the recursive search this replaced.

:func:`_search` is that search. On webs of :data:`COMPILED_MIN_EDGES` edges or more (or once it has been
compiled in this process) it runs compiled by Numba, cached beside this file (or in Numba's user cache when that
is read-only); below, Python runs the same function on lists, because importing Numba and loading the cached
kernel cost about 0.4 s CPU once per process, more than the interpreted search of a small web and its
rewirings. Only the storage differs between the two: :func:`_filled` and :func:`_grown` make lists, their
compiled stand-ins :func:`_filled_array` and :func:`_grown_array` int64 arrays.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
#: Steps of the backward search from each start. Its ball prunes only the last steps of a path, while its cost
#: grows with each step's fan-in: on bench_loops' power-law webs (400,000 and 1.6 million deals) one step took
#: 0.47 s and 5.5 s CPU, two 0.58 s and 6.2 s, three (max_len // 2, the pure-Python search's choice) 1.35 s and
#: 12.2 s, for the same loops.
HORIZON = 1
#: Edges from which the search runs compiled (see the module docstring for the measurements).
COMPILED_MIN_EDGES = 1_000


def _first_at_least(values: Any, target: int, lo: int, hi: int) -> int:
    """Smallest k in [lo, hi) with values[k] >= target (hi if none): ``bisect_left``."""
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _first_above(values: Any, target: int, lo: int, hi: int) -> int:
    """Smallest k in [lo, hi) with values[k] > target (hi if none): ``bisect_right``."""
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] <= target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _filled(n: int, value: int) -> Any:
    """``n`` copies of ``value`` (interpreted: a list)."""
    return [value] * n


def _grown(array: Any, needed: int) -> Any:
    """``array`` with room for at least ``needed`` items, doubling (interpreted: the list, extended in place)."""
    if needed > len(array):
        array.extend([0] * (max(needed, 2 * len(array)) - len(array)))
    return array


def _filled_array(n: int, value: int) -> IntArray:
    """``n`` copies of ``value`` (compiled: an int64 array)."""
    return np.full(n, value, dtype=np.int64)


def _grown_array(array: IntArray, needed: int) -> IntArray:
    """``array`` with room for at least ``needed`` items, doubling (compiled: a new int64 array when full)."""
    if needed <= array.shape[0]:
        return array
    bigger = np.empty(max(needed, 2 * array.shape[0]), dtype=np.int64)
    bigger[: array.shape[0]] = array
    return bigger


def _search(
    out_ptr: Any,
    out_nbr: Any,
    out_day: Any,
    out_edge: Any,
    in_ptr: Any,
    in_nbr: Any,
    max_out: Any,
    max_in: Any,
    max_len: int,
    window: int,
    windowed: bool,
) -> tuple[Any, Any]:
    """Offsets and edge indices of every loop (see :class:`marketpower.flows.loops.Cycles`); nodes are ranks,
    ``out_*`` the forward adjacency (each node's edges sorted by date), ``in_*`` the backward one."""
    n = len(out_ptr) - 1
    unreachable = np.iinfo(np.int64).max // 4
    horizon = min(max_len // 2, HORIZON)  # exact distances up to here; beyond it a node is only known to be farther
    far = horizon + 1
    dist = _filled(n, unreachable)
    ball = _filled(n, 0)  # the nodes given a distance from the current start
    on_path = _filled(n, 0)
    path = _filled(max_len, 0)
    frame_node = _filled(max_len, 0)
    frame_next = _filled(max_len, 0)
    frame_end = _filled(max_len, 0)
    frame_lo = _filled(max_len, 0)
    frame_hi = _filled(max_len, 0)
    offsets = _filled(1024, 0)
    edges = _filled(4096, 0)
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

        on_path[s] = 1
        for k0 in range(out_ptr[s], out_ptr[s + 1]):
            v0 = out_nbr[k0]
            if v0 <= s or min(dist[v0], far) > max_len - 1:
                continue
            path[0] = out_edge[k0]
            on_path[v0] = 1
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
                    on_path[frame_node[depth]] = 0
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
                elif v > s and room > 0 and on_path[v] == 0 and min(dist[v], far) <= room:
                    day = out_day[k]
                    path[steps] = out_edge[k]
                    on_path[v] = 1
                    depth += 1
                    lo = min(frame_lo[depth - 1], day)
                    hi = max(frame_hi[depth - 1], day)
                    frame_node[depth], frame_lo[depth], frame_hi[depth] = v, lo, hi
                    a, b = out_ptr[v], out_ptr[v + 1]
                    if windowed:
                        a = _first_at_least(out_day, hi - window, a, b)
                        b = _first_above(out_day, lo + window, a, b)
                    frame_next[depth], frame_end[depth] = a, b
        on_path[s] = 0
        for q in range(size):
            dist[ball[q]] = unreachable
    return offsets[: n_cycles + 1].copy(), edges[:n_edges].copy()


@cache
def _compiled() -> Callable[..., tuple[IntArray, IntArray]]:
    """:func:`_search` compiled by Numba (imported here), with the compiled helpers in place of the list ones."""
    from numba import njit

    helpers = {
        "_first_at_least": njit(cache=True, inline="always")(_first_at_least),
        "_first_above": njit(cache=True, inline="always")(_first_above),
        "_filled": njit(cache=True)(_filled_array),
        "_grown": njit(cache=True)(_grown_array),
    }
    search = types.FunctionType(_search.__code__, {**globals(), **helpers}, _search.__name__)
    return njit(cache=True)(search)


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
    compiled: bool | None = None,
) -> tuple[IntArray, IntArray]:
    """:func:`_search` on the int64 arrays of :func:`marketpower.flows.loops.find_cycles`: compiled when
    ``compiled`` is True, interpreted when False, and when None compiled from :data:`COMPILED_MIN_EDGES` edges
    or once compiled in this process. The loops are the same either way."""
    arrays = (out_ptr, out_nbr, out_day, out_edge, in_ptr, in_nbr, max_out, max_in)
    if compiled is None:
        compiled = len(out_nbr) >= COMPILED_MIN_EDGES or _compiled.cache_info().currsize > 0
    search: Callable[..., tuple[Any, Any]] = _compiled() if compiled else _search
    offsets, edges = search(*(arrays if compiled else [a.tolist() for a in arrays]), max_len, window, windowed)
    return np.asarray(offsets, dtype=np.int64), np.asarray(edges, dtype=np.int64)
