"""Merger screens without a full simulation: UPP, GUPPI, CMCR, offsetting efficiencies, vertical GUPPI.

Notation: p prices, m Lerner margins (p − c)/p, D[j, k] diversion ratio from j to k (share of j's lost sales
that go to k), E_j the merger's proportional marginal-cost saving on j.
- UPP_j = Σ_k ΔW[j, k] D[j, k] (p_k − c_k) − E_j c_j  (Farrell & Shapiro 2010), money per unit;
- GUPPI_j = Σ_k ΔW[j, k] D[j, k] m_k p_k / p_j  (fraction of p_j), with W[j, k] = Ω[j, k]/Ω[j, j] the profit
  weights and ΔW = W_post − W_pre (1 for a full merger of j's and k's owners);
- CMCR (Werden 1996), two single-product Bertrand firms:
  CMCR_1 = (m_1 D_12 D_21 + m_2 D_12 p_2/p_1) / ((1 − m_1)(1 − D_12 D_21)): the proportional cost cut on
  product 1 that keeps both prices unchanged; with a calibrated demand see ``cmcr_bertrand``.
- Vertical GUPPI (Moresi & Salop 2013) for upstream U supplying a downstream rival R and merging with (or holding
  a stake θ in) downstream D: vGUPPI_U = θ D_RD m_D p_D / w_R (incentive to raise the input price w_R to the rival),
  vGUPPI_D = θ_D D_DR m_U w_R / p_D (incentive of D to raise its price when lost sales go to U's customer R).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidInputError
from .bertrand import markups
from .demand import Demand
from .groups import FloatArray
from .ownership import Ownership


def upp(
    prices: FloatArray,
    margins: FloatArray,
    diversion: FloatArray,
    owner_pre: Ownership,
    owner_post: Ownership,
    efficiencies: FloatArray | None = None,
) -> FloatArray:
    """Upward pricing pressure per product (money per unit); ``efficiencies`` E_j as fractions of cost.

    With partial ownership the weights are the controller's profit weights Ω[j, k]/Ω[j, j] (O'Brien & Salop 2000).
    """
    n = len(prices)
    gain = _profit_weights(owner_post, n) - _profit_weights(owner_pre, n)
    np.fill_diagonal(gain, 0.0)
    costs = prices * (1.0 - margins)
    e = np.zeros(n) if efficiencies is None else efficiencies
    return np.asarray((gain * diversion) @ (margins * prices) - e * costs)


def _profit_weights(ownership: Ownership, n: int) -> FloatArray:
    """W[j, k] = Ω[j, k]/Ω[j, j]: the weight j's price setter puts on k's profit."""
    if ownership.matrix is None:
        return ownership.dense(n)
    return np.asarray(ownership.matrix / ownership.diagonal(n)[:, None])


def guppi(
    prices: FloatArray, margins: FloatArray, diversion: FloatArray, owner_pre: Ownership, owner_post: Ownership
) -> FloatArray:
    """Gross UPP index per product, as a fraction of its own price: GUPPI_j = Σ_k ΔΩ[j,k] D[j,k] m_k p_k / p_j."""
    return np.asarray(upp(prices, margins, diversion, owner_pre, owner_post) / prices)


def cmcr_two_products(prices: FloatArray, margins: FloatArray, d12: float, d21: float) -> FloatArray:
    """Werden (1996) compensating marginal-cost reductions (fractions of cost) for a merger of two single-product
    Bertrand firms, from prices, margins and the two diversion ratios."""
    p1, p2 = float(prices[0]), float(prices[1])
    m1, m2 = float(margins[0]), float(margins[1])
    denom_d = 1.0 - d12 * d21
    if denom_d <= 0:
        raise InvalidInputError("diversions: D_12 · D_21 must be below 1")
    c1 = (m1 * d12 * d21 + m2 * d12 * p2 / p1) / ((1.0 - m1) * denom_d)
    c2 = (m2 * d21 * d12 + m1 * d21 * p1 / p2) / ((1.0 - m2) * denom_d)
    return np.array([c1, c2])


def cmcr_bertrand(
    demand: Demand, prices: FloatArray, costs: FloatArray, owner_post: Ownership, jacobian: FloatArray | None = None
) -> FloatArray:
    """Proportional marginal-cost cut (c − c*)/c that makes the pre-merger prices a post-merger equilibrium:
    c* = p − markups(p, Ω_post). It is the efficiency that would exactly offset the merger's price effects."""
    return np.asarray((costs - (prices - markups(demand, prices, owner_post, jacobian))) / costs)


