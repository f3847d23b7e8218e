"""Memory limits of the simulation engine, checked before anything large is allocated.

Logit, nested logit and CES with one firm label per product run in O(n) memory (the Jacobian is never built). Every
other path that needs dense n × n arrays (AIDS, linear, log-linear, random-coefficients logit, an ownership
matrix, or full elasticity / diversion matrices in the output) is refused with a clear message when its estimate
exceeds the budget below.
"""

from __future__ import annotations

from ..errors import InvalidInputError

#: Memory a simulation may use for dense n × n float64 arrays, bytes (2 GiB).
MEMORY_BUDGET_BYTES = 2 * 2**30
#: Dense n × n arrays alive at once in the worst dense path (Jacobian, its transpose, Ω, Ω ∘ Jᵀ, temporaries).
DENSE_ARRAYS = 8
#: Cells of elasticity / diversion matrices that one result may print (two matrices of 2,000 × 2,000).
MAX_MATRIX_CELLS = 4_000_000


def dense_bytes(n_products: int, arrays: int = DENSE_ARRAYS) -> int:
    """Estimated bytes of ``arrays`` dense n × n float64 arrays."""
    return arrays * 8 * n_products * n_products


def check_dense(n_products: int, what: str, arrays: int = DENSE_ARRAYS) -> None:
    """Raise InvalidInputError before allocating when dense n × n work on ``what`` exceeds the memory budget."""
    need = dense_bytes(n_products, arrays)
    if need > MEMORY_BUDGET_BYTES:
        raise InvalidInputError(
            f"{what}: {n_products:,} products need dense {n_products:,}×{n_products:,} arrays, about "
            f"{need / 2**30:.1f} GiB, above the simulation memory budget of {MEMORY_BUDGET_BYTES / 2**30:.0f} GiB "
            "(marketpower.simulate.limits.MEMORY_BUDGET_BYTES). Logit or nested logit demand with one firm label per "
            "product runs in O(n) memory at any size; otherwise split the market"
        )


def check_cells(rows: int, columns: int, what: str) -> None:
    """Raise InvalidInputError when an output matrix of rows × columns cells exceeds MAX_MATRIX_CELLS."""
    if rows * columns > MAX_MATRIX_CELLS:
        raise InvalidInputError(
            f"--matrices: {what} would print {rows:,}×{columns:,} = {rows * columns:,} cells per matrix, above the "
            f"limit of {MAX_MATRIX_CELLS:,} (marketpower.simulate.limits.MAX_MATRIX_CELLS); use --matrices merging "
            "(rows of the merging products) or --matrices none"
        )
