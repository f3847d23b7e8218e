"""Bad deals and stakes rows give a DataPackageError naming the file, line and field of every problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from deals_package import mini_package

from marketpower.errors import DataPackageError, Problem
from marketpower.ingest.datapackage import read_package
from marketpower.schema.deals import check_deals, effective_deals, positions_as_of

GOOD_DEAL = "d1,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s1,\n"
GOOD_STAKE = "a,b,2025-01-01,common,0.5,,,,s1,\n"


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(DataPackageError) as caught:
        read_package(folder)
    return caught.value.problems


def located(problems: list[Problem]) -> set[tuple[str, int | None, str | None]]:
    return {(Path(p.file).name, p.line, p.field) for p in problems}


def test_a_good_mini_package_reads(tmp_path: Path) -> None:
    package = read_package(mini_package(tmp_path, GOOD_DEAL, GOOD_STAKE))
    assert len(package.tables["deals"]) == 1 and len(package.tables["stakes"]) == 1


def test_unknown_party_is_named(tmp_path: Path) -> None:
    deals = GOOD_DEAL + "d2,2025-01-03,chip_purchase,a,zzz,5,,,,,,announced,,,s1,\n"
    assert ("deals.csv", 3, "payee_id") in located(problems_of(mini_package(tmp_path, deals)))


def test_negative_amounts_are_named(tmp_path: Path) -> None:
    deals = GOOD_DEAL + "d2,2025-01-03,chip_purchase,a,b,-5,,-1,,,,announced,,,s1,\n"
    found = located(problems_of(mini_package(tmp_path, deals)))
    assert {("deals.csv", 3, "amount_usd"), ("deals.csv", 3, "amount_usd_high")} <= found


def test_amount_range_out_of_order_is_named(tmp_path: Path) -> None:
    deals = "d1,2025-01-02,loan,a,b,100,200,,,,,announced,,,s1,\n"
    assert ("deals.csv", 2, "amount_usd_low") in located(problems_of(mini_package(tmp_path, deals)))


def test_revision_of_a_missing_deal_is_named(tmp_path: Path) -> None:
    deals = GOOD_DEAL + "d2,2025-02-01,equity_investment,a,b,50,,,,,,revised,nope,,s1,\n"
    assert ("deals.csv", 3, "supersedes") in located(problems_of(mini_package(tmp_path, deals)))


def test_stakes_above_100_percent_are_named(tmp_path: Path) -> None:
    stakes = GOOD_STAKE + "c,b,2025-03-01,preferred,0.6,,,,s1,\n"
    problems = problems_of(mini_package(tmp_path, GOOD_DEAL, stakes))
    assert ("stakes.csv", 3, "equity_fraction") in located(problems)
    assert any("110.0%" in p.message for p in problems)


def test_a_reduced_stake_recorded_as_a_new_row_is_fine(tmp_path: Path) -> None:
    stakes = GOOD_STAKE + "a,b,2025-02-01,common,0.2,,,,s1,\nc,b,2025-03-01,preferred,0.6,,,,s1,\n"
    read_package(mini_package(tmp_path, GOOD_DEAL, stakes))


def test_future_dates_are_named() -> None:
    deals = pd.DataFrame(
        {
            "id": ["d1"],
            "announced": ["2031-01-01"],
            "status": ["announced"],
            "supersedes": [None],
            "amount_usd": [1.0],
            "amount_usd_low": [None],
            "amount_usd_high": [None],
        }
    )
    stakes = pd.DataFrame(
        {
            "owner_id": ["a"],
            "target_id": ["b"],
            "as_of": ["2030-06-01"],
            "instrument": ["common"],
            "equity_fraction": [0.1],
            "equity_fraction_low": [None],
            "equity_fraction_high": [None],
        }
    )
    found = located(check_deals({"deals": deals, "stakes": stakes}, today=date(2026, 11, 26)))
    assert found == {("deals.csv", 2, "announced"), ("stakes.csv", 2, "as_of")}


def test_all_problems_of_a_file_are_reported_at_once(tmp_path: Path) -> None:
    deals = (
        "d1,2025-01-02,equity_investment,a,b,-1,,,,,,announced,,,s1,\n"
        "d2,2025-01-03,chip_purchase,a,b,5,9,,,,,announced,,,s1,\n"
    )
    assert located(problems_of(mini_package(tmp_path, deals))) == {
        ("deals.csv", 2, "amount_usd"),
        ("deals.csv", 3, "amount_usd_low"),
    }


def test_effective_deals_drop_revised_and_cancelled() -> None:
    deals = pd.DataFrame(
        {"id": ["x", "y", "z"], "supersedes": [None, "x", None], "status": ["announced", "closed", "cancelled"]}
    )
    assert effective_deals(deals)["id"].tolist() == ["y"]


def test_positions_as_of_takes_each_owners_latest_rows() -> None:
    stakes = pd.DataFrame(
        {
            "owner_id": ["a", "a", "c"],
            "target_id": ["b", "b", "b"],
            "as_of": ["2024-01-01", "2025-01-01", "2024-06-01"],
            "instrument": ["common"] * 3,
            "equity_fraction": [0.3, 0.2, 0.1],
        }
    )
    assert positions_as_of(stakes, "2024-12-31")["equity_fraction"].tolist() == [0.3, 0.1]
    assert positions_as_of(stakes)["equity_fraction"].tolist() == [0.2, 0.1]
