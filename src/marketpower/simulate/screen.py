"""Batch screening: every pairwise merger among the firms of one market, ranked by predicted consumer harm (CV).

Logit Bertrand cases are solved for all pairs at once (one ζ-markup iteration over a (pairs × products) array);
other models are simulated pair by pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..measures.concentration import delta_hhi_rows, hhi_rows
from .bertrand import markups, solve_prices
from .calibrate import calibrate_logit
from .case import Case, parse_case
from .engine import run
from .logit import Logit
from .ownership import Ownership
from .result import firm_hhi
from .result import firm_shares as shares_by_firm


def _pairs(firms: list[str]) -> list[tuple[str, str]]:
    return list(combinations(list(dict.fromkeys(firms)), 2))


def screen_all(case: Mapping[str, Any]) -> pd.DataFrame:
    """One row per pair of firms in ``owner_pre`` (``owner_post`` is ignored): HHI pre/post/Δ, CV, producer-surplus
    change, share-weighted % price change, and the largest product % change; sorted by CV, largest harm first."""
    parsed = parse_case(dict(case) | {"owner_post": case.get("owner_pre"), "draws": 0, "ranges": None})
    if parsed.data.owner_pre.ids is None:
        raise InvalidInputError("owner_pre: screening takes one firm label per product (no ownership matrix)")
    pairs = _pairs(parsed.firms_pre)
    if not pairs:
        raise InvalidInputError("owner_pre: screening needs at least two firms")
    if parsed.demand == "logit" and parsed.supply == "bertrand" and not np.any(parsed.mc_delta):
        rows = _screen_logit(parsed, pairs)
    else:
        rows = []
        for a, b in pairs:
            post = [a if f == b else f for f in parsed.firms_pre]
            result = run(parse_case(dict(case) | {"owner_post": post, "draws": 0, "ranges": None}))
            pct = result.price_change_pct()
            rows.append(
                {
                    "firm_a": a,
                    "firm_b": b,
                    "hhi_pre": result.hhi_pre,
                    "hhi_post": result.hhi_post,
                    "cv": result.cv,
                    "producer_surplus_delta": result.producer_surplus_delta,
                    "price_change_pct_share_weighted": pct["market_share_weighted"],
                    "price_change_pct_max": max(pct["products"].values()),
                    "hhi_delta": result.hhi_delta,
                }
            )
    frame = pd.DataFrame(rows)
    return frame.sort_values("cv", ascending=False, kind="stable").reset_index(drop=True)


def _screen_logit(parsed: Case, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
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
    start = np.tile(p, (len(pairs), 1))
    prices_post, _ = solve_prices(demand, costs, Ownership(ids=post_ids), start)
    s_pre, s_post = demand.quantities(p), demand.quantities(prices_post)
    scale = data.insize or 1.0
    cv = (demand.consumer_surplus(p) - demand.consumer_surplus(prices_post)) * scale
    ps_delta = (((prices_post - costs) * s_post).sum(axis=1) - float((p - costs) @ s_pre)) * scale
    pct = 100.0 * (prices_post / p - 1.0)
    hhi_pre = firm_hhi(s_pre, parsed.firms_pre)
    inside = s_post / s_post.sum(axis=1, keepdims=True)
    firm_shares = np.zeros((len(pairs), len(firm_index)))
    np.add.at(firm_shares, (np.arange(len(pairs))[:, None], post_ids), inside)
    post_shares = np.clip(firm_shares, 0.0, 1.0)
    hhi_post = hhi_rows(post_shares)
    hhi_delta = delta_hhi_rows(shares_by_firm(s_pre, parsed.firms_pre), post_shares)
    return [
        {
            "firm_a": a,
            "firm_b": b,
            "hhi_pre": hhi_pre,
            "hhi_post": float(hhi_post[i]),
            "cv": float(cv[i]),
            "producer_surplus_delta": float(ps_delta[i]),
            "price_change_pct_share_weighted": float(np.average(pct[i], weights=s_pre)),
            "price_change_pct_max": float(pct[i].max()),
            "hhi_delta": float(hhi_delta[i]),
        }
        for i, (a, b) in enumerate(pairs)
    ]


def case_from_shares(shares: pd.DataFrame, margin: float, market_elasticity: float | None) -> dict[str, Any]:
    """A logit Bertrand screening case from one market's firm shares (columns ``entity_id``, ``share``).

    Prices are normalised to 1 (results are then % changes and harm per unit of spending); the assumed Lerner
    ``margin`` applies to the largest firm; the unattributed remainder (``others``) is treated as the outside good
    unless a ``market_elasticity`` is given, in which case the named firms' shares are rescaled to the inside market.
    """
    named = shares[shares["entity_id"] != "others"].dropna(subset=["share"])
    if named.empty:
        raise InvalidInputError("shares: the market has no firm shares to screen")
    named = named.sort_values("share", ascending=False)
    values = named["share"].astype(float).to_numpy()
    if market_elasticity is not None:
        values = values / values.sum()
    labels = named["entity_id"].astype(str).tolist()
    case: dict[str, Any] = {
        "demand": "logit",
        "labels": labels,
        "prices": [1.0] * len(labels),
        "shares": values.tolist(),
        "margins": [margin] + [None] * (len(labels) - 1),
        "owner_pre": labels,
        "owner_post": labels,
    }
    if market_elasticity is not None:
        case["market_elasticity"] = market_elasticity
    return case
