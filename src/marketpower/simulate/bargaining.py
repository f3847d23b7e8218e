"""Nash bargaining between sellers and buyers with logit demand (R `antitrust` ``bargaining.logit``).

Each product's price is the Nash bargaining solution between its seller and the buyers, λ ∈ [0, 1) the buyers'
bargaining power (λ = 0: the seller sets the price, Bertrand), b = λ/(1 − λ). With logit shares s and profit
weights Ω, the unit margins m = p − c solve the linear system A m = v,
A[j, k] = Ω_jj 1{j=k} − Ω_jk s_k,   v_j = Ω_jj log(1 − s_j) / (α (b s_j/(1 − s_j) − log(1 − s_j))),
the form R's ``calcMargins`` for ``BargainingLogit`` uses; at b = 0, v_j = −Ω_jj/α and A m = v are the Bertrand
logit FOCs. For a single-product seller, m = log(1 − s)/((1 − s) α (b s/(1 − s) − log(1 − s))), which falls
from 1/(−α (1 − s)) at λ = 0 towards 0 as λ → 1. Calibration: α and one common λ (R's default) from two or more
margins, or α from margins with ``parameters.bargpower`` given (``ranges: {parameters.bargpower: [lo, hi]}`` gives
percentile bands when λ is uncertain). Post-merger prices: a MINPACK hybrid root of p − c = m(p; Ω_post).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .calibrate import MARGIN_FIT_WARNING, SHARE_SUM_TOLERANCE, margin_fit, user_alpha
from .case import Case
from .groups import FloatArray
from .logit import Logit
from .outcome import logit_surplus_changes, share_model_result
from .ownership import Ownership, merging_products
from .result import SimulationResult


def bargaining_margins(shares: FloatArray, ownership: Ownership, alpha: float, bargpower: float) -> FloatArray:
    """Unit margins p − c of the Nash bargaining solution (module docstring), money per unit."""
    n = len(shares)
    omega = ownership.dense(n)
    diag = np.diagonal(omega)
    b = bargpower / (1.0 - bargpower)
    log_out = np.log1p(-shares)
    v = diag * log_out / (alpha * (b * shares / (1.0 - shares) - log_out))
    a = np.diag(diag) - omega * shares[None, :]
    try:
        return np.asarray(np.linalg.solve(a, v))
    except np.linalg.LinAlgError:
        raise InvalidInputError("owner_pre: the bargaining margins' system is singular for this ownership") from None


def _bargpower(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise InvalidInputError(f"parameters.bargpower = {value!r}: the buyers' bargaining power is a number in [0, 1)")
    return float(value)


def calibrate_bargaining(case: Case) -> tuple[float, float, str]:
    """(α, λ, method): α from the margins for a given λ (closed form: margins scale with 1/α), or α and λ jointly
    (least squares / exact with two margins)."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    data = case.data
    s, p, known = data.shares, data.prices, data.known
    given = data.parameters.get("bargpower")
    alpha_given = user_alpha(data)
    if alpha_given is not None:
        if given is None:
            raise InvalidInputError("parameters.bargpower: give it with parameters.alpha")
        return alpha_given, _bargpower(given), "user-supplied parameters"
    if known.size == 0:
        raise InvalidInputError("margins: Nash bargaining needs at least one known margin")

    def alpha_for(lam: float) -> float:
        unit = bargaining_margins(s, data.owner_pre, -1.0, lam)[known] / p[known]  # at α = −1
        return -float(unit @ unit / (unit @ data.margins[known]))

    if given is not None:
        lam = _bargpower(given)
        return alpha_for(lam), lam, "α from the margins (closed form) with the given bargaining power"
    if known.size < 2:
        raise InvalidInputError(
            "margins: calibrating the bargaining power needs two or more known margins; with one, give "
            "parameters.bargpower (and ranges: {parameters.bargpower: [lo, hi]} when it is uncertain)"
        )

    def residuals(t: FloatArray) -> FloatArray:
        lam = 0.999 / (1.0 + np.exp(-t[1]))
        m = bargaining_margins(s, data.owner_pre, -float(np.exp(t[0])), lam) / p
        return np.asarray(m[known] - data.margins[known])

    start = np.array([np.log(-alpha_for(0.5)), 0.0])
    with np.errstate(all="ignore"):
        sol = optimize.least_squares(residuals, start, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=4000)
    lam = 0.999 / (1.0 + np.exp(-sol.x[1]))
    exact = known.size == 2
    if exact and float(np.abs(sol.fun).max()) > 1e-6:
        raise InvalidInputError(
            f"margins: impossible calibration — no price coefficient and bargaining power in [0, 1) reproduce "
            f"these margins; closest: bargpower {lam:.4g}, largest residual {float(np.abs(sol.fun).max()):.3g}"
        )
    method = "exact solve for α and the bargaining power" if exact else (
        f"least squares over {known.size} margins for α and one common bargaining power"
    )
    return -float(np.exp(sol.x[0])), float(lam), method


