"""Input markets (buyer power; R `antitrust`'s ``output = FALSE``): the firms buy, sellers choose among them with
logit utility rising in the price paid (α > 0), margins are markdowns (v − p)/p. Checked against hand-derived
first-order conditions solved here without the engine, and a nested logit calibration round trip."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import optimize

from marketpower.errors import InvalidInputError
from marketpower.simulate.bertrand import markups
from marketpower.simulate.engine import simulate_case
from marketpower.simulate.groups import group_sum
from marketpower.simulate.logit import NestedLogit
from marketpower.simulate.ownership import Ownership

CASE: dict[str, Any] = {
    "input_market": True, "prices": [10.0, 10.0, 9.0], "shares": [0.3, 0.3, 0.2], "margins": [0.25, None, None],
    "owner_pre": ["a", "b", "c"], "owner_post": ["a", "a", "c"], "insize": 1000.0,
}


def test_two_buyers_merge_into_one_by_hand() -> None:
    """A single-product buyer's markdown is v − p = 1/(α (1 − s)) (the mirror of the seller's markup), so the known
    markdown 0.25 × 10 at s = 0.3 gives α = 1/(2.5 × 0.7) and values v = 12.5, v_3 = 9 + 1/(0.8 α). After a and b
    merge, the symmetric merged buyer pays p_m with v − p_m = 1/(α (1 − 2 s_m)) and c pays p_3 with
    v_3 − p_3 = 1/(α (1 − s_3)), shares logit in α p: solved here as two scalar equations."""
    out = simulate_case(CASE)
    alpha = 1.0 / (2.5 * 0.7)
    assert out.parameters["alpha"] == pytest.approx(alpha, rel=1e-12)
    v, v3 = 12.5, 9.0 + 1.0 / (0.8 * alpha)
    assert out.costs.tolist() == pytest.approx([v, v, v3], rel=1e-12)  # the buyers' marginal values
    base = np.log(np.array([0.3, 0.3, 0.2]) / 0.2) - alpha * np.array([10.0, 10.0, 9.0])

    def shares(pm: float, p3: float) -> np.ndarray:
        e = np.exp(base + alpha * np.array([pm, pm, p3]))
        return e / (1.0 + e.sum())

    def focs(x: np.ndarray) -> list[float]:
        s = shares(*x)
        return [v - x[0] - 1.0 / (alpha * (1.0 - 2.0 * s[0])), v3 - x[1] - 1.0 / (alpha * (1.0 - s[2]))]

    pm, p3 = optimize.fsolve(focs, [10.0, 9.0], xtol=1e-14)
    assert out.prices_post.tolist() == pytest.approx([pm, pm, p3], rel=1e-10)
    assert pm < 10.0 and p3 < 9.0  # buyer power: the merged buyer pays less, and its rival follows
    s_post = shares(pm, p3)
    assert out.shares_post.tolist() == pytest.approx(s_post.tolist(), rel=1e-10)
    sellers = np.log1p(np.exp(base + alpha * np.array([10.0, 10.0, 9.0])).sum()) / alpha
    sellers_post = np.log1p(np.exp(base + alpha * np.array([pm, pm, p3])).sum()) / alpha
    assert out.cv == pytest.approx((sellers - sellers_post) * 1000.0, rel=1e-10)  # the sellers' loss, > 0
    profit_pre = (np.array([v, v, v3]) - [10.0, 10.0, 9.0]) @ [0.3, 0.3, 0.2]
    profit_post = (np.array([v, v, v3]) - [pm, pm, p3]) @ s_post
    assert out.producer_surplus_delta == pytest.approx((profit_post - profit_pre) * 1000.0, rel=1e-10)
    assert all(row["upp"] < 0 for row in out.upp.values())  # downward pressure on the prices paid
    assert out.cmcr == {} and out.flags == [] and out.to_dict()["model"]["market"] == "input"


def test_nested_logit_input_market_recovers_its_parameters() -> None:
    """Markdowns of a known input-market nested logit (α = +0.4, ρ = 0.3 / 0.6) of two buyers' products (one
    buyer's alone leave a ridge of exact fits), calibrated back to 1e-8."""
    rng = np.random.default_rng(5)
    n = 24
    shares = rng.uniform(0.5, 1.5, n)
    shares = shares / shares.sum() * 0.8
    prices = rng.uniform(8, 12, n)
    nests = np.arange(n) % 2
    firms = [f"F{i // 3}" for i in range(n)]
    rho = np.array([0.3, 0.6])[nests]
    meanval = np.log(shares) - np.log(0.2) - rho * np.log(shares / group_sum(shares, nests))
    demand = NestedLogit(0.4, rho, nests, meanval, prices, input_market=True)
    markdowns = -markups(demand, prices, Ownership.from_firms(firms)) / prices
    assert np.all(markdowns > 0)
    case = {"input_market": True, "demand": "nested_logit", "prices": prices.tolist(), "shares": shares.tolist(),
            "margins": [float(m) if j in (0, 1, 3, 4) else None for j, m in enumerate(markdowns)],  # two firms
            "nests": [f"N{h}" for h in nests], "owner_pre": firms,
            "owner_post": ["F0" if f == "F1" else f for f in firms]}
    out = simulate_case(case)
    assert out.parameters["alpha"] == pytest.approx(0.4, rel=1e-8)
    assert list(out.parameters["rho"].values()) == pytest.approx([0.3, 0.6], rel=1e-8)
    merging = [j for j, f in enumerate(firms) if f in ("F0", "F1")]
    assert np.all(out.prices_post[merging] < prices[merging])


def test_markdowns_above_one_are_accepted() -> None:
    out = simulate_case(CASE | {"margins": [1.5, None, None]})
    assert out.costs[0] == pytest.approx(25.0, rel=1e-12)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"supply": "cournot"}, "input_market: only with Bertrand supply"),
        ({"demand": "ces"}, "input_market: only for logit / nested_logit demand"),
        ({"market_elasticity": -1.0}, "market_elasticity: not available with input_market"),
        ({"capacities": [400, 400, 300]}, "capacities: not available with input_market"),
        ({"margins": [-0.1, None, None]}, r"margins\[P1\] = -0.1: in an input market"),
        ({"margins": None, "parameters": {"alpha": -0.5}}, r"parameters.alpha = \[-0.5\]: in an input market"),
        ({"input_market": "yes"}, "input_market = 'yes': expected true or false"),
    ],
)
def test_refusals_name_the_key(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        simulate_case(CASE | extra)
