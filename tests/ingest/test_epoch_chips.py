"""Epoch AI chip-owner adapter, on the real files in ../shared/data/epoch-ai-chip-counts (values read by hand)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.ingest.datapackage import read_package
from marketpower.ingest.epoch_chips import MARKET_ID, ingest_epoch_chips, share_bounds
from marketpower.measures.concentration import hhi_box_range
from marketpower.schema.market import OTHERS_ID


@pytest.fixture(scope="module")
def epoch_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "epoch-ai-chip-counts"


@pytest.fixture(scope="module")
def result(epoch_dir: Path):  # type: ignore[no-untyped-def]
    return ingest_epoch_chips(epoch_dir)


def _row(result, entity: str, year: int, period: str):  # type: ignore[no-untyped-def]
    shares = result.tables["shares"]
    hit = shares[(shares.entity_id == entity) & (shares.year == year) & (shares.period == period)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_one_designer_owner_quarter_is_the_csv_median(result) -> None:  # type: ignore[no-untyped-def]
    # nvidia_owners_cumulative_totals.csv line 2: Microsoft through Q1 2022, median 14769 (5th 8717, 95th 24931)
    est = result.estimates
    ms = est[(est.owner == "Microsoft") & (est.year == 2022) & (est.period == "Q1")].iloc[0]
    assert (ms.h100e_median, ms.h100e_low, ms.h100e_high) == pytest.approx((14769, 8717, 24931))


def test_owner_total_sums_designers(result) -> None:  # type: ignore[no-untyped-def]
    # Microsoft Q1 2024: Nvidia 442128 (329789-592145) + AMD 11166 (7566-16244)
    row = _row(result, "microsoft", 2024, "Q1")
    assert row.value == pytest.approx(453294)
    est = result.estimates
    ms = est[(est.owner == "Microsoft") & (est.year == 2024) & (est.period == "Q1")].iloc[0]
    assert (ms.h100e_low, ms.h100e_high) == pytest.approx((337355, 608389))


def test_q4_2025_shares_and_named_other_owner(result) -> None:  # type: ignore[no-untyped-def]
    # Q4 2025 total of medians: 19,521,441 H100e; Microsoft = Nvidia 3151494 + AMD 264522 = 3416016
    ms = _row(result, "microsoft", 2025, "Q4")
    assert ms.share == pytest.approx(3416016 / 19521441, abs=1e-6)
    assert ms.share_low < ms.share < ms.share_high
    # xAI comes from data_inputs/named_other_owners_cumulative_totals.csv ("Colossus 1+2 2025", 553714)
    assert _row(result, "xai", 2025, "Q4").value == pytest.approx(553714)
    assert _row(result, OTHERS_ID, 2025, "Q4").basis == "derived"
    shares = result.tables["shares"]
    quarter = shares[(shares.year == 2025) & (shares.period == "Q4")]
    assert quarter.share.sum() == pytest.approx(1.0, abs=1e-5)
    assert set(quarter.market_id) == {MARKET_ID}


def test_missing_owner_is_flagged_not_guessed(result) -> None:  # type: ignore[no-untyped-def]
    # xAI has estimates for Q4 2024 and Q4 2025 only: in Q1 2025 it is missing and the Other row says so
    note = _row(result, OTHERS_ID, 2025, "Q1").note
    assert "xAI" in note and "total is low" in note
    summary = result.summary.set_index(["year", "period"])
    assert summary.loc[(2025, "Q1"), "owners_missing"] == "xAI"
    assert bool(summary.loc[(2026, "Q1"), "incomplete"])


def test_hhi_range_contains_the_median_hhi(result) -> None:  # type: ignore[no-untyped-def]
    for _, q in result.summary.iterrows():
        assert q.hhi_min <= q.hhi_median_low <= q.hhi_median_high <= q.hhi_max


def test_hhi_box_range_by_hand() -> None:
    # two owners, each in [1, 3]: equal split gives the minimum 5,000; the corner (3, 1) the maximum
    # 10,000 * (9 + 1) / 16 = 6,250
    low, high = hhi_box_range([1.0, 1.0], [3.0, 3.0])
    assert low == pytest.approx(5000.0)
    assert high == pytest.approx(6250.0)
    # a remainder of unknown owners in [0, 4]: minimum when it is largest and split infinitely:
    # x = (1, 1) .. t = 2/6 < 1 so x = (1, 1), HHI = 10,000 * 2 / 36 = 555.6; maximum counts it as one owner:
    # corners (1, 1, 4): 18/36 = 5,000; (3, 3, 0): 5,000; (3, 1, 4): 26/64 = 4,062.5; (3, 1, 0): 10/16 = 6,250
    low, high = hhi_box_range([1.0, 1.0], [3.0, 3.0], 0.0, 4.0)
    assert low == pytest.approx(10_000 * 2 / 36)
    assert high == pytest.approx(6250.0)


def test_share_bounds_by_hand() -> None:
    s_low, s_high = share_bounds(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert s_low.tolist() == pytest.approx([1 / 5, 2 / 5])
    assert s_high.tolist() == pytest.approx([3 / 5, 4 / 5])


def test_missing_column_and_bad_value_are_located(epoch_dir: Path, tmp_path: Path) -> None:
    owners = tmp_path / "owners_csv_export"
    owners.mkdir()
    source = epoch_dir / "owners_csv_export" / "tpu_owners_cumulative_totals.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",123735,", ",lots,")
    (owners / "tpu_owners_cumulative_totals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = lines[0].replace("H100e (95th percentile)", "H100e (p95)")
    (owners / "amd_owners_cumulative_totals.csv").write_text(header + "\n" + lines[1] + "\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        ingest_epoch_chips(tmp_path)
    found = {(Path(p.file).name, p.line, p.field) for p in caught.value.problems}
    assert ("amd_owners_cumulative_totals.csv", 1, "H100e (95th percentile)") in found
    assert ("tpu_owners_cumulative_totals.csv", 4, "Compute estimate in H100e (median)") in found


def test_not_a_download(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"no '\*cumulative_totals\.csv' files"):
        ingest_epoch_chips(tmp_path)


def test_cli_writes_a_valid_package(cli, epoch_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "pkg"
    res = cli("ingest", "epoch-chips", str(epoch_dir), "--out", str(out), "--json")
    assert res.code == 0, res.err
    package = read_package(out)
    assert set(package.tables["shares"]["market_id"]) == {MARKET_ID}
    shutil.rmtree(out)


def _median_sum(path: Path, end: str) -> float:
    """Sum of the median column over the rows of ``path`` ending on ``end`` (read with the csv module)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return sum(
            float(r["Compute estimate in H100e (median)"]) for r in csv.DictReader(handle) if r["End date"] == end
        )


