"""Nested PCAIDS (Epstein & Rubinfeld 2004, "Merger Simulation with Brand-Level Margin Data: Extending PCAIDS with
Nests"; R `antitrust` ``pcaids.nests``).

PCAIDS diverts lost revenue in proportion to revenue shares. With nests, diversion from j to a product k in
another nest is scaled down by a nesting parameter ω_gh ∈ [0, 1] for the pair of nests (ω = 1 within a nest,
symmetric: ω_gh = ω_hg), so revenue diversion is D[j, k] = w_k ω_jk / Σ_{l≠j} w_l ω_jl. The AIDS slope matrix is
symmetric with rows summing to zero:
Γ[j, k] = −c w_j w_k ω_jk (j ≠ k), Γ[j, j] = c w_j Σ_{k≠j} w_k ω_jk,
with the scale c fixed by the known own elasticity ε_KK of product K (as in PCAIDS):
Γ[K, K] = w_K (ε_KK + 1 − w_K (1 + ε)), ε the market elasticity. The H(H−1)/2 nesting parameters are calibrated
from margins (least squares through the Bertrand FOCs; at least as many known margins as parameters).
With every ω = 1 this is PCAIDS, Γ = b (diag(w) − w wᵀ).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from .aids import AIDS
from .calibrate import Calibration, MarketData, calibration, fit
from .groups import FloatArray, IntArray


def nest_weight_matrix(pair_values: FloatArray, n_nests: int) -> FloatArray:
    """The symmetric H × H matrix of nesting parameters: 1 on the diagonal, ``pair_values`` (upper triangle, row
    by row) off it."""
    omega = np.eye(n_nests)
    rows, cols = np.triu_indices(n_nests, k=1)
    omega[rows, cols] = pair_values
    omega[cols, rows] = pair_values
    return omega


def nested_pcaids_gamma(
    shares: FloatArray,
    nests: IntArray,
    omega: FloatArray,
    known: int,
    known_elasticity: float,
    market_elasticity: float,
) -> FloatArray:
    """Γ of nested PCAIDS (module docstring) for revenue shares ``shares`` (summing to 1), nest ids per product and
    the nest-pair matrix ``omega``."""
    w = shares
    weights = omega[np.ix_(nests, nests)]
    cross = (weights * w[None, :]).sum(axis=1) - w  # Σ_{k≠j} w_k ω_jk
    if cross[known] <= 0:
        raise InvalidInputError(
            "nests: the known-elasticity product has no rival it diverts to (every nesting parameter 0)"
        )
    b_known = w[known] * (known_elasticity + 1.0 - w[known] * (1.0 + market_elasticity))
    scale = b_known / (w[known] * cross[known])
    gamma = -scale * np.outer(w, w) * weights
    np.fill_diagonal(gamma, scale * w * cross)
    return np.asarray(gamma)


def calibrate_pcaids_nests(data: MarketData) -> Calibration:
    """Nested PCAIDS from revenue shares, the market elasticity, one known own elasticity and margins."""
    if data.nests is None:
        raise InvalidInputError("nests: nested PCAIDS needs a nest label for every product")
    if data.market_elasticity is None:
        raise InvalidInputError("market_elasticity: nested PCAIDS needs the market elasticity (a negative number)")
    if data.known_elasticity is None or data.known_elasticity_index is None:
        raise InvalidInputError(
            "known_elasticity: nested PCAIDS needs one product's own-price elasticity (known_elasticity and "
            "known_elasticity_index)"
        )
    w = data.shares / data.shares.sum()
    p, budget = data.prices, data.insize or 1.0
    nests = data.nests
    n_nests = int(nests.max()) + 1
    eps, known, own = data.market_elasticity, data.known_elasticity_index, data.known_elasticity
    if own >= eps:
        raise InvalidInputError(
            f"known_elasticity = {own}: must be more elastic than the market elasticity {eps} (as in PCAIDS)"
        )
    upper = zip(*np.triu_indices(n_nests, k=1), strict=True)
    pairs = [f"{data.nest_labels[g]}|{data.nest_labels[h]}" for g, h in upper]

    def build_from(values: FloatArray) -> AIDS:
        gamma = nested_pcaids_gamma(w, nests, nest_weight_matrix(values, n_nests), known, own, eps)
        return AIDS(gamma, w, p, eps, budget)

    if not pairs:
        return calibration(build_from(np.zeros(0)), data, "exact: one nest, which is PCAIDS", {"nest_weights": {}})
    fitted, theta, method = fit(
        data,
        lambda t: build_from(1.0 / (1.0 + np.exp(-t))),
        np.zeros(len(pairs)),
        [f"logit(nest_weight[{x}])" for x in pairs],
        False,
    )
    values = 1.0 / (1.0 + np.exp(-theta))
    assert isinstance(fitted, AIDS)
    return calibration(
        fitted,
        data,
        method + " (nesting parameters in (0, 1))",
        {"nest_weights": dict(zip(pairs, values.tolist(), strict=True)), "gamma": fitted.gamma.tolist()},
    )
