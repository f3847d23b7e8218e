"""`api.screen_snapshot`: which snapshot of a market a merger is screened in, on the hand-made mini package
(widgets 2023: alpha 0.4, beta 0.3, gamma 0.2, delta 0.1; widgets 2024: alpha 0.5, beta 0.3, gamma 0.2)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from marketpower import api
from marketpower.errors import InvalidInputError
from marketpower.measures.guidelines import screen_merger


@pytest.fixture(scope="module")
def shares(mini_package: Path) -> pd.DataFrame:
    return api.open_store(mini_package).table("shares")


def delta_hhi(rows: pd.DataFrame, a: str, b: str) -> float:
    ids = list(rows["entity_id"])
    return screen_merger(rows["share"].to_numpy(dtype=np.float64), [ids.index(a), ids.index(b)]).delta_hhi


def test_latest_year_where_both_firms_have_a_point_share(shares: pd.DataFrame) -> None:
    rows, meta = api.screen_snapshot(shares, "widgets", ["alpha", "beta"])
    assert meta == {"market_id": "widgets", "year": 2024, "period": None, "series": None, "source_ids": ["src-a"]}
    assert dict(zip(rows["entity_id"], rows["share"], strict=True)) == {"alpha": 0.5, "beta": 0.3, "gamma": 0.2}
    assert delta_hhi(rows, "alpha", "beta") == pytest.approx(2 * 0.5 * 0.3 * 10_000)  # 3,000
    # delta has no share in 2024: the screen falls back to 2023, ΔHHI = 2 · 0.4 · 0.1 · 10,000 = 800
    rows, meta = api.screen_snapshot(shares, "widgets", ["alpha", "delta"])
    assert meta["year"] == 2023 and len(rows) == 4
    assert delta_hhi(rows, "alpha", "delta") == pytest.approx(800)


def test_clear_errors(shares: pd.DataFrame) -> None:
    with pytest.raises(InvalidInputError, match="each of alpha, delta"):
        api.screen_snapshot(shares, "widgets", ["alpha", "delta"], year=2024)
    with pytest.raises(InvalidInputError, match="market 'nope' has no shares"):
        api.screen_snapshot(shares, "nope", ["alpha", "beta"])
    with pytest.raises(InvalidInputError, match="no shares for that snapshot"):
        api.screen_snapshot(shares, "widgets", ["alpha", "beta"], year=2030)


def test_several_series_and_share_ranges(shares: pd.DataFrame) -> None:
    widgets = shares[shares["market_id"] == "widgets"]
    alt = widgets[widgets["year"] == 2024].assign(series="alt", share=[0.6, 0.2, 0.2])
    both = pd.concat([widgets, alt], ignore_index=True)
    with pytest.raises(InvalidInputError, match="several series"):
        api.screen_snapshot(both, "widgets", ["alpha", "beta"])
    rows, meta = api.screen_snapshot(both, "widgets", ["alpha", "beta"], series="alt")
    assert meta["series"] == "alt" and delta_hhi(rows, "alpha", "beta") == pytest.approx(2 * 0.6 * 0.2 * 10_000)
    # beta only has a range in 2024: merging alpha + beta falls back to 2023 (ΔHHI = 2 · 0.4 · 0.3 · 10,000);
    # merging alpha + gamma stays in 2024, where beta's range leaves no point shares to screen on
    ranged = widgets.copy()
    in_2024 = (ranged["year"] == 2024) & (ranged["entity_id"] == "beta")
    ranged.loc[in_2024, ["share", "share_low", "share_high"]] = [np.nan, 0.25, 0.35]
    rows, meta = api.screen_snapshot(ranged, "widgets", ["alpha", "beta"])
    assert meta["year"] == 2023 and delta_hhi(rows, "alpha", "beta") == pytest.approx(2_400)
    with pytest.raises(InvalidInputError, match="only a share range is published for beta"):
        api.screen_snapshot(ranged, "widgets", ["alpha", "gamma"])
