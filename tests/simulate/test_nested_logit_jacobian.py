"""The nested-logit calibration's analytic Jacobian (∂ margins and market elasticity / ∂ (log(−α), ρ)) against
central finite differences of the residuals, and the calibration recovering a known nested logit exactly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from marketpower.simulate import calibrate
from marketpower.simulate.bertrand import markups
from marketpower.simulate.case import parse_case
from marketpower.simulate.demand import market_elasticity
from marketpower.simulate.engine import simulate_case
from marketpower.simulate.groups import group_sum
from marketpower.simulate.logit import NestedLogit
from marketpower.simulate.ownership import Ownership

ALPHA, RHO = -0.4, np.array([0.3, 0.5, 0.6, 0.7])


def _case(n: int, known: int = 5) -> dict[str, Any]:
    """n products of n/4 four-product firms in 4 nests; the first ``known`` margins are those of the nested logit
    (ALPHA, RHO) at the drawn prices and shares (inside share 0.8)."""
    rng = np.random.default_rng(3)
    shares = rng.uniform(0.5, 1.5, n)
    shares = shares / shares.sum() * 0.8
    prices = rng.uniform(8, 12, n)
    nests = np.arange(n) % 4
    firms = [f"F{i // 4}" for i in range(n)]
    rho = RHO[nests]
    meanval = np.log(shares) - np.log(1 - shares.sum()) - rho * np.log(shares / group_sum(shares, nests))
    margins = markups(NestedLogit(ALPHA, rho, nests, meanval, prices), prices, Ownership.from_firms(firms)) / prices
    return {"demand": "nested_logit", "prices": prices.tolist(), "shares": shares.tolist(),
            "margins": [float(m) if j < known else None for j, m in enumerate(margins)],
            "nests": [f"N{h}" for h in nests], "owner_pre": firms,
            "owner_post": ["F0" if f == "F1" else f for f in firms]}


@pytest.mark.parametrize(("extra", "n_theta"), [({}, 5), ({"market_elasticity": -1.5}, 5),
                                                ({"common_nesting": True, "market_elasticity": -1.2}, 2)])
def test_analytic_jacobian_matches_finite_differences(
    monkeypatch: pytest.MonkeyPatch, extra: dict[str, Any], n_theta: int
) -> None:
    data = parse_case(_case(40) | extra).data
    seen: dict[str, Any] = {}
    real_fit = calibrate.fit

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen["build"], seen["jacobian"] = args[1], kwargs["jacobian"]
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(calibrate, "fit", spy)
    calibrate.calibrate_nested_logit(data)
    build, jacobian = seen["build"], seen["jacobian"]
    assert jacobian is not None

    def residuals(t: np.ndarray) -> np.ndarray:
        demand = build(t)
        known = data.known
        r = markups(demand, data.prices, data.owner_pre)[known] / data.prices[known] - data.margins[known]
        if data.market_elasticity is not None:
            r = np.append(r, market_elasticity(demand, data.prices) / data.market_elasticity - 1.0)
        return r

    theta = np.array([np.log(0.5), 0.3, -0.2, 0.5, 1.0])[:n_theta]
    numeric = np.empty((residuals(theta).size, n_theta))
    for i in range(n_theta):
        step = np.zeros(n_theta)
        step[i] = 1e-6
        numeric[:, i] = (residuals(theta + step) - residuals(theta - step)) / 2e-6
    assert jacobian(theta) == pytest.approx(numeric, abs=1e-7 * float(np.abs(numeric).max()))


def test_calibration_recovers_the_nested_logit() -> None:
    """Five margins of a known nested logit (4 nests, 100 firms): α and the four ρ back to 1e-8, by the analytic
    Jacobian path (exact solve)."""
    out = simulate_case(_case(400))
    assert out.parameters["alpha"] == pytest.approx(ALPHA, rel=1e-8)
    assert list(out.parameters["rho"].values()) == pytest.approx(RHO.tolist(), rel=1e-8)
    assert out.diagnostics["calibration"]["method"].startswith("exact solve")
