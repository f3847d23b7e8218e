"""CES demand (revenue shares), as used for merger simulation by Sheu & Taragin and R `antitrust`.

Revenue share r_j(p) = a_j p_j^(1−γ) / (a_0 + Σ_k a_k p_k^(1−γ)), γ > 1 the elasticity of substitution, a_0 the
outside good (price 1; a_0 = 0 without one). Quantity q_j = X r_j / p_j with X the category budget (``insize``).
∂q_j/∂p_k = (q_j/p_k) [−γ 1{j=k} + (γ−1) r_k]. Price index P = (a_0 + Σ a_k p_k^(1−γ))^(1/(1−γ));
compensating variation for the budget X: CV = X (P_post/P_pre − 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from .groups import FloatArray


@dataclass(frozen=True)
class CES:
    gamma: float
    weights: FloatArray
    outside_weight: float
    budget: float = 1.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.gamma) or self.gamma <= 1:
            raise InvalidInputError(
                f"parameters.gamma = {self.gamma}: the CES elasticity of substitution must exceed 1 "
                "(γ ≤ 1 gives no interior Bertrand equilibrium)"
            )

    @classmethod
    def from_shares(cls, gamma: float, revenue_shares: FloatArray, prices: FloatArray, budget: float = 1.0) -> CES:
        """Weights that reproduce observed revenue shares: a_j = r_j p_j^(γ−1), a_0 = 1 − Σ r_j."""
        outside = max(0.0, 1.0 - float(revenue_shares.sum()))
        return cls(gamma, revenue_shares * prices ** (gamma - 1.0), outside, budget)

    def _terms(self, prices: FloatArray) -> tuple[FloatArray, float]:
        terms = self.weights * prices ** (1.0 - self.gamma)
        return terms, float(terms.sum() + self.outside_weight)

    def revenue_shares(self, prices: FloatArray) -> FloatArray:
        terms, total = self._terms(prices)
        return terms / total

    def quantities(self, prices: FloatArray) -> FloatArray:
        return self.budget * self.revenue_shares(prices) / prices

    def jacobian(self, prices: FloatArray) -> FloatArray:
        r = self.revenue_shares(prices)
        q = self.budget * r / prices
        return np.asarray(
            (q[:, None] / prices[None, :]) * (-self.gamma * np.eye(len(r)) + (self.gamma - 1.0) * r[None, :])
        )

    def foc_jacobian(self, prices: FloatArray, costs: FloatArray, omega: FloatArray) -> FloatArray:
        """∂f_j/∂p_l of the Bertrand FOCs f = diag(Ω) q + (Ω∘Jᵀ)(p − c), which for CES read
        f_j = Ω_jj q_j (1 − γ m_j/p_j) + (γ−1)(r_j/p_j) W_j with m = p − c and W = Ω (q ∘ m); by the product
        rule, with ∂r_j/∂p_l = (1−γ)(r_j/p_l)(1{j=l} − r_l) (quantity units per money unit)."""
        g = self.gamma
        r = self.revenue_shares(prices)
        q = self.budget * r / prices
        jac = self.jacobian(prices)
        m = prices - costs
        own = np.diag(omega)
        big_w = omega @ (q * m)
        eye = np.eye(len(r))
        d_ratio = (1.0 - g) * (r / prices)[:, None] / prices[None, :] * (eye - r[None, :]) - eye * (r / prices**2)
        return np.asarray(
            (own * (1.0 - g * m / prices))[:, None] * jac
            - eye * (g * own * q * costs / prices**2)
            + (g - 1.0) * big_w[:, None] * d_ratio
            + (g - 1.0) * (r / prices)[:, None] * ((omega * m[None, :]) @ jac + omega * q[None, :])
        )

    def price_index(self, prices: FloatArray) -> float:
        return float(self._terms(prices)[1] ** (1.0 / (1.0 - self.gamma)))

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        """−X log P: differences give the (log-approximate) welfare change; CV uses the exact price-index ratio."""
        return np.asarray(-self.budget * np.log(self.price_index(prices)))

    def compensating_variation(self, prices_pre: FloatArray, prices_post: FloatArray) -> float:
        return self.budget * (self.price_index(prices_post) / self.price_index(prices_pre) - 1.0)

    def parameters(self) -> dict[str, object]:
        return {"gamma": self.gamma, "weights": self.weights.tolist(), "outside_weight": self.outside_weight}