def simulate_bargaining(case: Case) -> SimulationResult:
    """Calibrate, recover costs c = p − m(p; Ω_pre), solve post-merger prices with c (1 + mc_delta) under Ω_post."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    data = case.data
    if case.demand != "logit":
        raise InvalidInputError(f"demand = {case.demand!r}: bargaining supply takes logit demand")
    s, p = data.shares, data.prices
    if data.inside_total >= 1 - SHARE_SUM_TOLERANCE:
        raise InvalidInputError("shares: bargaining with logit needs an outside good (shares summing below 1)")
    if np.any(np.isfinite(case.capacities)):
        raise InvalidInputError("capacities: not available with bargaining supply")
    alpha, lam, method = calibrate_bargaining(case)
    demand = Logit(np.float64(alpha), np.log(s) - np.log1p(-s.sum()), p, True)
    unit = bargaining_margins(s, data.owner_pre, alpha, lam)
    costs = p - unit
    costs_post = costs * (1.0 + case.mc_delta)

    def foc(prices: FloatArray) -> FloatArray:
        return np.asarray(prices - costs_post - bargaining_margins(demand.quantities(prices), case.owner_post, alpha,
                                                                   lam))

    with np.errstate(all="ignore"):
        sol = optimize.root(foc, p, method="hybr", options={"xtol": 1e-13, "maxfev": 5000})
    residual = float(np.max(np.abs(sol.fun))) if np.all(np.isfinite(sol.fun)) else float("inf")
    if residual > 1e-9 * float(np.max(p)):  # the residual decides, as in .hmt
        raise ConvergenceError(
            "bargaining: no post-merger equilibrium found",
            {"method": "MINPACK hybr on prices", "max_residual": residual, "message": sol.message},
            "Check the margins and mc_delta: the calibrated model may have no equilibrium for these inputs.",
        )
    prices_post = np.asarray(sol.x)
    s_post = demand.quantities(prices_post)
    scale = data.insize or 1.0
    known = data.known
    predicted = unit / p
    error = np.abs(predicted[known] - data.margins[known])
    warnings = []
    if known.size and float(error.max()) > MARGIN_FIT_WARNING:
        j = int(known[int(np.argmax(error))])
        warnings.append(f"calibration: the fitted model misses the margin of {data.labels[j]} by "
                        f"{float(error.max()):.2f} (observed {data.margins[j]:.4g}, predicted {predicted[j]:.4g})")
    negative = [data.labels[j] for j in np.flatnonzero(costs <= 0)]
    if negative:
        warnings.append(f"non-positive recovered marginal cost for {', '.join(negative)}")
    merging = np.flatnonzero(merging_products(data.owner_pre, case.owner_post, len(p)))
    cmcr = (costs - (p - bargaining_margins(s, case.owner_post, alpha, lam))) / costs
    parameters = {"alpha": alpha, "bargpower": lam}
    diagnostics: dict[str, object] = {
        "post_merger_prices": {"converged": True, "method": "MINPACK hybr", "max_residual": residual},
        "calibration": {
            "method": method,
            "parameters": parameters,
            "fit": margin_fit(data.labels, data.margins, predicted),
        },
    }
    if warnings:
        diagnostics["warnings"] = warnings
    cv, ps_delta = logit_surplus_changes(demand, (p, prices_post), (s, s_post), (costs, costs_post), scale)
    return share_model_result(
        case,
        "bargaining",
        prices=(p, prices_post),
        shares=(s, s_post),
        costs=(costs, costs_post),
        cv=cv,
        producer_surplus_delta=ps_delta,
        upp={},
        cmcr={data.labels[j]: float(cmcr[j]) for j in merging},
        parameters=parameters,
        diagnostics=diagnostics,
    )
