"""Closed-form cases derived by hand, and published formulas of the merger literature (each cited)."""

from __future__ import annotations

import numpy as np
import pytest

from marketpower.simulate import (
    Logit,
    Ownership,
    cmcr_bertrand,
    cmcr_two_products,
    guppi,
    markups,
    simulate_case,
    upp,
    vertical_guppi,
)
from marketpower.simulate.demand import diversions, elasticities


def _case(**kw: object) -> dict:
    base = {
        "labels": ["A", "B", "C"],
        "prices": [10.0, 12.0, 9.0],
        "shares": [0.3, 0.25, 0.2],
        "margins": [0.4, None, None],
        "owner_pre": ["a", "b", "c"],
        "owner_post": ["a", "a", "c"],
    }
    return base | kw


def test_logit_calibration_and_merger_focs_in_closed_form() -> None:
    """Logit Bertrand (Werden & Froeb 1994): a single-product firm's markup is p − c = −1/(α(1 − s)), so
    α = −1/(m p (1 − s)) = −1/(0.4·10·0.7) from product A; after A and B merge their absolute markups are equal,
    p_j − c_j = −1/(α(1 − s_A − s_B)) at post-merger shares, and C keeps −1/(α(1 − s_C))."""
    out = simulate_case(_case())
    alpha = -1.0 / (0.4 * 10.0 * 0.7)
    assert out.parameters["alpha"] == pytest.approx(alpha, rel=1e-12)
    np.testing.assert_allclose(out.costs, [6.0, 12 - 1 / (-alpha * 0.75), 9 - 1 / (-alpha * 0.8)], rtol=1e-12)
    s = out.shares_post
    markup = out.prices_post - out.costs
    np.testing.assert_allclose(markup[:2], -1.0 / (alpha * (1 - s[0] - s[1])), rtol=1e-10)
    assert markup[2] == pytest.approx(-1.0 / (alpha * (1 - s[2])), rel=1e-10)
    # shares at post prices follow the logit formula from the calibrated mean valuations log(s_j/s_0)
    v = np.log([0.3, 0.25, 0.2]) - np.log(0.25) + alpha * (out.prices_post - np.array([10, 12, 9.0]))
    np.testing.assert_allclose(s, np.exp(v) / (1 + np.exp(v).sum()), rtol=1e-12)
    # CV = ΔCS = [log(1+Σe^V_pre) − log(1+Σe^V_post)]/(−α), per consumer (no insize)
    assert out.cv == pytest.approx((np.log(4.0) - np.log1p(np.exp(v).sum())) / -alpha, rel=1e-10)


def test_linear_symmetric_duopoly_closed_form() -> None:
    """q_i = 10 − 2 p_i + p_j, c = 1: Bertrand p = (a + b c)/(2b − d) = 4, q = 6, margin 0.75, D_12 = d/b = 0.5;
    merged monopoly p = (a + (b − d) c)/(2(b − d)) = 5.5. CV = Δp (q_pre + q_post)/2 per product = 1.5·(6+4.5)/2·2."""
    out = simulate_case(
        {
            "demand": "linear",
            "labels": ["1", "2"],
            "prices": [4.0, 4.0],
            "quantities": [6.0, 6.0],
            "margins": [0.75, 0.75],
            "diversions": [[-1, 0.5], [0.5, -1]],
            "owner_pre": ["x", "y"],
            "owner_post": ["x", "x"],
        }
    )
    np.testing.assert_allclose(out.prices_post, [5.5, 5.5], rtol=1e-10)
    np.testing.assert_allclose(out.quantities_post, [4.5, 4.5], rtol=1e-10)
    assert out.cv == pytest.approx(2 * 1.5 * (6 + 4.5) / 2, rel=1e-10)
    assert out.producer_surplus_delta == pytest.approx(2 * (4.5 * 4.5 - 3 * 6), rel=1e-10)


