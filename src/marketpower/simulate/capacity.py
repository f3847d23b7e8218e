"""Bertrand pricing with logit demand and capacity constraints (Froeb, Tschantz & Crooke 2003; R `antitrust`
``logit.cap``).

Each firm maximises Σ_k (p_k − c_k) q_k subject to q_k(p) ≤ K_k for its products. With shadow costs λ_k ≥ 0 the
Karush–Kuhn–Tucker conditions are the Bertrand FOCs at effective costs c + λ,
q + (Ω ∘ Jᵀ)(p − c − λ) = 0, with q_k ≤ K_k and λ_k (K_k − q_k) = 0: a product at capacity is priced where its
demand meets its capacity. For single-product firms this is R's complementarity condition; for a multi-product
firm it is the firm's exact optimum.
Calibration: quantities q_j = s_j · insize must not exceed capacities. α comes from the margins of products below
capacity (their FOCs hold with λ = 0); a product at capacity needs its own margin, which gives its cost
c_k = p_k (1 − m_k) and its shadow cost λ_k = m_k p_k − e_k ≥ 0 (e the effective markups from the FOCs).
Post-merger: an active-set iteration; on each active set the λ's solve q_k(p(c + λ)) = K_k (MINPACK hybrid in
log q), p(·) the ζ-markup Bertrand equilibrium.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .bertrand import markups, solve_prices
from .calibrate import calibrate_logit
from .case import Case
from .groups import FloatArray
from .outcome import bertrand_result
from .result import SimulationResult

#: Relative tolerance for "at capacity" (q ≥ K (1 − tol)) and for the capacity constraint holding.
CAPACITY_TOLERANCE = 1e-9


def simulate_capacity(case: Case) -> SimulationResult:
    """Capacity-constrained Bertrand logit merger; see the module docstring."""
    data = case.data
    labels = data.labels
    if case.demand != "logit":
        raise InvalidInputError(
            "capacities: capacity-constrained Bertrand is available with logit demand only "
            f"(demand = {case.demand!r}); for plants with capacities in a homogeneous market use supply: cournot"
        )
    if data.owner_pre.ids is None or case.owner_post.ids is None:
        raise InvalidInputError("owner_pre: capacity-constrained Bertrand takes one firm label per product")
    if data.insize is None:
        raise InvalidInputError(
            "insize: capacities are in units, so capacity-constrained Bertrand needs insize (the number of "
            "consumers) to turn shares into quantities"
        )
    caps = case.capacities / data.insize  # in share units
    s = data.shares
    for j in np.flatnonzero(s > caps * (1 + CAPACITY_TOLERANCE)):
        raise InvalidInputError(
            f"capacities[{labels[j]}] = {case.capacities[j]:g}: below the observed quantity "
            f"{s[j] * data.insize:g} (shares × insize); a product cannot sell more than its capacity"
        )
    binding = s >= caps * (1 - CAPACITY_TOLERANCE)
    if binding.all():
        raise InvalidInputError("capacities: every product is at capacity, so no first-order condition identifies α")
    for j in np.flatnonzero(binding & ~np.isfinite(data.margins)):
        raise InvalidInputError(
            f"margins[{labels[j]}]: the product is at capacity, so its margin must be given (its cost is not "
            "identified by a first-order condition)"
        )
    if not np.any(np.isfinite(data.margins) & ~binding):
        raise InvalidInputError("margins: give the margin of at least one product below capacity (it identifies α)")
    calibration = calibrate_logit(replace(data, margins=np.where(binding, np.nan, data.margins)))
    demand = calibration.demand
    p = data.prices
    effective = markups(demand, p, data.owner_pre)
    costs = np.where(binding, p * (1.0 - np.nan_to_num(data.margins)), p - effective)
    shadow_pre = np.where(binding, p - costs - effective, 0.0)
    for j in np.flatnonzero(shadow_pre < -1e-12 * p):
        raise InvalidInputError(
            f"margins[{labels[j]}] = {data.margins[j]:g}: below the markup {effective[j] / p[j]:.4g} the product "
            "would choose without its capacity, so the capacity cannot bind at these prices"
        )
    costs_post = costs * (1.0 + case.mc_delta)
    prices_post, shadow_post, solve = _solve_constrained(demand, costs_post, case, caps, p, np.maximum(shadow_pre, 0))
    extra: dict[str, Any] = {
        "capacity": {
            "at_capacity_pre": [labels[j] for j in np.flatnonzero(binding)],
            "at_capacity_post": [labels[j] for j in np.flatnonzero(shadow_post > 0)],
            "shadow_cost_pre": {labels[j]: float(shadow_pre[j]) for j in np.flatnonzero(binding)},
            "shadow_cost_post": {labels[j]: float(shadow_post[j]) for j in np.flatnonzero(shadow_post > 0)},
            "method": "KKT: Bertrand FOCs at costs c + λ, λ ≥ 0 on products at capacity (active set)",
        }
    }
    return bertrand_result(case, calibration, costs, costs_post, prices_post, solve, extra)


def _solve_constrained(
    demand: Any, costs: FloatArray, case: Case, caps: FloatArray, start: FloatArray, shadow: FloatArray
) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    """Post-merger prices and shadow costs λ ≥ 0 with q ≤ K; raises ConvergenceError if the active set cycles."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    owner = case.owner_post
    active = shadow > 0
    lam = shadow.copy()
    prices = start.copy()
    evaluations = 0

    def equilibrium(values: FloatArray) -> FloatArray:
        nonlocal prices, evaluations
        evaluations += 1
        full = np.zeros_like(lam)
        full[active] = values
        prices = solve_prices(demand, costs + full, owner, start=prices)[0]
        return prices

    for _ in range(2 * len(costs) + 2):
        if active.any():
            idx = np.flatnonzero(active)

            def gap(values: FloatArray, idx: Any = idx) -> FloatArray:
                q = demand.quantities(equilibrium(values))
                return np.asarray(np.log(q[idx]) - np.log(caps[idx]))

            sol = optimize.root(gap, lam[idx], method="hybr", options={"xtol": 1e-13})
            lam = np.zeros_like(lam)
            lam[idx] = sol.x
            if not sol.success and np.abs(gap(sol.x)).max() > 1e-9:
                raise ConvergenceError(
                    "capacity-constrained Bertrand prices: no shadow costs meet the capacities",
                    {"method": "active set + MINPACK hybrid", "message": str(sol.message)},
                )
        else:
            lam = np.zeros_like(lam)
        prices = equilibrium(lam[active])
        q = demand.quantities(prices)
        dropped = active & (lam < 0)
        added = ~active & (q > caps * (1 + CAPACITY_TOLERANCE))
        if not dropped.any() and not added.any():
            residual = float(np.abs(demand.quantities(prices) + _foc_gap(demand, prices, costs + lam, owner)).max())
            return (
                prices,
                np.maximum(lam, 0.0),
                {
                    "converged": True,
                    "iterations": evaluations,
                    "max_foc_residual": residual,
                    "method": "active-set KKT over capacities; zeta-markup fixed point at costs c + shadow costs",
                    "tolerance": 1e-12,
                },
            )
        active = (active & ~dropped) | added
        lam = np.where(active, np.maximum(lam, 0.0), 0.0)
    raise ConvergenceError(
        "capacity-constrained Bertrand prices: the set of products at capacity did not settle",
        {"method": "active set", "iterations": evaluations},
    )


def _foc_gap(demand: Any, prices: FloatArray, costs: FloatArray, owner: Any) -> FloatArray:
    """(Ω ∘ Jᵀ)(p − c) via the ζ decomposition J = diag(λ) − Γ (so that q + this = the FOC residual)."""
    _, lam, gamma = demand.zeta_parts(prices, owner)
    margin = prices - costs
    return np.asarray(lam * margin - gamma(margin))
