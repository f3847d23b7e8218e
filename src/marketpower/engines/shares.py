"""Concentration tables of a large share panel: the engine adds up the rows to one share per (market, year,
firm) and counts firms; the HHI and CRn of each market-year then come from :mod:`marketpower.measures.
concentration` on the driver (exactly rounded, the one HHI of the project), over the aggregated shares only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..measures.concentration import as_shares, concentration_ratio, hhi, hhi_range
from .session import Engine, _ibis

PANEL_COLUMNS = ("market_id", "year", "firm", "share")


def firm_shares(engine: Engine, panel: Any) -> pd.DataFrame:
    """One share per (market_id, year, firm): the panel's rows added up on the engine; sorted."""
    ibis = _ibis()
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise InvalidInputError(
            f"share panel: missing column(s) {', '.join(missing)}; expected {', '.join(PANEL_COLUMNS)}"
        )
    expr = panel.group_by(["market_id", "year", "firm"]).aggregate(share=ibis._.share.cast("float64").sum())
    frame = engine.execute(expr)
    return frame.sort_values(["market_id", "year", "firm"], kind="stable").reset_index(drop=True)


def concentration_table(engine: Engine, panel: Any, ratios: Sequence[int] = (1, 4)) -> pd.DataFrame:
    """HHI and CRn per market-year of a share panel (``market_id, year, firm, share``, shares as fractions):
    ``market_id, year, firms, share_sum, hhi, hhi_upper, cr<n>...``. ``hhi`` counts the named firms; ``hhi_upper``
    adds the unattributed remainder 1 − Σ s as one firm (:func:`marketpower.measures.concentration.hhi_range`)."""
    shares = firm_shares(engine, panel)
    rows = []
    for (market, year), group in shares.groupby(["market_id", "year"], sort=True):
        values = as_shares(group["share"].to_numpy(dtype=np.float64), f"shares of market {market!r} in {year}")
        row: dict[str, Any] = {
            "market_id": market, "year": year, "firms": len(values), "share_sum": math.fsum(values.tolist()),
            "hhi": hhi(values), "hhi_upper": hhi_range(values)[1],
        }  # fmt: skip
        for n in ratios:
            row[f"cr{n}"] = concentration_ratio(values, n)
        rows.append(row)
    columns = ["market_id", "year", "firms", "share_sum", "hhi", "hhi_upper", *(f"cr{n}" for n in ratios)]
    return pd.DataFrame(rows, columns=columns)
