"""The bundled aistack market-share data: sourced, whole, consistent, and wide enough (issue 3 coverage)."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpower.datasets import AISTACK
from marketpower.ingest.datapackage import DataPackage, read_package
from marketpower.schema.market import OTHERS_ID


@pytest.fixture(scope="module")
def package() -> DataPackage:
    return read_package(AISTACK)


@pytest.fixture(scope="module")
def shares(package: DataPackage) -> pd.DataFrame:
    frame = package.tables["shares"]
    return frame.assign(period=frame["period"].fillna(""), series=frame["series"].fillna(""))


def test_every_market_year_sums_to_at_most_one(shares: pd.DataFrame) -> None:
    central = shares["share"].fillna(shares["share_low"]).astype(float)
    totals = central.groupby([shares.market_id, shares.year, shares.period, shares.series]).sum()
    assert totals.max() <= 1.005


def test_named_firms_plus_others_cover_the_market(shares: pd.DataFrame) -> None:
    central = shares["share"].fillna(shares["share_low"]).astype(float)
    totals = central.groupby([shares.market_id, shares.year, shares.period, shares.series]).sum()
    # published rounding leaves at most 1.5 points unaccounted; anything larger must be an explicit 'others' row
    assert totals.min() >= 0.985, totals[totals < 0.985]


def test_every_row_has_a_known_source_and_a_basis(package: DataPackage, shares: pd.DataFrame) -> None:
    known = set(package.tables["sources"]["id"])
    assert set(shares.source_id) <= known
    assert set(shares.basis) <= {"reported", "derived"}
    derived = shares[shares.basis == "derived"]
    assert derived["note"].notna().all() and (derived["note"].str.len() > 20).all()


def test_our_sources_are_dated_and_accessed(package: DataPackage, shares: pd.DataFrame) -> None:
    sources = package.tables["sources"].set_index("id")
    ours = sources.loc[sorted(set(shares.source_id))]
    assert ours["published"].notna().all()
    assert (ours["published"].astype(str) <= "2026-11-26").all()
    assert ours.index.str.match(r"^(mkt[23]?|fin26)-").all()


def test_coverage_markets_years_entities(package: DataPackage, shares: pd.DataFrame) -> None:
    markets = package.tables["markets"]
    # issue 3: at least 12 markets, 8 of them with shares for 3+ years between 2021 and 2025
    assert len(set(shares.market_id)) >= 17
    years = shares[shares.year.between(2021, 2025)].groupby("market_id")["year"].nunique()
    assert (years >= 3).sum() >= 10
    assert len(package.tables["entities"]) >= 60
    layers = (
        "accelerators",
        "memory",
        "foundry",
        "packaging",
        "servers",
        "cloud",
        "compute-ownership",
        "foundation-models",
        "assistants",
        "gpu-cloud",
        "datacenters",
    )
    for layer in layers:
        assert layer in set(markets.layer), layer


def test_disagreeing_publishers_are_separate_series(shares: pd.DataFrame) -> None:
    cloud = shares[shares.market_id == "cloud-infrastructure"]
    assert {"synergy", "canalys"} <= set(cloud.series)
    hbm = shares[shares.market_id == "hbm"]
    assert {"trendforce", "counterpoint"} <= set(hbm.series)


def test_hand_checked_figures(shares: pd.DataFrame) -> None:
    def one(market: str, entity: str, year: int, period: str, series: str) -> float:
        hit = shares[
            (shares.market_id == market)
            & (shares.entity_id == entity)
            & (shares.year == year)
            & (shares.period == period)
            & (shares.series == series)
        ]
        assert len(hit) == 1
        return float(hit["share"].iloc[0])

    # TrendForce full-year 2025 foundry: TSMC 69.9%; remainder 1 - 0.9668
    assert one("foundry", "tsmc", 2025, "", "trendforce") == pytest.approx(0.699)
    assert one("foundry", OTHERS_ID, 2025, "", "trendforce") == pytest.approx(0.0332)
    # Canalys Q4 2023 prints 34 + 19 + 10 + 38 = 101%: others stored as the remainder 0.37
    assert one("cloud-infrastructure", OTHERS_ID, 2023, "Q4", "canalys") == pytest.approx(0.37)
    # Epoch Q4 2025: Microsoft 3,416,016 of 19,521,441 H100e
    assert one("epoch-h100e-by-owner", "microsoft", 2025, "Q4", "epoch") == pytest.approx(3416016 / 19521441, abs=1e-6)
    # neoclouds 2024: CoreWeave $1.92bn and Nebius $117.5m of revenue -> 1,920 / 2,037.5
    assert one("gpu-cloud-listed-neoclouds", "coreweave", 2024, "", "") == pytest.approx(1920 / 2037.5, abs=5e-5)
    # Omdia 2024 servers: Foxconn $29bn of $229bn
    assert one("servers-incl-odm", "foxconn", 2024, "", "omdia") == pytest.approx(29 / 229, abs=5e-5)


def test_undated_pages_are_marked_in_date_basis() -> None:
    """A source whose title says the page is undated never passes its date off as stated."""
    import csv

    from marketpower.datasets import AISTACK

    with (AISTACK / "data" / "sources.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    unmarked = [r["id"] for r in rows if "undated" in r["title"].lower() and r["date_basis"] in ("", "stated")]
    assert unmarked == []


def test_new_markets_hand_checked(shares: pd.DataFrame) -> None:
    """Accelerator compute by designer (Epoch AI, medians summed by calendar year) and data-center Ethernet
    switches (IDC 1Q26): shares and HHI worked out by hand from the published figures."""
    from marketpower.measures.concentration import hhi_range

    epoch = shares[(shares.market_id == "ai-accelerator-compute-by-designer") & (shares.year == 2025)]
    by_firm = dict(zip(epoch.entity_id, epoch.share.astype(float), strict=True))
    # 2025: Nvidia 8,919,575 + Google 2,849,533 + AMD 686,012 + Amazon 712,184 = 13,167,304 H100e
    assert by_firm["nvidia"] == pytest.approx(8919575 / 13167304, abs=5e-5)
    assert by_firm["alphabet"] == pytest.approx(2849533 / 13167304, abs=5e-5)
    assert sum(by_firm.values()) == pytest.approx(1.0, abs=1e-9)
    # stored shares: 10,000 x (0.6774^2 + 0.2164^2 + 0.0521^2 + 0.0541^2) = 5,113.41, no unattributed remainder
    low, high = hhi_range(list(by_firm.values()))
    assert low == pytest.approx(5113.41, abs=0.01) and high == pytest.approx(low, abs=1e-6)
    switches = shares[shares.market_id == "dc-ethernet-switches"]
    named = switches[switches.entity_id != OTHERS_ID].share.astype(float).tolist()
    assert sorted(named) == pytest.approx([0.207, 0.215], abs=1e-9)  # IDC: Arista 20.7%, Nvidia 21.5%
    # 10,000 x (0.215^2 + 0.207^2) = 890.74; others 0.578 as one firm adds 3,340.84 -> 4,231.58
    low, high = hhi_range(named)
    assert low == pytest.approx(890.74, abs=0.01) and high == pytest.approx(4231.58, abs=0.01)
