"""One HHI and one CRn for the whole project (issue 14): no module may compute a sum of squared shares, or scale
one to 0-10,000, itself. Such copies summed in machine-dependent order (BLAS, FMA) and gave 3799.9999999999995 for
3,800 on an Intel Xeon; :mod:`marketpower.measures.concentration` is exactly rounded instead."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import marketpower
from marketpower.flows.compute_share import concentration_by_period
from marketpower.measures.concentration import hhi, hhi_range, hhi_rows
from marketpower.measures.ownership import mhhi_from_weights

SRC = Path(marketpower.__file__).parent
HOME = SRC / "measures" / "concentration.py"

#: Signs of an HHI or CRn computed outside concentration.py: the 0-10,000 scale applied to a product, a sum of
#: squares, a dot product of a vector with itself, a quadratic form sᵀ W s.
COPIES = {
    "0-10,000 scale applied": re.compile(r"\b(10_?000(\.0)?|1e4)\s*\*"),
    "sum of squares": re.compile(r"\*\*\s*2\)?\s*\.sum\(|np\.sum\([^)]*\*\*\s*2"),
    "dot product with itself": re.compile(r"np\.dot\((\w+(?:\s*\*\s*\w+)?),\s*\1\)"),
    "quadratic form": re.compile(r"\b(\w+)\s*@\s*\w+\s*@\s*\1\b"),
}


def test_no_hhi_copies_outside_concentration() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == HOME:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.relative_to(SRC)}:{number}: {what}: {line.strip()}"
                      for what, pattern in COPIES.items() if pattern.search(line)]  # fmt: skip
    assert not found, "compute HHI/CRn with marketpower.measures.concentration:\n" + "\n".join(found)


def test_plain_hhi_of_mhhi_is_the_one_hhi() -> None:
    # no common ownership (W = I): MHHI = HHI = 3,800 and ΔMHHI exactly 0, whatever the BLAS
    plain, modified, delta = mhhi_from_weights([0.5, 0.3, 0.2], np.eye(3))
    assert plain == hhi([0.5, 0.3, 0.2])
    assert modified == pytest.approx(3_800, abs=1e-9)
    assert delta == 0.0


def test_screening_hhi_rows_agree_with_hhi() -> None:
    rows = np.array([[0.5, 0.3, 0.2, 0.0], [0.4, 0.3, 0.2, 0.1]])
    assert hhi_rows(rows).tolist() == [hhi(r) for r in rows]


def test_compute_share_hhi_is_the_one_hhi() -> None:
    import pandas as pd

    holdings = pd.DataFrame(
        {
            "holder": ["a", "b", "others"],
            "country": ["US", "US", None],
            "period": ["2025Q1"] * 3,
            "status": ["installed"] * 3,
            "h100e": [5.0, 3.0, 2.0],
            "h100e_low": [4.0, 2.0, 1.0],
            "h100e_high": [6.0, 4.0, 3.0],
            "source": ["s"] * 3,
        }
    )
    row = concentration_by_period(holdings).iloc[0]
    # a 50%, b 30%, others 20%: HHI 2,500 + 900 = 3,400; others as one firm adds 400
    assert row["hhi"] == hhi([0.5, 0.3])
    assert row["hhi"] == pytest.approx(3_400, abs=1e-9)
    assert row["hhi_others_as_one"] == hhi_range([0.5, 0.3], 0.2)[1]
    assert row["hhi_others_as_one"] == pytest.approx(3_800, abs=1e-9)


def test_simulation_hhi_delta_is_the_one_delta(repo_root: Path) -> None:
    import json
    from fractions import Fraction

    from marketpower.simulate import simulate_case
    from marketpower.simulate.result import firm_shares

    case = json.loads((repo_root / "examples" / "cases" / "logit_three_firms.json").read_text(encoding="utf-8"))
    result = simulate_case(case)
    pre = firm_shares(result.shares_pre, result.firms_pre).tolist()
    post = firm_shares(result.shares_post, result.firms_post).tolist()
    exact = 10_000 * (sum(Fraction(s) ** 2 for s in post) - sum(Fraction(s) ** 2 for s in pre))
    assert abs(Fraction(result.hhi_delta) - exact) <= Fraction(math.ulp(float(exact))) / 2  # exactly rounded
    assert result.hhi_delta == pytest.approx(result.hhi_post - result.hhi_pre, abs=1e-9)


def test_screen_all_hhi_delta_is_the_one_delta(repo_root: Path) -> None:
    import json

    from marketpower.simulate import screen_all

    case = json.loads((repo_root / "examples" / "cases" / "logit_three_firms.json").read_text(encoding="utf-8"))
    frame = screen_all(case)
    # logit three firms: the vectorised path; ΔHHI exactly rounded, equal to post − pre within rounding
    assert frame["hhi_delta"].to_numpy() == pytest.approx((frame["hhi_post"] - frame["hhi_pre"]).to_numpy(), abs=1e-9)
    assert (frame["hhi_delta"] > 0).all()
    assert list(frame.columns)[-1] == "hhi_delta"