def vertical_guppi(
    upstream_margin: float,
    input_price: float,
    downstream_margin: float,
    downstream_price: float,
    diversion_rival_to_merging: float,
    diversion_merging_to_rival: float,
    stake_upstream_in_downstream: float = 1.0,
    stake_downstream_in_upstream: float = 1.0,
) -> dict[str, float]:
    """Moresi & Salop (2013) vertical GUPPIs (fractions): raising rivals' costs (upstream) and the downstream
    firm's own pricing incentive. Stakes are profit shares (1 for a full merger)."""
    for name, value in (
        ("upstream_margin", upstream_margin),
        ("downstream_margin", downstream_margin),
        ("stake_upstream_in_downstream", stake_upstream_in_downstream),
        ("stake_downstream_in_upstream", stake_downstream_in_upstream),
        ("diversion_rival_to_merging", diversion_rival_to_merging),
        ("diversion_merging_to_rival", diversion_merging_to_rival),
    ):
        if not 0.0 <= value <= 1.0:
            raise InvalidInputError(f"{name} = {value!r}: must be a fraction between 0 and 1")
    for name, value in (("input_price", input_price), ("downstream_price", downstream_price)):
        if not value > 0:
            raise InvalidInputError(f"{name} = {value!r}: must be positive")
    up = stake_upstream_in_downstream * diversion_rival_to_merging * downstream_margin * downstream_price / input_price
    down = stake_downstream_in_upstream * diversion_merging_to_rival * upstream_margin * input_price / downstream_price
    return {"vguppi_upstream": up, "vguppi_downstream": down}


#: A simulated % price change beyond this (either way) is flagged as implausible.
PRICE_CHANGE_FLAG_PCT = 100.0


def plausibility_flags(
    labels: list[str],
    prices_pre: FloatArray,
    prices_post: FloatArray,
    costs: FloatArray,
    costs_post: FloatArray,
    shares_pre: FloatArray,
    shares_post: FloatArray,
    quantities_post: FloatArray,
    cmcr: dict[str, float],
    input_market: bool = False,
) -> list[dict[str, object]]:
    """Flags for a result that converged but is economically implausible, each {code, message, products}:
    ``price_change`` (|Δp/p| above PRICE_CHANGE_FLAG_PCT %), ``cmcr_above_1`` (the offsetting efficiency exceeds the
    whole marginal cost), ``negative_cost`` (a non-positive marginal cost before or after), ``price_below_cost``,
    ``share_outside_unit`` (a share or quantity outside [0, 1] / below 0, or shares summing above 1) and
    ``not_finite``. An empty list means none of these. In an input market ``costs`` are the buyers' marginal values
    and ``price_above_value`` replaces ``price_below_cost``."""
    flags: list[dict[str, object]] = []

    def add(code: str, mask: NDArray[np.bool_], message: str) -> None:
        hit = np.flatnonzero(mask)
        if hit.size:
            named = [labels[j] for j in hit[:10]]
            more = f" and {hit.size - 10} more" if hit.size > 10 else ""
            flags.append({"code": code, "message": f"{message}: {', '.join(named)}{more}", "products": named})

    with np.errstate(all="ignore"):
        pct = 100.0 * (prices_post / prices_pre - 1.0)
        values = (prices_post, costs, costs_post, shares_post, quantities_post)
        add("not_finite", ~np.all(np.isfinite(np.stack(values)), axis=0), "non-finite simulated values")
        add(
            "price_change",
            np.abs(pct) > PRICE_CHANGE_FLAG_PCT,
            f"price change beyond ±{PRICE_CHANGE_FLAG_PCT:.0f}% (largest {pct[np.argmax(np.abs(pct))]:+,.1f}%)",
        )
        add("negative_cost", (costs <= 0) | (costs_post <= 0), "non-positive marginal cost")
        if input_market:
            add("price_above_value", (prices_pre > costs) | (prices_post > costs_post),
                "price paid above the buyer's marginal value")
        else:
            add("price_below_cost", (prices_pre < costs) | (prices_post < costs_post), "price below marginal cost")
        outside = (shares_pre < 0) | (shares_pre > 1) | (shares_post < 0) | (shares_post > 1) | (quantities_post < 0)
        add("share_outside_unit", outside, "share outside [0, 1] or negative quantity")
        for name, total in (("pre", float(np.sum(shares_pre))), ("post", float(np.sum(shares_post)))):
            if total > 1 + 1e-9:
                flags.append(
                    {
                        "code": "share_outside_unit",
                        "message": f"{name}-merger shares sum to {total:.6g} > 1",
                        "products": [],
                    }
                )
        big = [label for label, value in cmcr.items() if not value <= 1.0]
        if big:
            flags.append(
                {
                    "code": "cmcr_above_1",
                    "message": "compensating marginal-cost reduction above 100% of cost (no efficiency can offset the "
                    f"merger): {', '.join(big[:10])}",
                    "products": big,
                }
            )
    return flags
