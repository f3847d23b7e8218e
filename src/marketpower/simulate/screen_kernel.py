"""Compiled kernel of :mod:`.screen`: each pair's post-merger logit equilibrium on the firm-level conditions.

The same Newton iteration as the vectorised form it replaced (see :func:`merged_firm_shares`), one pair at a time
in one fused loop over the firms, so no (pairs × firms) temporaries are built; each pair stops on its own.
Numba compiles it on first use (cached beside this file, or in Numba's user cache when that is read-only).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True)
def merged_firm_shares(
    log_firm_e: NDArray[np.float64],
    firm_pre: NDArray[np.float64],
    log_den_pre: float,
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    outside_good: bool,
    tol: float,
    max_iter: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Post-merger firm shares S (rows: pairs; firm b's column 0, firm a holding the merged firm), log D, and the
    index of the first pair that did not converge (−1 when all did).

    Newton on F_f = log S_f + 1/(1 − S_f) − log E_f + y = 0 and G = Σ_f S_f + e^{−y} − 1 = 0 (no e^{−y} without an
    outside good), y = log D: with a_f = 1/S_f + 1/(1 − S_f)², dS_f = −(F_f + dy)/a_f and
    dy = (G − Σ F_f/a_f) / (Σ 1/a_f + e^{−y}). Steps keep S_f inside (S_f/10, S_f + (1 − S_f)/2)."""
    n_pairs, n_firms = a.shape[0], log_firm_e.shape[0]
    shares = np.empty((n_pairs, n_firms))
    log_d = np.empty(n_pairs)
    f = np.empty(n_firms)
    inv_a = np.empty(n_firms)
    log_e = np.empty(n_firms)
    for r in range(n_pairs):
        fa, fb = a[r], b[r]
        s = shares[r]
        for k in range(n_firms):
            s[k] = firm_pre[k]
            log_e[k] = log_firm_e[k]
        hi, lo = max(log_firm_e[fa], log_firm_e[fb]), min(log_firm_e[fa], log_firm_e[fb])
        log_e[fa] = hi + math.log1p(math.exp(lo - hi))  # log(E_a + E_b)
        s[fa] = firm_pre[fa] + firm_pre[fb]
        s[fb] = 0.0
        y = log_den_pre
        converged = False
        for _ in range(max_iter):
            total = 0.0
            f_over_a = 0.0
            weight = 0.0
            for k in range(n_firms):
                if k == fb:
                    continue
                sk = s[k]
                inv_rest = 1.0 / (1.0 - sk)
                f[k] = math.log(sk) + inv_rest - log_e[k] + y
                inv_a[k] = 1.0 / (1.0 / sk + inv_rest * inv_rest)
                total += sk
                f_over_a += f[k] * inv_a[k]
                weight += inv_a[k]
            outside = math.exp(-y) if outside_good else 0.0
            dy = (total + outside - 1.0 - f_over_a) / (weight + outside)
            largest = 0.0
            for k in range(n_firms):
                if k == fb:
                    continue
                step = (f[k] + dy) * inv_a[k]
                largest = max(largest, abs(step))
                s[k] = min(max(s[k] - step, 0.1 * s[k]), 0.5 + 0.5 * s[k])
            y += dy
            if largest < tol and abs(dy) < tol:
                converged = True
                break
        if not converged:
            return shares, log_d, r
        log_d[r] = y
    return shares, log_d, -1
