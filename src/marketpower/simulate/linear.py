"""Linear and log-linear (constant-elasticity) demand, calibrated from diversions and own slopes.

Linear: q(p) = q0 + B (p − p0), B[j, j] < 0 the own slopes, B[k, j] = −D[j, k] B[j, j].
Log-linear: log q(p) = log q0 + E (log p − log p0), E[j, j] < −0 the own elasticities,
E[k, j] = −D[j, k] E[j, j] q0_j / q0_k (so ∂q_k/∂p_j = −D[j, k] ∂q_j/∂p_j at p0).
D[j, k] is the diversion ratio from j to k (D[j, j] = −1). Consumer surplus changes are line integrals
−∫ q · dp along the straight price path (exact for linear demand; 32-point Gauss–Legendre for log-linear).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from .groups import FloatArray


def _check_own(own: FloatArray, what: str) -> None:
    for j in np.flatnonzero(~np.isfinite(own) | (own >= 0)):
        raise InvalidInputError(f"parameters.{what}[{j}] = {own[j]!r}: must be negative (upward-sloping demand)")


def line_integral_cv(
    quantities: Callable[[FloatArray], FloatArray], prices_pre: FloatArray, prices_post: FloatArray, nodes: int = 32
) -> float:
    """CV ≈ ∫₀¹ q(p0 + t Δp) · Δp dt (positive = consumer loss), Gauss–Legendre on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    dp = prices_post - prices_pre
    values = [float(quantities(prices_pre + (xi + 1.0) / 2.0 * dp) @ dp) for xi in x]
    return float(np.dot(w / 2.0, values))


@dataclass(frozen=True)
class Linear:
    slopes: FloatArray
    reference_quantities: FloatArray
    reference_prices: FloatArray

    def __post_init__(self) -> None:
        _check_own(np.diagonal(self.slopes).copy(), "slopes")

    @classmethod
    def from_diversions(cls, own: FloatArray, diversion: FloatArray, q0: FloatArray, p0: FloatArray) -> Linear:
        return cls(np.asarray(-(diversion * own[:, None]).T), q0, p0)

    def quantities(self, prices: FloatArray) -> FloatArray:
        return np.asarray(self.reference_quantities + self.slopes @ (prices - self.reference_prices))

    def jacobian(self, prices: FloatArray) -> FloatArray:
        return self.slopes

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        return np.asarray(-line_integral_cv(self.quantities, self.reference_prices, prices))

    def compensating_variation(self, prices_pre: FloatArray, prices_post: FloatArray) -> float:
        return line_integral_cv(self.quantities, prices_pre, prices_post)

    def parameters(self) -> dict[str, object]:
        return {
            "slopes": self.slopes.tolist(),
            "intercepts": (self.reference_quantities - self.slopes @ self.reference_prices).tolist(),
        }


@dataclass(frozen=True)
class LogLinear:
    elasticities: FloatArray
    reference_quantities: FloatArray
    reference_prices: FloatArray

    def __post_init__(self) -> None:
        _check_own(np.diagonal(self.elasticities).copy(), "elasticities")

    @classmethod
    def from_diversions(cls, own: FloatArray, diversion: FloatArray, q0: FloatArray, p0: FloatArray) -> LogLinear:
        cross = -(diversion * (own * q0)[:, None]).T / q0[:, None]
        return cls(np.asarray(cross), q0, p0)

    def quantities(self, prices: FloatArray) -> FloatArray:
        dlog = np.log(prices) - np.log(self.reference_prices)
        return np.asarray(self.reference_quantities * np.exp(self.elasticities @ dlog))

    def jacobian(self, prices: FloatArray) -> FloatArray:
        q = self.quantities(prices)
        return np.asarray(self.elasticities * q[:, None] / prices[None, :])

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        return np.asarray(-line_integral_cv(self.quantities, self.reference_prices, prices))

    def compensating_variation(self, prices_pre: FloatArray, prices_post: FloatArray) -> float:
        return line_integral_cv(self.quantities, prices_pre, prices_post)

    def parameters(self) -> dict[str, object]:
        return {"elasticities": self.elasticities.tolist()}
