"""Control chains and effective economic interest through chains of stakes, and the owners × firms matrices
that the partial-ownership measures (MHHI, :mod:`marketpower.measures.ownership`) take.

Direct stakes form a matrix A with A[i, j] = fraction of firm j held by entity i (point estimates, see
:func:`marketpower.schema.deals.stake_point`). The effective (integrated) economic interest of i in j sums the
products of fractions along every chain i -> k -> ... -> j:

    T = A + A² + A³ + ... = (I − A)⁻¹ − I,

solved as one linear system. Cross-holdings (cycles such as X owns Y and Y owns X) make the chains infinite;
the series still converges when the spectral radius ρ(A) < 1, which holds whenever every firm in a cycle has
some outside owner. ``T[j, j] > 0`` then measures how much of firm j comes back to itself through the cycle.
If ρ(A) ≥ 1 a ConvergenceError is raised. (Brioschi, Buzzacchi & Colombo 1989; Vitali, Glattfelder &
Battiston 2011.)

Control along a chain follows the weakest-link rule (La Porta, Lopez-de-Silanes & Shleifer 1999): the control
an owner gets through a chain is the smallest voting fraction on it (voting = equity unless stated).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import ConvergenceError, InvalidInputError
from .network import stake_edges

MAX_CHAIN = 6


def direct_matrix(
    stakes: pd.DataFrame, when: date | str | None = None, include_warrants: bool = False
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """(entity ids, A economic, V voting) of the stakes in force at ``when``; A[i, j] = fraction of j owned by
    i. Warrants (unvested claims) count only with ``include_warrants``; rows without a fraction are skipped."""
    edges = stake_edges(stakes, when)
    if not include_warrants:
        edges = edges[edges["instrument"] != "warrant"]
    edges = edges[edges["equity_fraction"].notna()]
    ids = sorted(set(edges["owner_id"]) | set(edges["target_id"]))
    index = {e: i for i, e in enumerate(ids)}
    economic = np.zeros((len(ids), len(ids)))
    voting = np.zeros((len(ids), len(ids)))
    columns = (edges["owner_id"], edges["target_id"], edges["equity_fraction"], edges["voting_fraction"])
    for owner, target, fraction, vote in zip(*columns, strict=True):
        i, j = index[owner], index[target]
        economic[i, j] += float(fraction)
        voting[i, j] = max(voting[i, j], float(fraction) if np.isnan(vote) else float(vote))
    return ids, economic, voting


def integrated_interest(direct: NDArray[np.float64]) -> NDArray[np.float64]:
    """T = (I − A)⁻¹ − I: the sum over all chains of the product of fractions (see module docstring)."""
    n = direct.shape[0]
    if n == 0:
        return direct.copy()
    radius = float(np.max(np.abs(np.linalg.eigvals(direct))))
    if radius >= 1.0 - 1e-12:
        raise ConvergenceError(
            "cross-holdings own each other entirely, so chains of stakes do not converge",
            {"method": "(I - A)^-1 - I", "spectral_radius": radius},
        )
    identity = np.eye(n)
    return np.linalg.solve(identity - direct, identity) - identity


def effective_interest(
    stakes: pd.DataFrame, when: date | str | None = None, include_warrants: bool = False
) -> pd.DataFrame:
    """Long table of owner_id, target_id, direct_fraction, effective_fraction (integrated, all chains), for every
    pair with a positive effective interest; owner = target rows show circular self-ownership."""
    ids, economic, _ = direct_matrix(stakes, when, include_warrants)
    total = integrated_interest(economic)
    owners, targets = np.nonzero(total > 1e-12)
    return (
        pd.DataFrame(
            {
                "owner_id": [ids[i] for i in owners],
                "target_id": [ids[j] for j in targets],
                "direct_fraction": economic[owners, targets],
                "effective_fraction": total[owners, targets],
            }
        )
        .sort_values(["target_id", "effective_fraction"], ascending=[True, False])
        .reset_index(drop=True)
    )


def chains_to(
    stakes: pd.DataFrame,
    target: str,
    when: date | str | None = None,
    include_warrants: bool = False,
    max_len: int = MAX_CHAIN,
) -> pd.DataFrame:
    """Every simple chain of stakes ending at ``target`` (up to ``max_len`` links): path (owner first),
    economic product of the fractions and weakest-link control (smallest voting fraction on the path)."""
    ids, economic, voting = direct_matrix(stakes, when, include_warrants)
    if target not in ids:
        return pd.DataFrame(columns=["owner_id", "path", "links", "economic_product", "weakest_link_control"])
    index = {e: i for i, e in enumerate(ids)}
    rows: list[dict[str, object]] = []

    def walk(j: int, path: list[int], product: float, control: float) -> None:
        for i in np.flatnonzero(economic[:, j] > 0):
            if i in path or len(path) > max_len:
                continue
            new_product, new_control = product * economic[i, j], min(control, voting[i, j])
            chain = [int(i), *path]
            rows.append(
                {
                    "owner_id": ids[i],
                    "path": [ids[k] for k in chain],
                    "links": len(chain) - 1,
                    "economic_product": new_product,
                    "weakest_link_control": new_control,
                }
            )
            walk(int(i), chain, new_product, new_control)

    walk(index[target], [index[target]], 1.0, 1.0)
    frame = pd.DataFrame(rows, columns=["owner_id", "path", "links", "economic_product", "weakest_link_control"])
    return frame.sort_values(["economic_product", "links"], ascending=[False, True]).reset_index(drop=True)


def ownership_matrices(
    stakes: pd.DataFrame,
    firms: Sequence[str],
    when: date | str | None = None,
    effective: bool = True,
    include_warrants: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(β, γ) as owners × firms DataFrames for :func:`marketpower.measures.ownership.mhhi`: β[i, j] = owner i's
    financial interest in firm j (integrated through chains when ``effective``, else direct), γ[i, j] = its
    control (direct voting fraction, voting = equity unless stated). Owners are every entity with a positive
    interest in one of ``firms``; each firm also appears as an owner of itself (β = γ = 1 minus what others
    hold, its remaining public/other holders treated as one owner acting for the firm)."""
    if not firms:
        raise InvalidInputError("firms: give at least one firm id")
    ids, economic, voting = direct_matrix(stakes, when, include_warrants)
    interest = integrated_interest(economic) if effective else economic
    index = {e: i for i, e in enumerate(ids)}
    cols = [index.get(f) for f in firms]
    owners = sorted(
        {ids[i] for c in cols if c is not None for i in np.flatnonzero(interest[:, c] > 1e-12)} | set(firms)
    )
    beta = pd.DataFrame(0.0, index=owners, columns=list(firms))
    gamma = pd.DataFrame(0.0, index=owners, columns=list(firms))
    for firm, c in zip(firms, cols, strict=True):
        if c is not None:
            for owner in owners:
                if owner in index and owner != firm:
                    beta.loc[owner, firm] = interest[index[owner], c]
                    gamma.loc[owner, firm] = voting[index[owner], c]
        held = float(beta[firm].drop(firm).sum()) if firm in beta.index else 0.0
        beta.loc[firm, firm] = max(0.0, 1.0 - held)
        gamma.loc[firm, firm] = max(0.0, 1.0 - float(gamma[firm].drop(firm).sum()))
    return beta, gamma
