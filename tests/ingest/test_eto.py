"""CSET ETO chip-explorer adapter, on the real files in ../shared/data/eto-chip-explorer (values read by hand)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from marketpower.errors import DataPackageError
from marketpower.ingest.datapackage import read_package
from marketpower.ingest.eto import parse_eto
from marketpower.schema.market import OTHERS_ID


@pytest.fixture(scope="module")
def eto_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "eto-chip-explorer"


@pytest.fixture(scope="module")
def shares(eto_dir: Path) -> pd.DataFrame:
    return parse_eto(eto_dir).shares


def _market(shares: pd.DataFrame, market_id: str) -> pd.DataFrame:
    return shares[shares.market_id == market_id].set_index("entity_id")


def test_firms_and_countries_are_separate_markets(shares: pd.DataFrame) -> None:
    # N101 has firm rows and country rows in provision.csv; each partition is its own market
    assert {"eto-n101-firms"} <= set(shares.market_id)
    countries = _market(shares, "eto-n103-countries")
    firms = _market(shares, "eto-n103-firms")
    assert all(e.startswith("country-") for e in countries.index if e != OTHERS_ID)
    assert not any(e.startswith("country-") for e in firms.index)


def test_rounding_above_100_is_rescaled(shares: pd.DataFrame) -> None:
    # EDA software by country (N84, 2019): USA 96, JPN 3, CHN 1, GBR 1, ISR 1 -> 102%; each is divided by 1.02
    eda = _market(shares, "eto-n84-countries")
    assert eda.loc["country-us", "share"] == pytest.approx(96 / 102, abs=1e-6)
    assert eda.loc["country-jp", "share"] == pytest.approx(3 / 102, abs=1e-6)
    assert set(eda.basis) == {"derived"}
    assert eda.share.sum() == pytest.approx(1.0, abs=1e-5)
    assert "102.0%" in eda.loc["country-us", "note"]


def test_reported_shares_stay_reported(shares: pd.DataFrame) -> None:
    # Design tools by country N33: JPN 53, TWN 7, USA 40 (sum 100): reported as printed
    n33 = _market(shares, "eto-n33-countries")
    assert n33.loc["country-jp", "share"] == pytest.approx(0.53)
    assert n33.loc["country-jp", "basis"] == "reported"


def test_presence_without_share_is_kept_as_a_range_not_zero(shares: pd.DataFrame) -> None:
    # N33 lists CHN and KOR without a share; the three published whole-percent shares leave 0% + 3 x 0.5 point
    n33 = _market(shares, "eto-n33-countries")
    for country in ("country-cn", "country-kr"):
        assert pd.isna(n33.loc[country, "share"])
        assert n33.loc[country, "share_low"] == pytest.approx(0)
        assert n33.loc[country, "share_high"] == pytest.approx(0.015)
    # EDA firms (N84): Synopsys, Cadence, ... all listed without shares: presence rows, the market is 'others'
    eda_firms = _market(shares, "eto-n84-firms")
    assert pd.isna(eda_firms.loc["synopsys", "share"]) and eda_firms.loc["synopsys", "share_high"] == pytest.approx(1.0)
    assert eda_firms.loc[OTHERS_ID, "share"] == pytest.approx(1.0)


def test_various_companies_become_others(shares: pd.DataFrame) -> None:
    # Deposition tools (N65, firms) list 'Various companies' 0.1%: no entity 'various-companies' is created
    assert not shares.entity_id.str.startswith("various").any()


def test_duplicate_provider_ids_do_not_double_count(shares: pd.DataFrame) -> None:
    # providers.csv lists Canon (P159) three times (aliases); i-line lithography (N106) firms total 100.1%, not 212.5%
    n106 = _market(shares, "eto-n106-firms")
    assert n106.loc["canon", "share"] == pytest.approx(53.7 / 100.1, abs=1e-6)
    assert n106.share.sum() == pytest.approx(1.0, abs=1e-5)


def test_every_market_year_sums_to_at_most_one(shares: pd.DataFrame) -> None:
    central = shares.share.fillna(shares.share_low)
    assert central.groupby([shares.market_id, shares.year]).sum().max() <= 1.00001


def _copy(eto_dir: Path, target: Path) -> Path:
    shutil.copytree(eto_dir, target)
    return target


def test_merge_conflict_file_is_refused(eto_dir: Path, shared_dir: Path, tmp_path: Path) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    broken = shared_dir / "data" / "eto-chip-explorer-history" / "provision-2022-09-10-with-merge-conflict-markers.csv"
    shutil.copy(broken, folder / "provision.csv")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    first = caught.value.problems[0]
    assert (Path(first.file).name, first.line) == ("provision.csv", 1)
    assert "merge-conflict" in first.message


def test_bad_values_and_missing_columns_are_all_reported(eto_dir: Path, tmp_path: Path) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    provision = (folder / "provision.csv").read_text(encoding="utf-8").splitlines()
    provision[1] = provision[1].replace(",2.4,2025,", ",27%,2025,")
    provision[2] = provision[2].replace(",P313,", ",P99999,")
    (folder / "provision.csv").write_text("\n".join(provision) + "\n", encoding="utf-8")
    providers = (folder / "providers.csv").read_text(encoding="utf-8").replace("provider_type", "kind", 1)
    (folder / "providers.csv").write_text(providers, encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    assert [(Path(p.file).name, p.line, p.field) for p in caught.value.problems] == [
        ("providers.csv", 1, "provider_type")
    ]
    (folder / "providers.csv").write_text((eto_dir / "providers.csv").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    found = {(Path(p.file).name, p.line, p.field) for p in caught.value.problems}
    assert found == {("provision.csv", 2, "share_provided"), ("provision.csv", 3, "provider_id")}


def test_cli_writes_a_valid_package(cli, eto_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "pkg"
    res = cli("ingest", "eto", str(eto_dir), "--out", str(out), "--published", "2026-08-01", "--json")
    assert res.code == 0, res.err
    package = read_package(out)
    assert str(package.tables["sources"]["published"].iloc[0]) == "2026-08-01"
    assert "eto-n84-countries" in set(package.tables["markets"]["id"])
    bad = cli("ingest", "eto", str(eto_dir), "--out", str(tmp_path / "x"), "--published", "August")
    assert bad.code != 0 and "YYYY-MM-DD" in bad.err


@pytest.mark.parametrize("value", ["-5", "NaN", "inf", "1_0", "101", "2,4"])
def test_a_share_outside_0_to_100_is_located(eto_dir: Path, tmp_path: Path, value: str) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    provision = (folder / "provision.csv").read_text(encoding="utf-8").splitlines()
    provision[1] = provision[1].replace(",2.4,2025,", f',"{value}",2025,')
    (folder / "provision.csv").write_text("\n".join(provision) + "\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    assert [(Path(p.file).name, p.line, p.field) for p in caught.value.problems] == [
        ("provision.csv", 2, "share_provided")
    ]


@pytest.mark.parametrize(("year", "why"), [("²", "a Unicode digit"), ("20255", "out of range"), ("1850", "too early")])
def test_a_year_that_is_not_a_year_is_located(eto_dir: Path, tmp_path: Path, year: str, why: str) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    provision = (folder / "provision.csv").read_text(encoding="utf-8").splitlines()
    provision[1] = provision[1].replace(",2.4,2025,", f",2.4,{year},")
    (folder / "provision.csv").write_text("\n".join(provision) + "\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "year")], why


def test_empty_and_header_only_files_are_clear_errors(eto_dir: Path, tmp_path: Path) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    header = (folder / "provision.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "provision.csv").write_text(header + "\n", encoding="utf-8")
    (folder / "stages.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    assert {(Path(p.file).name, p.line, p.message.split(":")[0]) for p in caught.value.problems} == {
        ("provision.csv", 2, "no data rows under the header"),
        ("stages.csv", 1, "empty file"),
    }


def test_a_short_row_and_a_column_named_twice_are_located(eto_dir: Path, tmp_path: Path) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    provision = (folder / "provision.csv").read_text(encoding="utf-8").splitlines()
    provision[3] = "ACM Research,P313"
    (folder / "provision.csv").write_text("\n".join(provision) + "\n", encoding="utf-8")
    stages = (folder / "stages.csv").read_text(encoding="utf-8").splitlines()
    stages[0] = stages[0].replace("description", "stage_name")
    (folder / "stages.csv").write_text("\n".join(stages) + "\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    assert {(Path(p.file).name, p.line, p.field) for p in caught.value.problems} == {
        ("provision.csv", 4, None),
        ("stages.csv", 1, "stage_name"),
        ("stages.csv", 1, "description"),
    }


def test_a_refused_ingest_leaves_the_store_as_it_was(cli, eto_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    store = tmp_path / "store.duckdb"
    assert cli("ingest", "eto", str(eto_dir), "--db", str(store), "--published", "2026-08-01").code == 0

    def snapshot() -> dict[str, list[tuple[object, ...]]]:
        con = duckdb.connect(str(store), read_only=True)
        try:
            tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
            return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
        finally:
            con.close()

    before = snapshot()
    assert any(row[0] == "eto-n84-countries" for row in before["markets"])
    folder = _copy(eto_dir, tmp_path / "eto")
    provision = (folder / "provision.csv").read_text(encoding="utf-8").replace(",2.4,2025,", ",NaN,2025,", 1)
    (folder / "provision.csv").write_text(provision, encoding="utf-8")
    refused = cli("ingest", "eto", str(folder), "--db", str(store))
    assert refused.code != 0 and "share_provided" in refused.err and "Traceback" not in refused.err
    assert snapshot() == before


def test_every_provision_row_bad_lists_them_all(eto_dir: Path, tmp_path: Path) -> None:
    folder = _copy(eto_dir, tmp_path / "eto")
    lines = (folder / "provision.csv").read_text(encoding="utf-8").splitlines()
    (folder / "provision.csv").write_text(
        "\n".join([lines[0], lines[1].replace(",P313,", ",P99999,"), lines[2].replace(",2025,", ",year,")]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DataPackageError) as caught:
        parse_eto(folder)
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "provider_id"), (3, "year")]
