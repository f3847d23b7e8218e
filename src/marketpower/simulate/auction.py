"""Second-score procurement auctions with logit scores (Miller 2014; R `antitrust` auction2nd.logit).

The buyer values supplier j's offer at V_j = δ_j + α (c_j − c0_j) plus a type-I extreme-value error (α < 0, so a
cost rise lowers the score), picks the highest score and pays the second score. Win probabilities are logit shares
s_j (outside option V_0 = 0; when the win shares sum to 1 there is none and δ is normalised on product
``norm_index``, as R does — the markup needs no outside option). A firm f with win probability S_f earns the
expected markup per win μ_f = log(1 − S_f) / (α S_f) (> 0); its expected profit per auction is S_f μ_f = log(1 − S_f)/α.
Calibration: α from the known margins (one is enough): least squares of m_j p_j on log(1 − S_f)/S_f gives 1/α
in closed form. Surplus per auction: total TS = log(1 + Σ exp V)/(−α); producers PS = Σ_f log(1 − S_f)/α;
buyer BS = TS − PS, and CV = BS_pre − BS_post.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from .calibrate import SHARE_SUM_TOLERANCE, user_alpha
from .case import Case
from .groups import FloatArray
from .outcome import share_model_result
from .ownership import Ownership, merging_products
from .result import SimulationResult


def firm_markups(alpha: float, shares: FloatArray, ownership: Ownership) -> FloatArray:
    """μ_f(j) = log(1 − S_f) / (α S_f) for every product j of firm f (money per win)."""
    firm = ownership.matvec(shares)
    return np.asarray(np.log1p(-firm) / (alpha * firm))


def _shares(meanval: FloatArray, outside: bool) -> FloatArray:
    e = np.exp(meanval)
    return np.asarray(e / (float(outside) + e.sum()))


def _buyer_surplus(alpha: float, meanval: FloatArray, shares: FloatArray, ownership: Ownership, outside: bool) -> float:
    total = float(np.log(float(outside) + np.exp(meanval).sum()) / -alpha)
    return total - _producer_surplus(alpha, shares, ownership)


def _producer_surplus(alpha: float, shares: FloatArray, ownership: Ownership) -> float:
    """Σ_f log(1 − S_f)/α, split over products by win shares."""
    firm = ownership.matvec(shares)
    return float(np.log1p(-firm) @ (shares / firm)) / alpha


def simulate_auction(case: Case) -> SimulationResult:
    data = case.data
    if case.demand != "logit":
        raise InvalidInputError(f"demand = {case.demand!r}: second-score auctions are available with logit only")
    if np.any(np.isfinite(case.capacities)):
        raise InvalidInputError("capacities: second-score auctions do not take capacities (remove the key)")
    if data.owner_pre.matrix is not None or case.owner_post.matrix is not None:
        raise InvalidInputError("owner_pre: auctions take one firm label per product (no partial ownership)")
    s, p = data.shares, data.prices
    # win shares summing to 1: no outside option; mean valuations are normalised on product norm_index (as R does)
    outside = data.inside_total < 1 - SHARE_SUM_TOLERANCE
    if not outside:
        s = s / s.sum()
    for field, owner in (("owner_pre", data.owner_pre), ("owner_post", case.owner_post)):
        for j in np.flatnonzero(np.isclose(owner.matvec(s), 1.0, rtol=0, atol=1e-12))[:1]:
            raise InvalidInputError(
                f"{field}: the owner of {data.labels[j]} would win every auction (win share 1, no outside option), "
                "so its markup log(1 − S)/(α S) is unbounded"
            )
    known = data.known
    alpha_given = user_alpha(data)  # refused unless a negative number (NaN, booleans and text too)
    k = np.log1p(-data.owner_pre.matvec(s)) / data.owner_pre.matvec(s)
    if alpha_given is not None:
        alpha = alpha_given
        method = "user-supplied parameters"
    elif known.size:
        markup_obs = data.margins[known] * p[known]
        alpha = float((k[known] @ k[known]) / (k[known] @ markup_obs))
        method = (
            "exact: α from the one known margin"
            if known.size == 1
            else f"closed-form least squares of {known.size} margins on 1/α"
        )
    else:
        raise InvalidInputError("margins: the auction model needs at least one known margin (or parameters.alpha)")
    if not alpha < 0:
        raise InvalidInputError(f"parameters.alpha = {alpha}: must be negative")
    meanval = np.log(s) - (np.log1p(-s.sum()) if outside else np.log(s[data.norm_index]))
    mu_pre = firm_markups(alpha, s, data.owner_pre)
    costs = p - mu_pre
    costs_post = costs * (1.0 + case.mc_delta)
    meanval_post = meanval + alpha * (costs_post - costs)
    s_post = _shares(meanval_post, outside)
    prices_post = costs_post + firm_markups(alpha, s_post, case.owner_post)
    scale = data.insize or 1.0
    cv = (
        _buyer_surplus(alpha, meanval, s, data.owner_pre, outside)
        - _buyer_surplus(alpha, meanval_post, s_post, case.owner_post, outside)
    ) * scale
    ps_delta = (_producer_surplus(alpha, s_post, case.owner_post) - _producer_surplus(alpha, s, data.owner_pre)) * scale
    fit_error = float(np.abs(mu_pre[known] / p[known] - data.margins[known]).max()) if known.size else 0.0
    merging = merging_products(data.owner_pre, case.owner_post, len(p))
    return share_model_result(
        case,
        "auction",
        prices=(p, prices_post),
        shares=(s, s_post),
        costs=(costs, costs_post),
        cv=cv,
        producer_surplus_delta=ps_delta,
        upp={
            data.labels[j]: {"markup_change": float(prices_post[j] - costs_post[j] - mu_pre[j])}
            for j in np.flatnonzero(merging)
        },
        cmcr={},
        parameters={"alpha": alpha},
        diagnostics={
            "post_merger_prices": {
                "converged": True,
                "iterations": 0,
                "max_foc_residual": 0.0,
                "method": "closed form (second-score logit auction)",
                "tolerance": 0.0,
            },
            "calibration": {
                "method": method,
                "parameters": {"alpha": alpha},
                "fit": {
                    "max_abs_margin_error": fit_error,
                    "margins_predicted": dict(zip(data.labels, (mu_pre / p).tolist(), strict=True)),
                },
            },
        },
    )
