"""Properties of Bertrand merger simulation (hypothesis): no ownership change means no price change; without
efficiencies the merging parties' prices never fall (logit, CES); the FOCs hold at every solution."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marketpower.simulate import CES, Logit, Ownership, foc_residual, markups, simulate_case, solve_prices


@st.composite
def markets(draw: st.DrawFn) -> dict:
    n = draw(st.integers(2, 6))
    shares = np.array(draw(st.lists(st.floats(0.02, 1.0), min_size=n, max_size=n)))
    inside = draw(st.floats(0.3, 0.95))
    shares = shares / shares.sum() * inside
    prices = draw(st.lists(st.floats(0.5, 20.0), min_size=n, max_size=n))
    firms = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    a, b = draw(st.permutations(sorted(set(firms) | {max(firms) + 1})))[:2]
    return {
        "prices": prices,
        "shares": shares.tolist(),
        "firms": [f"f{f}" for f in firms],
        "merger": (f"f{a}", f"f{b}"),
        "margin": draw(st.floats(0.1, 0.6)),
        "gamma": draw(st.floats(1.5, 8.0)),
    }


def _post(m: dict) -> list[str]:
    a, b = m["merger"]
    return [a if f == b else f for f in m["firms"]]


def _case(m: dict, demand: str, owner_post: list[str]) -> dict:
    return {
        "demand": demand,
        "prices": m["prices"],
        "shares": m["shares"],
        "owner_pre": m["firms"],
        "owner_post": owner_post,
        "parameters": {"alpha": -m["margin"]} if demand == "logit" else {"gamma": m["gamma"]},
    }


@settings(max_examples=40, deadline=None)
@given(markets(), st.sampled_from(["logit", "ces"]))
def test_no_ownership_change_keeps_prices(m: dict, demand: str) -> None:
    out = simulate_case(_case(m, demand, m["firms"]))
    np.testing.assert_allclose(out.prices_post, m["prices"], rtol=1e-9)
    assert abs(out.cv) < 1e-9 * max(1.0, float(np.max(m["prices"])))


@settings(max_examples=40, deadline=None)
@given(markets(), st.sampled_from(["logit", "ces"]))
def test_merging_parties_prices_never_fall(m: dict, demand: str) -> None:
    post = _post(m)
    out = simulate_case(_case(m, demand, post))
    merging = [j for j, f in enumerate(m["firms"]) if f in m["merger"]]
    assert np.all(out.prices_post[merging] >= np.array(m["prices"])[merging] * (1 - 1e-12))
    assert out.cv >= -1e-12  # no consumer gain without efficiencies


@settings(max_examples=30, deadline=None)
@given(markets())
def test_focs_hold_at_the_solution(m: dict) -> None:
    """f(p*) = diag(Ω) q + (Ω ∘ Jᵀ)(p* − c) = 0 checked with the dense Jacobian, for the ζ solver (logit) and the
    quasi-Newton solver (CES)."""
    p = np.array(m["prices"])
    shares = np.array(m["shares"])
    pre, post = Ownership.from_firms(m["firms"]), Ownership.from_firms(_post(m))
    for demand in (
        Logit(np.float64(-m["margin"]), np.log(shares) - np.log1p(-shares.sum()), p),
        CES.from_shares(m["gamma"], shares, p),
    ):
        costs = p - markups(demand, p, pre)
        prices, diag = solve_prices(demand, costs, post, p)
        assert diag.converged
        scale = float(np.abs(demand.quantities(prices)).max())
        assert np.abs(foc_residual(demand, prices, costs, post)).max() < 1e-8 * scale
