"""Epoch AI data-hub reader: every number and date checked, on slices of the real export."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from marketpower.errors import DataPackageError
from marketpower.ingest.epoch_hub import read_epoch_data_centers

HEADER = "Handle,Title,Address,Owner,Users,Current power (MW)\n"


@pytest.fixture
def hub(shared_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "hub"
    folder.mkdir()
    for name in ("data_centers.csv", "data_center_timelines.csv"):
        shutil.copy(shared_dir / "data" / "epoch-data-hub-2025-12" / name, folder / name)
    return folder


def _set_cell(path: Path, line: int, column: str, value: str) -> None:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize("value", ["-5", "NaN", "", "abc", "inf", "1e3"])
def test_a_current_power_that_is_not_a_non_negative_number_is_located(hub: Path, value: str) -> None:
    _set_cell(hub / "data_centers.csv", 12, "Current power (MW)", value)  # the Stargate Abilene row (295 MW)
    with pytest.raises(DataPackageError) as caught:
        read_epoch_data_centers(hub, date(2025, 12, 1))
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.field) == ("data_centers.csv", 12, "Current power (MW)")
    assert problem.message == f"{value!r} is not a non-negative number of MW"


def test_zero_power_is_not_operational(hub: Path) -> None:
    _set_cell(hub / "data_centers.csv", 12, "Current power (MW)", "0")
    site = read_epoch_data_centers(hub, date(2025, 12, 1)).set_index("id").loc["openai-oracle-stargate-abilene-texas"]
    assert site["status"] == "under_construction" and pd.isna(site["power_mw"])


def test_timeline_power_dates_and_sites_are_checked(hub: Path) -> None:
    path = hub / "data_center_timelines.csv"
    _set_cell(path, 2, "Power (MW)", "-5")
    _set_cell(path, 3, "Date", "2/30/2024")
    _set_cell(path, 4, "Data center", "Nowhere")
    with pytest.raises(DataPackageError) as caught:
        read_epoch_data_centers(hub, date(2025, 12, 1))
    found = sorted((p.line, p.field) for p in caught.value.problems)
    assert found == [(2, "Power (MW)"), (3, "Date"), (4, "Data center")]


def test_empty_and_header_only_files_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "data_centers.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataPackageError, match="empty file"):
        read_epoch_data_centers(tmp_path)
    (tmp_path / "data_centers.csv").write_text(HEADER, encoding="utf-8")
    with pytest.raises(DataPackageError, match="no data rows under the header"):
        read_epoch_data_centers(tmp_path)


def test_repeated_and_empty_handles(tmp_path: Path) -> None:
    (tmp_path / "data_centers.csv").write_text(
        HEADER + "Site A,A,Texas,,,10\nsite a,A2,Texas,,,20\n,B,Texas,,,5\n", encoding="utf-8"
    )
    with pytest.raises(DataPackageError) as caught:
        read_epoch_data_centers(tmp_path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "Handle"), (4, "Handle")]
