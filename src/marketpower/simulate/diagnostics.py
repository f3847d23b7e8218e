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
