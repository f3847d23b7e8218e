"""Assemble the result of a solved Bertrand merger: surplus, post-merger shares, concentration and screens.

Shared by the engine's unconstrained solve and the capacity-constrained one (:mod:`.capacity`), so neither imports
the other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .calibrate import Calibration
from .case import Case
from .demand import diversions_from, jacobian_block
from .diagnostics import cmcr_bertrand, upp
from .groups import FloatArray, IntpArray
from .logit import Logit
from .ownership import merging_products
from .result import SimulationResult, firm_hhi

SHARE_MODELS = {"logit", "nested_logit", "rclogit"}
REVENUE_SHARE_MODELS = {"ces", "aids", "pcaids", "pcaids_nests"}


def _post_shares(
    case: Case, q_pre: FloatArray, q_post: FloatArray, p_pre: FloatArray, p_post: FloatArray
) -> FloatArray:
    """Post-merger shares in the model's own share concept: quantity shares (logit family: of the whole market;
    linear / log-linear: q_post/Q_post times the pre-merger inside total), or revenue shares (CES: of the fixed
    budget; (PC)AIDS: renormalised to the inside total)."""
    if case.demand in SHARE_MODELS:
        return q_post
    ratio = q_post / q_pre
    if case.demand in REVENUE_SHARE_MODELS:
        ratio = ratio * p_post / p_pre
    shares = case.data.shares * ratio
    if case.demand in ("aids", "pcaids", "pcaids_nests", "linear", "loglinear"):
        # renormalised: q_post/Q_post of the same inside total
        shares = shares * case.data.shares.sum() / shares.sum()
    return np.asarray(shares)


def bertrand_result(
    case: Case,
    calibration: Calibration,
    costs: FloatArray,
    costs_post: FloatArray,
    prices_post: FloatArray,
    solve: dict[str, Any],
    extra_diagnostics: dict[str, Any] | None = None,
) -> SimulationResult:
    """Surplus, concentration and screens of a solved Bertrand merger (pre-merger prices are the data's)."""
    data = case.data
    demand = calibration.demand
    p = data.prices
    q_pre, q_post = demand.quantities(p), demand.quantities(prices_post)
    scale = (data.insize or 1.0) if case.demand in SHARE_MODELS else 1.0
    if hasattr(demand, "compensating_variation"):
        cv = float(demand.compensating_variation(p, prices_post))
    else:
        cv = float(demand.consumer_surplus(p) - demand.consumer_surplus(prices_post)) * scale
    # producers' (sellers') profit change; in an input market the firms are the buyers, whose profit is (v − p) q
    ps_delta = data.margin_sign * float((prices_post - costs_post) @ q_post - (p - costs) @ q_pre) * scale
    shares_pre = q_pre if case.demand in SHARE_MODELS else data.shares
    shares_post = _post_shares(case, q_pre, q_post, p, prices_post)
    n = len(p)
    merging = merging_products(data.owner_pre, case.owner_post, n)
    # UPP only involves the products whose profit weights change: evaluate it on that block
    sub = (
        np.flatnonzero(merging) if data.owner_pre.ids is not None and case.owner_post.ids is not None else np.arange(n)
    )
    gross = np.zeros(n)
    gross[sub] = upp(
        p[sub],
        ((p - costs) / p)[sub],
        diversions_from(jacobian_block(demand, p, sub[:, None], sub[None, :])),
        data.owner_pre.subset(sub),
        case.owner_post.subset(sub),
    )
    upp_values = gross + np.minimum(case.mc_delta, 0.0) * costs  # net of the merger's cost savings
    guppi_values = gross / p
    # CMCR is a sellers' cost cut; an input market reports none (UPP/GUPPI < 0 there: pressure to pay less)
    cmcr_values = np.full(n, np.nan) if data.input_market else cmcr_bertrand(demand, p, costs, case.owner_post)
    negative = [data.labels[j] for j in np.flatnonzero(costs <= 0)]
    diagnostics: dict[str, Any] = {"post_merger_prices": solve, "calibration": calibration.to_dict()}
    diagnostics.update(extra_diagnostics or {})
    warnings = list(calibration.warnings)
    if negative:
        warnings.append(f"non-positive recovered marginal cost for {', '.join(negative)}")
    if warnings:
        diagnostics["warnings"] = warnings

    def block(rows: IntpArray, cols: IntpArray) -> FloatArray:
        return jacobian_block(demand, p, rows, cols) * scale

    model = {"demand": case.demand, "supply": "bertrand", "name": case.name}
    if data.input_market:
        model["market"] = "input"
    return SimulationResult(
        model=model,
        labels=data.labels,
        firms_pre=case.firms_pre,
        firms_post=case.firms_post,
        prices_pre=p,
        prices_post=prices_post,
        shares_pre=shares_pre,
        shares_post=shares_post,
        quantities_pre=q_pre * scale,
        quantities_post=q_post * scale,
        costs=costs,
        costs_post=costs_post,
        hhi_pre=firm_hhi(shares_pre, case.firms_pre),
        hhi_post=firm_hhi(shares_post, case.firms_post),
        cv=cv,
        producer_surplus_delta=ps_delta,
        upp={
            data.labels[j]: {"upp": float(upp_values[j]), "guppi": float(guppi_values[j])}
            for j in np.flatnonzero(merging)
        },
        cmcr={data.labels[j]: float(cmcr_values[j]) for j in np.flatnonzero(merging) if np.isfinite(cmcr_values[j])},
        jacobian=None,
        jacobian_block=block,
        merging=np.flatnonzero(merging),
        parameters=calibration.parameters,
        diagnostics=diagnostics,
    )


def share_model_result(
    case: Case,
    supply: str,
    *,
    prices: tuple[FloatArray, FloatArray],
    shares: tuple[FloatArray, FloatArray],
    costs: tuple[FloatArray, FloatArray],
    cv: float,
    producer_surplus_delta: float,
    upp: dict[str, dict[str, float]],
    cmcr: dict[str, float],
    parameters: dict[str, Any],
    diagnostics: dict[str, Any],
) -> SimulationResult:
    """Result of a logit-demand merger whose quantities are market shares (auction, bargaining, logit Cournot).

    ``prices``, ``shares`` and ``costs`` are (pre, post) pairs; quantities = shares × market size (``insize``, 1 when
    absent); HHI is over firms' summed shares. ``cv`` and ``producer_surplus_delta`` are already in market units.
    """
    (p, prices_post), (s, s_post), (c, costs_post) = prices, shares, costs
    scale = case.data.insize or 1.0
    return SimulationResult(
        model={"demand": "logit", "supply": supply, "name": case.name},
        labels=case.data.labels,
        firms_pre=case.firms_pre,
        firms_post=case.firms_post,
        prices_pre=p,
        prices_post=prices_post,
        shares_pre=s,
        shares_post=s_post,
        quantities_pre=s * scale,
        quantities_post=s_post * scale,
        costs=c,
        costs_post=costs_post,
        hhi_pre=firm_hhi(s, case.firms_pre),
        hhi_post=firm_hhi(s_post, case.firms_post),
        cv=cv,
        producer_surplus_delta=producer_surplus_delta,
        upp=upp,
        cmcr=cmcr,
        jacobian=None,
        parameters=parameters,
        diagnostics=diagnostics,
    )


def logit_surplus_changes(
    demand: Logit,
    prices: tuple[FloatArray, FloatArray],
    shares: tuple[FloatArray, FloatArray],
    costs: tuple[FloatArray, FloatArray],
    scale: float,
) -> tuple[float, float]:
    """(CV, ΔPS) in market units for a logit market whose quantities are the shares: CV = CS_pre − CS_post (the
    consumers' loss), ΔPS = Σ (p_post − c_post) s_post − Σ (p − c) s, both times the market size ``scale``."""
    (p, p_post), (s, s_post), (c, c_post) = prices, shares, costs
    cv = float(demand.consumer_surplus(p) - demand.consumer_surplus(p_post)) * scale
    return cv, float((p_post - c_post) @ s_post - (p - c) @ s) * scale
