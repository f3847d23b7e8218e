"""Bertrand–Nash pricing with multi-product firms and any ownership matrix Ω.

First-order conditions (money units × quantity units): f(p) = diag(Ω) q(p) + (Ω ∘ Jᵀ)(p − c) = 0, with
J[j, k] = ∂q_j/∂p_k. Costs from observed prices: c = p + (Ω ∘ Jᵀ)⁻¹ diag(Ω) q.
Equilibrium prices: the ζ-markup fixed point of Morrow & Skerlos (2011) where J = diag(λ) − Γ:
p ← c + ζ(p), ζ = λ⁻¹ ∘ [(Ω∘Γᵀ)(p − c) / diag(Ω) − q]; a demand's own firm-level solve when it has
``bertrand_prices`` (CES with one owner per product); else a quasi-Newton root of f (MINPACK hybrid), after
Newton's method with the demand's analytic ∂f/∂p when it has ``foc_jacobian``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError, InvalidInputError
from .demand import Demand, ZetaDemand, jacobian_block
from .groups import FloatArray
from .limits import check_dense
from .ownership import Ownership

#: Remedy for a solve that found no equilibrium: a looser tolerance would only accept a wrong answer.
NO_EQUILIBRIUM = (
    "The calibrated model may have no equilibrium for these inputs, so a looser tolerance would not help: check the "
    "margins (high margins imply inelastic demand), the market elasticity and mc_delta, or use another demand system."
)


@dataclass(frozen=True)
class Diagnostics:
    """Outcome of one equilibrium solve; ``max_foc_residual`` is in the FOC's units (quantity units)."""

    converged: bool
    iterations: int
    max_foc_residual: float
    method: str
    tolerance: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def foc_residual(demand: Demand, prices: FloatArray, costs: FloatArray, ownership: Ownership) -> FloatArray:
    """f(p) = diag(Ω) q + (Ω ∘ Jᵀ)(p − c)."""
    n = prices.shape[-1]
    q = demand.quantities(prices)
    jt = np.swapaxes(demand.jacobian(prices), -1, -2)
    return np.asarray(
        ownership.diagonal(n) * q + np.einsum("...jk,...k->...j", ownership.dense(n) * jt, prices - costs)
    )


def markups(demand: Demand, prices: FloatArray, ownership: Ownership, jacobian: FloatArray | None = None) -> FloatArray:
    """p − c that makes ``prices`` a Bertrand equilibrium: −(Ω ∘ Jᵀ)⁻¹ diag(Ω) q.

    With firm labels in one market Ω ∘ Jᵀ is block diagonal (one block per firm): each firm's block J[f, f] is
    evaluated on its own (O(Σ_f n_f²) memory for logit-family demand, never n × n) and firms of equal size are
    solved in one batch. Otherwise one dense (batched) solve, within the memory budget of
    :mod:`marketpower.simulate.limits`. ``jacobian`` may be passed when already computed at ``prices``.
    Raises InvalidInputError when a firm's block is singular (its demand does not respond to its prices).
    """
    n = prices.shape[-1]
    q = demand.quantities(prices)
    try:
        if ownership.ids is not None and prices.ndim == 1:
            return _block_markups(demand, prices, q, np.asarray(ownership.ids), jacobian)
        if jacobian is None:
            check_dense(n, "the Bertrand first-order conditions")
            jacobian = demand.jacobian(prices)
        jt = np.swapaxes(jacobian, -1, -2)
        return np.asarray(-np.linalg.solve(ownership.dense(n) * jt, (ownership.diagonal(n) * q)[..., None])[..., 0])
    except np.linalg.LinAlgError:
        raise InvalidInputError(
            "shares: the Bertrand first-order conditions are singular — some firm's demand does not respond to its "
            "own prices (e.g. one product holding the whole market with no outside good); give shares summing "
            "below 1 or a market_elasticity"
        ) from None


def _block_markups(
    demand: Demand, prices: FloatArray, q: FloatArray, ids: NDArray[np.int64], jacobian: FloatArray | None
) -> FloatArray:
    """Markups firm by firm: for firm f, m_f = −(J[f, f]ᵀ)⁻¹ q_f."""
    return -firm_block_solve(demand, prices, ids, q, jacobian)


