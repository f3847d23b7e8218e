"""The compiled row kernels (measures.exact_rows) give the same bits as math.fsum over the same exact terms, and
hhi_rows / delta_hhi_rows give the same bits below and above the size where they switch to the kernels."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from marketpower.measures import concentration
from marketpower.measures.concentration import HHI_SCALE, delta_hhi_rows, hhi, hhi_and_delta_rows, hhi_rows
from marketpower.measures.exact_rows import scaled_square_sums, square_sum_partials


def _fsum_rows(rows: np.ndarray) -> list[float]:
    terms = concentration._scaled_product_terms(rows, rows)
    return [math.fsum(row) for row in terms.tolist()]


def _awkward_rows(seed: int, n_rows: int, width: int) -> np.ndarray:
    """Shares spread over 300 orders of magnitude, exact ties, zeros and near-equal values."""
    rng = np.random.default_rng(seed)
    rows = rng.uniform(0, 1, (n_rows, width)) * 10.0 ** rng.integers(-150, 1, (n_rows, width))
    rows[rng.random(rows.shape) < 0.1] = 0.0
    rows[:, 0] = rows[:, 1]  # exact duplicates
    rows[: n_rows // 2, 2] = np.nextafter(rows[: n_rows // 2, 3], 1.0)
    return rows / np.maximum(rows.sum(axis=1, keepdims=True), 1.0)


def test_kernel_sums_equal_fsum_bitwise() -> None:
    for seed in range(5):
        rows = _awkward_rows(seed, 400, 37)
        assert scaled_square_sums(rows, np.zeros(0), HHI_SCALE)[0].tolist() == _fsum_rows(rows)


def test_kernel_changes_equal_fsum_bitwise_under_cancellation() -> None:
    rng = np.random.default_rng(7)
    pre = rng.dirichlet(np.ones(30))
    rows = np.tile(pre, (300, 1))
    for r in range(300):  # tiny reassignments: Σ post² − Σ pre² cancels almost completely
        i, j = rng.choice(30, 2, replace=False)
        moved = pre[j] * 10.0 ** -rng.integers(0, 15)
        rows[r, i] += moved
        rows[r, j] -= moved
    minus_pre = (-concentration._scaled_product_terms(pre, pre)).tolist()
    expected = [math.fsum(row + minus_pre) for row in concentration._scaled_product_terms(rows, rows).tolist()]
    assert scaled_square_sums(rows, square_sum_partials(pre), HHI_SCALE)[1].tolist() == expected
    # and the exact rational value rounds to it (spot checks)
    for r in range(0, 300, 37):
        exact = Fraction(HHI_SCALE) * (sum(Fraction(x) ** 2 for x in rows[r]) - sum(Fraction(x) ** 2 for x in pre))
        assert expected[r] == float(exact)


def test_hhi_rows_same_bits_on_both_sides_of_the_switch() -> None:
    rows = _awkward_rows(11, concentration.COMPILED_ROWS_MIN_SIZE // 50 + 1, 50)
    assert rows.size >= concentration.COMPILED_ROWS_MIN_SIZE
    compiled = hhi_rows(rows)
    assert compiled.tolist() == _fsum_rows(rows)
    assert compiled[:20].tolist() == [hhi(r) for r in rows[:20]]  # below the switch: math.fsum
    pre = rows[0]
    posts = np.tile(pre, (rows.shape[0], 1))
    posts[:, 1] += posts[:, 2]
    posts[:, 2] = 0.0
    assert delta_hhi_rows(pre, posts)[:3].tolist() == delta_hhi_rows(pre, posts[:3]).tolist()
    both = hhi_and_delta_rows(pre, posts)
    assert both[0].tolist() == hhi_rows(posts).tolist()
    assert both[1][:3].tolist() == delta_hhi_rows(pre, posts[:3]).tolist()
