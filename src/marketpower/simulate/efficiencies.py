"""Efficiencies a Bertrand merger needs: to keep each price (CMCR) and to keep consumers whole (CV-neutral).

CMCR_j = (c_j − c*_j)/c_j with c* = p − markups(p, Ω_post): the proportional marginal-cost cut on each merging
product that makes the pre-merger prices a post-merger equilibrium (Werden 1996), so it also leaves consumers
unchanged. The CV-neutral reduction is the one common proportional cut t on all merging products' marginal costs,
c_post = c (1 − t), at which the post-merger equilibrium leaves the compensating variation at zero
(CV(p*(t)) = 0, solved by Brent's method); it may be smaller than the largest CMCR because price falls on some
products can offset rises on others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import ConvergenceError
from .bertrand import solve_prices
from .demand import Demand
from .diagnostics import cmcr_bertrand
from .groups import FloatArray
from .ownership import Ownership

#: The largest common cut searched (99% of marginal cost).
MAX_CUT = 0.99


def compensating_variation(demand: Demand, prices_pre: FloatArray, prices_post: FloatArray) -> float:
    """Consumer harm of moving from ``prices_pre`` to ``prices_post`` (positive = loss), in the demand's units."""
    if hasattr(demand, "compensating_variation"):
        return float(demand.compensating_variation(prices_pre, prices_post))
    return float(np.sum(demand.consumer_surplus(prices_pre) - demand.consumer_surplus(prices_post)))


def cv_neutral_cut(
    demand: Demand, prices: FloatArray, costs: FloatArray, owner_post: Ownership, merging: Sequence[int]
) -> tuple[float, FloatArray]:
    """(t, post-merger prices at t): the common proportional cost cut on ``merging`` with CV = 0."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    idx = np.asarray(merging, dtype=np.intp)
    scale = max(float(np.abs(compensating_variation(demand, prices, prices * 1.01))), 1e-300)

    def solve(t: float) -> FloatArray:
        c = costs.copy()
        c[idx] = costs[idx] * (1.0 - t)
        return solve_prices(demand, c, owner_post, start=prices)[0]

    def cv_at(t: float) -> float:
        return compensating_variation(demand, prices, solve(t)) / scale

    if cv_at(0.0) <= 0.0:
        return 0.0, solve(0.0)
    if cv_at(MAX_CUT) > 0.0:
        raise ConvergenceError(
            "efficiencies: no common marginal-cost cut below 99% keeps consumer welfare unchanged",
            {"cut_searched": [0.0, MAX_CUT]},
            "The merger's harm cannot be offset by cost savings on the merging products alone.",
        )
    t = float(optimize.brentq(cv_at, 0.0, MAX_CUT, xtol=1e-12, rtol=1e-12))
    return t, solve(t)


def efficiencies(
    demand: Demand,
    prices: FloatArray,
    costs: FloatArray,
    owner_post: Ownership,
    merging: Sequence[int],
    labels: Sequence[str],
    scale: float = 1.0,
    cv: Callable[[FloatArray, FloatArray], float] | None = None,
) -> dict[str, Any]:
    """Side by side, per merging product: the price-neutral cut (CMCR) and the CV-neutral common cut, as
    fractions of marginal cost and in money per unit; ``scale`` multiplies CV into the case's units."""
    idx = [int(j) for j in merging]
    cmcr = cmcr_bertrand(demand, prices, costs, owner_post)
    t, prices_t = cv_neutral_cut(demand, prices, costs, owner_post, idx)
    cv_value = compensating_variation(demand, prices, prices_t) * scale if cv is None else cv(prices, prices_t)
    return {
        "products": {
            labels[j]: {
                "price_neutral_cut": float(cmcr[j]),
                "price_neutral_cut_money": float(cmcr[j] * costs[j]),
                "cv_neutral_cut": t,
                "cv_neutral_cut_money": float(t * costs[j]),
                "price_change_pct_at_cv_neutral_cut": 100.0 * float(prices_t[j] / prices[j] - 1.0),
            }
            for j in idx
        },
        "cv_neutral_cut": t,
        "cv_at_cv_neutral_cut": cv_value,
        "definition": (
            "price_neutral_cut: CMCR, the cut on each merging product that keeps every pre-merger price; "
            "cv_neutral_cut: the one common proportional cut on all merging products that leaves CV = 0"
        ),
    }
