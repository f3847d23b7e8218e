"""Batch screening: every pairwise merger among the firms of one market, ranked by predicted consumer harm (CV).

Logit Bertrand cases start from the pre-merger solve and solve each pair on the firm-level first-order conditions
(vectorised over chunks of pairs); other models are simulated pair by pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from ..measures.concentration import hhi_and_delta_rows
from .bertrand import NO_EQUILIBRIUM, markups
from .calibrate import calibrate_logit
from .case import Case, parse_case
from .engine import run
from .groups import FloatArray, IntArray
from .logit import Logit
from .result import firm_hhi
from .result import firm_shares as shares_by_firm

if TYPE_CHECKING:  # pandas loads when a DataFrame is asked for, not to simulate a case
    import pandas as pd


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
    import pandas as pd

    frame = pd.DataFrame(rows)
    return frame.sort_values("cv", ascending=False, kind="stable").reset_index(drop=True)


def _screen_logit(parsed: Case, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """All pairs from the pre-merger solve: logit markups are equal within a firm, μ_f = 1/(−α(1 − S_f)), so each
    merger's equilibrium is the firm-level system log S_f + 1/(1 − S_f) = log E_f − log D (E_f = Σ_{j∈f}
    exp(δ_j + α(c_j − p0_j)), D the logit denominator) with Σ_f S_f = 1 − 1/D (or 1 without an outside good).
    Newton's method on that arrowhead system costs O(firms) per pair and step, started at the pre-merger
    solution; pairs are solved in chunks of bounded memory."""
    data = parsed.data
    demand = calibrate_logit(data).demand
    assert isinstance(demand, Logit)
    alpha = float(np.asarray(demand.alpha).ravel()[0])
    p = data.prices
    costs = p - markups(demand, p, data.owner_pre)
    names = list(dict.fromkeys(parsed.firms_pre))
    firm_index = {f: i for i, f in enumerate(names)}
    pre_ids = np.array([firm_index[f] for f in parsed.firms_pre])
    s_pre = demand.quantities(p)
    log_den_pre = float(demand.consumer_surplus(p)) * -alpha
    log_e = demand.utilities(p) - alpha * (p - costs)  # log exp(δ_j + α(c_j − p0_j))
    top = float(log_e.max())
    log_firm_e = np.log(np.bincount(pre_ids, weights=np.exp(log_e - top))) + top  # log E_f
    firm_pre = np.bincount(pre_ids, weights=s_pre).astype(np.float64)  # S_f
    a_idx = np.array([firm_index[a] for a, _ in pairs])
    b_idx = np.array([firm_index[b] for _, b in pairs])
    scale = data.insize or 1.0
    cs_pre = log_den_pre / -alpha
    ps_pre = float((p - costs) @ s_pre)
    weight_pre = s_pre / s_pre.sum()
    base_pct = float(weight_pre @ (costs / p))  # Σ_j w_j c_j / p_j
    firm_weight = np.bincount(pre_ids, weights=weight_pre / p)  # Σ_{j∈f} w_j / p_j
    pre_firm_shares = shares_by_firm(s_pre, parsed.firms_pre)
    hhi_pre = firm_hhi(s_pre, parsed.firms_pre)
    n_firms = len(names)
    chunk = max(1, 2_000_000 // max(n_firms, len(p)))
    out: list[dict[str, Any]] = []
    for lo in range(0, len(pairs), chunk):
        a, b = a_idx[lo : lo + chunk], b_idx[lo : lo + chunk]
        rows = np.arange(a.size)
        shares, log_d = _merged_equilibrium(log_firm_e, firm_pre, log_den_pre, a, b, demand.outside_good, len(pairs))
        markup = 1.0 / (-alpha * (1.0 - shares))  # μ_f, money units
        markup[rows, b] = markup[rows, a]
        post_ids = np.broadcast_to(pre_ids, (a.size, pre_ids.size)).copy()
        post_ids[post_ids == b[:, None]] = np.broadcast_to(a[:, None], post_ids.shape)[post_ids == b[:, None]]
        pct = 100.0 * ((costs + np.take_along_axis(markup, post_ids, axis=1)) / p - 1.0)
        merged_weight = np.broadcast_to(firm_weight, shares.shape).copy()
        merged_weight[rows, a] += firm_weight[b]
        merged_weight[rows, b] = 0.0
        pct_weighted = 100.0 * (base_pct + (markup * merged_weight).sum(axis=1) - 1.0)
        inside = np.clip(shares / shares.sum(axis=1, keepdims=True), 0.0, 1.0)
        hhi_post, hhi_delta = hhi_and_delta_rows(pre_firm_shares, inside)
        cv = (cs_pre - log_d / -alpha) * scale
        ps_delta = ((markup * shares).sum(axis=1) - ps_pre) * scale
        pct_max = pct.max(axis=1)
        out.extend(
            {
                "firm_a": names[a[i]],
                "firm_b": names[b[i]],
                "hhi_pre": hhi_pre,
                "hhi_post": float(hhi_post[i]),
                "cv": float(cv[i]),
                "producer_surplus_delta": float(ps_delta[i]),
                "price_change_pct_share_weighted": float(pct_weighted[i]),
                "price_change_pct_max": float(pct_max[i]),
                "hhi_delta": float(hhi_delta[i]),
            }
            for i in range(a.size)
        )
    return out


def _merged_equilibrium(
    log_firm_e: FloatArray,
    firm_pre: FloatArray,
    log_den_pre: float,
    a: IntArray,
    b: IntArray,
    outside_good: bool,
    n_pairs: int,
    tol: float = 1e-14,
    max_iter: int = 100,
) -> tuple[FloatArray, FloatArray]:
    """Post-merger firm shares S (rows: pairs; firm b's column 0, firm a holding the merged firm) and log D, by
    the compiled Newton iteration of :func:`.screen_kernel.merged_firm_shares` (which states it)."""
    from .screen_kernel import merged_firm_shares  # Numba: loaded only when a logit screen runs

    shares, log_d, failed = merged_firm_shares(
        log_firm_e, firm_pre, log_den_pre, a.astype(np.int64), b.astype(np.int64), outside_good, tol, max_iter
    )
    if failed < 0:
        return shares, log_d
    raise ConvergenceError(
        "screening: the post-merger logit equilibrium did not converge",
        {"method": "Newton on the firm-level logit FOCs", "iterations": max_iter, "pairs": n_pairs},
        NO_EQUILIBRIUM,
    )


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
