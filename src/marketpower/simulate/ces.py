"""CES demand (revenue shares), as used for merger simulation by Sheu & Taragin and R `antitrust`.

Revenue share r_j(p) = a_j p_j^(1−γ) / (a_0 + Σ_k a_k p_k^(1−γ)), γ > 1 the elasticity of substitution, a_0 the
outside good (price 1; a_0 = 0 without one). Quantity q_j = X r_j / p_j with X the category budget (``insize``).
∂q_j/∂p_k = (q_j/p_k) [−γ 1{j=k} + (γ−1) r_k]. Price index P = (a_0 + Σ a_k p_k^(1−γ))^(1/(1−γ));
compensating variation for the budget X: CV = X (P_post/P_pre − 1).

Bertrand with one owner per product: dividing firm f's first-order condition for product j by q_j gives
1 − γ μ_j + (γ−1) Σ_{k∈f} r_k μ_k = 0 with μ = (p − c)/p, so every product of f has the same Lerner index
μ_f = 1/(γ − (γ−1) R_f), R_f = Σ_{k∈f} r_k. The equilibrium is then F equations in the firms' revenue shares
(:meth:`CES.bertrand_prices`), never an n × n system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from .groups import FloatArray, IntpArray


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

    def jacobian_at(self, prices: FloatArray, rows: IntpArray, cols: IntpArray) -> FloatArray:
        """J[rows, cols] = (q_r/p_c) [−γ 1{r=c} + (γ−1) r_c], without the n × n matrix."""
        r = self.revenue_shares(prices)
        q = self.budget * r / prices
        return np.asarray(q[rows] / prices[cols] * ((self.gamma - 1.0) * r[cols] - self.gamma * (rows == cols)))

    def bertrand_prices(
        self, costs: FloatArray, firm_ids: IntpArray, start: FloatArray, tol: float = 1e-12, max_steps: int = 100
    ) -> tuple[FloatArray, int, float]:
        """Bertrand prices with one owner per product (``firm_ids``, 0..F−1): Newton's method on the F firm
        revenue shares R, g(R) = R − Φ(R) with Φ(R)_f = Σ_{j∈f} r_j(p(R)), p_j = c_j/(1 − μ_f(j)),
        μ_f = 1/(γ − (γ−1) R_f). Its Jacobian is I + diag(a) − Φ aᵀ with a_g = (γ−1)² μ_g² Φ_g/(1 − μ_g) (diagonal
        plus rank one: solved by Sherman–Morrison in O(F)). Steps are halved to keep 0 < R < 1. Returns
        (prices, Newton steps, largest |FOC| in quantity units); raises ConvergenceError when it stalls."""
        from ..errors import ConvergenceError

        g1 = self.gamma - 1.0
        firm_ids = np.unique(firm_ids, return_inverse=True)[1].ravel()  # 0..F−1, every firm with a product
        firms = int(firm_ids.max()) + 1

        def firm_sum(values: FloatArray) -> FloatArray:
            return np.bincount(firm_ids, values, firms).astype(np.float64)

        def shares_at(firm_r: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
            lerner = 1.0 / (self.gamma - g1 * firm_r)
            prices = costs / (1.0 - lerner[firm_ids])
            return prices, lerner, firm_sum(self.revenue_shares(prices))

        firm_r = firm_sum(self.revenue_shares(start))
        prices, lerner, mapped = shares_at(firm_r)
        gap = firm_r - mapped
        converged = False
        for steps in range(1, max_steps + 1):
            a = g1 * g1 * lerner**2 * mapped / (1.0 - lerner)
            d = 1.0 + a
            rhs = -gap / d
            step = rhs + (mapped / d) * (a @ rhs) / (1.0 - a @ (mapped / d))
            t = 1.0
            while True:
                trial = firm_r + t * step
                if np.all((trial > 0) & (trial < 1)):
                    trial_prices, trial_lerner, trial_mapped = shares_at(trial)
                    trial_gap = trial - trial_mapped
                    if np.abs(trial_gap).max() < np.abs(gap).max() or np.abs(trial_gap).max() <= 1e-15:
                        break
                t /= 2
                if t < 1e-8:
                    raise ConvergenceError(
                        "Bertrand prices (CES): Newton's method on the firms' revenue shares stalled",
                        {"iterations": steps, "max_share_gap": float(np.abs(gap).max())},
                    )
            firm_r, prices, lerner, mapped, gap = trial, trial_prices, trial_lerner, trial_mapped, trial_gap
            if np.abs(t * step).max() <= tol:
                converged = True
                break
        if not converged:
            raise ConvergenceError(
                f"Bertrand prices (CES): no equilibrium of the firms' revenue shares within {max_steps} Newton steps",
                {"iterations": max_steps, "max_share_gap": float(np.abs(gap).max())},
            )
        r = self.revenue_shares(prices)
        q = self.budget * r / prices
        margin = (prices - costs) / prices
        foc = q * (1.0 - self.gamma * margin + g1 * firm_sum(r * margin)[firm_ids])
        return prices, steps, float(np.abs(foc).max())

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
