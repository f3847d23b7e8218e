"""Corrections from the fact check of the bundled data (issue 16): each one guarded against coming back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "datasets" / "aistack" / "data"


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def _row(name: str, key: str, value: str) -> pd.Series:
    frame = _csv(name)
    rows = frame[frame[key] == value]
    assert len(rows) == 1, f"{name}.csv: expected one row with {key}={value}"
    return rows.iloc[0]


def test_nvidia_nscale_is_dated_to_the_september_2025_announcement() -> None:
    deal = _row("deals", "id", "nvidia-nscale-2025")
    assert deal["announced"] == "2025-09-17"  # Huang in London, 17 September 2025 (reported 17-18 September)
    assert "£500M" in deal["note"]
    assert deal["amount_usd"] == pytest.approx(700e6, rel=0.05)  # £500M at the reported conversion
    source = _row("sources", "id", deal["source_id"])
    assert source["published"] in {"2025-09-17", "2025-09-18"}


def test_mi355x_fp8_is_its_own_figure_not_the_mi350x() -> None:
    mi355x, mi350x = _row("hardware", "id", "amd-mi355x"), _row("hardware", "id", "amd-mi350x")
    assert mi350x["fp8_dense_flops"] == pytest.approx(4.6e15, rel=1e-3)
    # AMD: about 5 PFLOPS dense FP8, a quarter of its 20.1 PFLOPS sparse FP4 peak
    assert mi355x["fp8_dense_flops"] == pytest.approx(20.1e15 / 4, rel=0.02)
    assert mi355x["fp8_dense_flops"] > mi350x["fp8_dense_flops"]


def test_tpu_v4_power_is_googles_stated_maximum_and_says_so() -> None:
    tpu = _row("hardware", "id", "google-tpu-v4")
    assert tpu["chip_tdp_w"] == pytest.approx(192)
    assert "maximum" in tpu["note"] and "170 W" in tpu["note"] and "mean" in tpu["note"]


def test_denton_site_owner_and_power() -> None:
    site = _row("facilities", "id", "coreweave-denton-texas")
    assert site["owner_id"] == "core-scientific"
    assert site["power_mw"] == pytest.approx(394)  # Core Scientific's access to power after November 2024
    assert site["main_tenant_id"] == "coreweave"


def test_shackelford_campus_is_developed_by_vantage() -> None:
    site = _row("facilities", "id", "oracle-vantage-frontier-shackelford")
    assert site["owner_id"] == "vantage" and site["operator_id"] == "vantage"
    assert site["main_tenant_id"] == "oracle"
    assert site["power_mw"] == pytest.approx(1400)


def test_meta_super_pac_money_is_counted_once() -> None:
    money = _csv("committee_money")
    meta = money[money["committee_id"].isin(["atep", "meta-california"])]
    receipts = meta[meta["kind"] == "receipts"]["amount_usd"].sum()
    assert receipts == pytest.approx(65e6)  # $45M to ATEP + $20M to META California, from filings
    # the "initial 2026 budget" of $65M is the same money: no second amount is stored
    budget = meta[(meta["scope"] == "network") & (meta["kind"] == "commitment")]
    assert len(budget) == 1 and budget["amount_usd"].isna().all()
    assert (budget["qualifier"] == "unquantified").all()
    assert meta["amount_usd"].where(meta["kind"].isin(["receipts", "commitment"])).sum() == pytest.approx(65e6)


def test_multistate_2024_count_is_stored_once_and_says_what_it_counts() -> None:
    counts = _csv("bill_counts")
    rows = counts[(counts["tracker"] == "multistate") & (counts["year"] == 2024)]
    assert len(rows) == 1
    assert rows.iloc[0]["introduced"] == 600 and rows.iloc[0]["introduced_qualifier"] == "more_than"
    assert "congressional bills are not included" in rows.iloc[0]["note"]


def test_undated_sources_do_not_pass_their_access_date_as_a_publication_date() -> None:
    sources = _csv("sources")
    read_that_day = sources[sources["published"] == sources["accessed"]]
    assert not read_that_day.empty
    assert read_that_day["date_basis"].notna().all(), list(read_that_day[read_that_day["date_basis"].isna()]["id"])
    assert set(read_that_day["date_basis"]) <= {"as-of", "not-before", "inferred"}


def test_headline_figures_are_used_by_a_row() -> None:
    deals = _csv("deals")
    pledge = deals[deals["id"] == "stargate-pledge-2025"].iloc[0]
    assert pledge["source_id"] == "deals-livemint-stargate-2025"
    assert pledge["amount_usd_high"] == pytest.approx(500e9) and pd.isna(pledge["amount_usd"])  # a pledge, "up to"
    assert pledge["status"] == "announced"


def test_no_mirror_or_staging_copies() -> None:
    urls = _csv("sources")["url"]
    assert not urls.str.contains(r"\.pages\.dev/|//ic-staging\.|//staging\.", regex=True).any(), list(
        urls[urls.str.contains(r"\.pages\.dev/|staging\.", regex=True)]
    )
