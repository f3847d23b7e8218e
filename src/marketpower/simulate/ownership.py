"""Ownership of products: who sets each price and whose profits count.

Ω[j, k] ∈ [0, 1] is the share of product k's profit owned by the firm that sets the price of product j
(O'Brien & Salop 2000). Full ownership by firm labels: Ω[j, k] = 1 when j and k have the same owner, else 0.
The Bertrand first-order condition of product j's controller is Σ_k Ω[j, k] ∂[(p_k − c_k) q_k]/∂p_j = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidInputError
from .groups import FloatArray, IntArray, combine_ids, dense_ids, group_sum


@dataclass(frozen=True)
class Ownership:
    """Either firm ids (full ownership, shape (..., J)) or a matrix Ω (shape (..., J, J)); never both."""

    ids: IntArray | None = None
    matrix: FloatArray | None = None

    @classmethod
    def from_firms(cls, firms: Sequence[object] | NDArray[np.generic]) -> Ownership:
        """Full ownership from one firm label per product (any leading batch axes)."""
        return cls(ids=dense_ids(np.asarray(firms)))

    def matvec(self, x: FloatArray) -> FloatArray:
        """Ω x along the last axis of ``x``: (Ω x)_j = Σ_k Ω[j, k] x_k."""
        if self.ids is not None:
            return group_sum(x, self.ids)
        assert self.matrix is not None
        return np.asarray(np.einsum("...jk,...k->...j", self.matrix, x))

    def diagonal(self, n_products: int) -> FloatArray:
        """Ω[j, j]: the controller's own stake in each product (1 under full ownership)."""
        if self.matrix is None:
            return np.ones(n_products)
        return np.asarray(np.diagonal(self.matrix, axis1=-2, axis2=-1))

    def within(self, groups: IntArray) -> Ownership:
        """Ω ∘ N with N[j, k] = 1 when j and k are in the same group (e.g. nest)."""
        if self.ids is not None:
            return Ownership(ids=combine_ids(self.ids, groups))
        assert self.matrix is not None
        same = groups[..., :, None] == groups[..., None, :]
        return Ownership(matrix=self.matrix * same)

    def subset(self, products: NDArray[np.intp]) -> Ownership:
        """Ownership restricted to ``products`` (one market)."""
        if self.ids is not None:
            return Ownership(ids=np.asarray(self.ids)[products])
        assert self.matrix is not None
        return Ownership(matrix=self.matrix[np.ix_(products, products)])

    def dense(self, n_products: int) -> FloatArray:
        """Ω as a dense (..., J, J) array."""
        if self.matrix is not None:
            return self.matrix
        assert self.ids is not None
        ids = np.broadcast_to(self.ids, (*np.shape(self.ids)[:-1], n_products))
        return np.asarray(ids[..., :, None] == ids[..., None, :], dtype=np.float64)


def ownership_from_spec(spec: object, labels: Sequence[str], field: str) -> Ownership:
    """Build ownership from a case field: a firm label per product, or a J×J matrix of ownership fractions.

    A matrix is checked as R `antitrust` does: entries in [0, 1], diagonal positive, and for every product the
    stakes of the distinct owners (the unique rows) sum to at most 1.
    """
    n = len(labels)
    if not isinstance(spec, list | tuple) or len(spec) != n:
        raise InvalidInputError(f"{field}: expected {n} entries (one per product in 'labels'), got {spec!r:.80}")
    if all(isinstance(row, list | tuple) for row in spec):
        try:
            omega = np.asarray(spec, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"{field}: ownership matrix must hold numbers ({exc})") from None
        if omega.shape != (n, n):
            raise InvalidInputError(f"{field}: ownership matrix must be {n}×{n}, got shape {omega.shape}")
        bad = np.argwhere(~np.isfinite(omega) | (omega < 0) | (omega > 1))
        for j, k in bad.tolist():
            raise InvalidInputError(
                f"{field}[{labels[j]}][{labels[k]}] = {omega[j, k]!r}: ownership fractions must lie in [0, 1]"
            )
        for j in np.flatnonzero(np.diagonal(omega) <= 0).tolist():
            raise InvalidInputError(f"{field}[{labels[j]}][{labels[j]}] must be positive: the price setter owns it")
        stakes = np.unique(omega, axis=0).sum(axis=0)
        for k in np.flatnonzero(stakes > 1 + 1e-9).tolist():
            raise InvalidInputError(
                f"{field}: the owners' stakes in product '{labels[k]}' sum to {stakes[k]:.4g} > 1 "
                "(each distinct row is one owner; a product's stakes must sum to at most 1)"
            )
        return Ownership(matrix=omega)
    for j, firm in enumerate(spec):
        if not isinstance(firm, str | int) or isinstance(firm, bool) or firm == "":
            raise InvalidInputError(f"{field}[{labels[j]}] = {firm!r}: expected a firm label (text or integer)")
    return Ownership.from_firms([str(f) for f in spec])


def merging_products(pre: Ownership, post: Ownership, n_products: int) -> NDArray[np.bool_]:
    """Products whose controller gains a stake in another product: some Ω_post[j, k] > Ω_pre[j, k], k ≠ j."""
    if pre.ids is not None and post.ids is not None and np.ndim(pre.ids) == 1:
        pairs = np.unique(np.stack([post.ids, pre.ids], axis=1), axis=0)  # distinct (post firm, pre firm)
        return np.asarray(np.bincount(pairs[:, 0])[post.ids] > 1)
    gain = post.dense(n_products) - pre.dense(n_products)
    np.fill_diagonal(gain, 0.0)
    return np.asarray((gain > 1e-12).any(axis=1))
