"""CES's analytic Jacobian of the Bertrand first-order conditions against central finite differences of f(p), and the
firm-level equilibrium solve (one Lerner index per firm) against the dense solve."""

from __future__ import annotations

import numpy as np
import pytest

from marketpower.simulate.bertrand import foc_residual, solve_prices
from marketpower.simulate.ces import CES
from marketpower.simulate.ownership import Ownership


@pytest.mark.parametrize(("seed", "n", "outside"), [(0, 4, 0.3), (1, 12, 0.0), (2, 30, 0.1)])
def test_ces_foc_jacobian_matches_finite_differences(seed: int, n: int, outside: float) -> None:
    rng = np.random.default_rng(seed)
    shares = rng.uniform(0.5, 1.5, n)
    prices = rng.uniform(5.0, 15.0, n)
    demand = CES.from_shares(float(rng.uniform(1.5, 5.0)), shares / shares.sum() * (1 - outside), prices, 250.0)
    costs = prices * rng.uniform(0.4, 0.8, n)
    ownership = Ownership(ids=rng.integers(0, max(2, n // 3), n))
    omega = ownership.dense(n)
    analytic = demand.foc_jacobian(prices, costs, omega)
    step = 1e-6 * prices
    numeric = np.empty((n, n))
    for col in range(n):
        up, down = prices.copy(), prices.copy()
        up[col] += step[col]
        down[col] -= step[col]
        numeric[:, col] = (
            foc_residual(demand, up, costs, ownership) - foc_residual(demand, down, costs, ownership)
        ) / (2 * step[col])
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-8 * float(np.abs(numeric).max()))


@pytest.mark.parametrize(("seed", "n", "outside"), [(0, 4, 0.3), (1, 12, 0.0), (2, 60, 0.1)])
def test_ces_firm_level_solve_is_the_dense_equilibrium(seed: int, n: int, outside: float) -> None:
    """CES.bertrand_prices (F unknowns) gives the prices of Newton/MINPACK on the n dense FOCs (ownership as a
    matrix), its FOC residual is below 1e-12 of quantities, every product of a firm has the Lerner index
    1/(γ − (γ−1) R_f) (Sheu & Taragin / R `antitrust` CES closed form), and J entries match the dense Jacobian."""
    rng = np.random.default_rng(seed)
    shares = rng.uniform(0.5, 1.5, n)
    prices = rng.uniform(5.0, 15.0, n)
    gamma = float(rng.uniform(1.5, 5.0))
    demand = CES.from_shares(gamma, shares / shares.sum() * (1 - outside), prices, 250.0)
    costs = prices * rng.uniform(0.6, 0.9, n)  # near the start: the dense root then finds the interior equilibrium
    ids = rng.integers(0, max(2, n // 3), n)
    firm_prices, steps, residual = demand.bertrand_prices(costs, ids, prices)
    dense_prices, diag = solve_prices(demand, costs, Ownership(ids=None, matrix=Ownership(ids=ids).dense(n)), prices)
    assert "firms' revenue shares" not in diag.method
    assert firm_prices == pytest.approx(dense_prices, rel=1e-10)
    assert residual <= 1e-12 * float(demand.quantities(prices).max()) and steps < 30
    r = demand.revenue_shares(firm_prices)
    firm_r = np.bincount(ids, r)[ids]
    assert (firm_prices - costs) / firm_prices == pytest.approx(1.0 / (gamma - (gamma - 1.0) * firm_r), rel=1e-10)
    rows, cols = np.arange(n)[:, None], np.arange(n)[None, :]
    assert demand.jacobian_at(prices, rows, cols) == pytest.approx(demand.jacobian(prices), rel=1e-14, abs=0)
    _, labelled = solve_prices(demand, costs, Ownership(ids=ids), prices)
    assert labelled.method.startswith("Newton's method on the firms' revenue shares")


def test_ces_with_firm_labels_runs_above_the_dense_budget() -> None:
    """6,000 CES products (8 dense 6,000² arrays would be 2.1 GiB, above limits.MEMORY_BUDGET_BYTES) simulate with
    firm labels, and the post-merger prices keep one Lerner index 1/(γ − (γ−1) R_f) per firm."""
    from marketpower.simulate.engine import simulate_case
    from marketpower.simulate.limits import MEMORY_BUDGET_BYTES, dense_bytes

    n = 6000
    assert dense_bytes(n) > MEMORY_BUDGET_BYTES
    rng = np.random.default_rng(0)
    shares = rng.uniform(0.5, 1.5, n)
    firms = [f"F{i // 4}" for i in range(n)]
    out = simulate_case({"demand": "ces", "prices": rng.uniform(8, 12, n).tolist(),
                         "shares": (shares / shares.sum() * 0.8).tolist(), "margins": [0.3] + [None] * (n - 1),
                         "owner_pre": firms, "owner_post": ["F0" if f == "F1" else f for f in firms], "insize": 1e3})
    gamma = out.parameters["gamma"]
    ids = np.arange(n) // 4
    ids[ids == 1] = 0
    firm_r = np.bincount(ids, out.shares_post)[ids]  # CES shares are revenue shares of the budget
    lerner = (out.prices_post - out.costs_post) / out.prices_post
    assert lerner == pytest.approx(1.0 / (gamma - (gamma - 1.0) * firm_r), rel=1e-10)
