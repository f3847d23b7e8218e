"""Shares of AI compute and their HHI range on hand-built holdings."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.flows import compute as m
from marketpower.flows import compute_share as cs
from marketpower.measures.concentration import hhi_box_range


def holding(
    holder: str,
    period: str,
    h100e: float,
    low: float | None = None,
    high: float | None = None,
    country: str | None = "US",
    status: str = "installed",
) -> dict[str, object]:
    return {
        "holder": holder,
        "country": country,
        "period": period,
        "status": status,
        "h100e": h100e,
        "h100e_low": low,
        "h100e_high": high,
        "source": "hand",
    }


@pytest.fixture
def holdings() -> pd.DataFrame:
    return pd.DataFrame(
        [
            holding("a", "2025Q1", 50, 40, 60),
            holding("b", "2025Q1", 30, country="CN"),
            holding("a", "2025Q2", 50),
            holding("b", "2025Q2", 30, country="CN"),
            holding("others", "2025Q2", 20, country=None),
            holding("c", "2025Q2", 100, status="announced"),
        ]
    )


def test_shares_and_hhi_by_hand(holdings: pd.DataFrame) -> None:
    table = cs.compute_shares(holdings, statuses=("installed",))
    q1 = table[table["period"] == "2025Q1"].set_index("holder")
    assert q1.loc["a", "share"] == pytest.approx(50 / 80)
    # a's share range: 40 / (40 + 30) to 60 / (60 + 30)
    assert (q1.loc["a", "share_low"], q1.loc["a", "share_high"]) == pytest.approx((40 / 70, 60 / 90))
    assert (q1.loc["b", "share_low"], q1.loc["b", "share_high"]) == pytest.approx((30 / 90, 30 / 70))
    q2 = table[table["period"] == "2025Q2"].set_index("holder")
    assert q2.loc["a", "share_change"] == pytest.approx(0.5 - 0.625)

    hhi = cs.concentration_by_period(holdings, statuses=("installed",)).set_index("period")
    # Q1: 10,000 × (0.625² + 0.375²) = 5,312.5; box a ∈ [40, 60]: min at a = 40 (closest to b), max at a = 60
    assert hhi.loc["2025Q1", "hhi"] == pytest.approx(5_312.5)
    assert hhi.loc["2025Q1", "hhi_low"] == pytest.approx(10_000 * ((40 / 70) ** 2 + (30 / 70) ** 2))
    assert hhi.loc["2025Q1", "hhi_high"] == pytest.approx(10_000 * ((60 / 90) ** 2 + (30 / 90) ** 2))
    # Q2: named 0.5, 0.3 and others 0.2: 3,400 fragmented, 3,800 with others as one firm
    assert hhi.loc["2025Q2", "hhi"] == pytest.approx(3_400.0)
    assert hhi.loc["2025Q2", "hhi_others_as_one"] == pytest.approx(3_800.0)
    assert (hhi.loc["2025Q2", "hhi_low"], hhi.loc["2025Q2", "hhi_high"]) == pytest.approx((3_400.0, 3_800.0))
    assert hhi.loc["2025Q2", "hhi_change"] == pytest.approx(3_400.0 - 5_312.5)
    assert hhi.loc["2025Q2", "top"] == "a" and hhi.loc["2025Q2", "others_share"] == pytest.approx(0.2)


def test_announced_compute_and_country_grouping(holdings: pd.DataFrame) -> None:
    both = cs.compute_shares(holdings).query("period == '2025Q2'").set_index("holder")
    assert both.loc["c", "share"] == pytest.approx(100 / 200)
    by_country = cs.compute_shares(holdings, by="country", statuses=("installed",))
    q2 = by_country[by_country["period"] == "2025Q2"].set_index("country")
    assert q2.loc["US", "share"] == pytest.approx(0.5) and q2.loc["unknown", "share"] == pytest.approx(0.2)


def brute_force_hhi(low: np.ndarray, high: np.ndarray, named: np.ndarray, grid: int = 21) -> tuple[float, float]:
    axes = [np.linspace(lo, hi, grid) for lo, hi in zip(low, high, strict=True)]
    values = []
    for x in itertools.product(*axes):
        v = np.array(x)
        values.append(10_000 * np.sum((v * named) ** 2) / v.sum() ** 2)
    return min(values), max(values)


@pytest.mark.parametrize("seed", range(6))
def test_hhi_bounds_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    low = rng.uniform(1, 50, 3)
    high = low + rng.uniform(0, 40, 3)
    named = np.ones(3)
    lo, hi = brute_force_hhi(low, high, named)
    # a grid only approaches the true minimum from above, so the exact minimum is at most the grid's, and close
    low_bound, high_bound = hhi_box_range(low, high)
    assert lo - 20.0 <= low_bound <= lo + 1e-9
    assert high_bound == pytest.approx(hi, rel=1e-9)


def test_hhi_min_equalises_holders_when_the_box_allows() -> None:
    # a in [10, 40], b in [20, 30]: equal holdings are reachable, so the minimum is 5,000 (two equal firms)
    assert hhi_box_range(np.array([10.0, 20.0]), np.array([40.0, 30.0]))[0] == pytest.approx(5_000.0)


def test_bad_holdings_are_refused(holdings: pd.DataFrame) -> None:
    bad = holdings.copy()
    bad.loc[0, "h100e_low"] = 70
    with pytest.raises(InvalidInputError, match="holding of a in 2025Q1"):
        cs.compute_shares(bad)
    with pytest.raises(InvalidInputError, match="group by"):
        cs.compute_shares(holdings, by="designer")


def test_holdings_from_shares_rows() -> None:
    shares = pd.DataFrame(
        [
            {
                "market_id": "ai-chips-owned",
                "entity_id": "microsoft",
                "year": 2025,
                "period": "Q4",
                "share": 0.2,
                "share_low": 0.15,
                "share_high": 0.25,
                "value": 1_000_000.0,
                "source_id": "s",
            },
            {
                "market_id": "ai-chips-owned",
                "entity_id": "others",
                "year": 2025,
                "period": "Q4",
                "share": 0.8,
                "share_low": None,
                "share_high": None,
                "value": None,
                "source_id": "s",
            },
            {
                "market_id": "foundry",
                "entity_id": "tsmc",
                "year": 2025,
                "period": None,
                "share": 0.7,
                "share_low": None,
                "share_high": None,
                "value": None,
                "source_id": "s",
            },
        ]
    )
    entities = pd.DataFrame({"id": ["microsoft", "tsmc"], "country": ["US", "TW"]})
    out = cs.holdings_from_shares(shares, entities, "ai-chips-owned").set_index("holder")
    assert list(out.index) == ["microsoft", "others"]
    assert out.loc["microsoft", "period"] == "2025Q4" and out.loc["microsoft", "country"] == "US"
    # value 1,000,000 H100e for a 0.2 share: low/high scale the same way (0.15 / 0.2 × 1e6)
    assert (
        out.loc["microsoft", "h100e_low"],
        out.loc["microsoft", "h100e"],
        out.loc["microsoft", "h100e_high"],
    ) == pytest.approx((750_000, 1_000_000, 1_250_000))
    assert out.loc["others", "h100e"] == pytest.approx(0.8)


def test_holdings_from_facilities_counts_and_power() -> None:
    hardware = pd.DataFrame(
        [
            {
                "id": "nvidia-h100",
                "model": "H100",
                "source_id": "s",
                "chip_tdp_w": 700.0,
                "system_power_w": 1275.0,
                "system_power_w_low": None,
                "system_power_w_high": None,
                "system_power_basis": "derived",
                "bf16_dense_flops": 1e15,
                "fp8_dense_flops": 2e15,
                "price_usd": None,
                "price_usd_low": None,
                "price_usd_high": None,
            },
            {
                "id": "nvidia-gb200",
                "model": "GB200",
                "source_id": "s",
                "chip_tdp_w": 1200.0,
                "system_power_w": 2000.0,
                "system_power_w_low": None,
                "system_power_w_high": None,
                "system_power_basis": "derived",
                "bf16_dense_flops": 2.5e15,
                "fp8_dense_flops": 5e15,
                "price_usd": None,
                "price_usd_low": None,
                "price_usd_high": None,
            },
        ]
    )
    params = m.ModelParams(
        {
            name: m.Assumption(name, "x", m.Range.exact(v), "s")
            for name, v in {
                "pue": 1.25,
                "load_factor": 0.75,
                "utilisation": 0.4,
                "capex_per_mw": 5e7,
                "us_electricity_twh": 4000.0,
                "us_datacenter_twh": 176.0,
            }.items()
        }
    )
    facilities = pd.DataFrame(
        [
            {
                "id": "f1",
                "owner_id": "xai",
                "country": "US",
                "status": "operational",
                "year_online": 2024,
                "accelerator_model": "H100",
                "accelerator_count": 100_000,
                "power_mw": 150.0,
                "source_id": "s",
            },
            {
                "id": "f2",
                "owner_id": "openai",
                "country": "US",
                "status": "planned",
                "year_online": 2026,
                "accelerator_model": "gb200",
                "accelerator_count": None,
                "power_mw": 1_000.0,
                "source_id": "s",
            },
            {
                "id": "f3",
                "owner_id": "meta",
                "country": "US",
                "status": "planned",
                "year_online": 2026,
                "accelerator_model": "unknown chip",
                "accelerator_count": 5,
                "power_mw": 10.0,
                "source_id": "s",
            },
        ]
    )
    out = cs.holdings_from_facilities(facilities, hardware, params)
    # f1: 100,000 H100 = 100,000 H100e (counted in 2024 and, cumulatively, 2026); f3 skipped
    assert list(out["period"]) == ["2024", "2026", "2026"]
    f2 = out[out["holder"] == "openai"].iloc[0]
    # 1,000 MW / 1.25 / 2,000 W = 400,000 GB200 × 2.5 = 1,000,000 H100e, announced
    assert f2["h100e"] == pytest.approx(1_000_000.0) and f2["status"] == "announced"
    assert out[out["holder"] == "xai"]["h100e"].tolist() == pytest.approx([100_000.0, 100_000.0])
