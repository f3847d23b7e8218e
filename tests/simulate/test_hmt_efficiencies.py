"""Market definition (hypothetical monopolist test) and efficiencies, against hand-derived closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from marketpower.errors import InvalidInputError
from marketpower.simulate.engine import simulate_case
from marketpower.simulate.hmt import hypothetical_monopolist_test, monopolist_prices
from marketpower.simulate.logit import Logit

THREE = {
    "prices": [10, 12, 9],
    "shares": [0.3, 0.25, 0.2],
    "margins": [0.4, None, None],
    "owner_pre": ["a", "b", "c"],
    "owner_post": ["a", "a", "c"],
}


def _one_product_rise(alpha: float, share0: float, cost: float, price0: float) -> float:
    """Hand-derived: a single-product logit monopolist (outside good) sets p − c = 1/(−α (1 − s(p))),
    s(p) = e^{δ+α(p−p0)}/(1 + e^{δ+α(p−p0)}), δ = log(s0/(1 − s0)); solved by Brent's method."""
    delta = math.log(share0 / (1 - share0))

    def foc(p: float) -> float:
        s = 1 / (1 + math.exp(-(delta + alpha * (p - price0))))
        return p - cost - 1 / (-alpha * (1 - s))

    return optimize.brentq(foc, cost + 1e-9, cost + 100.0, xtol=1e-14) / price0 - 1


@pytest.mark.parametrize(("cost", "passes"), [(7.0, True), (6.8, False)])
def test_one_product_logit_ssnip_iff_monopoly_rise_at_least_5pct(cost: float, passes: bool) -> None:
    """One product, α = −1, share 0.4 at price 8: the SSNIP passes iff the monopoly price rise is ≥ 5%."""
    demand = Logit(np.float64(-1.0), np.array([math.log(0.4 / 0.6)]), np.array([8.0]))
    expected = _one_product_rise(-1.0, 0.4, cost, 8.0)
    p_star = monopolist_prices(demand, np.array([8.0]), np.array([cost]), [0])
    assert p_star[0] / 8.0 - 1 == pytest.approx(expected, abs=1e-9)
    out = hypothetical_monopolist_test(demand, np.array([8.0]), np.array([cost]), ["A"], 0)
    assert (out["smallest_market"]["0.05"] == ["A"]) is passes
    assert (expected >= 0.05) is passes


def test_three_product_case_smallest_market_and_uniform_logit_markup() -> None:
    """The pair {P1, P2} passes both SSNIPs; its monopolist (P3's price fixed) sets equal markups
    p_j − c_j = 1/(−α (1 − s1 − s2)) — the multi-product logit closed form — and P1 alone (already priced by a
    single-product firm) rises by 0%."""
    out = simulate_case({**THREE, "hmt": {"product": "P1"}}).to_dict()
    hmt = out["market_definition"]
    assert hmt["ranking"] == ["P1", "P2", "P3"]  # logit diversion from P1 follows shares: P2 (0.25) > P3 (0.2)
    assert hmt["candidates"][0]["price_rise_pct"]["P1"] == pytest.approx(0.0, abs=1e-8)
    assert hmt["smallest_market"] == {"0.05": ["P1", "P2"], "0.1": ["P1", "P2"]}
    alpha = out["parameters"]["alpha"]
    prices = np.array(THREE["prices"], dtype=float)
    shares = np.array(THREE["shares"])
    costs = prices[:2] - 1 / (-alpha * (1 - shares[:2]))  # single-product logit FOC before the merger
    rise = hmt["candidates"][1]["price_rise_pct"]
    p_star = prices[:2] * (1 + np.array([rise["P1"], rise["P2"]]) / 100)
    delta = np.log(np.array(THREE["shares"])) - math.log(1 - 0.75)
    v = delta + alpha * (np.array([*p_star, 9.0]) - prices)
    s = np.exp(v) / (1 + np.exp(v).sum())
    uniform = 1 / (-alpha * (1 - s[0] - s[1]))
    assert p_star - costs == pytest.approx([uniform, uniform], rel=1e-8)


