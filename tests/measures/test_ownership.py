"""MHHI of O'Brien & Salop (2000): w_jk = Σ_i γ_ij β_ik / Σ_i γ_ij β_ij, MHHI = 10,000 · sᵀ w s.

The closed forms below are derived by hand from that formula for two firms A and B (shares s_A, s_B) where
A's shareholders (owner 1) own all of A and a stake β in B; they are the three control cases of the paper.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketpower.errors import InvalidInputError
from marketpower.measures.ownership import control_matrix, mhhi, profit_weights

S_A, S_B, S_C = 0.3, 0.2, 0.5
SHARES = [S_A, S_B, S_C]
HHI = 10_000 * (S_A**2 + S_B**2 + S_C**2)  # 3,800


def test_no_cross_holdings_gives_the_hhi() -> None:
    """Each owner holds only its own firm: w = I, so MHHI = HHI and ΔMHHI = 0, whatever the control rule."""
    for mode in ("proportional", "largest"):
        result = mhhi(SHARES, np.eye(3), mode=mode)  # type: ignore[arg-type]
        assert result.hhi == pytest.approx(HHI)
        assert result.mhhi == pytest.approx(HHI)
        assert result.mhhi_delta == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("beta", [0.1, 0.25, 0.49])
def test_silent_financial_interest(beta: float) -> None:
    """Owner 1 holds β of B with no control; B's other holders (owner 2, 1 − β) control B.

    A: γ_1A = 1 → w_AB = γ_1A β_1B / γ_1A β_1A = β.  B: γ_2B = 1, β_2A = 0 → w_BA = 0.
    ΔMHHI = 10,000 · β · s_A · s_B  (O'Brien & Salop's silent-interest case).
    """
    ownership = [[1, beta, 0], [0, 1 - beta, 0], [0, 0, 1]]
    silent = [[False, True, False], [False, False, False], [False, False, False]]
    result = mhhi(SHARES, ownership, silent=silent)
    assert result.weights[0, 1] == pytest.approx(beta)
    assert result.weights[1, 0] == pytest.approx(0)
    assert result.mhhi_delta == pytest.approx(10_000 * beta * S_A * S_B)


@pytest.mark.parametrize("beta", [0.1, 0.27, 0.6])
def test_total_control(beta: float) -> None:
    """Owner 1 holds β of B and controls it fully (the rest of B is dispersed, so unlisted).

    γ_1A = γ_1B = 1. A: w_AB = β / 1 = β. B: w_BA = γ_1B β_1A / γ_1B β_1B = 1 / β.
    ΔMHHI = 10,000 · s_A · s_B · (β + 1/β) ≥ the full-merger 2 · s_A · s_B · 10,000.
    """
    result = mhhi(SHARES, [[1, beta, 0], [0, 0, 1]], mode="largest")
    assert result.weights[1, 0] == pytest.approx(1 / beta)
    assert result.mhhi_delta == pytest.approx(10_000 * S_A * S_B * (beta + 1 / beta))
    assert result.mhhi_delta >= 2 * S_A * S_B * 10_000 - 1e-9


@pytest.mark.parametrize("beta", [0.1, 0.27, 0.5])
def test_proportional_control(beta: float) -> None:
    """Owner 1 holds β of B, one block (owner 2) the other 1 − β; control in proportion to stakes (γ = β).

    A: w_AB = β. B: w_BA = (β · 1) / (β² + (1 − β)²).
    ΔMHHI = 10,000 · s_A · s_B · (β + β / (β² + (1 − β)²)).
    """
    result = mhhi(SHARES, [[1, beta, 0], [0, 1 - beta, 0], [0, 0, 1]])
    expected = 10_000 * S_A * S_B * (beta + beta / (beta**2 + (1 - beta) ** 2))
    assert result.mhhi_delta == pytest.approx(expected)


def test_full_ownership_of_both_is_a_merger() -> None:
    """One owner holds 100% of A and B: w_AB = w_BA = 1, ΔMHHI = 2 · s_A · s_B · 10,000 = the merger ΔHHI."""
    result = mhhi(SHARES, [[1, 1, 0], [0, 0, 1]])
    assert result.mhhi_delta == pytest.approx(2 * S_A * S_B * 10_000)
    assert result.mhhi == pytest.approx(10_000 * ((S_A + S_B) ** 2 + S_C**2))


def test_r_antitrust_convention_differs_on_a_silent_stake() -> None:
    """Worked example of docs/measures.md: A's holders own 25% of B, silently; shares 30/20/50 (HHI 3,800).

    W = γᵀβ: W_AA = 1, W_AB = 0.25, W_BA = 0, W_BB = 0.75.
    O'Brien-Salop: w_AB = W_AB / W_AA = 0.25 → ΔMHHI = 0.3 · 0.2 · 0.25 · 10,000 = 150, MHHI 3,950.
    R antitrust::HHI(): W_AB / W_BB = 1/3 → ΔMHHI = 0.3 · 0.2 / 3 · 10,000 = 200, MHHI 4,000.
    """
    ownership = [[1, 0.25, 0], [0, 0.75, 0], [0, 0, 1]]
    control = np.eye(3)
    ours = mhhi(SHARES, ownership, control)
    theirs = mhhi(SHARES, ownership, control, normalization="other")
    assert (ours.mhhi, ours.mhhi_delta) == pytest.approx((3_950, 150))
    assert (theirs.mhhi, theirs.mhhi_delta) == pytest.approx((4_000, 200))


def test_largest_holder_ties_share_control() -> None:
    gamma = control_matrix(np.array([[0.3, 1.0], [0.3, 0.0], [0.1, 0.0]]), "largest")
    assert gamma == pytest.approx(np.array([[0.5, 1.0], [0.5, 0.0], [0.0, 0.0]]), abs=1e-15)  # a tie halves control


def test_silent_stake_is_skipped_when_seeking_the_largest_holder() -> None:
    beta = np.array([[0.4], [0.2]])
    gamma = control_matrix(beta, "largest", silent=np.array([[True], [False]]))
    assert gamma == pytest.approx(np.array([[0.0], [1.0]]), abs=1e-15)


@pytest.mark.parametrize("dense_budget", [0, 2**20])
def test_dense_and_sparse_profit_weights_agree(dense_budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sparse inputs take the sparse product (budget 0) or the BLAS one; both equal the dense formula."""
    import scipy.sparse as sp

    from marketpower.measures import ownership

    monkeypatch.setattr(ownership, "DENSE_PRODUCT_BYTES", dense_budget)
    rng = np.random.default_rng(3)
    beta = rng.uniform(0, 0.2, size=(7, 4))
    gamma = rng.uniform(0, 0.2, size=(7, 4))
    dense = profit_weights(beta, gamma)
    sparse = profit_weights(sp.csr_array(beta), sp.csr_array(gamma))
    np.testing.assert_allclose(dense, sparse, rtol=1e-12)
    np.testing.assert_allclose(np.diagonal(dense), 1.0)
    by_hand = (gamma.T @ beta) / np.diagonal(gamma.T @ beta)[:, np.newaxis]
    np.testing.assert_allclose(dense, by_hand, rtol=1e-12)


