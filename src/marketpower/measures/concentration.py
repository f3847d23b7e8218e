"""Concentration of one market: HHI, concentration ratios, and their ranges when part of the market is unknown.

Shares are fractions (0-1). HHI is on the 0-10,000 scale: HHI = 10,000 · Σ s_i².
An unattributed remainder r = 1 − Σ s_i ("others") holds unknown firms, so HHI is a range:
lower bound with the remainder split among infinitely many firms (adds 0), upper bound with the
remainder as one firm (adds 10,000 · r²).

Every HHI and CRn of the project comes from this module, and each is *exactly rounded*: the float returned is the
double nearest to the exact value of the formula for the given double inputs (e.g. 10,000 · Σ s_i² computed
without any intermediate rounding, then rounded once). Each product is split into two doubles whose sum is
exact (Dekker's two-product with Veltkamp's splitting) and the terms are added with :func:`math.fsum`, which is
correctly rounded. So results do not depend on summation order, BLAS, SIMD width or FMA: the same inputs give
the same bits on every CPU. (Exactness needs every nonzero share above 1e-140, where the error terms stop
being subnormal; below that the absolute error is under 1e-280.)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidInputError

#: The exact maximum HHI over a box of volumes enumerates 2^n corners; n is capped here.
MAX_ENUMERATED_FIRMS = 20

#: Tolerance on the sum of shares (0.5 percentage point) for published figures that are rounded.
SUM_TOLERANCE = 0.005

#: The HHI scale: shares are fractions, the HHI is 10,000 · Σ s_i² (so 100% for one firm is 10,000).
HHI_SCALE = 10_000.0

#: From this many shares on, the row-wise HHIs are summed by the compiled kernel of :mod:`.exact_rows` (about
#: 20 ns a share, against about 1 µs with math.fsum, but Numba's import costs about 0.2 s).
COMPILED_ROWS_MIN_SIZE = 100_000

#: Veltkamp's splitting constant 2^27 + 1: it cuts a double into two halves of 26 significant bits each.
_SPLITTER = 134_217_729.0

Class2023 = Literal["highly concentrated", "not highly concentrated"]
Class2010 = Literal["unconcentrated", "moderately concentrated", "highly concentrated"]


def as_shares(shares: ArrayLike, what: str = "shares") -> NDArray[np.float64]:
    """Validate shares as a 1-D float array of fractions in [0, 1] summing to at most 1 (+ tolerance)."""
    arr = np.asarray(shares, dtype=np.float64)
    if arr.ndim != 1:
        raise InvalidInputError(f"{what}: expected a list of shares, got an array of shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0) | (arr > 1))
    if bad.size:
        i = int(bad[0])
        raise InvalidInputError(
            f"{what}[{i}] = {float(arr[i])!r} is not a fraction between 0 and 1 (write 30% as 0.3)"
        )
    total = math.fsum(arr.tolist())
    if total > 1 + SUM_TOLERANCE:
        raise InvalidInputError(f"{what} sum to {total:.4f}, above 1 (+{SUM_TOLERANCE} rounding tolerance)")
    return arr


def _split(a: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Veltkamp's split: a = high + low exactly, each half with at most 26 significant bits."""
    c = _SPLITTER * a
    high = c - (c - a)
    return high, a - high


