"""`ingest epoch-hub`: Epoch AI's data-centre export read into facilities rows, and clean errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from marketpower.errors import DataPackageError
from marketpower.ingest.epoch_hub import read_epoch_data_centers


def test_reads_the_shared_export(shared_dir: Path) -> None:
    rows = read_epoch_data_centers(shared_dir / "data" / "epoch-data-hub-2025-12", date(2025, 12, 1))
    assert len(rows) == 16
    site = rows.set_index("id").loc["openai-oracle-stargate-abilene-texas"]
    assert (site["owner_id"], site["main_tenant_id"], site["country"]) == ("oracle", "openai", "US")
    assert (site["power_mw"], site["status"]) == (295.0, "operational")
    uae = rows.set_index("id").loc["openai-oracle-stargate-abu-dhabi"]
    assert (uae["country"], uae["status"], uae["owner_id"]) == ("AE", "under_construction", "g42")
    # a speculative user is noted, not made the tenant
    assert pd.isna(rows.set_index("id").loc["amazon-canton-mississippi"]["main_tenant_id"])


def test_missing_file_and_columns_are_reported(tmp_path: Path) -> None:
    with pytest.raises(DataPackageError, match=r"data_centers\.csv"):
        read_epoch_data_centers(tmp_path)
    (tmp_path / "data_centers.csv").write_text("Handle,Title\nx,X\n")
    with pytest.raises(DataPackageError) as caught:
        read_epoch_data_centers(tmp_path)
    assert {p.field for p in caught.value.problems} == {"Address", "Owner", "Users", "Current power (MW)"}


def test_unknown_country_is_named(tmp_path: Path) -> None:
    (tmp_path / "data_centers.csv").write_text(
        "Handle,Title,Address,Owner,Users,Current power (MW)\nx,X,Somewhere,,,12\n"
    )
    with pytest.raises(DataPackageError) as caught:
        read_epoch_data_centers(tmp_path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "Address")]
