"""Concentration measures on hand-computed cases."""

from __future__ import annotations

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
    hhi,
    hhi_range,
    summarize,
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
