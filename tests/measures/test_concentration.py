"""Concentration measures on hand-computed cases."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketpower.errors import InvalidInputError
from marketpower.measures.concentration import (
    class_2010,
    class_2023,
    concentration_ratio,
    concentration_ratio_range,
    delta_hhi,
    delta_hhi_rows,
    hhi,
    hhi_box_range,
    hhi_range,
    hhi_rows,
    merge,
    merger_delta_hhi,
    remainder,
    summarize,
    weighted_hhi,
)


def test_hhi_textbook_four_firms() -> None:
    # 30² + 30² + 20² + 20² = 900 + 900 + 400 + 400 = 2,600
    assert hhi([0.3, 0.3, 0.2, 0.2]) == pytest.approx(2600)


def test_hhi_monopoly_and_equal_firms() -> None:
    assert hhi([1.0]) == pytest.approx(10_000)
    assert hhi([0.1] * 10) == pytest.approx(1_000)


def test_hhi_range_with_remainder() -> None:
    # named 50 + 20 + 10 = 80; others 20: low = 2500 + 400 + 100 = 3000, high = 3000 + 400 = 3400
    assert hhi_range([0.5, 0.2, 0.1]) == pytest.approx((3000, 3400))


def test_cr4_and_range() -> None:
    shares = [0.35, 0.25, 0.1, 0.08, 0.07]
    assert concentration_ratio(shares, 4) == pytest.approx(0.78)
    assert concentration_ratio(shares, 1) == pytest.approx(0.35)
    # remainder 0.15 as one firm enters the top four in place of 0.08: 0.35 + 0.25 + 0.15 + 0.10
    assert concentration_ratio_range(shares, 4) == pytest.approx((0.78, 0.85))


def test_summary_of_market_with_remainder() -> None:
    summary = summarize([0.5, 0.2, 0.1])
    assert summary.n_firms == 3
    assert summary.others_share == pytest.approx(0.2)
    assert (summary.hhi_low, summary.hhi_high) == pytest.approx((3000, 3400))
    assert (summary.cr4_low, summary.cr4_high) == pytest.approx((0.8, 1.0))
    assert summary.class_2023 == "highly concentrated"
    assert summary.class_2010 == "highly concentrated"


def test_summary_class_range_when_bounds_straddle() -> None:
    # named 0.3, 0.2 -> low 1,300 (unconcentrated), others 0.5 -> high 3,800 (highly)
    summary = summarize([0.3, 0.2])
    assert summary.class_2010 == "unconcentrated to highly concentrated"
    assert summary.class_2023 == "not highly concentrated to highly concentrated"


@pytest.mark.parametrize(
    ("value", "expected_2023", "expected_2010"),
    [
        (1_499.99, "not highly concentrated", "unconcentrated"),
        (1_500, "not highly concentrated", "moderately concentrated"),
        (1_800, "not highly concentrated", "moderately concentrated"),
        (1_800.01, "highly concentrated", "moderately concentrated"),
        (2_500, "highly concentrated", "moderately concentrated"),
        (2_500.01, "highly concentrated", "highly concentrated"),
    ],
)
def test_guideline_bands_around_thresholds(value: float, expected_2023: str, expected_2010: str) -> None:
    assert class_2023(value) == expected_2023
    assert class_2010(value) == expected_2010


@pytest.mark.parametrize("bad", [[0.5, 1.2], [-0.1, 0.3], [0.6, 0.6], [float("nan")]])
def test_bad_shares_are_rejected(bad: list[float]) -> None:
    with pytest.raises(InvalidInputError):
        hhi(bad)


@given(st.lists(st.floats(min_value=0.001, max_value=1.0), min_size=1, max_size=30))
def test_hhi_bounds_property(raw: list[float]) -> None:
    total = sum(raw)
    shares = [x / total for x in raw]
    value = hhi(shares)
    assert 10_000 / len(shares) - 1e-6 <= value <= 10_000 + 1e-6


def test_market_table_with_published_ranges() -> None:
    """Two firms published only as ranges, [0.4, 0.6] and [0.3, 0.5] (their highs legitimately sum above 1),
    and a remainder in [0, 0.3]: the HHI bounds equal the extremes of a brute-force grid over that box."""
    import itertools

    import pandas as pd

    from marketpower.measures.markets import concentration_table

    shares = pd.DataFrame({
        "market_id": ["m", "m"], "entity_id": ["a", "b"], "year": [2024, 2024], "period": [None, None],
        "series": [None, None], "share": [None, None], "share_low": [0.4, 0.3], "share_high": [0.6, 0.5],
        "source_id": ["s", "s"],
    })
    markets = pd.DataFrame({"id": ["m"], "name": ["M"], "layer": ["x"], "geography": ["world"],
                            "measure": ["revenue"], "unit": ["USD"]})
    entities = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"]})
    row = concentration_table(shares, markets, entities).iloc[0]
    # brute force over a fine grid of (a, b, remainder) volumes inside the box; remainder counted as one firm
    # for the maximum and as infinitely split for the minimum
    grid_a = np.linspace(0.4, 0.6, 41)
    grid_b = np.linspace(0.3, 0.5, 41)
    grid_o = np.linspace(0.0, 0.3, 31)
    lows, highs = [], []
    for a, b, o in itertools.product(grid_a, grid_b, grid_o):
        total = a + b + o
        lows.append(10_000 * (a * a + b * b) / total**2)
        highs.append(10_000 * (a * a + b * b + o * o) / total**2)
    assert min(lows) - 5 <= row["hhi_low"] <= min(lows) + 1e-6
    assert row["hhi_high"] == pytest.approx(max(highs), rel=1e-6)
    assert row["cr4_high"] == pytest.approx(1.0)


# Exact rounding: every HHI / CRn is the double nearest to the exact value of its formula, so it is the same on
# every CPU (the Xeon failure of issue 14 was a BLAS dot product summing in another order, with FMA).


def _exact_hhi(shares: list[float]) -> Fraction:
    return 10_000 * sum((Fraction(s) ** 2 for s in shares), Fraction(0))


def _within_half_ulp(value: float, exact: Fraction) -> bool:
    """|value − exact| ≤ ½ ulp(exact): value is exactly rounded (ties aside, it is float(exact))."""
    return abs(Fraction(value) - exact) <= Fraction(math.ulp(float(exact))) / 2


def _fma_dot(shares: list[float]) -> float:
    """Σ s_i² as a CPU with fused multiply-add accumulates it: one rounding per step, of acc + s_i·s_i exactly."""
    acc = 0.0
    for s in shares:
        acc = float(Fraction(acc) + Fraction(s) ** 2)
    return acc


def test_hhi_of_the_xeon_case_is_exactly_3800() -> None:
    shares = [0.5, 0.3, 0.2]
    # what the fused multiply-add order gives, scaled: the 3799.9999999999995 of the Xeon
    assert 10_000 * _fma_dot(shares) == pytest.approx(3800, abs=1e-9)
    assert 10_000 * _fma_dot(shares) != 3800.0
    assert _within_half_ulp(hhi(shares), _exact_hhi(shares))
    assert float(_exact_hhi(shares)) == 3800.0  # the exact value rounds to 3800 itself


@pytest.mark.parametrize(
    "shares",
    [[0.1] * 10, [0.4, 0.3, 0.2, 0.1], [0.7, 0.2, 0.1], [1 / 3] * 3],
    ids=["ten-tenths", "four-firms", "three-firms", "thirds"],
)
def test_hhi_exact_where_naive_summation_is_not(shares: list[float]) -> None:
    # e.g. ten shares of 0.1: the naive sum of squares gives 1000.0000000000003, two ulps from the exact value
    assert _within_half_ulp(hhi(shares), _exact_hhi(shares))
    assert hhi(shares) == hhi(shares[::-1])  # order-independent bit for bit


_share_lists = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=1e-100, max_value=1.0)), min_size=1, max_size=40
).map(lambda raw: [x / max(math.fsum(raw), 1.0) for x in raw])


@given(_share_lists)
def test_hhi_is_exactly_rounded(shares: list[float]) -> None:
    exact = _exact_hhi(shares)
    assert _within_half_ulp(hhi(shares), exact)
    low, high = hhi_range(shares)
    others = remainder(shares)
    assert _within_half_ulp(low, exact)
    assert _within_half_ulp(high, exact + 10_000 * Fraction(others) ** 2)
    assert hhi_rows([shares, shares[::-1]]).tolist() == [hhi(shares)] * 2  # the vectorised form agrees bitwise


@given(_share_lists, st.integers(min_value=1, max_value=5))
def test_concentration_ratio_is_exactly_rounded(shares: list[float], n: int) -> None:
    exact = sum((Fraction(s) for s in sorted(shares, reverse=True)[:n]), Fraction(0))
    assert _within_half_ulp(concentration_ratio(shares, n), exact)


@given(_share_lists.filter(lambda s: len(s) >= 2))
def test_merger_delta_hhi_is_exactly_rounded(shares: list[float]) -> None:
    merging = [0, len(shares) - 1]
    a, b = Fraction(shares[0]), Fraction(shares[-1])
    assert _within_half_ulp(merger_delta_hhi(shares, merging), 20_000 * a * b)
    post = merge(shares, merging)
    exact_delta = _exact_hhi(post.tolist()) - _exact_hhi(shares)
    assert _within_half_ulp(delta_hhi(shares, post), exact_delta)


def test_hhi_rows_validates_each_row() -> None:
    with pytest.raises(InvalidInputError, match="row 1"):
        hhi_rows([[0.5, 0.5], [0.9, 0.9]])
    with pytest.raises(InvalidInputError, match="one row of shares per market"):
        hhi_rows([0.5, 0.5])
    # the same tolerance as hhi(): a row summing to 1.004 passes, one summing to 1.0075 does not
    assert hhi_rows([[0.5, 0.504]]).tolist() == [hhi([0.5, 0.504])]
    with pytest.raises(InvalidInputError, match="row 0"):
        hhi_rows([[0.5, 0.5075]])


def test_box_range_is_the_same_for_any_owner_order() -> None:
    low, high = [1.0, 2.0, 3.0, 0.5], [2.0, 2.5, 7.0, 0.9]
    forward = hhi_box_range(low, high, 0.5, 1.0)
    backward = hhi_box_range(low[::-1], high[::-1], 0.5, 1.0)
    assert forward == backward  # bit for bit: the maximum is decided by exactly rounded HHIs


@given(_share_lists, st.randoms(use_true_random=False))
def test_weighted_hhi_is_exactly_rounded(shares: list[float], rnd: random.Random) -> None:
    n = len(shares)
    # profit weights: 1 on the diagonal, 0 or a random κ (up to 2.5) elsewhere. Exact rounding is promised away from
    # the subnormal range: Hypothesis' random draws can be as small as 1e-300, whose products with shares underflow,
    # so κ below 1e-100 (no ownership structure gives one) counts as 0.
    def kappa() -> float:
        value = rnd.choice([0.0, rnd.random(), 2.5 * rnd.random()])
        return value if value >= 1e-100 else 0.0

    weights = [[1.0 if i == j else kappa() for j in range(n)] for i in range(n)]
    quadratic = sum(
        (Fraction(shares[i]) * Fraction(weights[i][j]) * Fraction(shares[j]) for i in range(n) for j in range(n)),
        Fraction(0),
    )
    modified, excess = weighted_hhi(shares, weights)
    assert _within_half_ulp(modified, 10_000 * quadratic)
    assert _within_half_ulp(excess, 10_000 * quadratic - _exact_hhi(shares))


@given(_share_lists.filter(lambda s: len(s) >= 3))
def test_delta_hhi_rows_is_delta_hhi_per_row(shares: list[float]) -> None:
    rows = [[*merge(shares, [0, k]).tolist(), 0.0] for k in range(1, len(shares))]
    expected = [delta_hhi(shares, row) for row in rows]
    assert delta_hhi_rows(shares, rows).tolist() == expected  # bit for bit: both exactly rounded


def test_delta_hhi_rows_keeps_the_total() -> None:
    with pytest.raises(InvalidInputError, match=r"post row 1 sums to 0\.9000"):
        delta_hhi_rows([0.5, 0.5], [[1.0, 0.0], [0.9, 0.0]])
