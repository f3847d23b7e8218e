"""Loops against degree-preserving rewirings, on webs whose rewirings can be counted by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from marketpower.errors import InvalidInputError
from marketpower.flows.nullmodel import null_model, rewire

RING = (["a", "b", "c"], ["b", "c", "a"])
# transitive tournament: a beats b, c, d; b beats c, d; c beats d
DAG = (["a", "a", "a", "b", "b", "c"], ["b", "c", "d", "c", "d", "d"])
# two 2-cycles a<->b, c<->d: every firm pays one firm and is paid by one
PAIRS = (["a", "b", "c", "d"], ["b", "a", "d", "c"])


def test_a_ring_is_forced_by_its_degrees() -> None:
    # every swap of two edges of a 3-ring makes a self-loop, so every rewired web is the ring itself
    model = null_model(*RING, loops=[["a", "b", "c"]], max_len=3, rewirings=50)
    assert model.cycle_fraction[("a", "b", "c")] == pytest.approx(1.0, abs=1e-12)
    row = model.by_length.set_index("length").loc[3]
    assert row["observed"] == 1 and row["null_mean"] == pytest.approx(1.0, abs=1e-12)
    assert math.isnan(row["z"]) and row["p"] == pytest.approx(1.0, abs=1e-12)


def test_a_dag_has_no_loops_and_its_rewirings_neither() -> None:
    # the degree sequence (out 3, 2, 1, 0) admits only the tournament itself
    model = null_model(*DAG, loops=[], max_len=4, rewirings=50)
    table = model.by_length
    assert (table["observed"] == 0).all() and (table["null_mean"] == 0).all()
    assert table["p"].to_numpy() == pytest.approx(np.ones(len(table)), abs=1e-12)


def test_two_pairs_against_the_nine_derangements() -> None:
    # Simple digraphs on 4 firms with in = out = 1: the 9 derangements (3 pairs of 2-cycles, 6 4-cycles), all
    # reachable by swaps; the swap chain is uniform over them. P(a<->b present) = 1/9; expected number of
    # 2-cycles = 3/9 * 2 = 2/3; P(at least 2 two-cycles) = 3/9; expected number of 4-cycles = 6/9.
    model = null_model(*PAIRS, loops=[["a", "b"]], max_len=4, rewirings=3000, seed=7)
    assert model.cycle_fraction[("a", "b")] == pytest.approx(1 / 9, abs=0.025)
    rows = model.by_length.set_index("length")
    assert rows.loc[2, "observed"] == 2 and rows.loc[2, "null_mean"] == pytest.approx(2 / 3, abs=0.06)
    assert rows.loc[2, "p"] == pytest.approx(1 / 3, abs=0.03)
    assert rows.loc[4, "observed"] == 0 and rows.loc[4, "null_mean"] == pytest.approx(6 / 9, abs=0.04)


def test_rewiring_keeps_degrees_and_is_seeded() -> None:
    rng = np.random.default_rng(1)
    src, dst = rng.integers(0, 12, 60), rng.integers(0, 12, 60)
    pairs = sorted({(int(a), int(b)) for a, b in zip(src, dst, strict=True) if a != b})
    s, d = np.array([p for p, _ in pairs]), np.array([q for _, q in pairs])
    rs, rd = rewire(s, d, 500, np.random.default_rng(3))
    assert np.bincount(rs, minlength=12).tolist() == np.bincount(s, minlength=12).tolist()
    assert np.bincount(rd, minlength=12).tolist() == np.bincount(d, minlength=12).tolist()
    assert len(set(zip(rs.tolist(), rd.tolist(), strict=True))) == len(rs) and not (rs == rd).any()
    again = rewire(s, d, 500, np.random.default_rng(3))
    assert again[1].tolist() == rd.tolist()
    assert null_model(*PAIRS, loops=[], max_len=4, seed=5).by_length.equals(
        null_model(*PAIRS, loops=[], max_len=4, seed=5).by_length
    )


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least one rewired web"):
        null_model(*RING, loops=[], max_len=3, rewirings=0)


def test_windowed_loops_against_the_same_windowed_web() -> None:
    # PAIRS again, dated: a->b and b->a on day 0, c->d on day 0 but d->c 1,000 days later. Within 30 days only
    # a<->b is a loop (observed 1). A swap moves payees, never payers or dates, so d's edge (day 1000) spoils
    # every cycle through d: of the 9 equally likely rewired webs, the three made of 2-cycles each hold exactly
    # one windowed 2-cycle (ab, ac or bc) and the six 4-cycles none. Mean = 3/9, P(>= 1) = 3/9, P(a<->b) = 1/9.
    dates = ["2025-01-01", "2025-01-01", "2025-01-01", "2027-09-28"]
    model = null_model(
        *PAIRS, loops=[["a", "b"]], max_len=4, rewirings=3000, seed=11, announced=dates, window_days=30
    )
    rows = model.by_length.set_index("length")
    assert rows.loc[2, "observed"] == 1 and rows.loc[2, "null_mean"] == pytest.approx(1 / 3, abs=0.03)
    assert rows.loc[2, "p"] == pytest.approx(1 / 3, abs=0.03)
    assert rows.loc[4, "observed"] == 0 and rows.loc[4, "null_mean"] == pytest.approx(0.0, abs=1e-12)
    assert model.cycle_fraction[("a", "b")] == pytest.approx(1 / 9, abs=0.02)
    assert "within 30 days" in model.method()
    # without the window the same web has two 2-cycles and the rewirings 2/3 on average (test above)
    whole = null_model(*PAIRS, loops=[], max_len=4, rewirings=3000, seed=11, announced=dates)
    assert whole.by_length.set_index("length").loc[2, "observed"] == 2
    with pytest.raises(InvalidInputError, match="announcement date"):
        null_model(*PAIRS, loops=[], max_len=4, window_days=30)
