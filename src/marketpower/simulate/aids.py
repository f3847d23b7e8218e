"""AIDS demand without income effects (β = 0) and its proportionally calibrated special case PCAIDS
(Epstein & Rubinfeld 2002).

Inside revenue shares w_j(p) = w0_j + Σ_k Γ[j, k] (log p_k − log p0_k); the inside budget responds to the
translog (current share-weighted) price index, log X(p) = log X0 + (1 + ε) a(p),
a(p) = Σ_k w0_k Δlog p_k + ½ Δlog pᵀ Γ Δlog p, ε the market elasticity (Epstein & Rubinfeld; R `antitrust`):
∂log X/∂log p_k = (1 + ε) g_k with g = w0 + ½ (Γ + Γᵀ) Δlog p, which is the current share w_k(p) when Γ is
symmetric. q_j = w_j X / p_j. Elasticities: ε_jk = −1{j=k} + Γ[j, k]/w_j + (1 + ε) g_k (at p0, g = w0).
Γ from diversions D (revenue diversion from j to k): Γ[k, j] = −D[j, k] Γ[j, j]; PCAIDS takes D[j, k] =
w_k/(1 − w_j), so Γ = b (diag(w) − w wᵀ) with one scale b. CV for the inside budget:
X0 (exp(Δa) − 1), Δa = Σ w0_k Δlog p_k + ½ Δlog pᵀ Γ Δlog p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .groups import FloatArray


def gamma_from_diversions(own: FloatArray, diversion: FloatArray) -> FloatArray:
    """Γ[k, j] = −D[j, k] Γ[j, j] with Γ[j, j] = own_j (D[j, j] = −1)."""
    return np.asarray(-(diversion * own[:, None]).T)


def proportional_diversions(shares: FloatArray) -> FloatArray:
    """D[j, k] = s_k / (1 − s_j) for k ≠ j, D[j, j] = −1: diversion in proportion to shares."""
    with np.errstate(divide="ignore"):  # a share of 1 has no rivals: its row is never used
        d = shares[None, :] / (1.0 - shares[:, None])
    np.fill_diagonal(d, -1.0)
    return np.asarray(d)


@dataclass(frozen=True)
class AIDS:
    gamma: FloatArray
    base_shares: FloatArray
    reference_prices: FloatArray
    market_elasticity: float
    budget: float = 1.0

    def _state(self, prices: FloatArray) -> tuple[FloatArray, float, FloatArray]:
        """(w(p), X(p), g(p) = ∂a/∂log p) at ``prices``."""
        dlog = np.log(prices) - np.log(self.reference_prices)
        w = self.base_shares + self.gamma @ dlog
        index_gradient = self.base_shares + 0.5 * (self.gamma + self.gamma.T) @ dlog
        log_index = float(self.base_shares @ dlog + 0.5 * dlog @ self.gamma @ dlog)
        log_x = np.log(self.budget) + (1.0 + self.market_elasticity) * log_index
        return w, float(np.exp(log_x)), np.asarray(index_gradient)

    def quantities(self, prices: FloatArray) -> FloatArray:
        w, x, _ = self._state(prices)
        return np.asarray(w * x / prices)

    def jacobian(self, prices: FloatArray) -> FloatArray:
        """∂q_j/∂p_k = X/(p_j p_k) [Γ[j, k] + (1 + ε) w_j g_k − 1{j=k} w_j]."""
        w, x, g = self._state(prices)
        inner = self.gamma + (1.0 + self.market_elasticity) * np.outer(w, g) - np.diag(w)
        return np.asarray(x * inner / np.outer(prices, prices))

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        dlog = np.log(prices) - np.log(self.reference_prices)
        return np.asarray(-self.budget * (self.base_shares @ dlog + 0.5 * dlog @ self.gamma @ dlog))

    def compensating_variation(self, prices_pre: FloatArray, prices_post: FloatArray) -> float:
        def a(p: FloatArray) -> float:
            dlog = np.log(p) - np.log(self.reference_prices)
            return float(self.base_shares @ dlog + 0.5 * dlog @ self.gamma @ dlog)

        return self.budget * (float(np.exp(a(prices_post) - a(prices_pre))) - 1.0)

    def parameters(self) -> dict[str, object]:
        return {"gamma": self.gamma.tolist(), "market_elasticity": self.market_elasticity}