def test_loglinear_symmetric_merger_closed_form() -> None:
    """Constant elasticities ε_11 = −3 and, with diversion 0.5 and equal quantities, ε_21 = −D ε_11 = 1.5.
    Pre-merger Lerner 1/3 (p = 1.5, c = 1); the merged firm's symmetric FOC gives Lerner −1/(ε_11 + ε_21) = 2/3,
    so p = c/(1 − 2/3) = 3. A non-merging single-product firm's price p = c ε/(1 + ε) does not move."""
    out = simulate_case(
        {
            "demand": "loglinear",
            "labels": ["1", "2", "3"],
            "prices": [1.5, 1.5, 1.5],
            "quantities": [5.0, 5.0, 5.0],
            "margins": [1 / 3, 1 / 3, 1 / 3],
            "diversions": [[-1, 0.5, 0.0], [0.5, -1, 0.0], [0.0, 0.0, -1]],
            "owner_pre": ["x", "y", "z"],
            "owner_post": ["x", "x", "z"],
        }
    )
    np.testing.assert_allclose(out.prices_post, [3.0, 3.0, 1.5], rtol=1e-8)


def test_cournot_linear_demand_three_to_two() -> None:
    """P = 100 − Q, c = 10, three firms: q = 22.5 each, P = 32.5 (margin 22.5/32.5). Merging two firms leaves a
    duopoly with q = 30, P = 40 (the merged firm's two plants split 30). CV = 7.5·(67.5 + 60)/2 = 478.125,
    ΔPS = 30·60 − 22.5·67.5 = 281.25. Froeb & Werden (1998) CMCR: 2 s1 s2 P/((s1+s2)|ε| c̄) = 2.25."""
    price = 32.5
    out = simulate_case(
        {
            "supply": "cournot",
            "demand": "linear",
            "prices": price,
            "quantities": [22.5] * 3,
            "margins": [22.5 / 32.5, None, None],
            "owner_pre": ["a", "b", "c"],
            "owner_post": ["a", "a", "c"],
        }
    )
    assert out.prices_post[0] == pytest.approx(40.0, rel=1e-10)
    np.testing.assert_allclose(out.quantities_post, [15.0, 15.0, 30.0], rtol=1e-9)
    assert out.cv == pytest.approx(478.125, rel=1e-9)
    assert out.producer_surplus_delta == pytest.approx(281.25, rel=1e-9)
    assert out.parameters["intercept"] == pytest.approx(100.0) and out.parameters["slope"] == pytest.approx(1.0)
    eps = 32.5 / 67.5
    assert out.cmcr["P1"] == pytest.approx(2 * (1 / 3) ** 2 * 32.5 / ((2 / 3) * eps) / 10.0, rel=1e-10)
    assert out.diagnostics["post_merger_quantities"]["converged"] is True


def test_cournot_capacity_binds_and_linear_costs() -> None:
    """Same market with a capacity of 25 on plant 3: post-merger its best response 30 is capped at 25, the merged
    firm's best response to 25 is (90 − 25)/2 = 32.5 in total, so P = 100 − 57.5 = 42.5.
    With linear marginal cost mc = d q (d = 10/22.5) and no capacity the symmetric pre-merger point is the same."""
    base = {
        "supply": "cournot",
        "demand": "linear",
        "prices": 32.5,
        "quantities": [22.5] * 3,
        "margins": [22.5 / 32.5] * 3,
        "owner_pre": ["a", "b", "c"],
        "owner_post": ["a", "a", "c"],
    }
    capped = simulate_case(base | {"capacities": [None, None, 25.0]})
    assert capped.prices_post[0] == pytest.approx(42.5, rel=1e-9)
    assert capped.quantities_post[2] == pytest.approx(25.0)
    linear = simulate_case(base | {"cost": "linear"})
    d = 10.0 / 22.5
    # merged firm: two plants at q each, MR = 100 − Q − 2q = d q; rival: 100 − Q − Q3 = d Q3; Q = 2q + Q3
    a = np.array([[2 + 2 + d, 1.0], [2.0, 2 + d]])
    q, q3 = np.linalg.solve(a, [100.0, 100.0])
    np.testing.assert_allclose(linear.quantities_post, [q, q, q3], rtol=1e-8)