#: Firm blocks of the last few ownership vectors (calibration solves the same firms' blocks many times).
_BLOCKS: dict[bytes, list[tuple[int, NDArray[np.intp]]]] = {}


def _firm_blocks(ids: NDArray[np.int64]) -> list[tuple[int, NDArray[np.intp]]]:
    """[(size, (firms, size) product indices)] for the firms of each size, products in order within a firm."""
    key = np.asarray(ids).tobytes()
    blocks = _BLOCKS.get(key)
    if blocks is None:
        order = np.argsort(ids, kind="stable")
        sizes = np.bincount(ids)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        blocks = []
        for size in np.unique(sizes[sizes > 0]).tolist():
            firms = np.flatnonzero(sizes == size)
            blocks.append((size, order[starts[firms][:, None] + np.arange(size)[None, :]]))
        if len(_BLOCKS) >= 4:
            _BLOCKS.clear()  # a few entries: dropping all is simplest, and safe for the web server's threads
        _BLOCKS[key] = blocks
    return blocks


def firm_block_solve(
    demand: Demand, prices: FloatArray, ids: NDArray[np.int64], rhs: FloatArray, jacobian: FloatArray | None = None
) -> FloatArray:
    """x with J[f, f]ᵀ x_f = rhs_f for every firm f (``rhs`` of shape (n,) or (n, k): k right-hand sides), batched
    over firms of equal size; J entries by block (:func:`.demand.jacobian_block`) unless ``jacobian`` is given.
    Raises LinAlgError when a firm's block is singular."""
    out = np.empty(rhs.shape)
    for size, idx in _firm_blocks(ids):
        if jacobian is not None:
            block = jacobian[idx[:, None, :], idx[:, :, None]]  # Jᵀ[f, f]
        else:
            block = jacobian_block(demand, prices, idx[:, None, :], idx[:, :, None])
        if size == 1:
            if np.any(block[:, 0, 0] == 0):
                raise np.linalg.LinAlgError("singular")
            pivot = block[:, 0, 0] if rhs.ndim == 1 else block[:, 0, 0, None]
            out[idx[:, 0]] = rhs[idx[:, 0]] / pivot
        elif rhs.ndim == 1:
            out[idx] = np.linalg.solve(block, rhs[idx][..., None])[..., 0]
        else:
            out[idx] = np.linalg.solve(block, rhs[idx])
    return out


def solve_prices(
    demand: Demand,
    costs: FloatArray,
    ownership: Ownership,
    start: FloatArray,
    tol: float = 1e-12,
    max_iter: int = 5000,
) -> tuple[FloatArray, Diagnostics]:
    """Equilibrium prices given constant marginal ``costs``; raises ConvergenceError if not converged.

    ζ-markup iteration (for logit-family demand) stops when max |Δp| < ``tol`` in each market (markets that
    have converged stop moving); otherwise a MINPACK hybrid root of the FOCs from ``start``.
    """
    if isinstance(demand, ZetaDemand):
        return _zeta_fixed_point(demand, costs, ownership, start, tol, max_iter)
    firm_solve = getattr(demand, "bertrand_prices", None)
    if firm_solve is not None and ownership.ids is not None and start.ndim == 1:
        prices, steps, residual = firm_solve(costs, np.asarray(ownership.ids), start, tol)
        scale = float(np.abs(demand.quantities(start)).max()) or 1.0
        if np.isfinite(residual) and residual <= 1e-8 * scale:
            return prices, Diagnostics(
                True, steps, residual, "Newton's method on the firms' revenue shares (CES Lerner index per firm)", tol
            )
    return _root(demand, costs, ownership, start, tol, max_iter)


