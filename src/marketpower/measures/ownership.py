"""Partial ownership: profit weights and the modified HHI (MHHI) of O'Brien & Salop (2000).

Owners i = 1..m, firms j = 1..n. ``ownership`` β (m × n): β_ij = fraction of firm j's profits owned by owner i.
``control`` γ (m × n): γ_ij = owner i's weight in the decisions of firm j. The manager of firm j maximises
Σ_i γ_ij · (owner i's profit), so the weight firm j puts on firm k's profit, relative to its own, is

    w_jk = Σ_i γ_ij β_ik / Σ_i γ_ij β_ij      (normalised by the *controlled* firm j's own term)

and, with market shares s (fractions), on the 0-10,000 scale

    MHHI = 10,000 · Σ_j Σ_k s_j s_k w_jk = HHI + ΔMHHI,   ΔMHHI = 10,000 · Σ_j Σ_{k≠j} s_j s_k w_jk.

Owners not listed are taken as atomistic: each holds a negligible fraction, so they add nothing to the sums.
List a block of other holders as its own row when it acts as one owner.

R ``antitrust::HHI()`` divides w_jk by the *other* firm's term Σ_i γ_ik β_ik instead; ``normalization="other"``
reproduces it (see docs/measures.md for a worked example where the two differ).

Reference: D. P. O'Brien and S. C. Salop, "Competitive Effects of Partial Ownership: Financial Interest and
Corporate Control", 67 Antitrust Law Journal 559 (2000).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidInputError
from .concentration import SUM_TOLERANCE, as_shares, hhi, weighted_hhi

ControlMode = Literal["proportional", "largest"]
Normalization = Literal["controlled", "other"]
Matrix: TypeAlias = "NDArray[np.float64] | sp.sparray"


def _label(names: Sequence[str] | None, i: int, kind: str) -> str:
    return f"{kind} {names[i]!r}" if names is not None else f"{kind} {i}"


def as_ownership(
    matrix: ArrayLike,
    n_firms: int,
    what: str = "ownership",
    firms: Sequence[str] | None = None,
    owners: Sequence[str] | None = None,
) -> NDArray[np.float64]:
    """Validate an owners × firms matrix of fractions in [0, 1] whose columns sum to at most 1 (+ tolerance)."""
    arr = np.asarray(matrix, dtype=np.float64)
    if arr.ndim == 1 and arr.size == n_firms:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2 or arr.shape[1] != n_firms:
        raise InvalidInputError(f"{what}: expected owners × {n_firms} firms, got shape {arr.shape}")
    bad = np.argwhere(~np.isfinite(arr) | (arr < 0) | (arr > 1))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise InvalidInputError(
            f"{what}[{i}][{j}] ({_label(owners, i, 'owner')}, {_label(firms, j, 'firm')}) = {float(arr[i, j])!r} "
            "is not a fraction between 0 and 1 (write 27% as 0.27)"
        )
    totals = arr.sum(axis=0)
    over = np.flatnonzero(totals > 1 + SUM_TOLERANCE)
    if over.size:
        j = int(over[0])
        raise InvalidInputError(
            f"{what} of {_label(firms, j, 'firm')} (column {j}) sums to {totals[j]:.4f}: owners cannot hold "
            "more than 100% of a firm"
        )
    return arr


def control_matrix(
    ownership: NDArray[np.float64],
    mode: ControlMode = "proportional",
    silent: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Control weights γ from financial interests β.

    ``proportional``: γ_ij = β_ij (influence in proportion to the stake). ``largest``: the largest holder of
    each firm has full control (γ = 1; ties share it equally). ``silent`` marks stakes (owner, firm) that carry
    no control at all (γ_ij = 0), e.g. a passive, non-voting financial interest; the largest holder is then
    sought among the other owners.
    """
    beta = np.asarray(ownership, dtype=np.float64)
    voting = beta.copy()
    if silent is not None:
        mask = np.asarray(silent, dtype=bool)
        if mask.shape != beta.shape:
            raise InvalidInputError(f"silent: expected shape {beta.shape}, got {mask.shape}")
        voting[mask] = 0.0
    if mode == "proportional":
        return voting
    if mode == "largest":
        top = voting.max(axis=0, initial=0.0)
        leaders = (voting == top[np.newaxis, :]) & (top[np.newaxis, :] > 0)
        counts = leaders.sum(axis=0)
        return np.where(leaders, 1.0 / np.maximum(counts, 1)[np.newaxis, :], 0.0)
    raise InvalidInputError(f"control mode {mode!r} is unknown; choose 'proportional' or 'largest'")