def test_second_score_auction_closed_form() -> None:
    """Logit second-score auction (Miller 2014): a firm with win probability S earns log(1 − S)/(α S) per win.
    From A's margin α = log(1 − 0.3)/(0.3 · 0.4 · 10). Merging A and B leaves win probabilities unchanged, their
    markups rise to log(1 − 0.55)/(0.55 α), and buyers lose the merged firm's profit gain:
    CV = [log(1 − 0.55) − log(0.7) − log(0.75)]/α per auction."""
    out = simulate_case(_case(supply="auction"))
    alpha = np.log(0.7) / (0.3 * 0.4 * 10.0)
    assert out.parameters["alpha"] == pytest.approx(alpha, rel=1e-12)
    np.testing.assert_allclose(out.shares_post, [0.3, 0.25, 0.2], rtol=1e-12)
    merged = np.log(0.45) / (0.55 * alpha)
    np.testing.assert_allclose(out.prices_post[:2] - out.costs[:2], [merged, merged], rtol=1e-12)
    assert out.prices_post[2] == pytest.approx(9.0)
    assert out.cv == pytest.approx((np.log(0.45) - np.log(0.7) - np.log(0.75)) / alpha, rel=1e-10)
    assert out.producer_surplus_delta == pytest.approx(out.cv, rel=1e-10)


def test_upp_and_guppi_formulas() -> None:
    """Farrell & Shapiro (2010): GUPPI_1 = D_12 m_2 p_2/p_1 = 0.3·0.5·20/10 = 0.3; with a 10% cost saving on
    product 1 (c_1 = 6), UPP_1 = D_12 (p_2 − c_2) − 0.1 c_1 = 0.3·10 − 0.6 = 2.4."""
    p, m = np.array([10.0, 20.0]), np.array([0.4, 0.5])
    d = np.array([[-1.0, 0.3], [0.2, -1.0]])
    pre, post = Ownership.from_firms(["x", "y"]), Ownership.from_firms(["x", "x"])
    np.testing.assert_allclose(guppi(p, m, d, pre, post), [0.3, 0.2 * 0.4 * 10 / 20])
    np.testing.assert_allclose(upp(p, m, d, pre, post, np.array([0.1, 0.0])), [2.4, 0.2 * 4.0])


def test_cmcr_from_demand_matches_werden_formula() -> None:
    """Werden (1996): for two single-product Bertrand firms the compensating marginal-cost reductions depend only
    on prices, margins and diversions. A calibrated logit's CMCR (from its FOCs) must equal the formula."""
    p = np.array([10.0, 12.0, 9.0])
    demand = Logit(np.float64(-0.4), np.log([0.3, 0.25, 0.2]) - np.log(0.25), p)
    pre, post = Ownership.from_firms(["a", "b", "c"]), Ownership.from_firms(["a", "a", "c"])
    costs = p - markups(demand, p, pre)
    d = diversions(demand, p)
    formula = cmcr_two_products(p[:2], (p[:2] - costs[:2]) / p[:2], d[0, 1], d[1, 0])
    np.testing.assert_allclose(cmcr_bertrand(demand, p, costs, post)[:2], formula, rtol=1e-10)
    # and cutting the merging parties' costs by the CMCR leaves every price unchanged
    out = simulate_case(
        _case(margins=[float((p[0] - costs[0]) / p[0]), None, None], mc_delta=[-formula[0], -formula[1], 0.0])
    )
    np.testing.assert_allclose(out.prices_post, p, rtol=1e-9)


