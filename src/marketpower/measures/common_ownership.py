"""Common ownership: profit weights κ from institutional holdings, and the MHHI delta of each market.

Investors i, firms f, g. β_gi = fraction of firm g's shares held by investor i; γ_fi = investor i's control
weight in firm f (default γ = β, control proportional to the stake). The weight firm f's manager puts on
firm g's profit, relative to its own (Rotemberg 1984; O'Brien & Salop 2000; Backus, Conlon & Sinkinson 2021):

    κ_fg = Σ_i γ_fi β_gi / Σ_i γ_fi β_fi ,   κ_ff = 1.

Holdings form a sparse investors × firms matrix B (scipy.sparse); the numerators of all pairs are one sparse
product Γᵀ B, so a quarter of 13F data (millions of holdings) takes about a second. Investors not in the
holdings (retail) are atomistic: they add nothing to either sum. The market's ΔMHHI = 10,000 · Σ_f Σ_{g≠f}
s_f s_g κ_fg (shares as fractions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InvalidInputError
from .concentration import SUM_TOLERANCE
from .ownership import mhhi_from_weights, profit_weights

HOLDINGS_COLUMNS = ("investor", "firm", "fraction")


def _check_fractions(values: pd.Series, what: str, frame: pd.DataFrame) -> None:
    numeric = pd.to_numeric(values, errors="coerce")
    bad = ~np.isfinite(numeric.to_numpy(dtype=np.float64)) | (numeric < 0).to_numpy() | (numeric > 1).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        row = frame.iloc[pos]
        raise InvalidInputError(
            f"holdings row {pos} (investor {row['investor']!r}, firm {row['firm']!r}): {what} = {values.iloc[pos]} "
            f"is not a fraction between 0 and 1 of the firm's shares ({int(bad.sum())} such row(s))"
        )


def holdings_matrix(
    holdings: pd.DataFrame,
    firms: Sequence[str] | None = None,
    column: str = "fraction",
) -> tuple[sp.csr_array, pd.Index, pd.Index]:
    """Sparse investors × firms matrix of ``column`` (fractions of each firm's shares) for ``firms``.

    ``holdings`` has columns investor, firm, fraction (and optionally another fraction column, e.g. voting).
    Repeated (investor, firm) rows are added up. Returns (matrix, investors, firms).
    """
    missing = [c for c in (*HOLDINGS_COLUMNS[:2], column) if c not in holdings.columns]
    if missing:
        raise InvalidInputError(f"holdings: missing column(s) {', '.join(missing)}; expected investor, firm, fraction")
    _check_fractions(holdings[column], column, holdings)
    firm_codes_all, firm_uniques = pd.factorize(holdings["firm"])
    held = pd.Index(firm_uniques).astype(str)
    if firms is None:
        wanted = held
    else:
        wanted = pd.Index([str(f) for f in firms])
        if wanted.has_duplicates:
            raise InvalidInputError(f"firms: {', '.join(wanted[wanted.duplicated()])} named twice")
        unknown = wanted[held.get_indexer(wanted) < 0]
        if len(unknown):
            raise InvalidInputError(
                f"firm(s) {', '.join(map(str, unknown[:10]))} have no holdings in the data; check the ids "
                "(tickers or firm ids as in the holdings' firm column)"
            )
    position = np.full(len(held), -1, dtype=np.int64)
    position[held.get_indexer(wanted)] = np.arange(len(wanted))
    firm_codes = position[firm_codes_all]
    keep = firm_codes >= 0
    firm_codes = firm_codes[keep]
    # Factorize the column itself (Arrow strings stay in Arrow; no Python string per row), then renumber the
    # kept rows' codes in their order of first appearance.
    inv_codes_all, inv_uniques = pd.factorize(holdings["investor"])
    if (inv_codes_all[keep] < 0).any():
        row = holdings.index[keep][int(np.argmax(inv_codes_all[keep] < 0))]
        raise InvalidInputError(f"holdings: row {row!r} has no investor id (field 'investor' is empty)")
    inv_codes, inv_used = pd.factorize(inv_codes_all[keep])
    investors = pd.Index(inv_uniques).take(inv_used)
    values = pd.to_numeric(holdings[column][keep]).to_numpy(dtype=np.float64)
    matrix = sp.csr_array((values, (inv_codes, firm_codes)), shape=(len(investors), len(wanted)), dtype=np.float64)
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    over = np.flatnonzero(totals > 1 + SUM_TOLERANCE)
    if over.size:
        j = int(over[0])
        raise InvalidInputError(
            f"holdings of firm {wanted[j]!r} sum to {totals[j]:.4f} of its shares: more than 100% "
            f"({over.size} firm(s) affected; check double-counted filers or shares outstanding)"
        )
    return matrix, pd.Index(investors), wanted


def kappa(
    holdings: pd.DataFrame,
    firms: Sequence[str] | None = None,
    control: str | None = None,
) -> pd.DataFrame:
    """All pairwise profit weights κ_fg among ``firms`` (default: every firm held), as a firms × firms frame.

    Row f, column g: κ_fg = Σ_i γ_fi β_gi / Σ_i γ_fi β_fi. ``control`` names a column of ``holdings`` with the
    control fractions γ (e.g. voting shares); default γ = β.
    """
    beta, _, names = holdings_matrix(holdings, firms)
    gamma = beta if control is None else holdings_matrix(holdings, list(names), control)[0]
    weights = profit_weights(beta, gamma, firms=[str(n) for n in names])
    return pd.DataFrame(weights, index=names, columns=names)


def market_mhhi(shares: pd.Series, kappa_frame: pd.DataFrame) -> tuple[float, float, float]:
    """(HHI, MHHI, ΔMHHI) on 0-10,000 of one market: ``shares`` indexed by firm (fractions), κ from :func:`kappa`.

    Firms of the market that have no κ row are an error (name them or drop them from the market).
    """
    missing = shares.index.difference(kappa_frame.index, sort=False)
    if len(missing):
        raise InvalidInputError(
            f"firm(s) {', '.join(map(str, missing[:10]))} of the market have no holdings, so no profit weights"
        )
    weights = kappa_frame.loc[shares.index, shares.index].to_numpy(dtype=np.float64)
    return mhhi_from_weights(shares.to_numpy(dtype=np.float64), weights)


def mhhi_by_market(shares: pd.DataFrame, kappa_frame: pd.DataFrame) -> pd.DataFrame:
    """HHI, MHHI and ΔMHHI per market from a frame with columns market_id, firm, share (fractions)."""
    missing = [c for c in ("market_id", "firm", "share") if c not in shares.columns]
    if missing:
        raise InvalidInputError(f"shares: missing column(s) {', '.join(missing)}; expected market_id, firm, share")
    rows = []
    for market_id, group in shares.groupby("market_id", sort=True):
        plain, modified, delta = market_mhhi(group.set_index("firm")["share"], kappa_frame)
        rows.append({"market_id": market_id, "hhi": plain, "mhhi": modified, "mhhi_delta": delta})
    return pd.DataFrame(rows, columns=["market_id", "hhi", "mhhi", "mhhi_delta"])