def profit_weights(
    ownership: Matrix,
    control: Matrix,
    normalization: Normalization = "controlled",
    firms: Sequence[str] | None = None,
) -> NDArray[np.float64]:
    """Profit weights w (n × n): w_jk = Σ_i γ_ij β_ik / Σ_i γ_ij β_ij; dense or scipy.sparse inputs.

    ``normalization="other"`` divides by Σ_i γ_ik β_ik instead (R antitrust's ``HHI()`` convention).
    Raises when a firm's controllers have no financial interest in it (its own term is 0: weights undefined).
    """
    if ownership.shape != control.shape:
        raise InvalidInputError(f"control has shape {control.shape} but ownership {ownership.shape}")
    dense = _cross_product(control, ownership)
    own = np.diagonal(dense).copy()
    empty = np.flatnonzero(own <= 0)
    if empty.size:
        names = ", ".join(_label(firms, int(j), "firm") for j in empty[:10])
        raise InvalidInputError(
            f"{names}: no owner has both control and a financial interest, so the profit weights are undefined; "
            "add a row for the firm's own shareholders (or its controller's stake)"
        )
    if normalization == "controlled":
        return np.asarray(dense / own[:, np.newaxis], dtype=np.float64)
    if normalization == "other":
        return np.asarray(dense / own[np.newaxis, :], dtype=np.float64)
    raise InvalidInputError(f"normalization {normalization!r} is unknown; choose 'controlled' or 'other'")


#: A sparse product Γᵀ B is done as a dense BLAS product when both fit in this many bytes and are at least
#: this dense: the n × n result is dense anyway, and BLAS uses every core.
DENSE_PRODUCT_BYTES = 512 * 2**20
DENSE_PRODUCT_DENSITY = 0.01


def _cross_product(control: Matrix, ownership: Matrix) -> NDArray[np.float64]:
    """Γᵀ B (n × n, dense) from dense or sparse owners × firms matrices."""
    if sp.issparse(ownership) and sp.issparse(control):
        b, g = sp.csr_array(ownership), sp.csr_array(control)
        cells = max(b.shape[0] * b.shape[1], 1)
        dense_enough = min(b.nnz, g.nnz) / cells >= DENSE_PRODUCT_DENSITY
        if dense_enough and 2 * cells * 8 <= DENSE_PRODUCT_BYTES:
            beta = b.toarray()
            gamma = beta if control is ownership else g.toarray()
            return np.asarray(gamma.T @ beta, dtype=np.float64)
        return np.asarray((g.T @ b).toarray(), dtype=np.float64)
    cross = control.T @ ownership
    return np.asarray(sp.csr_array(cross).toarray() if sp.issparse(cross) else cross, dtype=np.float64)


def mhhi_from_weights(shares: ArrayLike, weights: NDArray[np.float64]) -> tuple[float, float, float]:
    """(HHI, MHHI, ΔMHHI) on 0-10,000 from shares s and profit weights w: MHHI = 10,000 · sᵀ w s (exactly rounded)."""
    s = as_shares(shares)
    if weights.shape != (s.size, s.size):
        raise InvalidInputError(f"weights: expected shape {(s.size, s.size)}, got {weights.shape}")
    modified, delta = weighted_hhi(s, weights)
    return hhi(s), modified, delta


@dataclass(frozen=True)
class MHHIResult:
    """HHI, MHHI and ΔMHHI (0-10,000) with the profit weights w (n × n, row j = firm j's weights)."""

    hhi: float
    mhhi: float
    mhhi_delta: float
    weights: NDArray[np.float64]
    firms: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "hhi": self.hhi,
            "mhhi": self.mhhi,
            "mhhi_delta": self.mhhi_delta,
            "firms": list(self.firms),
            "weights": self.weights.tolist(),
        }


def mhhi(
    shares: ArrayLike,
    ownership: ArrayLike,
    control: ArrayLike | None = None,
    *,
    mode: ControlMode = "proportional",
    silent: ArrayLike | None = None,
    normalization: Normalization = "controlled",
    firms: Sequence[str] | None = None,
    owners: Sequence[str] | None = None,
) -> MHHIResult:
    """MHHI and ΔMHHI of O'Brien & Salop (2000) for one market.

    ``shares``: one fraction per firm. ``ownership``: owners × firms fractions of profits. ``control``: same
    shape (default: built by :func:`control_matrix` from ``mode`` and ``silent``, a boolean owners × firms mask
    of non-controlling stakes).
    """
    s = as_shares(shares)
    labels = tuple(firms) if firms is not None else tuple(str(j) for j in range(s.size))
    if len(labels) != s.size:
        raise InvalidInputError(f"firms: {len(labels)} names for {s.size} shares")
    beta = as_ownership(ownership, s.size, "ownership", firms, owners)
    if control is None:
        mask = None if silent is None else np.asarray(silent, dtype=bool)
        gamma = control_matrix(beta, mode, mask)
    else:
        if silent is not None:
            raise InvalidInputError("give either an explicit control matrix or silent stakes, not both")
        gamma = np.asarray(control, dtype=np.float64)
        if gamma.ndim == 1:
            gamma = gamma[np.newaxis, :]
        if gamma.shape != beta.shape:
            raise InvalidInputError(f"control: expected shape {beta.shape} (like ownership), got {gamma.shape}")
        bad = np.argwhere(~np.isfinite(gamma) | (gamma < 0) | (gamma > 1))
        if bad.size:
            i, j = (int(v) for v in bad[0])
            where = f"{_label(owners, i, 'owner')}, {_label(firms, j, 'firm')}"
            raise InvalidInputError(
                f"control[{i}][{j}] ({where}) = {float(gamma[i, j])!r} is not a fraction between 0 and 1"
            )
    weights = profit_weights(beta, gamma, normalization, labels)
    plain, modified, delta = mhhi_from_weights(s, weights)
    return MHHIResult(hhi=plain, mhhi=modified, mhhi_delta=delta, weights=weights, firms=labels)
