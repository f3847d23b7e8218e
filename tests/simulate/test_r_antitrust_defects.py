"""Issue 18's defects 2–5 against R `antitrust`'s documented examples and closed forms.

R figures: Miller (2014) example of ``auction2nd.logit`` (R antitrust documentation, luciu5/antitrust,
R/auction2ndlogit.R; the example values and expected +10.742% / +24.800% are quoted in issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

from marketpower.errors import InvalidInputError
from marketpower.simulate import simulate_case

MILLER = {
    "supply": "auction",
    "prices": [35530, 154000, 84080, 53160],
    "shares": [0.29, 0.4, 0.28, 0.03],
    "margins": [None, 0.3442, None, None],
    "owner_pre": [1, 2, 3, 4],
    "owner_post": [1, 2, 2, 4],
}


def test_auction_win_shares_summing_to_one_match_r() -> None:
    """R's Miller (2014) example: win shares sum to 1 (no outside option). Markup per win log(1 − S)/(α S) with
    α = log(0.6)/(0.4 · 0.3442 · 154000); the merged firm's S = 0.68 gives +10.742% and +24.800% (R, to its
    optimiser's tolerance: 0.005 percentage points)."""
    out = simulate_case(MILLER)
    change = out.price_change_pct()["products"]
    assert change["P2"] == pytest.approx(10.742, abs=5e-3)
    assert change["P3"] == pytest.approx(24.800, abs=5e-3)
    assert change["P1"] == pytest.approx(0.0, abs=1e-9) and change["P4"] == pytest.approx(0.0, abs=1e-9)
    alpha = np.log(0.6) / (0.4 * 0.3442 * 154000)
    assert out.parameters["alpha"] == pytest.approx(alpha, rel=1e-12)
    np.testing.assert_allclose(out.shares_post, MILLER["shares"], rtol=1e-12)  # no cost change: same winners
    # buyers lose what the merged firm gains: log(1 − 0.68) − log(0.6) − log(0.72), over α
    assert out.cv == pytest.approx((np.log(0.32) - np.log(0.6) - np.log(0.72)) / alpha, rel=1e-9)


def test_auction_monopoly_without_outside_option_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="owner_post: the owner of P1 would win every auction"):
        simulate_case(MILLER | {"owner_post": [1, 1, 1, 1]})


R_AIDS = {  # R antitrust's documented aids() example (R/AIDSFunctions.R @examples)
    "demand": "aids",
    "labels": ["A", "B", "C"],
    "shares": [0.2, 0.3, 0.5],
    "margins": [0.33, 0.36, 0.44],
    "prices": [2.9, 3.4, 2.2],
    "owner_pre": ["A", "B", "C"],
    "owner_post": ["A", "A", "C"],
}


def test_aids_calibrates_the_market_elasticity_from_margins_and_matches_r() -> None:
    """Three margins over-identify R's symmetric AIDS (one Γ scale and ε): the market elasticity is calibrated
    (−1/0.99 here, the margins fitted exactly) and, with the budget responding to the current share-weighted
    (translog) index, the price rises are R's: A +13.5289%, C +3.9804% (issue 18; tolerance 1e-4 points)."""
    out = simulate_case(R_AIDS)
    assert out.parameters["market_elasticity"] == pytest.approx(-1.0 / 0.99, rel=1e-7)
    assert out.diagnostics["calibration"]["fit"]["max_abs_margin_error"] < 1e-9
    change = out.price_change_pct()["products"]
    assert change["A"] == pytest.approx(13.5289, abs=1e-4)
    assert change["C"] == pytest.approx(3.9804, abs=1e-4)
    # the same ε given to the per-product AIDS calibration gives the same answer (before the mend: 13.5208%)
    given = simulate_case(R_AIDS | {"market_elasticity": out.parameters["market_elasticity"]})
    assert given.price_change_pct()["products"]["A"] == pytest.approx(13.5289, abs=1e-4)
    assert given.price_change_pct()["products"]["C"] == pytest.approx(3.9804, abs=1e-4)
    # PCAIDS is the same family under proportional diversions: same calibration, same prices
    pc = simulate_case(R_AIDS | {"demand": "pcaids"})
    assert pc.price_change_pct()["products"]["A"] == pytest.approx(change["A"], abs=1e-7)


def test_aids_budget_follows_the_translog_index() -> None:
    """d log X / d log p_k = (1 + ε) w_k(p) at the current shares (symmetric Γ): check against finite differences of
    total expenditure Σ p q away from the base prices."""
    from marketpower.simulate.calibrate import MarketData, calibrate_aids
    from marketpower.simulate.case import parse_case

    data: MarketData = parse_case(R_AIDS | {"market_elasticity": -1.5}).data
    demand = calibrate_aids(data, proportional=True).demand
    p = np.array([3.2, 3.6, 2.3])
    w = demand.quantities(p) * p / (demand.quantities(p) @ p)
    for k in range(3):
        h = 1e-6
        up, down = p.copy(), p.copy()
        up[k] *= np.exp(h)
        down[k] *= np.exp(-h)
        slope = (np.log(demand.quantities(up) @ up) - np.log(demand.quantities(down) @ down)) / (2 * h)
        assert slope == pytest.approx((1 - 1.5) * w[k], rel=1e-6)


