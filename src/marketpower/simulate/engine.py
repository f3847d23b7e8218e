"""Compose a demand system, a supply game and ownership into one merger simulation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import InvalidInputError
from .bertrand import solve_prices
from .calibrate import (
    SHARE_SUM_TOLERANCE,
    Calibration,
    MarketData,
    calibrate_aids,
    calibrate_ces,
    calibrate_linear,
    calibrate_logit,
    calibrate_nested_logit,
    calibrate_rclogit,
)
from .case import Case, parse_case
from .limits import check_dense
from .outcome import SHARE_MODELS, bertrand_result
from .ownership import merging_products
from .pcaids_nests import calibrate_pcaids_nests
from .result import SimulationResult

CALIBRATORS: dict[str, Callable[[MarketData], Calibration]] = {
    "logit": calibrate_logit,
    "nested_logit": calibrate_nested_logit,
    "rclogit": calibrate_rclogit,
    "ces": calibrate_ces,
    "aids": lambda d: calibrate_aids(d, proportional=False),
    "pcaids": lambda d: calibrate_aids(d, proportional=True),
    "pcaids_nests": calibrate_pcaids_nests,
    "linear": lambda d: calibrate_linear(d, log=False),
    "loglinear": lambda d: calibrate_linear(d, log=True),
}
#: Demands whose Jacobian is evaluated entry by entry (O(n) memory with firm labels).
STRUCTURED_MODELS = {"logit", "nested_logit", "ces"}


def simulate_case(case: Mapping[str, Any]) -> SimulationResult:
    """Simulate the merger described by ``case`` (see docs/simulation.md); ``to_dict()`` of the result is what
    ``marketpower simulate CASE --json`` prints."""
    parsed = parse_case(case)
    result = run(parsed)
    if parsed.draws:
        from .uncertainty import percentile_bands

        result.extra["uncertainty"] = percentile_bands(case, parsed, run)
    return result


def run(case: Case) -> SimulationResult:
    if case.supply == "bertrand":
        return simulate_bertrand(case)
    if case.supply == "auction":
        from .auction import simulate_auction

        return simulate_auction(case)
    if case.supply == "bargaining":
        from .bargaining import simulate_bargaining

        return simulate_bargaining(case)
    if case.supply == "vertical_bargaining":
        from .vertical import simulate_vertical

        return simulate_vertical(case)
    if case.demand == "logit":
        from .logit_cournot import simulate_logit_cournot

        return simulate_logit_cournot(case)
    from .cournot import simulate_cournot

    return simulate_cournot(case)


def simulate_bertrand(case: Case) -> SimulationResult:
    """Calibrate demand, recover costs c = p − markups(p, Ω_pre), solve post-merger prices with costs
    c (1 + mc_delta) under Ω_post, and collect surplus, concentration and screening measures.

    Memory: O(n) for logit, nested logit and CES with firm labels (no n × n array is built); every other path is checked
    against the budget of :mod:`marketpower.simulate.limits` before calibration starts."""
    data = case.data
    if case.demand not in CALIBRATORS:
        raise InvalidInputError(f"demand = {case.demand!r}: not available with Bertrand supply")
    n = len(data.prices)
    structured = case.demand in STRUCTURED_MODELS and data.owner_pre.ids is not None and case.owner_post.ids is not None
    if not structured:
        check_dense(
            n, f"{case.demand} demand" + (" with an ownership matrix" if case.demand in STRUCTURED_MODELS else "")
        )
    fixed_total = case.demand in SHARE_MODELS or case.demand == "ces"  # share 1 stays 1 whatever the price
    if n == 1 and fixed_total and data.inside_total >= 1 - SHARE_SUM_TOLERANCE and data.market_elasticity is None:
        raise InvalidInputError(
            f"shares[{data.labels[0]}] = 1: one product holding the whole market with no outside good has demand "
            "that does not respond to its price; give its share of a wider market (below 1) or a market_elasticity"
        )
    if np.any(np.isfinite(case.capacities)):
        if case.hmt is not None or case.efficiencies:
            raise InvalidInputError("hmt / efficiencies: not available with capacities (unconstrained Bertrand only)")
        from .capacity import simulate_capacity

        return simulate_capacity(case)
    calibration = CALIBRATORS[case.demand](data)
    demand = calibration.demand
    p = data.prices
    costs = p - calibration.markups
    costs_post = costs * (1.0 + case.mc_delta)
    prices_post, diag = solve_prices(demand, costs_post, case.owner_post, start=p)
    result = bertrand_result(case, calibration, costs, costs_post, prices_post, diag.to_dict())
    add_market_definition_and_efficiencies(case, calibration, costs, result)
    return result


def add_market_definition_and_efficiencies(
    case: Case, calibration: Calibration, costs: np.ndarray[Any, np.dtype[np.float64]], result: SimulationResult
) -> None:
    """Put the case's requested HMT (``market_definition``) and efficiencies (``efficiencies``) into
    ``result.extra``, computed on the calibrated demand and the recovered pre-merger costs."""
    data = case.data
    merging = [int(j) for j in np.flatnonzero(merging_products(data.owner_pre, case.owner_post, len(data.prices)))]
    if case.hmt is not None:
        from .hmt import hypothetical_monopolist_test

        focal = merging if case.hmt["product"] in merging else None
        result.extra["market_definition"] = hypothetical_monopolist_test(
            calibration.demand, data.prices, costs, data.labels, case.hmt["product"], focal, case.hmt["ssnips"]
        )
    if case.efficiencies:
        from .efficiencies import efficiencies

        scale = (data.insize or 1.0) if case.demand in SHARE_MODELS else 1.0
        result.extra["efficiencies"] = efficiencies(
            calibration.demand, data.prices, costs, case.owner_post, merging, data.labels, scale
        )