def _two_product(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Dekker's two-product, elementwise: (p, e) with p = fl(a·b) and p + e = a·b exactly."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _product_terms(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Two doubles per element along the last axis whose exact sum is a_i · b_i."""
    return np.concatenate(_two_product(a, b), axis=-1)


def _scaled_product_terms(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Four doubles per element along the last axis whose exact sum is 10,000 · a_i · b_i (no rounding at all)."""
    p, e = _two_product(a, b)
    scale = np.full_like(p, HHI_SCALE)
    p1, p2 = _two_product(p, scale)
    e1, e2 = _two_product(e, scale)
    return np.concatenate([p1, p2, e1, e2], axis=-1)


def _exact_sum(terms: NDArray[np.float64]) -> float:
    """The double nearest to the exact sum of ``terms`` (:func:`math.fsum` is correctly rounded)."""
    return math.fsum(terms.ravel().tolist())


def hhi(shares: ArrayLike) -> float:
    """Herfindahl-Hirschman index of the named shares: 10,000 · Σ s_i² (0-10,000 scale), exactly rounded."""
    s = as_shares(shares)
    return _exact_sum(_scaled_product_terms(s, s))


def hhi_rows(shares: ArrayLike) -> NDArray[np.float64]:
    """HHI (0-10,000) of each row of a 2-D array of shares (one market per row), each exactly rounded.

    The vectorised form of :func:`hhi`: every row is validated like one market's shares; the same terms are summed
    by :func:`math.fsum` or, from :data:`COMPILED_ROWS_MIN_SIZE` shares on, by a compiled kernel
    (:mod:`.exact_rows`) that is exactly rounded too (the same bits).
    """
    arr = _share_rows(shares)
    if arr.size >= COMPILED_ROWS_MIN_SIZE:
        from .exact_rows import scaled_square_sums

        return scaled_square_sums(np.ascontiguousarray(arr), np.zeros(0), HHI_SCALE)[0]
    terms = _scaled_product_terms(arr, arr)
    return np.array([math.fsum(row) for row in terms.tolist()], dtype=np.float64).reshape(arr.shape[0])


def _share_rows(shares: ArrayLike) -> NDArray[np.float64]:
    """Validate a 2-D array of shares row by row (as :func:`as_shares` would)."""
    arr = np.asarray(shares, dtype=np.float64)
    if arr.ndim != 2:
        raise InvalidInputError(f"shares: expected one row of shares per market, got an array of shape {arr.shape}")
    bad_rows = np.flatnonzero(
        np.any(~np.isfinite(arr) | (arr < 0) | (arr > 1), axis=1) | (arr.sum(axis=1) > 1 + SUM_TOLERANCE / 2)
    )
    for i in bad_rows:  # the fast screen above only picks the rows to check; as_shares decides and says why
        as_shares(arr[i], f"shares row {i}")
    return arr


def delta_hhi_rows(pre: ArrayLike, post: ArrayLike) -> NDArray[np.float64]:
    """ΔHHI = 10,000 · (Σ post_ri² − Σ pre_i²) of each row r of ``post`` (one reassignment of the ``pre`` shares
    per row), each exactly rounded: the vectorised form of :func:`delta_hhi`."""
    before, after = as_shares(pre, "pre"), _share_rows(post)
    _check_reassignment(before, after)
    if after.size >= COMPILED_ROWS_MIN_SIZE:
        from .exact_rows import scaled_square_sums, square_sum_partials

        return scaled_square_sums(np.ascontiguousarray(after), square_sum_partials(before), HHI_SCALE)[1]
    minus_pre = (-_scaled_product_terms(before, before)).tolist()
    return np.array(
        [math.fsum(row + minus_pre) for row in _scaled_product_terms(after, after).tolist()], dtype=np.float64
    ).reshape(after.shape[0])


def _check_reassignment(before: NDArray[np.float64], after: NDArray[np.float64]) -> None:
    """Each row of ``after`` must keep the total of ``before`` (within :data:`SUM_TOLERANCE`)."""
    moved = np.flatnonzero(np.abs(after.sum(axis=1) - math.fsum(before.tolist())) > SUM_TOLERANCE)
    if moved.size:
        raise InvalidInputError(
            f"post row {int(moved[0])} sums to {after[moved[0]].sum():.4f} but pre to {before.sum():.4f}: "
            "a reassignment keeps the total"
        )


def hhi_and_delta_rows(pre: ArrayLike, post: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(:func:`hhi_rows` of ``post``, :func:`delta_hhi_rows` of ``pre`` and ``post``) from one compiled pass over
    ``post`` (each row's exact Σ s² is kept as a few partials and used for both), the same bits as the two calls."""
    before, after = as_shares(pre, "pre"), _share_rows(post)
    if after.size < COMPILED_ROWS_MIN_SIZE:
        return hhi_rows(after), delta_hhi_rows(before, after)
    from .exact_rows import scaled_square_sums, square_sum_partials

    _check_reassignment(before, after)
    return scaled_square_sums(np.ascontiguousarray(after), square_sum_partials(before), HHI_SCALE)


def weighted_hhi(shares: ArrayLike, weights: ArrayLike) -> tuple[float, float]:
    """(10,000 · sᵀ W s, 10,000 · (sᵀ W s − sᵀ s)) on the 0-10,000 scale, each exactly rounded.

    With O'Brien-Salop profit weights W (n × n, W_jj = 1) the first is the MHHI and the second ΔMHHI = MHHI − HHI;
    W = I gives the plain HHI and exactly 0. Exact summation costs 16 terms per weight (about 5 µs per firm pair:
    0.05 s for 100 firms); memory stays bounded (rows are summed a block at a time).
    """
    s = as_shares(shares)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (s.size, s.size):
        raise InvalidInputError(f"weights: expected shape {(s.size, s.size)}, got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise InvalidInputError("weights: every profit weight must be a finite number")
    plain = _scaled_product_terms(s, s)
    block = max(1, 65_536 // max(s.size, 1))

    def quadratic_terms() -> Iterator[float]:
        for start in range(0, s.size, block):
            rows = slice(start, start + block)
            p, e = _two_product(np.broadcast_to(s[rows, None], w[rows].shape).copy(), w[rows])
            right = np.broadcast_to(s, p.shape)
            yield from _scaled_product_terms(p, right).ravel().tolist()
            yield from _scaled_product_terms(e, right).ravel().tolist()

    modified = math.fsum(quadratic_terms())
    excess = math.fsum(itertools.chain(quadratic_terms(), (-plain).tolist()))
    return modified, excess


def remainder(shares: ArrayLike) -> float:
    """Share not attributed to named firms: max(0, 1 − Σ s_i), with 1 − Σ s_i exactly rounded."""
    gap = one_minus_sum(as_shares(shares))
    return gap if gap > 1e-9 else 0.0


def hhi_range(shares: ArrayLike, others: float | None = None) -> tuple[float, float]:
    """(lower, upper) HHI when ``others`` (default: 1 − Σ shares) is held by unknown firms.

    lower = 10,000 · Σ s_i²  (others split infinitely);  upper = 10,000 · (Σ s_i² + others²)  (others as one firm);
    each exactly rounded.
    """
    s = as_shares(shares)
    r = remainder(s) if others is None else float(others)
    if r < 0 or r > 1:
        raise InvalidInputError(f"others = {r!r} is not a fraction between 0 and 1")
    with_others = np.append(s, r)
    return hhi(s), _exact_sum(_scaled_product_terms(with_others, with_others))


def concentration_ratio(shares: ArrayLike, n: int) -> float:
    """CRn: sum of the n largest named shares (fraction), exactly rounded."""
    return largest_sum(as_shares(shares), n)


def largest_sum(values: ArrayLike, n: int) -> float:
    """Σ of the n largest values, exactly rounded: CRn of shares, or its bound from share bounds whose highs may
    legitimately sum above 1."""
    if n < 1:
        raise InvalidInputError(f"n = {n}: a concentration ratio needs n >= 1")
    ordered = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    return math.fsum(ordered[:n].tolist())


def one_minus_sum(values: ArrayLike) -> float:
    """1 − Σ values, exactly rounded (negative when the values sum above 1): the room left by share bounds."""
    return math.fsum([1.0, *(-np.asarray(values, dtype=np.float64)).tolist()])


def concentration_ratio_range(shares: ArrayLike, n: int, others: float | None = None) -> tuple[float, float]:
    """(lower, upper) CRn with an unknown remainder: lower ignores it, upper counts it as one firm."""
    s = as_shares(shares)
    r = remainder(s) if others is None else float(others)
    low = concentration_ratio(s, n)
    high = concentration_ratio(np.append(s, r), n) if r > 0 else low
    return low, high


def class_2023(hhi_value: float) -> Class2023:
    """US 2023 Merger Guidelines (§2.1): a market with HHI above 1,800 is highly concentrated."""
    return "highly concentrated" if hhi_value > 1_800 else "not highly concentrated"


def class_2010(hhi_value: float) -> Class2010:
    """US 2010 Horizontal Merger Guidelines (§5.3): below 1,500 unconcentrated; 1,500-2,500 moderately;
    above 2,500 highly concentrated."""
    if hhi_value < 1_500:
        return "unconcentrated"
    if hhi_value <= 2_500:
        return "moderately concentrated"
    return "highly concentrated"


def class_range(low: str, high: str) -> str:
    """One label for a class range: the class itself when both bounds agree, else "LOW to HIGH"."""
    return low if low == high else f"{low} to {high}"


@dataclass(frozen=True)
class Concentration:
    """Concentration of one market-year. HHI on 0-10,000; shares and CRn as fractions."""

    n_firms: int
    others_share: float
    hhi_low: float
    hhi_high: float
    cr1_low: float
    cr1_high: float
    cr4_low: float
    cr4_high: float
    class_2023: str
    class_2010: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def summarize(shares: ArrayLike, others: float | None = None) -> Concentration:
    """All concentration measures of one market-year from its named shares (and optional explicit remainder).

    ``others`` defaults to 1 − Σ shares: a gap in the data counts as unknown firms, never as nothing.
    """
    s = as_shares(shares)
    r = remainder(s) if others is None else max(float(others), remainder(s))
    low, high = hhi_range(s, r)
    cr1 = concentration_ratio_range(s, 1, r) if s.size else (0.0, r)
    cr4 = concentration_ratio_range(s, 4, r) if s.size else (0.0, r)
    return Concentration(
        n_firms=int(np.count_nonzero(s)),
        others_share=r,
        hhi_low=low,
        hhi_high=high,
        cr1_low=cr1[0],
        cr1_high=cr1[1],
        cr4_low=cr4[0],
        cr4_high=cr4[1],
        class_2023=class_range(class_2023(low), class_2023(high)),
        class_2010=class_range(class_2010(low), class_2010(high)),
    )


def merge(shares: ArrayLike, merging: Sequence[int]) -> NDArray[np.float64]:
    """Post-merger shares: the firms at positions ``merging`` become one firm, placed at the first of them
    (the other merging positions are dropped; every other firm keeps its position order)."""
    s = as_shares(shares)
    idx = merging_positions(s.size, merging)
    keep = np.ones(s.size, dtype=bool)
    keep[idx[1:]] = False
    post = s.copy()
    post[idx[0]] = math.fsum(s[idx].tolist())
    return post[keep]


def merging_positions(n_firms: int, merging: Sequence[int]) -> NDArray[np.intp]:
    """Validate the positions of merging firms: at least two, distinct, each in 0..n_firms-1."""
    idx = np.asarray(list(merging), dtype=np.intp)
    if idx.size < 2:
        raise InvalidInputError(f"merging = {list(merging)}: a merger needs at least two distinct firms")
    if np.unique(idx).size != idx.size:
        raise InvalidInputError(f"merging = {list(merging)}: a firm is named twice")
    bad = idx[(idx < 0) | (idx >= n_firms)]
    if bad.size:
        raise InvalidInputError(f"merging: position {int(bad[0])} is not a firm (there are {n_firms} firms)")
    return idx


def delta_hhi(pre: ArrayLike, post: ArrayLike) -> float:
    """ΔHHI = HHI(post) − HHI(pre) = 10,000 · (Σ post_i² − Σ pre_i²) for any reassignment of one market's shares
    (0-10,000 scale), exactly rounded (no cancellation error from subtracting two rounded HHIs).

    Both vectors must cover the same total (Σ pre = Σ post within the rounding tolerance), otherwise the
    change would mix a reassignment with entry or exit.
    """
    a, b = as_shares(pre, "pre"), as_shares(post, "post")
    total_a, total_b = math.fsum(a.tolist()), math.fsum(b.tolist())
    if abs(total_a - total_b) > SUM_TOLERANCE:
        raise InvalidInputError(
            f"post shares sum to {total_b:.4f} but pre shares to {total_a:.4f}: a reassignment keeps the total"
        )
    return _exact_sum(np.concatenate([_scaled_product_terms(b, b), -_scaled_product_terms(a, a)]))


def merger_delta_hhi(shares: ArrayLike, merging: Sequence[int]) -> float:
    """ΔHHI of a merger: 10,000 · ((Σ_m s_m)² − Σ_m s_m²) = 20,000 · Σ_{m<n} s_m s_n over merging firms.

    It does not depend on the unattributed remainder, so it is exact even when the HHI is a range. Exactly
    rounded: the pair products are summed without intermediate rounding.
    """
    s = as_shares(shares)
    m = s[merging_positions(s.size, merging)]
    first, second = np.triu_indices(m.size, k=1)
    return _exact_sum(_scaled_product_terms(m[first], 2.0 * m[second]))


def hhi_box_range(
    low: ArrayLike, high: ArrayLike, others_low: float = 0.0, others_high: float = 0.0
) -> tuple[float, float]:
    """(min, max) HHI (0-10,000) when each named owner's volume x_i lies anywhere in [low_i, high_i] and an
    unattributed remainder o (many unknown owners) lies in [others_low, others_high].

    HHI(x, o) = 10,000 · Σ s_i², s_i = x_i / (Σ x + o). The minimum splits the remainder infinitely (it only
    enlarges the denominator, so o = others_high) and equalises the named volumes: x_i = clip(t, low_i, high_i)
    with t = Σ x_i² / (Σ x + o), found by bisection (HHI is quasiconvex in x, so this stationary point is the
    global minimum). The maximum counts the remainder as one owner; a quasiconvex function peaks at a vertex of
    the box, so every vertex is evaluated (at most 2^20).
    """
    lo, hi = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    if lo.shape != hi.shape or lo.ndim != 1 or np.any(lo < 0) or np.any(hi < lo):
        raise InvalidInputError("low/high volumes: expected two lists of equal length with 0 <= low <= high")
    if not 0 <= others_low <= others_high:
        raise InvalidInputError(f"others range [{others_low}, {others_high}] must satisfy 0 <= low <= high")
    if hi.sum() + others_high <= 0:
        raise InvalidInputError("low/high volumes: all zero, the market is empty")
    return _hhi_min(lo, hi, others_high), _hhi_max(lo, hi, others_low, others_high)


def _hhi_min(lo: NDArray[np.float64], hi: NDArray[np.float64], others: float) -> float:
    def gap(t: float) -> float:
        """t · (Σ x + o) − Σ x², exactly rounded (so its sign, and the bisection, are the same on every CPU)."""
        x = np.clip(t, lo, hi)
        scaled = np.append(x, others)
        return _exact_sum(np.concatenate([_product_terms(np.full_like(scaled, t), scaled), -_product_terms(x, x)]))

    a, b = 0.0, float(hi.max()) if hi.size else 0.0
    for _ in range(200):
        mid = 0.5 * (a + b)
        if gap(mid) < 0:
            a = mid
        else:
            b = mid
    return _volume_hhi(np.clip(b, lo, hi), others)


def _volume_hhi(volumes: NDArray[np.float64], others: float) -> float:
    """Exactly rounded HHI of the shares x_i / (Σ x + o), the remainder o split among many owners."""
    total = math.fsum([*volumes.tolist(), others])
    return hhi(np.minimum(volumes / total, 1.0)) if total > 0 else 0.0


def _hhi_max(lo: NDArray[np.float64], hi: NDArray[np.float64], others_low: float, others_high: float) -> float:
    lo_all, hi_all = np.append(lo, others_low), np.append(hi, others_high)
    free = np.flatnonzero(hi_all > lo_all)
    if free.size > MAX_ENUMERATED_FIRMS:
        raise InvalidInputError(
            f"{free.size} firms with uncertain volumes: the exact maximum HHI enumerates "
            f"2^n corners and is limited to n <= {MAX_ENUMERATED_FIRMS}; group small firms"
        )
    # A fast pass over the vertices finds the near-best ones (the fast sum may be off by a few ulps, so near-ties
    # are kept, one per permutation since HHI ignores the order); their exactly rounded HHIs decide, so the result
    # is the same on every CPU.
    fixed = lo_all.copy()
    kept, kept_values = np.empty((0, fixed.size)), np.empty(0)
    chunk = 1 << min(free.size, 16)
    for start in range(0, 1 << free.size, chunk):
        codes = np.arange(start, start + chunk, dtype=np.int64)[:, None]
        at_high = ((codes >> np.arange(free.size)) & 1).astype(bool)
        x = np.broadcast_to(fixed, (chunk, fixed.size)).copy()
        x[:, free] = np.where(at_high, hi_all[free], lo_all[free])
        totals = x.sum(axis=1)
        valid = totals > 0
        values = (x[valid] ** 2).sum(axis=1) / totals[valid] ** 2
        top = values >= values.max(initial=0.0) * (1 - _TIE_TOLERANCE)
        kept, kept_values = np.vstack([kept, x[valid][top]]), np.concatenate([kept_values, values[top]])
        near = kept_values >= kept_values.max(initial=0.0) * (1 - _TIE_TOLERANCE)
        kept, index = np.unique(np.sort(kept[near], axis=1), axis=0, return_index=True)
        kept_values = kept_values[near][index]
    return max((_volume_hhi(x, 0.0) for x in kept), default=0.0)


#: Relative gap under which two vertices' fast HHIs count as tied and both are recomputed exactly.
_TIE_TOLERANCE = 1e-12
