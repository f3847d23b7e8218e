"""CES's analytic Jacobian of the Bertrand first-order conditions against central finite differences of f(p)."""

from __future__ import annotations

import numpy as np
import pytest

from marketpower.simulate.bertrand import foc_residual
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
