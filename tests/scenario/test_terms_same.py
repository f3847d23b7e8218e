"""`with_deal_terms` and `stake_weights` read their rows from records, not one `.loc` row at a time; they must
give exactly the frames of the row-by-row versions they replaced (kept here as the reference) on the bundled
stakes and deals, as of several dates, and on random subsets of them in random order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from marketpower import api
from marketpower.scenario.terms import (
    EQUITY_KINDS,
    TERMS,
    WEIGHT_COLUMNS,
    _missing,
    _weights,
    stake_weights,
    with_deal_terms,
)
from marketpower.schema.deals import effective_deals, positions_as_of, stake_point


def reference_with_deal_terms(stakes: pd.DataFrame, deals: pd.DataFrame, when: Any = None) -> pd.DataFrame:
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
    pairs = set(zip(frame["payer_id"], frame["payee_id"], strict=True))
    matched = [i for i, o, t in zip(out.index, out["owner_id"], out["target_id"], strict=True) if (o, t) in pairs]
    for idx in matched:
        row = out.loc[idx]
        pair = frame[(frame["payer_id"] == row["owner_id"]) & (frame["payee_id"] == row["target_id"])]
        for _, deal in pair.iloc[::-1].iterrows():
            filled = False
            for name in TERMS:
                if name in deal and _missing(out.at[idx, name]) and not _missing(deal[name]):
                    out.at[idx, name] = deal[name]
                    filled = True
            if filled and out.at[idx, "terms_from_deal"] is None:
                out.at[idx, "terms_from_deal"] = deal["id"]
    return out


def reference_stake_weights(stakes: pd.DataFrame) -> pd.DataFrame:
    out = stakes.copy()
    point = stake_point(out)
    low = out["equity_fraction_low"].astype(float).fillna(point)
    high = out["equity_fraction_high"].astype(float).fillna(point)
    rows = [_weights(out.loc[idx], float(point[idx]), float(low[idx]), float(high[idx])) for idx in out.index]
    weights = pd.DataFrame(rows, index=out.index, columns=list(WEIGHT_COLUMNS))
    for col in WEIGHT_COLUMNS:
        out[col] = weights[col]
    controlled = out.loc[out["control_basis"] == "control", "target_id"]
    others = out["target_id"].isin(set(controlled)) & (out["control_basis"] != "control")
    out.loc[others, ["gamma_low", "gamma", "gamma_high"]] = 0.0
    out.loc[others, "control_basis"] = "another holder controls the firm"
    return out


def assert_same_frame(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ours, ref, check_exact=False, rtol=1e-12, atol=0.0)
    for col in ref.columns:  # same Python types in object columns (True vs numpy.bool_, str vs None)
        if ref[col].dtype == object:
            assert [type(v) for v in ours[col]] == [type(v) for v in ref[col]], col


@pytest.fixture(scope="module")
def bundled() -> dict[str, pd.DataFrame]:
    store = api.open_store()
    return {"stakes": store.table("stakes"), "deals": store.table("deals")}


@pytest.mark.parametrize("when", ["2023-06-30", "2025-01-01", "2026-06-30"])
def test_bundled_terms_and_weights_same_as_row_by_row(bundled: dict[str, pd.DataFrame], when: str) -> None:
    stakes = positions_as_of(bundled["stakes"], when)
    ref = reference_with_deal_terms(stakes, bundled["deals"], when)
    ours = with_deal_terms(stakes, bundled["deals"], when)
    assert_same_frame(ours, ref)
    assert_same_frame(stake_weights(ours), reference_stake_weights(ref))


TERM_VALUES: dict[str, list[Any]] = {
    "revenue_share": [0.0, 0.2, 0.5],
    "board_seats": [0, 1, 2],
    "observer_seat": [True, False],
    "control_rights": ["none", "consultation", "veto", "control"],
    "exclusivity": ["exclusive", "preferred", "none"],
    "spend_back": [True, False],
    "sensitive_info": [True, False],
}


def scrambled_terms(frame: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    """``frame`` with about ``share`` of each term cell set to a random value and as many blanked."""
    out = frame.copy()
    for name, values in TERM_VALUES.items():
        column = out[name].astype(object)
        draw = rng.random(len(out))
        column[draw < share] = [values[int(k)] for k in rng.integers(0, len(values), int((draw < share).sum()))]
        column[draw > 1 - share] = None
        out[name] = column.astype(frame[name].dtype)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_random_terms_same_as_row_by_row(bundled: dict[str, pd.DataFrame], seed: int) -> None:
    """Random subsets of the bundled stakes in random order, the deals' and stakes' terms scrambled so that
    many stakes fill terms from one or more deals."""
    rng = np.random.default_rng(seed)
    stakes = positions_as_of(bundled["stakes"], "2026-06-30")
    stakes = stakes.iloc[rng.permutation(len(stakes))[: int(rng.integers(5, len(stakes)))]]
    stakes = scrambled_terms(stakes, rng, 0.3)
    deals = bundled["deals"].iloc[rng.permutation(len(bundled["deals"]))]
    deals = scrambled_terms(deals[rng.random(len(deals)) < 0.8], rng, 0.4)
    ref = reference_with_deal_terms(stakes, deals)
    assert ref["terms_from_deal"].notna().sum() > 0
    ours = with_deal_terms(stakes, deals)
    assert_same_frame(ours, ref)
    assert_same_frame(stake_weights(ours), reference_stake_weights(ref))