def test_a_missing_vendor_file_is_refused_or_marked_incomplete(epoch_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "epoch"
    shutil.copytree(epoch_dir, folder)
    amd = folder / "owners_csv_export" / "amd_owners_cumulative_totals.csv"
    amd_q4 = _median_sum(amd, "12/31/2025")
    amd.unlink()
    with pytest.raises(DataPackageError) as caught:
        ingest_epoch_chips(folder)
    [problem] = caught.value.problems
    assert "no file owners_csv_export/amd_owners_cumulative_totals.csv" in problem.message
    result = ingest_epoch_chips(folder, allow_missing_files=True)
    assert result.missing == ["file owners_csv_export/amd_owners_cumulative_totals.csv"]
    assert result.summary["incomplete"].all()
    quarter = result.summary.set_index(["year", "period"]).loc[(2025, "Q4")]
    assert quarter.total_h100e == pytest.approx(19_521_441 - amd_q4, abs=0.5)
    assert 1 - quarter.total_h100e / 19_521_441 == pytest.approx(amd_q4 / 19_521_441)  # the share the file held
    assert "amd_owners_cumulative_totals.csv" in quarter.incomplete_reasons
    assert "the download lacks" in _row(result, "microsoft", 2025, "Q4").note


def test_an_owner_subtracted_from_other_without_a_row_is_missing(epoch_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "epoch"
    shutil.copytree(epoch_dir, folder)
    shutil.rmtree(folder / "owners_csv_export" / "coreweave")
    with pytest.raises(DataPackageError, match="no owner CoreWeave"):
        ingest_epoch_chips(folder)


def test_a_series_that_stops_marks_the_quarter_incomplete(epoch_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "epoch"
    shutil.copytree(epoch_dir, folder)
    amd = folder / "owners_csv_export" / "amd_owners_cumulative_totals.csv"
    lines = amd.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("Microsoft cumulative AMD through Q2 2025")]
    assert len(kept) == len(lines) - 1
    amd.write_text("".join(kept), encoding="utf-8")
    summary = ingest_epoch_chips(folder).summary.set_index(["year", "period"])
    assert summary.loc[(2025, "Q2"), "series_missing"] == "Microsoft (AMD)"
    assert bool(summary.loc[(2025, "Q2"), "incomplete"])
    assert not bool(summary.loc[(2025, "Q4"), "incomplete"])  # Q3 lacks xAI (lumpy series), Q4 is whole


@pytest.mark.parametrize("value", ["-5", "NaN", "inf", "1_000", ""])
def test_a_bad_number_is_located(epoch_dir: Path, tmp_path: Path, value: str) -> None:
    owners = tmp_path / "owners_csv_export"
    owners.mkdir()
    source = epoch_dir / "owners_csv_export" / "tpu_owners_cumulative_totals.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",72128,", f",{value},")
    (owners / "tpu_owners_cumulative_totals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        ingest_epoch_chips(tmp_path)
    located = [(p.line, p.field) for p in caught.value.problems if p.line is not None]
    assert located == [(3, "Compute estimate in H100e (median)")]


def test_empty_header_only_short_rows_and_dates(epoch_dir: Path, tmp_path: Path) -> None:
    owners = tmp_path / "owners_csv_export"
    owners.mkdir()
    source = (epoch_dir / "owners_csv_export" / "tpu_owners_cumulative_totals.csv").read_text(encoding="utf-8")
    header, first, second = source.splitlines()[:3]
    (owners / "amd_owners_cumulative_totals.csv").write_text("", encoding="utf-8")
    (owners / "nvidia_owners_cumulative_totals.csv").write_text(header + "\n" + first[:40] + "\n", encoding="utf-8")
    (owners / "tpu_owners_cumulative_totals.csv").write_text(
        header + "\n" + second.replace("6/30/2023", "6/15/2023") + "\n", encoding="utf-8"
    )
    with pytest.raises(DataPackageError) as caught:
        ingest_epoch_chips(tmp_path)
    found = {(Path(p.file).name, p.line, p.field) for p in caught.value.problems}
    assert found == {
        ("amd_owners_cumulative_totals.csv", 1, None),  # empty file
        ("nvidia_owners_cumulative_totals.csv", 2, None),  # fewer fields than the header
        ("tpu_owners_cumulative_totals.csv", 2, "End date"),  # not the last day of a quarter
    }
    (owners / "amd_owners_cumulative_totals.csv").write_text(header + "\n", encoding="utf-8")
    (owners / "nvidia_owners_cumulative_totals.csv").unlink()
    (owners / "tpu_owners_cumulative_totals.csv").write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="hold no rows"):
        ingest_epoch_chips(tmp_path)


def test_cli_refuses_an_incomplete_download_unless_allowed(cli, epoch_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "epoch"
    shutil.copytree(epoch_dir, folder)
    (folder / "owners_csv_export" / "trainium_owners_cumulative_totals.csv").unlink()
    refused = cli("ingest", "epoch-chips", str(folder), "--out", str(tmp_path / "pkg"))
    assert refused.code != 0 and "trainium_owners_cumulative_totals.csv" in refused.err
    assert not (tmp_path / "pkg").exists()
    allowed = cli("ingest", "epoch-chips", str(folder), "--allow-missing-files", "--json")
    assert allowed.code == 0, allowed.err
    assert json.loads(allowed.out)["missing"] == ["file owners_csv_export/trainium_owners_cumulative_totals.csv"]