def test_pcaids_reproduces_the_known_elasticity() -> None:
    """Epstein & Rubinfeld (2002) PCAIDS: with market elasticity ε and a known own elasticity ε_11, the scale is
    b = (ε_11 + 1 − w_1(1 + ε))/(1 − w_1); the calibrated system must give back ε_11 and cross elasticities
    ε_jk = −b w_k + w_k(1 + ε) (j ≠ k)."""
    case = {
        "demand": "pcaids",
        "labels": ["A", "B", "C"],
        "prices": [1.0, 1.0, 1.0],
        "shares": [0.2, 0.3, 0.5],
        "market_elasticity": -1.0,
        "known_elasticity": -3.0,
        "known_elasticity_index": "A",
        "owner_pre": ["a", "b", "c"],
        "owner_post": ["a", "a", "c"],
    }
    out = simulate_case(case)
    b = (-3.0 + 1.0 - 0.2 * 0.0) / 0.8
    assert out.parameters["b"] == pytest.approx(b)
    assert out.elasticities[0, 0] == pytest.approx(-3.0, rel=1e-12)
    assert out.elasticities[1, 2] == pytest.approx(-b * 0.5, rel=1e-12)
    assert np.all(out.prices_post[:2] > 1.0)


def test_nested_logit_with_rho_zero_is_logit_and_rclogit_without_dispersion_is_logit() -> None:
    """ρ = 0 collapses the nested logit to the logit, Σ = Π = 0 the random-coefficients logit to the logit."""
    plain = simulate_case(_case(parameters={"alpha": -0.3}))
    nested = simulate_case(_case(demand="nested_logit", nests=["x", "x", "y"], parameters={"alpha": -0.3, "rho": 0.0}))
    mixed = simulate_case(
        _case(
            demand="rclogit",
            parameters={"alpha": -0.3, "x2": [[1.0], [1.0], [1.0]], "nodes": [[0.5], [-0.5]], "sigma": [[0.0]]},
        )
    )
    np.testing.assert_allclose(nested.prices_post, plain.prices_post, rtol=1e-10)
    np.testing.assert_allclose(mixed.prices_post, plain.prices_post, rtol=1e-10)
    assert mixed.cv == pytest.approx(plain.cv, rel=1e-10)


def test_more_margins_than_needed_are_combined_by_least_squares() -> None:
    """Consistent margins (generated by a logit with α = −0.3) give the same α whether one or all are used, and
    the method says so; inconsistent ones are combined and the fit is reported."""
    truth = simulate_case(_case(parameters={"alpha": -0.3}))
    margins = list((truth.prices_pre - truth.costs) / truth.prices_pre)
    one = simulate_case(_case(margins=[margins[0], None, None]))
    three = simulate_case(_case(margins=margins))
    assert one.parameters["alpha"] == pytest.approx(-0.3, rel=1e-12)
    assert three.parameters["alpha"] == pytest.approx(-0.3, rel=1e-12)
    assert "least squares" in three.diagnostics["calibration"]["method"]
    noisy = simulate_case(_case(margins=[margins[0], margins[1] * 1.1, None]))
    assert noisy.diagnostics["calibration"]["fit"]["max_abs_margin_error"] > 1e-3


def test_nested_logit_calibration_recovers_parameters() -> None:
    """Margins generated with α = −0.3, ρ_x = 0.5 are matched exactly by the calibrated nested logit."""
    truth = simulate_case(
        _case(demand="nested_logit", nests=["x", "x", "y"], parameters={"alpha": -0.3, "rho": {"x": 0.5, "y": 0.0}})
    )
    margins = list((truth.prices_pre - truth.costs) / truth.prices_pre)
    fitted = simulate_case(_case(demand="nested_logit", nests=["x", "x", "y"], margins=margins))
    assert fitted.parameters["alpha"] == pytest.approx(-0.3, rel=1e-7)
    assert fitted.parameters["rho"]["x"] == pytest.approx(0.5, rel=1e-7)
    np.testing.assert_allclose(fitted.prices_post, truth.prices_post, rtol=1e-7)


