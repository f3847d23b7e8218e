"""Compiled kernels for :mod:`.concentration`'s row-wise HHI: exactly rounded, like the scalar functions there.

Each share's square is split into two doubles whose sum is exact (Dekker's two-product with Veltkamp's
splitting, as in :mod:`.concentration`); a row's terms are added exactly with Shewchuk's algorithm, the one behind
:func:`math.fsum` (non-overlapping partials); those few partials are scaled by error-free products and summed the
same way, ending with math.fsum's half-even correction of the last rounding. So each result is the double nearest
to the exact value: the same bits as ``math.fsum`` over :mod:`.concentration`'s four terms a share.
Numba compiles them on first use (cached beside this file, or in Numba's user cache when that is read-only).
Inputs must be finite (the callers validate them), so the special cases of ``math.fsum`` never arise.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

#: Veltkamp's splitting constant 2^27 + 1 (as in :mod:`.concentration`).
_SPLITTER = 134_217_729.0
#: Non-overlapping partials of a finite double sum: at most (2098 exponent steps / 53 bits) + 1 ≈ 41.
_MAX_PARTIALS = 64


@njit(cache=True, inline="always")
def _two_product(a: float, b: float) -> tuple[float, float]:
    p = a * b
    c = _SPLITTER * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLITTER * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


@njit(cache=True, inline="always")
def _add(partials: NDArray[np.float64], count: int, x: float) -> int:
    """Add ``x`` to the exact sum held in ``partials[:count]`` (increasing magnitude); returns the new count."""
    i = 0
    for k in range(count):
        y = partials[k]
        if abs(x) < abs(y):
            x, y = y, x
        hi = x + y
        lo = y - (hi - x)
        if lo != 0.0:
            partials[i] = lo
            i += 1
        x = hi
    if x != 0.0:
        partials[i] = x
        i += 1
    return i


@njit(cache=True, inline="always")
def _rounded(partials: NDArray[np.float64], n: int) -> float:
    """The double nearest to the exact sum of ``partials[:n]`` (ties to even), as ``math.fsum`` ends."""
    hi = 0.0
    lo = 0.0
    if n > 0:
        n -= 1
        hi = partials[n]
        while n > 0:
            x = hi
            n -= 1
            y = partials[n]
            hi = x + y
            lo = y - (hi - x)
            if lo != 0.0:
                break
        if n > 0 and ((lo < 0.0 and partials[n - 1] < 0.0) or (lo > 0.0 and partials[n - 1] > 0.0)):
            y = lo * 2.0
            x = hi + y
            if y == x - hi:
                hi = x
    return hi


@njit(cache=True, inline="always")
def _square_sum(partials: NDArray[np.float64], row: NDArray[np.float64]) -> int:
    """``Σ_j row_j²`` exactly, as non-overlapping partials (two error-free terms a share); returns their count."""
    count = 0
    for j in range(row.shape[0]):
        p, e = _two_product(row[j], row[j])
        count = _add(partials, count, p)
        count = _add(partials, count, e)
    return count


@njit(cache=True, inline="always")
def _scaled_difference(
    partials: NDArray[np.float64], count: int, minus: NDArray[np.float64], scale: float, work: NDArray[np.float64]
) -> float:
    """``scale · (Σ partials[:count] − Σ minus)`` exactly rounded (each term scaled by an error-free product)."""
    n = 0
    for k in range(count):
        p, e = _two_product(partials[k], scale)
        n = _add(work, n, p)
        n = _add(work, n, e)
    for k in range(minus.shape[0]):
        p, e = _two_product(-minus[k], scale)
        n = _add(work, n, p)
        n = _add(work, n, e)
    return _rounded(work, n)


@njit(cache=True)
def square_sum_partials(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``Σ values_i²`` exactly, as a few non-overlapping doubles (for :func:`scaled_square_sums` ``minus``)."""
    partials = np.empty(_MAX_PARTIALS)
    return partials[: _square_sum(partials, values)].copy()


@njit(cache=True)
def scaled_square_sums(
    rows: NDArray[np.float64], minus: NDArray[np.float64], scale: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For each row ``r``: ``scale · Σ_j rows[r, j]²`` and ``scale · (Σ_j rows[r, j]² − Σ minus)``, each exactly
    rounded (``minus``: the exact partials of another sum of squares, from :func:`square_sum_partials`)."""
    sums = np.empty(rows.shape[0])
    changes = np.empty(rows.shape[0])
    partials = np.empty(_MAX_PARTIALS)
    work = np.empty(2 * _MAX_PARTIALS)
    nothing = np.empty(0)
    for r in range(rows.shape[0]):
        count = _square_sum(partials, rows[r])
        sums[r] = _scaled_difference(partials, count, nothing, scale, work)
        changes[r] = _scaled_difference(partials, count, minus, scale, work)
    return sums, changes
