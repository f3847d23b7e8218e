"""Market definition: the hypothetical monopolist test (HMT) on a calibrated demand system.

2023 Merger Guidelines §4.3: a candidate market is a relevant market when a hypothetical profit-maximising firm
owning all its products, the terms of sale of all other products held constant, would impose at least a small but
significant and non-transitory increase in price (SSNIP, here 5% and 10%) on at least one product of the group
that belongs to the merging firms. Candidate markets are grown from a named product by adding its rivals in the
order of diversion D[j, k] = −(∂q_k/∂p_j)/(∂q_j/∂p_j) from that product, and the smallest candidate that passes is
returned.

The monopolist of a set S sets p_S to maximise Σ_{j∈S} (p_j − c_j) q_j(p_S, p_{−S}) with p_{−S} at the
pre-merger prices: FOC q_S + J[S, S]ᵀ (p_S − c_S) = 0 (money × quantity units), solved from the pre-merger prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .demand import Demand, jacobian_block
from .groups import FloatArray

#: The SSNIPs tested unless a case names others (5% and 10%, fractions of the pre-merger price).
DEFAULT_SSNIPS = (0.05, 0.10)


def monopolist_prices(demand: Demand, prices: FloatArray, costs: FloatArray, products: Sequence[int]) -> FloatArray:
    """Profit-maximising prices of a monopolist owning ``products`` (indices), other prices held at ``prices``.

    Returns the full price vector (only ``products`` change). Raises ConvergenceError when the FOCs have no root
    from the pre-merger prices (e.g. demand too inelastic for a finite monopoly price)."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    idx = np.asarray(products, dtype=np.intp)

    def full(log_p: FloatArray) -> FloatArray:
        p = prices.copy()
        p[idx] = np.exp(log_p)
        return p

    def foc(log_p: FloatArray) -> FloatArray:
        p = full(log_p)
        q = demand.quantities(p)[idx]
        jac = jacobian_block(demand, p, idx[:, None], idx[None, :])
        return np.asarray((q + jac.T @ (p[idx] - costs[idx])) / np.maximum(np.abs(q), 1e-300))

    with np.errstate(all="ignore"):
        sol = optimize.root(foc, np.log(prices[idx]), method="hybr", options={"xtol": 1e-12, "maxfev": 4000})
    residual = float(np.max(np.abs(sol.fun))) if np.all(np.isfinite(sol.fun)) else float("inf")
    if residual > 1e-8:  # the FOC residual decides (MINPACK reports "no progress" when it starts at the root)
        raise ConvergenceError(
            f"hypothetical monopolist of {idx.size} product(s): no profit-maximising prices found",
            {"method": "MINPACK hybr on log prices", "max_relative_foc_residual": residual, "message": sol.message},
            "Demand may be too inelastic for a finite monopoly price (check the margins and market elasticity).",
        )
    return full(np.asarray(sol.x))


def diversion_ranking(demand: Demand, prices: FloatArray, start: int) -> list[int]:
    """Rivals of product ``start`` in decreasing order of diversion from it (ties: product order)."""
    n = prices.shape[-1]
    row = np.array([start])
    cols = np.arange(n)
    jac = jacobian_block(demand, prices, cols[:, None], row[None, :])[:, 0]  # ∂q_k/∂p_start
    diversion = -jac / jac[start]
    others = [k for k in range(n) if k != start]
    return sorted(others, key=lambda k: (-float(diversion[k]), k))


def hypothetical_monopolist_test(
    demand: Demand,
    prices: FloatArray,
    costs: FloatArray,
    labels: Sequence[str],
    start: int,
    focal: Sequence[int] | None = None,
    ssnips: Sequence[float] = DEFAULT_SSNIPS,
) -> dict[str, Any]:
    """Run the HMT on candidate markets grown from product ``start`` by diversion ranking.

    ``focal``: the merging firms' products (the SSNIP must fall on one of them; default: ``start`` only).
    Returns, per candidate, the monopolist's price rises 100 (p*/p − 1) %; per SSNIP, the smallest passing
    candidate (``market``, labels) or ``None`` when even all products together fail."""
    for s in ssnips:
        if not 0 < s < 1:
            raise InvalidInputError(f"hmt.ssnip = {s}: a SSNIP is a fraction between 0 and 1, e.g. 0.05")
    targets = set(focal) if focal else {start}
    ranking = [start, *diversion_ranking(demand, prices, start)]
    candidates: list[dict[str, Any]] = []
    verdicts: dict[str, Any] = {f"{s:g}": None for s in ssnips}
    for size in range(1, len(ranking) + 1):
        members = ranking[:size]
        p_star = monopolist_prices(demand, prices, costs, members)
        rise = p_star[members] / prices[members] - 1.0
        rise = np.where(np.abs(rise) < 1e-10, 0.0, rise)  # a price already at the monopolist's optimum
        on_focal = [float(r) for j, r in zip(members, rise, strict=True) if j in targets]
        best = max(on_focal) if on_focal else float("-inf")
        candidates.append(
            {
                "products": [labels[j] for j in members],
                "price_rise_pct": {labels[j]: 100.0 * float(r) for j, r in zip(members, rise, strict=True)},
                "largest_merging_rise_pct": 100.0 * best if on_focal else None,
            }
        )
        for s in ssnips:
            key = f"{s:g}"
            if verdicts[key] is None and best >= s:
                verdicts[key] = [labels[j] for j in members]
        if all(v is not None for v in verdicts.values()):
            break
    return {
        "product": labels[start],
        "ranking": [labels[j] for j in ranking],
        "candidates": candidates,
        "smallest_market": verdicts,
        "rule": "2023 Merger Guidelines §4.3: other prices held at pre-merger levels; SSNIP on a merging product",
    }
