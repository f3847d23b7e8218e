"""Logit demand with Cournot supply (R `antitrust` ``sim(..., supply = "cournot")``), against hand-derived closed
forms: with inverse demand p_j = p0_j + (log(s_j/s_0) − δ_j)/α, the FOC is p_j − c_j = x (1 + S_f/s_0), x = 1/(−α)."""

from __future__ import annotations

import math

import pytest
from scipy import optimize

from marketpower.errors import InvalidInputError
from marketpower.simulate.engine import simulate_case

CASE = {
    "supply": "cournot",
    "demand": "logit",
    "prices": [10.0, 10.0, 9.0],
    "shares": [0.3, 0.3, 0.2],
    "margins": [0.4, None, None],
    "owner_pre": ["a", "b", "c"],
    "owner_post": ["a", "a", "c"],
}


def test_calibration_costs_and_cmcr_closed_form() -> None:
    """m_1 p_1 = x (1 + s_1/s_0): 4 = x · 2.5, x = 1.6, α = −0.625; c_1 = 10 − 4 = 6,
    c_3 = 9 − 1.6 (1 + 0.2/0.2) = 5.8; CMCR = x s_2/s_0 / c_1 = 1.6 · 1.5 / 6 = 0.4."""
    out = simulate_case(CASE).to_dict()
    assert out["parameters"]["alpha"] == pytest.approx(-0.625, rel=1e-12)
    assert out["costs"]["P1"] == pytest.approx(6.0, rel=1e-12)
    assert out["costs"]["P3"] == pytest.approx(5.8, rel=1e-12)
    assert out["cmcr"] == pytest.approx({"P1": 0.4, "P2": 0.4}, rel=1e-12)


def test_post_merger_prices_closed_form() -> None:
    """Symmetric merged pair with r = s/s_0: 10 − 1.6 log(r/1.5) − 6 = 1.6 (1 + 2r) (Brent); the outsider's FOC
    involves only s_3/s_0 on both sides, so its price is unchanged (a property of logit Cournot)."""
    r = optimize.brentq(lambda v: 4 - 1.6 * math.log(v / 1.5) - 1.6 * (1 + 2 * v), 1e-6, 10, xtol=1e-15)
    expected = 10 - 1.6 * math.log(r / 1.5)
    out = simulate_case(CASE).to_dict()
    assert out["prices_post"]["P1"] == pytest.approx(expected, rel=1e-10)
    assert out["prices_post"]["P2"] == pytest.approx(expected, rel=1e-10)
    assert out["prices_post"]["P3"] == pytest.approx(9.0, rel=1e-10)


def test_cmcr_cut_keeps_prices() -> None:
    """Cutting the merging products' costs by CMCR (0.4) leaves every price at its pre-merger level."""
    out = simulate_case({**CASE, "mc_delta": [-0.4, -0.4, 0.0]}).to_dict()
    assert list(out["prices_post"].values()) == pytest.approx([10.0, 10.0, 9.0], rel=1e-9)


def test_needs_an_outside_good() -> None:
    with pytest.raises(InvalidInputError, match="shares: logit Cournot needs an outside good"):
        simulate_case({**CASE, "shares": [0.4, 0.4, 0.2]})
