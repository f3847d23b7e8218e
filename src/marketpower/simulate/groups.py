"""Sums over groups of products (firms, nests), vectorised over any leading batch axes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
IntpArray = NDArray[np.intp]


def dense_ids(labels: NDArray[np.generic]) -> IntArray:
    """Relabel group labels (any dtype, shape (..., J)) as integers 0..G-1 (one numbering for the whole array)."""
    _, inverse = np.unique(np.asarray(labels), return_inverse=True)
    return inverse.reshape(np.shape(labels)).astype(np.int64)


def group_sum(values: FloatArray, ids: IntArray) -> FloatArray:
    """For each product j, the sum of ``values`` over the products k of the same row with ids[k] == ids[j].

    ``ids`` (integers >= 0) broadcasts against ``values``; the last axis indexes products, every other axis
    is a separate market (or consumer). Cost O(values.size).
    """
    ids_b = np.broadcast_to(ids, values.shape)
    n_products = values.shape[-1]
    rows = values.size // max(n_products, 1)
    width = int(ids_b.max()) + 1 if ids_b.size else 1
    flat = ids_b.reshape(rows, n_products) + (np.arange(rows, dtype=np.int64) * width)[:, None]
    sums = np.bincount(flat.ravel(), weights=values.reshape(-1), minlength=rows * width)
    return np.asarray(sums[flat].reshape(values.shape), dtype=np.float64)


def combine_ids(first: IntArray, second: IntArray) -> IntArray:
    """Ids of the intersection groups (same ``first`` and same ``second``)."""
    return np.asarray(first * (int(second.max()) + 1) + second, dtype=np.int64)
