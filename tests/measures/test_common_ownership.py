"""Common-ownership profit weights κ_fg = Σ_i β_fi β_gi / Σ_i β_fi² (γ = β) and market ΔMHHI, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.measures.common_ownership import kappa, market_mhhi, mhhi_by_market


def _holdings(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["investor", "firm", "fraction"])


def test_identical_portfolios_give_kappa_one() -> None:
    # Each investor holds the same fraction of f and g: numerator = denominator → κ = 1 both ways.
    k = kappa(_holdings([("I1", "f", 0.10), ("I1", "g", 0.10), ("I2", "f", 0.05), ("I2", "g", 0.05)]))
    np.testing.assert_allclose(k.to_numpy(), np.ones((2, 2)))


def test_disjoint_owners_give_kappa_zero() -> None:
    k = kappa(_holdings([("I1", "f", 0.3), ("I2", "g", 0.2)]))
    assert k.loc["f", "g"] == 0
    assert k.loc["g", "f"] == 0
    assert k.loc["f", "f"] == 1


def test_hand_computed_asymmetric_kappa() -> None:
    """I1 holds 30% of f and 10% of g; I2 holds 10% of f and 20% of g.

    κ_fg = (0.3 · 0.1 + 0.1 · 0.2) / (0.3² + 0.1²) = 0.05 / 0.10 = 0.5
    κ_gf = (0.1 · 0.3 + 0.2 · 0.1) / (0.1² + 0.2²) = 0.05 / 0.05 = 1.0
    """
    k = kappa(_holdings([("I1", "f", 0.3), ("I1", "g", 0.1), ("I2", "f", 0.1), ("I2", "g", 0.2)]))
    assert k.loc["f", "g"] == pytest.approx(0.5)
    assert k.loc["g", "f"] == pytest.approx(1.0)
    # Market: s_f = 0.6, s_g = 0.4 → ΔMHHI = 10,000 · 0.24 · (0.5 + 1.0) = 3,600; HHI 5,200; MHHI 8,800.
    plain, modified, delta = market_mhhi(pd.Series({"f": 0.6, "g": 0.4}), k)
    assert (plain, modified, delta) == pytest.approx((5_200, 8_800, 3_600))


def test_control_column_changes_gamma_only() -> None:
    """γ from a voting column: I1 votes 0 in f (non-voting shares). κ_fg = γ_f,I2 β_g,I2 / γ_f,I2 β_f,I2 = 0.2/0.1."""
    frame = _holdings([("I1", "f", 0.3), ("I1", "g", 0.1), ("I2", "f", 0.1), ("I2", "g", 0.2)])
    frame["voting"] = [0.0, 0.1, 0.1, 0.2]
    k = kappa(frame, control="voting")
    assert k.loc["f", "g"] == pytest.approx(2.0)
    assert k.loc["g", "f"] == pytest.approx(1.0)


def test_repeated_rows_are_added() -> None:
    k1 = kappa(_holdings([("I1", "f", 0.2), ("I1", "f", 0.1), ("I1", "g", 0.1)]))
    k2 = kappa(_holdings([("I1", "f", 0.3), ("I1", "g", 0.1)]))
    pd.testing.assert_frame_equal(k1, k2)


def test_firm_selection_keeps_the_requested_order() -> None:
    k = kappa(_holdings([("I1", "a", 0.1), ("I1", "b", 0.2), ("I1", "c", 0.3)]), firms=["c", "a"])
    assert list(k.index) == ["c", "a"]
    assert k.loc["c", "a"] == pytest.approx(0.1 * 0.3 / 0.09)


def test_mhhi_by_market() -> None:
    k = kappa(_holdings([("I1", "f", 0.3), ("I1", "g", 0.1), ("I2", "f", 0.1), ("I2", "g", 0.2)]))
    shares = pd.DataFrame(
        {"market_id": ["m1", "m1", "m2"], "firm": ["f", "g", "f"], "share": [0.6, 0.4, 1.0]},
    )
    out = mhhi_by_market(shares, k).set_index("market_id")
    assert out.loc["m1", "mhhi_delta"] == pytest.approx(3_600)
    assert out.loc["m2", "mhhi"] == pytest.approx(10_000)


# --- bad input ---------------------------------------------------------------------------------------------------


def test_negative_holding_names_the_row() -> None:
    with pytest.raises(InvalidInputError, match=r"holdings row 1 \(investor 'I2', firm 'f'\): fraction = -0\.1"):
        kappa(_holdings([("I1", "f", 0.3), ("I2", "f", -0.1)]))


def test_holdings_above_100_percent_of_a_firm() -> None:
    with pytest.raises(InvalidInputError, match=r"holdings of firm 'f' sum to 1\.2000"):
        kappa(_holdings([("I1", "f", 0.7), ("I2", "f", 0.5)]))


def test_unknown_firm() -> None:
    with pytest.raises(InvalidInputError, match="firm\\(s\\) NVDA have no holdings"):
        kappa(_holdings([("I1", "f", 0.3)]), firms=["f", "NVDA"])


def test_market_firm_without_kappa() -> None:
    k = kappa(_holdings([("I1", "f", 0.3)]))
    with pytest.raises(InvalidInputError, match="firm\\(s\\) g of the market have no holdings"):
        market_mhhi(pd.Series({"f": 0.5, "g": 0.5}), k)


def test_missing_column() -> None:
    with pytest.raises(InvalidInputError, match="missing column\\(s\\) fraction"):
        kappa(pd.DataFrame({"investor": ["I1"], "firm": ["f"]}))


def test_kappa_names_a_holding_without_investor() -> None:
    holdings = pd.DataFrame({"investor": ["a", "b", None], "firm": ["F", "G", "F"], "fraction": [0.1, 0.2, 0.3]})
    with pytest.raises(InvalidInputError, match=r"row 2 has no investor id \(field 'investor'"):
        kappa(holdings)


def test_kappa_by_hand_with_arrow_string_ids() -> None:
    """β: a holds F 0.1, G 0.2; b holds F 0.3; c holds G 0.1. κ_FG = 0.02 / (0.01 + 0.09) = 0.2,
    κ_GF = 0.02 / (0.04 + 0.01) = 0.4."""
    holdings = pd.DataFrame(
        {
            "investor": pd.array(["a", "a", "b", "c"], dtype="string[pyarrow]"),
            "firm": pd.array(["F", "G", "F", "G"], dtype="string[pyarrow]"),
            "fraction": [0.1, 0.2, 0.3, 0.1],
        }
    )
    weights = kappa(holdings)
    assert weights.loc["F", "G"] == pytest.approx(0.2, abs=1e-12)
    assert weights.loc["G", "F"] == pytest.approx(0.4, abs=1e-12)
    assert weights.loc["F", "F"] == pytest.approx(1.0, abs=1e-12)