def test_aids_without_enough_targets_for_the_market_elasticity_says_so() -> None:
    with pytest.raises(InvalidInputError, match="at least two known margins"):
        simulate_case(R_AIDS | {"margins": [0.33, None, None]})


@pytest.mark.parametrize("demand", ["logit", "nested_logit", "ces"])
def test_one_product_with_share_one_is_a_clear_error(demand: str) -> None:
    """Before the mend: LinAlgError traceback in bertrand.markups (a share of 1 never moves with price)."""
    case = {
        "demand": demand,
        "prices": [10],
        "shares": [1.0],
        "margins": [0.4],
        "owner_pre": ["a"],
        "owner_post": ["a"],
        "nests": ["x"],
    }
    with pytest.raises(InvalidInputError, match=r"shares\[P1\] = 1: one product holding the whole market"):
        simulate_case(case)


def test_one_product_linear_monopoly_still_runs() -> None:
    """Linear demand has no share constraint: q = 10 − q0/(m p) (p − 10) with m = 0.4; a 10% cost rise is half passed
    through by a monopolist: Δp = c Δ / 2 = 6 · 0.1 / 2 = 0.3."""
    out = simulate_case(
        {
            "demand": "linear",
            "prices": [10],
            "shares": [1.0],
            "margins": [0.4],
            "owner_pre": ["a"],
            "owner_post": ["a"],
            "mc_delta": 0.1,
        }
    )
    assert out.prices_post[0] == pytest.approx(10.3, rel=1e-10)


def test_cournot_monopoly_with_inelastic_loglinear_demand_has_no_finite_optimum() -> None:
    """Margin 0.7 at firm share 0.5: |ε| = 0.5/0.7 < 1, so a merger to monopoly has no finite optimum (before the
    mend: OverflowError in HomogeneousDemand.inverse)."""
    case = {
        "demand": "loglinear",
        "supply": "cournot",
        "prices": 10,
        "quantities": [50, 50],
        "margins": [0.7, None],
        "owner_pre": ["a", "b"],
        "owner_post": ["a", "a"],
    }
    with pytest.raises(InvalidInputError, match="no finite optimum"):
        simulate_case(case)
    # elastic enough (|ε| = 0.5/0.3): the monopoly price is mc/(1 − 1/|ε|) = 7/0.4 = 17.5
    out = simulate_case(case | {"margins": [0.3, None]})
    assert out.prices_post[0] == pytest.approx(17.5, rel=1e-9)
    assert out.quantities_post.sum() == pytest.approx(100 * 1.75 ** (-0.5 / 0.3), rel=1e-9)


def test_no_equilibrium_error_does_not_suggest_a_looser_tolerance() -> None:
    """Linear demand with diversion 1 both ways: a merger to monopoly keeps total quantity fixed as both prices rise,
    so profit grows without bound and the FOCs have no solution. The error must not suggest a looser tolerance."""
    from marketpower.errors import ConvergenceError
    from marketpower.simulate.bertrand import NO_EQUILIBRIUM

    case = {
        "demand": "linear",
        "prices": [4.0, 4.0],
        "quantities": [6.0, 6.0],
        "margins": [0.5, 0.5],
        "diversions": [[-1, 1], [1, -1]],
        "owner_pre": ["x", "y"],
        "owner_post": ["x", "x"],
    }
    with pytest.raises(ConvergenceError) as caught:
        simulate_case(case)
    assert "looser tolerance would not help" in str(caught.value) and NO_EQUILIBRIUM in str(caught.value)
    assert "mitigated by a better starting point, a looser tolerance" not in str(caught.value)


def test_linear_post_merger_shares_are_renormalised() -> None:
    """q_i = 10 − 2 p_i + p_j for the merging pair (p = 4 → 5.5, q = 6 → 4.5) and an independent third product
    (q = 6 throughout): shares_post = q_post/Q_post = [4.5, 4.5, 6]/15, not q_post/Q_pre = [4.5, 4.5, 6]/18."""
    out = simulate_case(
        {
            "demand": "linear",
            "prices": [4.0, 4.0, 4.0],
            "quantities": [6.0, 6.0, 6.0],
            "margins": [0.75, 0.75, 0.75],
            "diversions": [[-1, 0.5, 0], [0.5, -1, 0], [0, 0, -1]],
            "owner_pre": ["x", "y", "z"],
            "owner_post": ["x", "x", "z"],
        }
    )
    np.testing.assert_allclose(out.quantities_post, [4.5, 4.5, 6.0], rtol=1e-10)
    np.testing.assert_allclose(out.shares_post, [0.3, 0.3, 0.4], rtol=1e-10)
