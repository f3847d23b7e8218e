"""From a stake's partnership terms to the profit weight β and the control weight γ of the MHHI.

The terms are those the FTC staff report on AI partnerships (January 2025) singles out: equity and revenue-share
rights, board and observer seats, consultation and control rights, exclusivity, spend-back commitments and access
to sensitive information. Each stake row gets a low / central / high β and γ (fractions 0-1); the central value
reads the terms as published, and the range covers what is not published. The mapping (docs/measures.md, §3.1):

- β: economic interest ``equity_fraction`` (its published range); a revenue share r adds up to r at the high end
  (a claim on revenue, counted as a claim on profit only as an upper bound).
- γ, O'Brien & Salop's (2000) three cases:
  * ``control_rights = control`` -> γ = 1 (total control), and every other holder of that firm gets γ = 0;
  * board seats or a veto -> at least proportional influence, γ = max(voting, equity); a veto raises the high end
    to 1 (it can block the decisions it covers);
  * no votes (``voting_fraction = 0``) -> silent, γ = 0, when the terms say no observer seat, no consultation
    rights, no sensitive information and no exclusivity; if any of these channels of influence is present, or the
    governance terms are not published, γ ranges from 0 (silent) to the equity fraction (proportional);
  * otherwise proportional: γ = voting fraction (equity unless stated).
Unpublished governance terms therefore widen the range; they never move the central value.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..schema.deals import effective_deals, stake_point

#: Deal kinds through which an investor acquires its stake (their terms fill the stake's unpublished ones).
EQUITY_KINDS = ("equity_investment", "acquisition", "joint_venture", "warrant")
#: Stake terms (the one list: scenario keys, overlay rows and stake weights).
TERMS = (
    "revenue_share",
    "board_seats",
    "observer_seat",
    "control_rights",
    "exclusivity",
    "spend_back",
    "sensitive_info",
)
WEIGHT_COLUMNS = ("beta_low", "beta", "beta_high", "gamma_low", "gamma", "gamma_high", "control_basis")


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _true(value: object) -> bool:
    return not _missing(value) and bool(value) is True


def with_deal_terms(stakes: pd.DataFrame, deals: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Stakes whose unpublished terms are filled from the latest in-force equity deal of the same owner in the
    same target announced on or before ``when`` (``terms_from_deal`` names it)."""
    out = stakes.copy()
    for name in TERMS:
        if name not in out:
            out[name] = pd.NA
        out[name] = out[name].astype(object)
    out["terms_from_deal"] = None
    if deals.empty:
        return out
    frame = effective_deals(deals)
    frame = frame[frame["kind"].isin(EQUITY_KINDS)]
    if when is not None:
        frame = frame[pd.to_datetime(frame["announced"]) <= pd.Timestamp(when)]
    frame = frame.sort_values("announced")
    published = [name for name in TERMS if name in frame.columns]
    by_pair: dict[tuple[Any, Any], list[dict[Hashable, Any]]] = {}
    for deal in frame[["id", "payer_id", "payee_id", *published]].to_dict("records"):
        by_pair.setdefault((deal["payer_id"], deal["payee_id"]), []).append(deal)
    terms = {name: out[name].tolist() for name in TERMS}
    from_deal: list[Any] = [None] * len(out)
    for i, pair in enumerate(zip(out["owner_id"], out["target_id"], strict=True)):
        for deal in reversed(by_pair.get(pair, [])):  # latest first
            filled = False
            for name in published:
                if _missing(terms[name][i]) and not _missing(deal[name]):
                    terms[name][i] = deal[name]
                    filled = True
            if filled and from_deal[i] is None:
                from_deal[i] = deal["id"]
    for name in TERMS:
        out[name] = pd.Series(terms[name], index=out.index, dtype=object)
    out["terms_from_deal"] = pd.Series(from_deal, index=out.index, dtype=object)
    return out


def stake_weights(stakes: pd.DataFrame) -> pd.DataFrame:
    """The stakes with β and γ (low, central, high) and ``control_basis`` (which rule of the module docstring
    applied), index-aligned; a controller's presence zeroes the other holders' γ of the same target."""
    out = stakes.copy()
    if out.empty:
        for col in WEIGHT_COLUMNS:
            out[col] = pd.Series(dtype=object if col == "control_basis" else float)
        return out
    point = stake_point(out)
    low = out["equity_fraction_low"].astype(float).fillna(point)
    high = out["equity_fraction_high"].astype(float).fillna(point)
    rows = [
        _weights(row, e, e_low, e_high)
        for row, e, e_low, e_high in zip(
            out.to_dict("records"), point.tolist(), low.tolist(), high.tolist(), strict=True
        )
    ]
    weights = pd.DataFrame(rows, index=out.index, columns=list(WEIGHT_COLUMNS))
    for col in WEIGHT_COLUMNS:
        out[col] = weights[col]
    controlled = out.loc[out["control_basis"] == "control", "target_id"]
    others = out["target_id"].isin(set(controlled)) & (out["control_basis"] != "control")
    out.loc[others, ["gamma_low", "gamma", "gamma_high"]] = 0.0
    out.loc[others, "control_basis"] = "another holder controls the firm"
    return out


def _weights(row: Mapping[Hashable, Any], e: float, e_low: float, e_high: float) -> tuple[Any, ...]:
    if np.isnan(e):
        return (np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, "no published fraction")
    share: Any = row.get("revenue_share")
    revenue = 0.0 if _missing(share) else float(share)
    beta = (e_low, e, min(1.0, e_high + revenue))
    vote_stated: Any = row.get("voting_fraction")
    stated = not _missing(vote_stated)
    vote = float(vote_stated) if stated else e
    rights = row.get("control_rights")
    seats: Any = row.get("board_seats")
    if rights == "control":
        return (*beta, 1.0, 1.0, 1.0, "control")
    if (not _missing(seats) and int(seats) > 0) or rights == "veto":
        influence = max(vote, e)
        top = 1.0 if rights == "veto" else max(vote, e_high)
        return (*beta, influence, influence, top, "veto" if rights == "veto" else "board seats: proportional")
    if stated and vote == 0:
        channels = [
            _true(row.get("observer_seat")),
            rights == "consultation",
            _true(row.get("sensitive_info")),
            row.get("exclusivity") == "exclusive",
        ]
        unknown = any(_missing(row.get(t)) for t in ("board_seats", "observer_seat", "control_rights"))
        if any(channels):
            return (*beta, 0.0, 0.0, e_high, "no votes, other channels of influence: silent to proportional")
        if unknown:
            return (*beta, 0.0, 0.0, e_high, "no votes, governance terms not published: silent to proportional")
        return (*beta, 0.0, 0.0, 0.0, "silent")
    if stated:
        return (*beta, vote, vote, vote, "proportional to votes")
    return (*beta, e_low, e, e_high, "proportional (votes = equity)")
