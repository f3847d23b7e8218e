"""Random-coefficients (mixed) logit demand with user-supplied parameters and consumer draws (BLP 1995; Nevo 2000).

Consumer i's utility of product j: V_ij(p) = δ_j + α (p_j − p0_j) + Σ_k X2_jk(p) β_ik, with
β_i = Σ ν_i + Π d_i (nodes ν_i, demographics d_i) and, when prices are a column of X2, X2_j,price = p_j.
s_ij = exp V_ij / (1 + Σ_k exp V_ik); s_j = Σ_i w_i s_ij. Individual price slope a_i = α + β_i,price.
CS per consumer, money units: Σ_i w_i log(1 + Σ_j exp V_ij) / (−a_i).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .demand import GammaProduct
from .groups import FloatArray
from .ownership import Ownership


@dataclass(frozen=True)
class RandomCoefficientsLogit:
    """Arrays: meanval, reference_prices (..., J); x2 (..., J, K); nodes (..., I, K); demographics (..., I, D);
    weights (..., I); sigma (K, K); pi (K, D); ``price_column`` the X2 column holding prices (or None)."""

    alpha: float
    meanval: FloatArray
    reference_prices: FloatArray
    x2: FloatArray
    sigma: FloatArray
    pi: FloatArray
    nodes: FloatArray
    demographics: FloatArray
    weights: FloatArray
    price_column: int | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.alpha) or self.alpha >= 0:
            raise InvalidInputError(f"parameters.alpha = {self.alpha}: the price coefficient must be negative")
        slopes = self.price_slopes()
        if np.any(slopes >= 0):
            raise InvalidInputError(
                f"parameters.sigma/pi: {int((slopes >= 0).sum())} consumer draw(s) have a non-negative price "
                "slope α + β_i,price (upward-sloping demand); check the price rows of sigma and pi"
            )

    @cached_property
    def _tastes(self) -> FloatArray:
        return np.asarray(self.nodes @ self.sigma.T + self.demographics @ self.pi.T)

    @cached_property
    def _fixed_mu(self) -> FloatArray:
        """Σ_k X2_jk β_ik over the characteristics other than price, shape (..., I, J)."""
        x2 = self.x2.copy()
        if self.price_column is not None:
            x2[..., self.price_column] = 0.0
        return np.asarray(np.einsum("...jk,...ik->...ij", x2, self._tastes))

    def tastes(self) -> FloatArray:
        """β_ik = Σ_l sigma[k, l] ν_il + Σ_d pi[k, d] d_id, shape (..., I, K)."""
        return self._tastes

    def price_slopes(self) -> FloatArray:
        """a_i = α + β_i,price, shape (..., I)."""
        if self.price_column is None:
            return np.full(self.weights.shape, self.alpha)
        return np.asarray(self.alpha + self.tastes()[..., self.price_column])

    def individual_utilities(self, prices: FloatArray, meanval: FloatArray | None = None) -> FloatArray:
        """V_ij, shape (..., I, J); only the price column of X2 moves with prices."""
        base = self.meanval if meanval is None else meanval
        v = (base + self.alpha * (prices - self.reference_prices))[..., None, :] + self._fixed_mu
        if self.price_column is not None:
            v = v + self._tastes[..., self.price_column][..., :, None] * prices[..., None, :]
        return np.asarray(v)

    @staticmethod
    def _individual_shares(v: FloatArray) -> tuple[FloatArray, FloatArray]:
        top = np.maximum(v.max(axis=-1, keepdims=True), 0.0)
        ev = np.exp(v - top)
        total = ev.sum(axis=-1, keepdims=True) + np.exp(-top)
        return ev / total, (top + np.log(total))[..., 0]

    def individual_shares(self, prices: FloatArray) -> FloatArray:
        return self._individual_shares(self.individual_utilities(prices))[0]

    def quantities(self, prices: FloatArray) -> FloatArray:
        return np.asarray(np.einsum("...i,...ij->...j", self.weights, self.individual_shares(prices)))

    def jacobian(self, prices: FloatArray) -> FloatArray:
        """∂s_j/∂p_k = Σ_i w_i a_i s_ij (1{j=k} − s_ik)."""
        sij = self.individual_shares(prices)
        wa = self.weights * self.price_slopes()
        lam = np.einsum("...i,...ij->...j", wa, sij)
        gamma = np.einsum("...i,...ij,...ik->...jk", wa, sij, sij)
        return np.asarray(np.einsum("...j,jk->...jk", lam, np.eye(lam.shape[-1])) - gamma)

    def zeta_parts(self, prices: FloatArray, ownership: Ownership) -> tuple[FloatArray, FloatArray, GammaProduct]:
        """λ_j = Σ_i w_i a_i s_ij; (Ω∘Γᵀ) m = Σ_i w_i a_i s_ij Ω(s_i ∘ m)."""
        sij = self.individual_shares(prices)
        wa = (self.weights * self.price_slopes())[..., None]
        s = np.einsum("...i,...ij->...j", self.weights, sij)
        lam = (wa * sij).sum(axis=-2)
        ids = None if ownership.ids is None else ownership.ids[..., None, :]
        matrix = None if ownership.matrix is None else ownership.matrix[..., None, :, :]
        per_consumer = Ownership(ids=ids, matrix=matrix)

        def gamma(m: FloatArray) -> FloatArray:
            return np.asarray((wa * sij * per_consumer.matvec(sij * m[..., None, :])).sum(axis=-2))

        return s, lam, gamma

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        log_den = self._individual_shares(self.individual_utilities(prices))[1]
        return np.asarray((self.weights * log_den / -self.price_slopes()).sum(axis=-1))

    def parameters(self) -> dict[str, object]:
        return {
            "alpha": self.alpha,
            "sigma": self.sigma.tolist(),
            "pi": self.pi.tolist(),
            "meanval": self.meanval.tolist(),
        }


def solve_meanval(
    demand: RandomCoefficientsLogit, prices: FloatArray, shares: FloatArray, tol: float = 1e-14, max_iter: int = 5000
) -> tuple[FloatArray, dict[str, object]]:
    """Mean valuations δ that reproduce observed ``shares`` at ``prices`` (BLP contraction δ ← δ + log s − log ŝ(δ)).

    Starts from the logit inversion log s_j − log s_0; stops when max |Δδ| < ``tol``.
    """
    delta = np.log(shares) - np.log1p(-shares.sum(axis=-1, keepdims=True))
    step = np.inf
    for iteration in range(1, max_iter + 1):
        v = demand.individual_utilities(prices, meanval=delta)
        predicted = np.einsum("...i,...ij->...j", demand.weights, demand._individual_shares(v)[0])
        update = np.log(shares) - np.log(predicted)
        delta = delta + update
        step = float(np.abs(update).max())
        if step < tol:
            return delta, {"converged": True, "iterations": iteration, "max_step": step, "method": "BLP contraction"}
    raise ConvergenceError(
        "mean valuations: the BLP contraction did not converge",
        {"converged": False, "iterations": max_iter, "max_step": step, "method": "BLP contraction"},
    )
