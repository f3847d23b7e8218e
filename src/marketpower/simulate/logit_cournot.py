"""Logit demand with Cournot (quantity-setting) supply: R `antitrust` ``sim(..., supply = "cournot")`` with logit.

Firms choose shares; logit inverse demand p_j(s) = p0_j + (log(s_j/s_0) − δ_j)/α with s_0 = 1 − Σ s (an outside
good is needed), so ∂p_k/∂s_j = (1/α)(1{k=j}/s_j + 1/s_0). A firm with profit weights Ω (row j: the weights of
j's owner) sets, for each of its products, the first-order condition
p_j − c_j = x (1 + (Ω s)_j / (Ω_jj s_0)), x = 1/(−α)
(compare Bertrand logit, p_j − c_j = x / (1 − S_f)). Calibration: margins m_j = x k_j / p_j with
k_j = 1 + (Ω s)_j/(Ω_jj s_0), so x has a closed form (exact with one margin, least squares with more).
CMCR: the cut (c − c*)/c with c* = p − x k^post(s), which keeps pre-merger prices and shares an equilibrium.
Equilibrium: a MINPACK hybrid root of the FOCs in prices. CV: the logit inclusive-value change × insize.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .calibrate import MARGIN_FIT_WARNING, SHARE_SUM_TOLERANCE, margin_fit, user_alpha
from .case import Case
from .groups import FloatArray
from .logit import Logit
from .outcome import logit_surplus_changes, share_model_result
from .ownership import Ownership, merging_products
from .result import SimulationResult


def cournot_markup_factor(shares: FloatArray, ownership: Ownership) -> FloatArray:
    """k_j = 1 + (Ω s)_j / (Ω_jj s_0): the markup p_j − c_j in units of 1/(−α)."""
    outside = 1.0 - float(shares.sum())
    return np.asarray(1.0 + ownership.matvec(shares) / (ownership.diagonal(len(shares)) * outside))


def solve_logit_cournot(demand: Logit, costs: FloatArray, ownership: Ownership, start: FloatArray) -> FloatArray:
    """Prices at which every product's Cournot FOC holds (module docstring); raises ConvergenceError if none."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    x = 1.0 / -float(np.asarray(demand.alpha).ravel()[0])

    def foc(p: FloatArray) -> FloatArray:
        s = demand.quantities(p)
        return np.asarray((p - costs - x * cournot_markup_factor(s, ownership)) / x)

    with np.errstate(all="ignore"):
        sol = optimize.root(foc, start, method="hybr", options={"xtol": 1e-13, "maxfev": 5000})
    residual = float(np.max(np.abs(sol.fun))) if np.all(np.isfinite(sol.fun)) else float("inf")
    if residual > 1e-9:  # the FOC residual decides (MINPACK reports "no progress" when it starts at the root)
        raise ConvergenceError(
            "logit Cournot: no post-merger equilibrium found",
            {"method": "MINPACK hybr on prices", "max_foc_residual": residual, "message": sol.message},
            "Check the margins and mc_delta: the calibrated model may have no interior equilibrium.",
        )
    return np.asarray(sol.x)


def simulate_logit_cournot(case: Case) -> SimulationResult:
    """Calibrate x = 1/(−α) from margins (or take parameters.alpha), recover costs from the Cournot FOCs and solve
    the post-merger quantity game with costs c (1 + mc_delta)."""
    data = case.data
    s, p = data.shares, data.prices
    if data.inside_total >= 1 - SHARE_SUM_TOLERANCE:
        raise InvalidInputError(
            "shares: logit Cournot needs an outside good (shares summing below 1): its inverse demand divides by s_0"
        )
    if np.any(np.isfinite(case.capacities)):
        raise InvalidInputError("capacities: not available for logit demand with Cournot supply")
    k_pre = cournot_markup_factor(s, data.owner_pre)
    known = data.known
    alpha_given = user_alpha(data)
    if alpha_given is not None:
        x = -1.0 / alpha_given
        method = "user-supplied parameters"
    else:
        if known.size == 0:
            raise InvalidInputError("margins: logit Cournot needs at least one known margin (or parameters.alpha)")
        a = (k_pre / p)[known]
        x = float(a @ data.margins[known] / (a @ a))
        method = "exact: α from the one known margin" if known.size == 1 else (
            f"closed-form least squares of {known.size} margins on 1/α"
        )
    alpha = -1.0 / x
    demand = Logit(np.float64(alpha), np.log(s) - np.log1p(-s.sum()), p, True)
    costs = p - x * k_pre
    costs_post = costs * (1.0 + case.mc_delta)
    prices_post = solve_logit_cournot(demand, costs_post, case.owner_post, p)
    s_post = demand.quantities(prices_post)
    scale = data.insize or 1.0
    predicted = x * k_pre / p
    error = np.abs(predicted[known] - data.margins[known])
    warnings = []
    if known.size and float(error.max()) > MARGIN_FIT_WARNING:
        j = int(known[int(np.argmax(error))])
        warnings.append(
            f"calibration: the fitted demand misses the margin of {data.labels[j]} by {float(error.max()):.2f} "
            f"(observed {data.margins[j]:.4g}, predicted {predicted[j]:.4g}): check the margins"
        )
    negative = [data.labels[j] for j in np.flatnonzero(costs <= 0)]
    if negative:
        warnings.append(f"non-positive recovered marginal cost for {', '.join(negative)}")
    merging = np.flatnonzero(merging_products(data.owner_pre, case.owner_post, len(p)))
    needed = p - x * cournot_markup_factor(s, case.owner_post)
    cmcr = (costs - needed) / costs
    diagnostics: dict[str, object] = {
        "post_merger_prices": {"converged": True, "method": "MINPACK hybr on the Cournot FOCs"},
        "calibration": {
            "method": method,
            "parameters": {"alpha": alpha},
            "fit": margin_fit(data.labels, data.margins, predicted),
        },
    }
    if warnings:
        diagnostics["warnings"] = warnings
    cv, ps_delta = logit_surplus_changes(demand, (p, prices_post), (s, s_post), (costs, costs_post), scale)
    return share_model_result(
        case,
        "cournot",
        prices=(p, prices_post),
        shares=(s, s_post),
        costs=(costs, costs_post),
        cv=cv,
        producer_surplus_delta=ps_delta,
        upp={},
        cmcr={data.labels[j]: float(cmcr[j]) for j in merging},
        parameters={"alpha": alpha},
        diagnostics=diagnostics,
    )
