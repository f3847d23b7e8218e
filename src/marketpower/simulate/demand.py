"""What every demand system provides to the supply games and diagnostics.

Arrays have the products on the last axis and optional leading market axes. ``quantities`` are in the
system's own units (shares for the logit family, levels for linear / log-linear); J[..., j, k] = ∂q_j/∂p_k.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from .groups import FloatArray, IntpArray
from .ownership import Ownership

#: Rows of J evaluated at once by the structured (O(n)-memory) paths.
ROW_BLOCK = 256

#: (Ω ∘ Γᵀ) m for a markup vector m, where J = Λ − Γ (Morrow & Skerlos 2011).
GammaProduct = Callable[[FloatArray], FloatArray]


class Demand(Protocol):
    """A demand system q(p) with its Jacobian and consumer surplus (money units, per market)."""

    def quantities(self, prices: FloatArray) -> FloatArray: ...

    def jacobian(self, prices: FloatArray) -> FloatArray: ...

    def consumer_surplus(self, prices: FloatArray) -> FloatArray: ...

    def parameters(self) -> dict[str, object]: ...


@runtime_checkable
class ZetaDemand(Protocol):
    """A demand whose Jacobian splits as J = diag(λ) − Γ, which allows the ζ-markup fixed point."""

    def zeta_parts(self, prices: FloatArray, ownership: Ownership) -> tuple[FloatArray, FloatArray, GammaProduct]: ...


@runtime_checkable
class BlockJacobianDemand(Protocol):
    """A demand that evaluates chosen entries J[rows, cols] of its Jacobian without building J (O(entries))."""

    def jacobian_at(self, prices: FloatArray, rows: IntpArray, cols: IntpArray) -> FloatArray: ...


def jacobian_block(demand: Demand, prices: FloatArray, rows: IntpArray, cols: IntpArray) -> FloatArray:
    """J[rows, cols] (NumPy fancy-index semantics: ``rows`` and ``cols`` broadcast) at one market's ``prices``.

    Structured demands (logit, nested logit) evaluate only these entries; any other demand builds its dense J
    (n × n), after checking the memory budget of :mod:`marketpower.simulate.limits`."""
    if isinstance(demand, BlockJacobianDemand):
        return np.asarray(demand.jacobian_at(prices, rows, cols))
    from .limits import check_dense

    check_dense(prices.shape[-1], "the demand Jacobian")
    return np.asarray(demand.jacobian(prices)[rows, cols])


def diag_minus_outer(diag: FloatArray, left: FloatArray, right: FloatArray) -> FloatArray:
    """diag(d) − u vᵀ over the last axis (with leading batch axes), without building an identity matrix."""
    out = -left[..., :, None] * right[..., None, :]
    np.einsum("...jj->...j", out)[...] += diag
    return out


def elasticities(demand: Demand, prices: FloatArray) -> FloatArray:
    """Price elasticities ε[j, k] = (∂q_j/∂p_k) · p_k / q_j."""
    q = demand.quantities(prices)
    return np.asarray(demand.jacobian(prices) * prices[..., None, :] / q[..., :, None])


def diversions(demand: Demand, prices: FloatArray) -> FloatArray:
    """Diversion ratios D[j, k] = −(∂q_k/∂p_j)/(∂q_j/∂p_j): share of j's lost sales captured by k (D[j, j] = −1)."""
    return diversions_from(demand.jacobian(prices))


def diversions_from(jac: FloatArray) -> FloatArray:
    """Diversion ratios from a Jacobian J[j, k] = ∂q_j/∂p_k."""
    own = np.diagonal(jac, axis1=-2, axis2=-1)
    return np.asarray(-np.swapaxes(jac, -1, -2) / own[..., :, None])


def market_elasticity(demand: Demand, prices: FloatArray) -> float:
    """Elasticity of total inside quantity to a uniform proportional price rise: d log Σq / d log(1 + t) at t=0,
    Σ_jk J[j, k] p_k / Σ_j q_j (structured demands: J in row blocks of ``ROW_BLOCK`` products, never n × n)."""
    q = demand.quantities(prices)
    if not isinstance(demand, BlockJacobianDemand):
        return float((demand.jacobian(prices) @ prices).sum() / q.sum())
    cols = np.arange(prices.shape[-1])
    total = 0.0
    for start in range(0, prices.shape[-1], ROW_BLOCK):
        rows = cols[start : start + ROW_BLOCK]
        total += float((demand.jacobian_at(prices, rows[:, None], cols[None, :]) @ prices).sum())
    return total / float(q.sum())


def own_elasticity(demand: Demand, prices: FloatArray, j: int) -> float:
    """ε[j, j] = J[j, j] p_j / q_j."""
    index = np.array([j])
    return float(jacobian_block(demand, prices, index, index)[0] * prices[j] / demand.quantities(prices)[j])