def test_elasticities_of_logit() -> None:
    """Logit elasticities: own α p_j (1 − s_j), cross −α p_k s_k."""
    out = simulate_case(_case(parameters={"alpha": -0.3}))
    e = elasticities(Logit(np.float64(-0.3), np.zeros(3), np.ones(3)), np.ones(3))
    assert e[0, 0] == pytest.approx(-0.3 * (1 - 1 / 4))
    assert out.elasticities[0, 0] == pytest.approx(-0.3 * 10 * 0.7)
    assert out.elasticities[0, 1] == pytest.approx(0.3 * 12 * 0.25)


def test_vertical_guppi() -> None:
    """Moresi & Salop (2013): vGUPPI_U = θ D_RD m_D p_D / w_R = 0.3·0.2·0.5·100/40 = 0.075 with a 30% stake;
    vGUPPI_D = D_DR m_U w_R / p_D = 0.4·0.6·40/100 = 0.096."""
    out = vertical_guppi(
        upstream_margin=0.6,
        input_price=40.0,
        downstream_margin=0.5,
        downstream_price=100.0,
        diversion_rival_to_merging=0.2,
        diversion_merging_to_rival=0.4,
        stake_upstream_in_downstream=0.3,
    )
    assert out["vguppi_upstream"] == pytest.approx(0.075)
    assert out["vguppi_downstream"] == pytest.approx(0.096)


def test_partial_ownership_between_none_and_full_merger() -> None:
    """A's owner buys 30% of B's profits (O'Brien & Salop 2000; B's owner keeps 70% and control): prices rise,
    by less than under a full merger. B's own FOC is unchanged (its objective is scaled by 0.7)."""
    partial = [[1.0, 0.3, 0.0], [0.0, 0.7, 0.0], [0.0, 0.0, 1.0]]
    out = simulate_case(_case(owner_post=partial))
    full = simulate_case(_case())
    assert 10.0 < out.prices_post[0] < full.prices_post[0]
    assert out.prices_post[1] > 12.0  # the rival's price rises too (strategic complements)
    assert out.prices_post[1] < full.prices_post[1]


def test_draws_give_percentile_bands() -> None:
    """Uncertainty over the known margin: bands are ordered and bracket the point estimate at the midpoint."""
    out = simulate_case(_case(draws=40, ranges={"margins": [0.3, 0.5]}, seed=1)).to_dict()
    band = out["uncertainty"]["price_change_pct"]["A"]
    assert out["uncertainty"]["succeeded"] == 40
    assert band[0] < band[1] < band[2]
    assert band[0] < out["price_change_pct"]["products"]["A"] < band[2]


def test_vertical_guppi_cli(cli) -> None:  # type: ignore[no-untyped-def]
    """The same Moresi & Salop case through `marketpower vguppi --json` (an Nvidia-OpenAI-type 30% stake)."""
    import json

    result = cli(
        "vguppi", "--upstream-margin", "0.6", "--input-price", "40", "--downstream-margin", "0.5",
        "--downstream-price", "100", "--diversion-rival-to-merging", "0.2", "--diversion-merging-to-rival", "0.4",
        "--stake-up", "0.3", "--json",
    )
    assert result.code == 0
    out = json.loads(result.out)
    assert out["vguppi_upstream"] == pytest.approx(0.075)
    assert out["vguppi_downstream"] == pytest.approx(0.096)
    bad = cli("vguppi", "--upstream-margin", "1.6", "--input-price", "40", "--downstream-margin", "0.5",
              "--downstream-price", "100", "--diversion-rival-to-merging", "0.2", "--diversion-merging-to-rival",
              "0.4")
    assert bad.code == 2 and "upstream_margin" in bad.err
