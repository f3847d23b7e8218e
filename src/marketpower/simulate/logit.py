"""Logit and nested logit demand (shares), with the ζ-markup decomposition J = diag(λ) − Γ.

Utility of product j: V_j(p) = δ_j + α (p_j − p0_j), α < 0 (price coefficient), δ_j the mean valuation at the
reference prices p0. Shares s_j = exp V_j / (1 + Σ_k exp V_k) with an outside good (V_0 = 0), or
exp V_j / Σ_k exp V_k without one. Nested logit with nest h(j) and nesting parameter ρ_h ∈ [0, 1):
s_j = s_{j|h} s_h, s_{j|h} = exp(V_j/(1−ρ_h)) / D_h, D_h = Σ_{k∈h} exp(V_k/(1−ρ_h)),
s_h = exp(IV_h) / (1 + Σ_g exp IV_g), IV_h = (1−ρ_h) log D_h.
Consumer surplus per consumer, money units: log(1 + Σ_h exp IV_h) / (−α).

Input markets (``input_market``, buyer power; R `antitrust`'s ``output = FALSE``): the firms buy an input and
sellers choose among them, so the utility of selling to j rises with the price j pays, α > 0; the surplus of the
sellers is log(1 + Σ_h exp IV_h) / α. Both cases: log(1 + Σ_h exp IV_h) / |α|.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidInputError
from .demand import GammaProduct, diag_minus_outer
from .groups import FloatArray, IntArray, IntpArray, group_sum
from .ownership import Ownership


def per_market(alpha: float | FloatArray, like: FloatArray) -> FloatArray:
    """A per-market parameter (scalar or shape (..., 1)) as an array of shape like.shape[:-1]."""
    return np.broadcast_to(np.asarray(alpha, dtype=np.float64), (*np.shape(like)[:-1], 1))[..., 0]


def _check_alpha(alpha: float | FloatArray, input_market: bool) -> None:
    if input_market:
        if np.any(~np.isfinite(alpha)) or np.any(alpha <= 0):
            raise InvalidInputError(
                f"parameters.alpha = {np.asarray(alpha).ravel()[:3]}: in an input market the price coefficient "
                "must be positive (sellers prefer buyers who pay more)"
            )
    elif np.any(~np.isfinite(alpha)) or np.any(alpha >= 0):
        raise InvalidInputError(
            f"parameters.alpha = {np.asarray(alpha).ravel()[:3]}: the price coefficient must be negative "
            "(a non-negative alpha means upward-sloping demand)"
        )


@dataclass(frozen=True)
class Logit:
    """Logit demand. ``alpha`` broadcasts over markets (shape (..., 1) or scalar); shares are fractions."""

    alpha: float | FloatArray
    meanval: FloatArray
    reference_prices: FloatArray
    outside_good: bool = True
    #: The firms buy (α > 0): prices are what they pay, shares their shares of the sellers' supply.
    input_market: bool = False

    def __post_init__(self) -> None:
        _check_alpha(np.asarray(self.alpha), self.input_market)

    def utilities(self, prices: FloatArray) -> FloatArray:
        return np.asarray(self.meanval + self.alpha * (prices - self.reference_prices))

    def _log_denominator(self, v: FloatArray) -> FloatArray:
        top = np.maximum(v.max(axis=-1, keepdims=True), 0.0) if self.outside_good else v.max(axis=-1, keepdims=True)
        total = np.exp(v - top).sum(axis=-1, keepdims=True)
        if self.outside_good:
            total = total + np.exp(-top)
        return np.asarray(top + np.log(total))

    def quantities(self, prices: FloatArray) -> FloatArray:
        v = self.utilities(prices)
        return np.exp(v - self._log_denominator(v))

    def jacobian(self, prices: FloatArray) -> FloatArray:
        """∂s_j/∂p_k = α s_j (1{j=k} − s_k)."""
        s = self.quantities(prices)
        return np.asarray(np.asarray(self.alpha)[..., None] * diag_minus_outer(s, s, s))

    def jacobian_at(self, prices: FloatArray, rows: IntpArray, cols: IntpArray) -> FloatArray:
        """J[rows, cols] = α s_r (1{r=c} − s_c) for one market, without the n × n matrix."""
        s = self.quantities(prices)
        return np.asarray(float(np.asarray(self.alpha).ravel()[0]) * s[rows] * ((rows == cols) - s[cols]))

    def zeta_parts(self, prices: FloatArray, ownership: Ownership) -> tuple[FloatArray, FloatArray, GammaProduct]:
        """λ_j = α s_j; (Ω∘Γᵀ) m = α s ∘ Ω(s ∘ m)."""
        s = self.quantities(prices)
        lam = self.alpha * s
        return s, lam, lambda m: lam * ownership.matvec(s * m)

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        """log(1 + Σ exp V) / |α| (the sellers' surplus in an input market); without an outside good only
        differences are meaningful."""
        v = self.utilities(prices)
        return np.asarray(self._log_denominator(v)[..., 0] / np.abs(per_market(self.alpha, v)))

    def parameters(self) -> dict[str, object]:
        return {"alpha": np.asarray(self.alpha).tolist(), "meanval": self.meanval.tolist()}


@dataclass(frozen=True)
class NestedLogit:
    """Nested logit demand; ``nest_ids`` are integers per product, ``rho`` the nesting parameter per product
    (the value of its nest), 0 ≤ ρ < 1 (ρ = 0 is plain logit)."""

    alpha: float | FloatArray
    rho: FloatArray
    nest_ids: IntArray
    meanval: FloatArray
    reference_prices: FloatArray
    #: The firms buy (α > 0), as for :class:`Logit`.
    input_market: bool = False
    #: The last (prices bytes, parts) evaluated: markups, J blocks and shares at one price vector share it.
    _last: list[object] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_alpha(np.asarray(self.alpha), self.input_market)
        rho = np.asarray(self.rho)
        if np.any(~np.isfinite(rho)) or np.any(rho < 0) or np.any(rho >= 1):
            raise InvalidInputError(f"parameters.rho = {rho.ravel()[:4]}: nesting parameters must lie in [0, 1)")

    def _parts(self, prices: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(s, s_{j|h}, log(1 + Σ_h exp IV_h)) at ``prices``, remembered for the last price vector (read-only
        arrays); Σ_h exp IV_h = Σ_j s_{j|h} exp IV_{h(j)}."""
        key = np.asarray(prices).tobytes()
        if self._last and self._last[0] == key:
            return self._last[1]  # type: ignore[return-value]
        parts = self._compute_parts(prices)
        for array in parts:
            array.setflags(write=False)
        self._last[:] = [key, parts]
        return parts

    def _compute_parts(self, prices: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        v = (self.meanval + self.alpha * (prices - self.reference_prices)) / (1.0 - self.rho)
        top = np.maximum(v.max(axis=-1, keepdims=True), 0.0)
        d_h = group_sum(np.exp(v - top), self.nest_ids)  # D_h · exp(−top), per product
        within = np.exp(v - top) / d_h
        iv = (1.0 - self.rho) * (np.log(d_h) + top)  # IV_h(j), per product
        iv_top = np.maximum(iv.max(axis=-1, keepdims=True), 0.0)
        total = (within * np.exp(iv - iv_top)).sum(axis=-1, keepdims=True) + np.exp(-iv_top)
        log_den = iv_top + np.log(total)
        return within * np.exp(iv - log_den), within, log_den[..., 0]

    def quantities(self, prices: FloatArray) -> FloatArray:
        return self._parts(prices)[0]

    def jacobian(self, prices: FloatArray) -> FloatArray:
        """∂s_j/∂p_k = α [1{j=k} s_j/(1−ρ) − 1{h(j)=h(k)} ρ/(1−ρ) s_j s_{k|h} − s_j s_k]."""
        s, within, _ = self._parts(prices)
        a = np.asarray(self.alpha)[..., None]
        n = s.shape[-1]
        ids = np.broadcast_to(self.nest_ids, s.shape)
        same = ids[..., :, None] == ids[..., None, :]
        ratio = (self.rho / (1.0 - self.rho))[..., :, None]
        own = np.einsum("...j,jk->...jk", s / (1.0 - self.rho), np.eye(n))
        return np.asarray(
            a * (own - same * ratio * s[..., :, None] * within[..., None, :] - s[..., :, None] * s[..., None, :])
        )

    def jacobian_at(self, prices: FloatArray, rows: IntpArray, cols: IntpArray) -> FloatArray:
        """J[rows, cols] for one market: α [1{r=c} s_r/(1−ρ_r) − 1{h(r)=h(c)} ρ_r/(1−ρ_r) s_r s_{c|h} − s_r s_c]."""
        s, within, _ = self._parts(prices)
        a = float(np.asarray(self.alpha).ravel()[0])
        rho = np.broadcast_to(self.rho, s.shape)
        ids = np.broadcast_to(self.nest_ids, s.shape)
        same = ids[rows] == ids[cols]
        return np.asarray(
            a
            * (
                (rows == cols) * s[rows] / (1.0 - rho[rows])
                - same * rho[rows] / (1.0 - rho[rows]) * s[rows] * within[cols]
                - s[rows] * s[cols]
            )
        )

    def zeta_parts(self, prices: FloatArray, ownership: Ownership) -> tuple[FloatArray, FloatArray, GammaProduct]:
        """λ_j = α s_j/(1−ρ); (Ω∘Γᵀ) m = α [ρ/(1−ρ) s_{j|h} (Ω∘N)(s∘m) + s ∘ Ω(s∘m)]."""
        s, within, _ = self._parts(prices)
        lam = self.alpha * s / (1.0 - self.rho)
        nested = ownership.within(self.nest_ids)
        ratio = self.rho / (1.0 - self.rho)

        def gamma(m: FloatArray) -> FloatArray:
            sm = s * m
            return np.asarray(self.alpha * (ratio * within * nested.matvec(sm) + s * ownership.matvec(sm)))

        return s, lam, gamma

    def consumer_surplus(self, prices: FloatArray) -> FloatArray:
        log_den = self._parts(prices)[2]
        return np.asarray(log_den / np.abs(per_market(self.alpha, prices)))

    def parameters(self) -> dict[str, object]:
        return {
            "alpha": np.asarray(self.alpha).tolist(),
            "rho": np.asarray(self.rho).tolist(),
            "meanval": self.meanval.tolist(),
        }
