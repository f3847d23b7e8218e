"""Ownership chains checked against hand-computed products and sums, cross-holdings, and the MHHI matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marketpower.errors import ConvergenceError
from marketpower.flows.ownership import (
    chains_to,
    direct_matrix,
    effective_interest,
    integrated_interest,
    ownership_matrices,
)
from marketpower.measures.ownership import mhhi


def stakes(rows: list[tuple[str, str, float, float | None]], instrument: str = "common") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "owner_id": o,
                "target_id": t,
                "as_of": "2025-01-01",
                "instrument": instrument,
                "equity_fraction": f,
                "equity_fraction_low": None,
                "equity_fraction_high": None,
                "voting_fraction": v,
                "source_id": "s",
            }
            for o, t, f, v in rows
        ]
    )


def interest(frame: pd.DataFrame, owner: str, target: str) -> float:
    row = frame[(frame["owner_id"] == owner) & (frame["target_id"] == target)]
    return float(row["effective_fraction"].iloc[0])


def test_chain_products_summed_over_paths() -> None:
    # A holds 50% of B and 10% of C; B holds 40% of C:  A in C = 0.10 + 0.50 * 0.40 = 0.30
    frame = effective_interest(stakes([("A", "B", 0.5, None), ("A", "C", 0.1, None), ("B", "C", 0.4, None)]))
    assert interest(frame, "A", "C") == pytest.approx(0.30)
    assert interest(frame, "B", "C") == pytest.approx(0.40)


def test_three_link_chain() -> None:
    frame = effective_interest(stakes([("A", "B", 0.5, None), ("B", "C", 0.5, None), ("C", "D", 0.2, None)]))
    assert interest(frame, "A", "D") == pytest.approx(0.05)


def test_cross_holdings_sum_the_geometric_series() -> None:
    # O holds 50% of X; X holds 20% of Y; Y holds 10% of X.
    # O in Y = 0.5 * 0.2 * (1 + 0.02 + 0.02**2 + ...) = 0.1 / 0.98; X's circular self-interest = 0.02 / 0.98
    frame = effective_interest(stakes([("O", "X", 0.5, None), ("X", "Y", 0.2, None), ("Y", "X", 0.1, None)]))
    assert interest(frame, "O", "Y") == pytest.approx(0.1 / 0.98)
    assert interest(frame, "X", "X") == pytest.approx(0.02 / 0.98)
    assert interest(frame, "O", "X") == pytest.approx(0.5 / 0.98)


def test_full_mutual_ownership_does_not_converge() -> None:
    with pytest.raises(ConvergenceError, match="spectral_radius"):
        integrated_interest(np.array([[0.0, 1.0], [1.0, 0.0]]))


def test_chains_list_paths_with_weakest_link_control() -> None:
    table = chains_to(stakes([("A", "B", 0.6, 0.9), ("B", "C", 0.5, 0.3), ("A", "C", 0.1, None)]), "C")
    by_path = {
        tuple(p): (e, c)
        for p, e, c in zip(table["path"], table["economic_product"], table["weakest_link_control"], strict=True)
    }
    assert by_path[("B", "C")] == pytest.approx((0.5, 0.3))
    assert by_path[("A", "B", "C")] == pytest.approx((0.30, 0.3))
    assert by_path[("A", "C")] == pytest.approx((0.1, 0.1))


def test_warrants_count_only_when_asked() -> None:
    frame = stakes([("O", "T", 0.0, None)], instrument="warrant")
    frame["equity_fraction"] = None
    frame["equity_fraction_high"] = 0.1
    assert direct_matrix(frame)[0] == []
    ids, economic, _ = direct_matrix(frame, include_warrants=True)
    assert ids == ["O", "T"] and economic[0, 1] == pytest.approx(0.1)


def test_matrices_feed_the_mhhi() -> None:
    # investor I holds 30% of f and 20% of g (voting as stated): O'Brien-Salop by hand
    beta, gamma = ownership_matrices(stakes([("I", "f", 0.3, None), ("I", "g", 0.2, None)]), ["f", "g"])
    assert beta.loc["I"].tolist() == pytest.approx([0.3, 0.2])
    assert beta.loc["f", "f"] == pytest.approx(0.7) and beta.loc["g", "g"] == pytest.approx(0.8)
    result = mhhi([0.5, 0.5], beta.to_numpy(), gamma.to_numpy())
    # w_fg = (0.3*0.2) / (0.3*0.3 + 0.7*0.7) ; w_gf = (0.2*0.3) / (0.2*0.2 + 0.8*0.8)
    w_fg, w_gf = 0.06 / 0.58, 0.06 / 0.68
    assert result.mhhi_delta == pytest.approx(10_000 * 0.25 * (w_fg + w_gf))