@given(st.lists(st.floats(min_value=0.01, max_value=1), min_size=2, max_size=8))
def test_identity_ownership_property(raw: list[float]) -> None:
    shares = np.array(raw) / sum(raw)
    result = mhhi(shares, np.eye(len(raw)))
    assert result.mhhi == pytest.approx(result.hhi)


# --- bad input ---------------------------------------------------------------------------------------------------


def test_ownership_above_100_percent_names_the_firm() -> None:
    with pytest.raises(InvalidInputError, match=r"firm 'OpenAI' \(column 1\) sums to 1\.2000"):
        mhhi([0.5, 0.5], [[1, 0.5], [0, 0.7]], firms=["Microsoft", "OpenAI"])


def test_negative_ownership_names_the_cell() -> None:
    with pytest.raises(InvalidInputError, match=r"ownership\[1\]\[0\] \(owner 'fund', firm 'A'\) = -0\.1"):
        mhhi([0.5, 0.5], [[1, 0], [-0.1, 1]], firms=["A", "B"], owners=["family", "fund"])


def test_shares_above_one() -> None:
    with pytest.raises(InvalidInputError, match="above 1"):
        mhhi([0.7, 0.5], np.eye(2))


def test_firm_without_a_controller_with_a_stake_is_an_error() -> None:
    # B is held only through a silent stake: nobody both controls it and shares its profit.
    with pytest.raises(InvalidInputError, match="firm 'B': no owner has both control and a financial interest"):
        mhhi([0.5, 0.5], [[1, 0.3]], silent=[[False, True]], firms=["A", "B"])


def test_control_shape_must_match() -> None:
    with pytest.raises(InvalidInputError, match="control: expected shape"):
        mhhi([0.5, 0.5], np.eye(2), control=np.eye(3))


def test_unknown_control_mode() -> None:
    with pytest.raises(InvalidInputError, match="control mode 'votes' is unknown"):
        mhhi([0.5, 0.5], np.eye(2), mode="votes")  # type: ignore[arg-type]
