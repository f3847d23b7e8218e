"""Coverage of market-years: share named, major firms missing, and the leader / trend / headline withheld."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from marketpower import api
from marketpower.measures.coverage import HHI_RANGE_LIMIT, coverage_table
from marketpower.publish import briefing
from marketpower.store import Store


def _shares(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "market_id": "m",
                "entity_id": e,
                "year": y,
                "period": p,
                "series": None,
                "share": s,
                "share_low": None,
                "share_high": None,
            }
            for e, y, p, s in rows
        ]
    )


def test_named_share_and_missing_major_firms_by_hand() -> None:
    shares = _shares(
        [
            ("a", 2022, "", 0.5),
            ("b", 2022, "", 0.4),
            ("c", 2022, "", 0.1),
            ("a", 2023, "", 0.45),
            ("others", 2023, "", 0.55),
            ("a", 2026, "", 0.3),
            ("d", 2026, "", 0.7),
        ]
    )
    table = coverage_table(shares).set_index("year")
    # 2023 names only a (45%); b (40%) and c (10%, = MAJOR_SHARE) of 2022 are missing; d of 2026 is 3 years off.
    assert table.loc[2023, "named_share"] == pytest.approx(0.45, abs=1e-9)
    assert table.loc[2023, "missing_ids"] == ["b", "c"]
    assert table.loc[2023, "coverage_break"]
    assert not table.loc[2022, "coverage_break"]
    assert table.loc[2022, "named_share"] == pytest.approx(1.0, abs=1e-9)
    assert table.loc[2026, "missing_ids"] == []


def test_a_firm_absent_from_a_fully_named_snapshot_has_left() -> None:
    shares = _shares([("a", 2023, "", 0.4), ("b", 2023, "", 0.6), ("a", 2024, "", 0.95), ("others", 2024, "", 0.05)])
    table = coverage_table(shares).set_index("year")
    # b held 60% in 2023, but 2024 leaves only 5% unattributed (< MAJOR_SHARE): no room for b, no break.
    assert not table.loc[2024, "coverage_break"]


@pytest.fixture(scope="module")
def aistack() -> Store:
    return api.open_store()


def _row(table: pd.DataFrame, market_id: str, year: int) -> pd.Series:
    rows = table[(table["market_id"] == market_id) & (table["year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_hbm_2024_names_no_leader_and_gives_no_trend(aistack: Store) -> None:
    table = api.markets(aistack)
    # the shipment series (Counterpoint Q2 2024, Samsung only); issue 16 added a full revenue series for 4Q24
    shipments = table[(table["market_id"] == "hbm") & (table["year"] == 2024) & (table["series"] == "counterpoint")]
    assert len(shipments) == 1
    hbm = shipments.iloc[0]
    assert hbm["named_share"] == pytest.approx(0.41, abs=1e-9)  # only Samsung's 41% is sourced for Q2
    assert hbm["missing_ids"] == ["sk-hynix", "micron"]  # largest 2025 shares: 69% (revenue, 1Q25) and 21%
    # HHI from 41% named and 59% unattributed: 41² = 1,681 (split infinitely) to 41² + 59² = 5,162 (one firm).
    assert hbm["hhi_low"] == pytest.approx(41**2, abs=0.01)
    assert hbm["hhi_high"] == pytest.approx(41**2 + 59**2, abs=0.01)
    assert hbm["hhi_high"] - hbm["hhi_low"] > HHI_RANGE_LIMIT
    assert hbm["leader"] is None and hbm["leader_id"] is None  # was "Samsung Electronics"
    assert "SK hynix (69% in 2025)" in hbm["leader_note"]
    assert "3,481 points wide" in hbm["headline_note"]
    trend = api.trend(aistack, "hbm")
    q2_2025 = trend[(trend["year"] == 2025) & (trend["period"] == "Q2") & (trend["series"] == "counterpoint")].iloc[0]
    assert math.isnan(q2_2025["hhi_low_change"]) and math.isnan(q2_2025["hhi_high_change"])
    assert q2_2025["change_note"].startswith("2024: coverage break")


def test_briefing_does_not_headline_hbm_midpoint_rise(aistack: Store) -> None:
    changes = briefing.concentration_changes(api.Context(aistack))
    # The old headline: 4,574 − (1,681 + 5,162) / 2 = +1,152.5 points for HBM.
    assert ("hbm", 2025) not in {(c["market_id"], c["year"]) for c in changes}
    assert all(abs(c["hhi_change"] - 1152.5) > 1 for c in changes)


def test_dram_2023_and_2024_lack_micron(aistack: Store) -> None:
    table = api.markets(aistack)
    for year in (2023, 2024):
        dram = _row(table, "dram", year)
        assert dram["missing_ids"] == ["micron"]
        # Micron's largest 2025 share: Counterpoint 3Q25, 26% (issue 16 added the 2025 quarters)
        assert dram["missing_shares"] == [{"entity_id": "micron", "share": pytest.approx(0.26), "year": 2025}]
        assert dram["leader"] is None
    # 2025 has six snapshots (Counterpoint 1Q25 and 3Q25, TrendForce 1Q25-4Q25), all with Micron: no break;
    # SK hynix leads until Samsung retakes first place in 4Q25 (36% against 32.1%)
    dram_2025 = table[(table["market_id"] == "dram") & (table["year"] == 2025)]
    assert len(dram_2025) == 6 and not dram_2025["coverage_break"].any()
    leaders = dict(zip(dram_2025["period"] + "/" + dram_2025["series"], dram_2025["leader_id"], strict=True))
    assert leaders["Q1/counterpoint"] == "sk-hynix" and leaders["Q4/trendforce"] == "samsung"


def test_fully_covered_market_keeps_leader_and_trend(aistack: Store) -> None:
    table = api.markets(aistack)
    hbm_2023 = _row(table, "hbm", 2023)
    assert hbm_2023["headline_note"] == "" and hbm_2023["leader_id"] == "samsung"
    trend = api.trend(aistack, "hbm")
    change = trend[trend["year"] == 2023].iloc[0]
    # By hand: 2022 50/40/10 gives 2,500 + 1,600 + 100 = 4,200; 2023 gives 2·47.5² + 5² = 4,537.5.
    assert change["hhi_low_change"] == pytest.approx(4537.5 - 4200, abs=0.01)
    assert change["change_note"] == ""