def _zeta_fixed_point(
    demand: ZetaDemand, costs: FloatArray, ownership: Ownership, start: FloatArray, tol: float, max_iter: int
) -> tuple[FloatArray, Diagnostics]:
    prices = np.array(start, dtype=np.float64)
    own_stake = ownership.diagonal(prices.shape[-1])
    active = np.ones(prices.shape[:-1], dtype=bool)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported in the diagnostics)
        q, lam, gamma = demand.zeta_parts(prices, ownership)
        margin = prices - costs
        updated = costs + (gamma(margin) / own_stake - q) / lam
        change = np.abs(updated - prices).max(axis=-1) if prices.ndim else np.abs(updated - prices)
        prices = np.where(active[..., None], updated, prices) if prices.ndim > 1 else updated
        active = active & (change >= tol)
        if not np.any(active) or not np.all(np.isfinite(prices)):
            break
    q, lam, gamma = demand.zeta_parts(prices, ownership)
    margin = prices - costs
    residual = float(np.abs(own_stake * (q + lam * margin) - gamma(margin)).max())  # FOC via J = diag(λ) − Γ
    diag = Diagnostics(
        bool(not np.any(active) and np.isfinite(residual)),
        iterations,
        residual,
        "zeta-markup fixed point (Morrow-Skerlos)",
        tol,
    )
    if not diag.converged:
        diverged = not np.all(np.isfinite(prices))
        raise ConvergenceError(
            "Bertrand prices: the ζ-markup iteration " + ("diverged" if diverged else "did not converge"),
            diag.to_dict(),
            NO_EQUILIBRIUM if diverged else None,
        )
    return prices, diag


def _newton(
    f: Callable[[FloatArray], FloatArray], jac: Callable[[FloatArray], FloatArray], start: FloatArray, tol: float
) -> tuple[FloatArray, int] | None:
    """Newton's method with step halving (prices stay positive, |f| falls), stopping when the step is below
    ``tol`` relative to the prices (f scaled to O(1)); None when it stalls (the caller then runs MINPACK)."""
    prices = np.array(start, dtype=np.float64)
    value = f(prices)
    for steps in range(1, 51):
        try:
            step = np.linalg.solve(jac(prices), -value)
        except np.linalg.LinAlgError:
            return None
        t = 1.0
        while t > 1e-4:
            trial = prices + t * step
            if np.all(trial > 0):
                trial_value = f(trial)
                size = float(np.abs(trial_value).max())
                if np.isfinite(size) and (size < float(np.abs(value).max()) or size <= 1e-13):
                    break
            t /= 2
        else:
            return None
        prices, value = trial, trial_value
        if np.abs(t * step).max() <= tol * np.abs(prices).max():
            return prices, steps
    return None


def _root(
    demand: Demand, costs: FloatArray, ownership: Ownership, start: FloatArray, tol: float, max_iter: int
) -> tuple[FloatArray, Diagnostics]:
    scale = float(np.abs(demand.quantities(start)).max()) or 1.0

    def f(p: FloatArray) -> FloatArray:
        return foc_residual(demand, p, costs, ownership) / scale

    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    analytic = getattr(demand, "foc_jacobian", None)
    jac = None
    if analytic is not None and start.ndim == 1:
        omega = ownership.dense(start.size)

        def jac(p: FloatArray) -> FloatArray:
            return np.asarray(analytic(p, costs, omega)) / scale

        newton = _newton(f, jac, start, tol)
        if newton is not None:
            prices, steps = newton
            residual = float(np.abs(foc_residual(demand, prices, costs, ownership)).max())
            if np.isfinite(residual) and residual <= 1e-8 * scale:
                return prices, Diagnostics(
                    True, steps, residual, "Newton's method on the FOCs (analytic Jacobian)", tol
                )
    sol = optimize.root(
        f,
        np.asarray(start, dtype=np.float64),
        jac=jac,
        method="hybr",
        options={"xtol": tol, "maxfev": max_iter * (start.size + 1)},
    )
    prices = np.asarray(sol.x)
    residual = float(np.abs(foc_residual(demand, prices, costs, ownership)).max())
    converged = bool(np.isfinite(residual) and residual <= 1e-8 * scale and np.all(prices > 0))
    diag = Diagnostics(converged, int(sol.nfev), residual, "Newton-type root of the FOCs (MINPACK hybrid)", tol)
    if not converged:
        raise ConvergenceError(
            "Bertrand prices: no positive solution of the first-order conditions found", diag.to_dict(), NO_EQUILIBRIUM
        )
    return prices, diag
