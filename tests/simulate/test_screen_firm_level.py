"""All-pairwise logit screening from the pre-merger solve equals the per-pair ζ-markup computation it replaced.

The reference below is the previous implementation (every pair's equilibrium by the ζ-markup iteration over a
(pairs × products) array, to max |Δp| < 1e-12), kept here verbatim in substance as the independent check.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from marketpower.measures.concentration import delta_hhi_rows, hhi_rows
from marketpower.simulate import screen_all
from marketpower.simulate.bertrand import markups, solve_prices
from marketpower.simulate.calibrate import calibrate_logit
from marketpower.simulate.case import parse_case
from marketpower.simulate.logit import Logit
from marketpower.simulate.ownership import Ownership
from marketpower.simulate.result import firm_hhi, firm_shares
from marketpower.simulate.screen import _pairs

COLUMNS = [
    "hhi_pre",
    "hhi_post",
    "cv",
    "producer_surplus_delta",
    "price_change_pct_share_weighted",
    "price_change_pct_max",
    "hhi_delta",
]


def reference_screen(case: dict[str, Any]) -> pd.DataFrame:
    """The per-pair ζ-markup screen (the implementation before the firm-level solve)."""
    parsed = parse_case(case | {"owner_post": case["owner_pre"], "draws": 0, "ranges": None})
    pairs = _pairs(parsed.firms_pre)
    data = parsed.data
    demand = calibrate_logit(data).demand
    assert isinstance(demand, Logit)
    p = data.prices
    costs = p - markups(demand, p, data.owner_pre)
    firm_index = {f: i for i, f in enumerate(dict.fromkeys(parsed.firms_pre))}
    pre_ids = np.array([firm_index[f] for f in parsed.firms_pre])
    post_ids = np.tile(pre_ids, (len(pairs), 1))
    for row, (a, b) in enumerate(pairs):
        post_ids[row, post_ids[row] == firm_index[b]] = firm_index[a]
    prices_post, _ = solve_prices(demand, costs, Ownership(ids=post_ids), np.tile(p, (len(pairs), 1)))
    s_pre, s_post = demand.quantities(p), demand.quantities(prices_post)
    scale = data.insize or 1.0
    cv = (demand.consumer_surplus(p) - demand.consumer_surplus(prices_post)) * scale
    ps_delta = (((prices_post - costs) * s_post).sum(axis=1) - float((p - costs) @ s_pre)) * scale
    pct = 100.0 * (prices_post / p - 1.0)
    inside = s_post / s_post.sum(axis=1, keepdims=True)
    shares = np.zeros((len(pairs), len(firm_index)))
    np.add.at(shares, (np.arange(len(pairs))[:, None], post_ids), inside)
    shares = np.clip(shares, 0.0, 1.0)
    rows = [
        {
            "firm_a": a,
            "firm_b": b,
            "hhi_pre": firm_hhi(s_pre, parsed.firms_pre),
            "hhi_post": float(hhi_rows(shares)[i]),
            "cv": float(cv[i]),
            "producer_surplus_delta": float(ps_delta[i]),
            "price_change_pct_share_weighted": float(np.average(pct[i], weights=s_pre)),
            "price_change_pct_max": float(pct[i].max()),
            "hhi_delta": float(delta_hhi_rows(firm_shares(s_pre, parsed.firms_pre), shares)[i]),
        }
        for i, (a, b) in enumerate(pairs)
    ]
    return pd.DataFrame(rows).sort_values("cv", ascending=False, kind="stable").reset_index(drop=True)


def random_case(seed: int, n_firms: int, products_per_firm: int, outside: str) -> dict[str, Any]:
    """``outside``: "share" (inside shares sum below 1), "elasticity" (they sum to 1, the outside share is
    calibrated from a market elasticity) or "none" (no outside good)."""
    rng = np.random.default_rng(seed)
    firms = [f"F{i}" for i in range(n_firms) for _ in range(rng.integers(1, products_per_firm + 1))]
    n = len(firms)
    shares = rng.uniform(0.2, 2.0, n)
    shares = shares / shares.sum() * (rng.uniform(0.3, 0.9) if outside == "share" else 1.0)
    case: dict[str, Any] = {
        "demand": "logit",
        "prices": rng.uniform(5, 15, n).tolist(),
        "shares": shares.tolist(),
        "margins": [float(rng.uniform(0.2, 0.5))] + [None] * (n - 1),
        "owner_pre": firms,
        "owner_post": firms,
        "insize": float(rng.uniform(10, 1000)),
    }
    if outside == "elasticity":
        case["market_elasticity"] = float(-rng.uniform(0.5, 2.0))
    return case


@pytest.mark.parametrize(
    ("seed", "n_firms", "products_per_firm", "outside"),
    [
        (0, 5, 1, "share"),
        (1, 12, 1, "share"),
        (2, 30, 1, "share"),
        (3, 8, 3, "share"),
        (4, 20, 4, "share"),
        (5, 15, 2, "elasticity"),
        (6, 25, 1, "elasticity"),
        (7, 6, 5, "share"),
        (8, 10, 2, "none"),
        (9, 18, 1, "none"),
    ],
)
def test_screen_all_equals_per_pair_zeta_reference(
    seed: int, n_firms: int, products_per_firm: int, outside: bool
) -> None:
    case = random_case(seed, n_firms, products_per_firm, outside)
    ours, reference = screen_all(case), reference_screen(case)
    assert list(ours["firm_a"]) == list(reference["firm_a"])
    assert list(ours["firm_b"]) == list(reference["firm_b"])
    for column in COLUMNS:
        assert ours[column].to_numpy() == pytest.approx(reference[column].to_numpy(), rel=1e-9, abs=1e-9), column