def test_symmetric_merger_cv_neutral_cut_equals_werden_cmcr() -> None:
    """Symmetric logit pair (p = 10, s = 0.3 each, margin 0.4): diversion d = 0.3/0.7 and Werden's (1996) CMCR
    m d / ((1 − m)(1 − d)) = 0.5; by symmetry the CV-neutral common cut is the same 0.5."""
    case = {
        "prices": [10, 10, 9],
        "shares": [0.3, 0.3, 0.2],
        "margins": [0.4, None, None],
        "owner_pre": ["a", "b", "c"],
        "owner_post": ["a", "a", "c"],
        "efficiencies": True,
    }
    eff = simulate_case(case).to_dict()["efficiencies"]
    for label in ("P1", "P2"):
        assert eff["products"][label]["price_neutral_cut"] == pytest.approx(0.5, rel=1e-9)
        assert eff["products"][label]["cv_neutral_cut"] == pytest.approx(0.5, rel=1e-7)
        assert eff["products"][label]["price_change_pct_at_cv_neutral_cut"] == pytest.approx(0.0, abs=1e-5)


def test_asymmetric_cv_neutral_cut_leaves_logit_surplus_unchanged() -> None:
    """At the reported common cut, the logit inclusive value log(1 + Σ e^V) (CV = 0 iff unchanged), computed here
    from the reported post-cut prices, equals its pre-merger value."""
    out = simulate_case({**THREE, "efficiencies": True}).to_dict()
    eff = out["efficiencies"]
    t = eff["cv_neutral_cut"]
    assert 0.3010752688 < t < 0.3703703704  # between the two products' CMCRs (0.3011, 0.3704)
    alpha = out["parameters"]["alpha"]
    prices = np.array(THREE["prices"], dtype=float)
    shares = np.array(THREE["shares"])
    delta = np.log(shares) - math.log(1 - shares.sum())
    change = np.array(
        [eff["products"]["P1"]["price_change_pct_at_cv_neutral_cut"],
         eff["products"]["P2"]["price_change_pct_at_cv_neutral_cut"]]
    )
    # P3's post-cut price is not reported: recover it from its own FOC p3 − c3 = 1/(−α (1 − s3)), solved by Brent
    c3 = 9 - 1 / (-alpha * (1 - 0.2))
    p12 = prices[:2] * (1 + change / 100)

    def shares_at(p3: float) -> np.ndarray:
        v = delta + alpha * (np.array([*p12, p3]) - prices)
        return np.exp(v) / (1 + np.exp(v).sum())

    p3 = optimize.brentq(lambda x: x - c3 - 1 / (-alpha * (1 - shares_at(x)[2])), c3 + 1e-9, c3 + 50, xtol=1e-14)
    v_post = delta + alpha * (np.array([*p12, p3]) - prices)
    assert math.log1p(np.exp(v_post).sum()) == pytest.approx(math.log1p(np.exp(delta).sum()), abs=1e-9)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"hmt": {"product": "Z"}}, "hmt.product"),
        ({"hmt": {"product": "P1", "ssnip": [0.05]}}, "hmt.ssnip: unknown key"),
        ({"hmt": {"product": "P1", "ssnips": [5]}}, "hmt.ssnips[0]"),
        ({"efficiencies": "yes"}, "efficiencies"),
        ({"hmt": {"product": "P1"}, "supply": "cournot"}, "hmt: the hypothetical monopolist test needs Bertrand"),
    ],
)
def test_bad_hmt_and_efficiency_keys_are_named(extra: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        simulate_case({**THREE, **extra})


def test_candidate_already_at_its_monopoly_price_is_not_a_solver_failure() -> None:
    """A single-product firm's own price is already its monopolist's optimum (MINPACK starts at the root and
    reports no progress): the rise is 0, not an error; 40 symmetric single-product firms, merger of two."""
    n = 40
    case = {
        "prices": [1 + 0.01 * j for j in range(n)],
        "shares": [0.02] * n,
        "margins": [0.3] + [None] * (n - 1),
        "owner_pre": [f"f{j}" for j in range(n)],
        "owner_post": ["f0", "f0"] + [f"f{j}" for j in range(2, n)],
        "hmt": {"product": "P3"},
    }
    hmt = simulate_case(case).to_dict()["market_definition"]
    assert hmt["candidates"][0]["price_rise_pct"]["P3"] == pytest.approx(0.0, abs=1e-12)
