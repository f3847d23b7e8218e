"""Merger and alliance simulation: demand systems × supply games × ownership, calibrated from prices, shares and
margins; screens (UPP, GUPPI, CMCR, vertical GUPPI) without a full simulation.

Entry points: :func:`simulate_case` (the documented case format, see docs/simulation.md) and :func:`screen_all`
(every pairwise merger of a market, ranked by harm). The building blocks are public for array-level use.
"""

from .aids import AIDS
from .bertrand import Diagnostics, foc_residual, markups, solve_prices
from .ces import CES
from .diagnostics import cmcr_bertrand, cmcr_two_products, guppi, upp, vertical_guppi
from .engine import simulate_case
from .linear import Linear, LogLinear
from .logit import Logit, NestedLogit
from .ownership import Ownership
from .rclogit import RandomCoefficientsLogit, solve_meanval
from .result import SimulationResult
from .screen import screen_all

__all__ = [
    "AIDS",
    "CES",
    "Diagnostics",
    "Linear",
    "LogLinear",
    "Logit",
    "NestedLogit",
    "Ownership",
    "RandomCoefficientsLogit",
    "SimulationResult",
    "cmcr_bertrand",
    "cmcr_two_products",
    "foc_residual",
    "guppi",
    "markups",
    "screen_all",
    "simulate_case",
    "solve_meanval",
    "solve_prices",
    "upp",
    "vertical_guppi",
]
