"""13F holdings and κ per quarter on DuckDB and Spark: the one-file reader's fractions on its own fixture,
hand-derived κ, a synthetic history of overlapping data sets checked quarter by quarter against the one-file
reader, and bad input (bad rows, a duplicated filing, mixed Parquet schemas, missing paths, a dead master)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_data import AMD, NVDA, cover, info, tsv, write_fixture_dataset

from marketpower.engines import holdings as H
from marketpower.engines.session import connect, parquet_files
from marketpower.engines.shares import concentration_table
from marketpower.errors import DataPackageError, EngineError
from marketpower.ingest.sec13f import (
    COVERPAGE_COLUMNS,
    INFOTABLE_COLUMNS,
    load_13f,
    read_cusip_map,
    read_shares_outstanding,
)

TOL = 1e-12
FIRMS = {"67066G104": "NVDA", "007903107": "AMD", "11135F101": "AVGO", "458140100": "INTC", "595112103": "MU"}
QUARTER_ENDS = {"2024Q4": "31-DEC-2024", "2025Q1": "31-MAR-2025", "2025Q2": "30-JUN-2025"}


def _inputs(paths: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    outstanding = read_shares_outstanding(paths["shares_outstanding"]).rename("shares_outstanding").reset_index()
    return read_cusip_map(paths["cusip_map"]), outstanding


def _holdings(engine: Any, root: Path, paths: dict[str, Path]) -> pd.DataFrame:
    cusips, outstanding = _inputs(paths)
    return H.holdings_by_quarter(engine, H.find_datasets(root), cusips, outstanding)


def _one_file(paths: dict[str, Path], infotable: Path, coverpage: Path, quarter: str) -> pd.DataFrame:
    frame = load_13f(infotable, coverpage, paths["cusip_map"], paths["shares_outstanding"], quarter=quarter).frame
    return frame.sort_values(["investor", "firm"]).reset_index(drop=True)


def _assert_same(left: pd.DataFrame, right: pd.DataFrame, keys: list[str], values: list[str]) -> None:
    """Row for row: keys equal, values within TOL."""
    assert left[keys].values.tolist() == right[keys].values.tolist()
    for column in values:
        np.testing.assert_allclose(left[column].to_numpy(float), right[column].to_numpy(float), rtol=TOL, atol=TOL)


def test_fixture_matches_the_one_file_reader_and_hand_kappa(duck: Any, tmp_path: Path) -> None:
    paths = write_fixture_dataset(tmp_path / "2025q3")
    got = _holdings(duck, tmp_path, paths)
    for quarter in ("2025Q2", "2025Q3"):
        one = _one_file(paths, paths["infotable"], paths["coverpage"], quarter)
        part = got[got["quarter"] == quarter].reset_index(drop=True)
        _assert_same(part, one, ["investor", "firm"], ["shares", "fraction", "voting_fraction"])
    series = H.kappa_series(got)
    # κ_AMD,NVDA = (0.05·0.15 + 0.10·0.30) / (0.05² + 0.10²) = 0.0375 / 0.0125 = 3; κ_NVDA,AMD = 0.0375 / 0.1125.
    assert series[["quarter", "firm", "other_firm"]].values.tolist() == [["2025Q3", "AMD", "NVDA"],
                                                                        ["2025Q3", "NVDA", "AMD"]]  # fmt: skip
    assert series["kappa"].tolist() == pytest.approx([3.0, 1 / 3], rel=TOL)


def _synthetic_history(root: Path, seed: int = 7) -> dict[str, Path]:
    """Three quarterly data sets, 40 managers × up to 5 firms; some restatements and NEW HOLDINGS amendments
    filed in the next quarter's data set, and one filing copied into two data sets."""
    rng = np.random.default_rng(seed)
    folders: dict[str, tuple[list[dict[str, str]], list[dict[str, str]]]] = {q: ([], []) for q in QUARTER_ENDS}
    quarters = list(QUARTER_ENDS)
    for qi, quarter in enumerate(quarters):
        for m in range(40):
            acc = f"{quarter}-{m:03d}"
            infos, covers = folders[quarter]
            covers.append(cover(acc, f"Manager {m:02d}", QUARTER_ENDS[quarter]))
            for cusip in rng.choice(list(FIRMS), size=int(rng.integers(1, 6)), replace=False):
                held, votes = int(rng.integers(1, 5_000_000)), int(rng.integers(0, 1000))
                infos.append(info(acc, str(cusip), str(held), sole=str(votes)))
            later = quarters[min(qi + 1, len(quarters) - 1)]
            if m % 7 == 0:  # restated (in the next data set): replaces the original
                infos_l, covers_l = folders[later]
                covers_l.append(cover(acc + "-R", f"Manager {m:02d}", QUARTER_ENDS[quarter], "Y", "1", "RESTATEMENT"))
                infos_l.append(info(acc + "-R", "67066G104", str(int(rng.integers(1, 9_000_000)))))
            if m % 5 == 1:  # NEW HOLDINGS amendment: adds
                infos_l, covers_l = folders[later]
                covers_l.append(cover(acc + "-N", f"Manager {m:02d}", QUARTER_ENDS[quarter], "Y", "1", "NEW HOLDINGS"))
                infos_l.append(info(acc + "-N", "595112103", "1234,567"))
    # the same filing (cover page and holdings) in two data sets counts once
    copied = [r for r in folders["2025Q1"][1] if r["ACCESSION_NUMBER"] == "2025Q1-003"]
    folders["2025Q2"][1].extend(copied)
    folders["2025Q2"][0].extend(r for r in folders["2025Q1"][0] if r["ACCESSION_NUMBER"] == "2025Q1-003")
    for quarter, (infos, covers) in folders.items():
        tsv(root / quarter / "INFOTABLE.tsv", INFOTABLE_COLUMNS, infos)
        tsv(root / quarter / "COVERPAGE.tsv", COVERPAGE_COLUMNS, covers)
    cusips = root.parent / "cusips.csv"
    cusips.write_text("cusip,firm\n" + "".join(f"{c},{f}\n" for c, f in FIRMS.items()), encoding="utf-8")
    outstanding = root.parent / "outstanding.csv"
    outstanding.write_text("firm,shares_outstanding\n" + "".join(f"{f},{10**9}\n" for f in FIRMS.values()), "utf-8")
    return {"cusip_map": cusips, "shares_outstanding": outstanding}


def _all_rows_one_file(root: Path, name: str, columns: tuple[str, ...], out: Path) -> Path:
    """Every data set's file in one TSV, the copied filing once (the one-file reader's input)."""
    frames = [pd.read_csv(root / q / name, sep="\t", dtype=str, keep_default_na=False) for q in QUARTER_ENDS]
    merged = pd.concat(frames).drop_duplicates()
    merged.to_csv(out, sep="\t", index=False, columns=list(columns))
    return out


def test_synthetic_history_matches_the_one_file_reader_quarter_by_quarter(duck: Any, tmp_path: Path) -> None:
    root = tmp_path / "sets"
    paths = _synthetic_history(root)
    got = _holdings(duck, root, paths)
    infotable = _all_rows_one_file(root, "INFOTABLE.tsv", INFOTABLE_COLUMNS, tmp_path / "INFOTABLE.tsv")
    coverpage = _all_rows_one_file(root, "COVERPAGE.tsv", COVERPAGE_COLUMNS, tmp_path / "COVERPAGE.tsv")
    assert sorted(got["quarter"].unique()) == list(QUARTER_ENDS)
    for quarter in QUARTER_ENDS:
        one = _one_file(paths, infotable, coverpage, quarter)
        part = got[got["quarter"] == quarter].reset_index(drop=True)
        _assert_same(part, one, ["investor", "firm"], ["shares", "fraction", "voting_fraction"])
    # NEW HOLDINGS "1234,567" shares of MU added to manager 01's original MU position, if any
    series = H.kappa_series(got)
    assert len(series) == 3 * 5 * 4  # every ordered pair of the 5 firms, each quarter


def test_a_duplicated_filing_in_a_quarter_names_manager_quarter_and_data_sets(duck: Any, tmp_path: Path) -> None:
    paths = write_fixture_dataset(tmp_path / "a")
    tsv(tmp_path / "b" / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [info("A9", NVDA, "100")])
    tsv(tmp_path / "b" / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [cover("A9", "Alpha Capital", "30-SEP-2025")])
    with pytest.raises(DataPackageError, match=r"'Alpha Capital' has 2 filings that are each its original report "
                       r"for 2025Q3 \(A1, A9\)") as raised:  # fmt: skip
        _holdings(duck, tmp_path, paths)
    assert "b/COVERPAGE.tsv" in str(raised.value) and "a/COVERPAGE.tsv" in str(raised.value)


def test_bad_rows_are_named_by_line_and_counted_per_file_and_column(duck: Any, tmp_path: Path) -> None:
    """Lines 2-4 of the TSV (header = line 1) each named, then the counts (every check, a short line and Spark in
    tests/engines/test_holdings_text_lines.py)."""
    paths = write_fixture_dataset(tmp_path / "q")
    tsv(tmp_path / "q" / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [info("A1", NVDA, "-5"), info("A1", AMD, "ten"),
                                                             info("A1", "", "3")])  # fmt: skip
    with pytest.raises(DataPackageError) as raised:
        _holdings(duck, tmp_path, paths)
    located = [(p.line, p.field) for p in raised.value.problems if p.line is not None]
    assert located == [(2, "SSHPRNAMT"), (3, "SSHPRNAMT"), (4, "CUSIP")]
    text = str(raised.value)
    assert "q/INFOTABLE.tsv, line 2, field 'SSHPRNAMT': share amount empty, negative or not a number" in text
    assert "q/INFOTABLE.tsv, field 'SSHPRNAMT': 2 row(s) with share amount empty, negative or not a number" in text
    assert "field 'CUSIP': 1 row(s) with empty CUSIP" in text


def test_missing_column_missing_path_and_mixed_parquet_schemas(duck: Any, tmp_path: Path) -> None:
    tsv(tmp_path / "q" / "INFOTABLE.tsv", ("ACCESSION_NUMBER", "CUSIP"), [{"ACCESSION_NUMBER": "A", "CUSIP": NVDA}])
    tsv(tmp_path / "q" / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [cover("A", "Alpha", "30-SEP-2025")])
    with pytest.raises(DataPackageError, match=r"INFOTABLE.tsv, line 1, field 'SSHPRNAMT': missing column"):
        H.staged(duck, H.find_datasets(tmp_path), tmp_path)
    with pytest.raises(DataPackageError, match=r"nowhere.parquet: fec indiv: no such file or folder"):
        parquet_files([tmp_path / "nowhere.parquet"], "fec indiv")
    parts = tmp_path / "parts"
    parts.mkdir()
    pq.write_table(pa.table({"cmte_id": ["C1"], "transaction_amt": [1.5]}), parts / "part-0.parquet")
    pq.write_table(pa.table({"cmte_id": ["C2"], "transaction_amt": ["2"]}), parts / "part-1.parquet")
    with pytest.raises(DataPackageError, match=r"part-1.parquet, field 'transaction_amt': type string here, double "
                       r"in .*part-0.parquet"):  # fmt: skip
        duck.parquet([parts], "fec indiv")


def test_an_unreachable_spark_master_is_one_clear_error() -> None:
    pytest.importorskip("pyspark")
    started = time.perf_counter()
    with pytest.raises(EngineError, match=r"Spark master spark://127.0.0.1:9 cannot be reached"):
        connect("spark", "spark://127.0.0.1:9")
    assert time.perf_counter() - started < 10


def test_concentration_table_by_hand(duck: Any) -> None:
    panel = pd.DataFrame({"market_id": ["m", "m", "m", "m", "n"], "year": [2024, 2024, 2024, 2024, 2025],
                          "firm": ["a", "a", "b", "c", "a"], "share": [0.3, 0.2, 0.3, 0.2, 0.6]})  # fmt: skip
    table = concentration_table(duck, duck.frame(panel))
    # m 2024: a = 0.5, b = 0.3, c = 0.2 -> HHI 10,000 · (0.25 + 0.09 + 0.04) = 3,800; n 2025: 3,600, upper bound
    # with the remaining 0.4 as one firm 3,600 + 1,600 = 5,200.
    assert table["hhi"].tolist() == pytest.approx([3800.0, 3600.0], rel=TOL)
    assert table["hhi_upper"].tolist() == pytest.approx([3800.0, 5200.0], rel=TOL)
    assert table["cr1"].tolist() == pytest.approx([0.5, 0.6], rel=TOL)
    assert table["firms"].tolist() == [3, 1]


def test_spark_gives_the_same_holdings_kappa_and_concentration(spark: Any, duck: Any, tmp_path: Path) -> None:
    """Row for row within 1e-12: the fixture, the synthetic history (TSV), the same history as Parquet, κ per
    quarter, and a random share panel."""
    fixture = write_fixture_dataset(tmp_path / "fixture" / "2025q3")
    _assert_same(_holdings(spark, tmp_path / "fixture", fixture), _holdings(duck, tmp_path / "fixture", fixture),
                 ["quarter", "investor", "firm"], ["shares", "fraction", "voting_fraction"])  # fmt: skip
    root = tmp_path / "sets"
    paths = _synthetic_history(root)
    on_duck, on_spark = _holdings(duck, root, paths), _holdings(spark, root, paths)
    _assert_same(on_spark, on_duck, ["quarter", "investor", "firm"], ["shares", "fraction", "voting_fraction"])
    for quarter in QUARTER_ENDS:  # the same data sets as Parquet (text columns)
        for name in ("INFOTABLE", "COVERPAGE"):
            frame = pd.read_csv(root / quarter / f"{name}.tsv", sep="\t", dtype=str, keep_default_na=False)
            (root / quarter / f"{name}.tsv").unlink()
            frame.to_parquet(root / quarter / f"{name}.parquet", index=False)
    _assert_same(_holdings(spark, root, paths), on_duck, ["quarter", "investor", "firm"], ["shares", "fraction"])
    k_duck, k_spark = H.kappa_series(on_duck), H.kappa_series(on_spark)
    _assert_same(k_spark, k_duck, ["quarter", "firm", "other_firm", "investors"], ["kappa"])
    rng = np.random.default_rng(3)
    panel = pd.DataFrame({"market_id": rng.choice(["m1", "m2", "m3"], 600), "year": rng.choice([2023, 2024], 600),
                          "firm": rng.choice([f"f{i}" for i in range(30)], 600),
                          "share": rng.uniform(0, 1 / 400, 600)})  # fmt: skip
    _assert_same(concentration_table(spark, spark.frame(panel)), concentration_table(duck, duck.frame(panel)),
                 ["market_id", "year", "firms"], ["share_sum", "hhi", "hhi_upper", "cr1", "cr4"])  # fmt: skip


def test_a_bad_parquet_row_and_mixed_parquet_types_name_file_row_and_column(duck: Any, tmp_path: Path) -> None:
    """Parquet keeps row numbers: a bad share amount in row 2 of the file is named with the file, the row and the
    column; a second data set whose SSHPRNAMT is numeric where the first's is text is one clear error."""
    paths = write_fixture_dataset(tmp_path / "a")
    text = tsv(tmp_path / "a" / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [info("A1", NVDA, "100"), info("A1", AMD, "-5"),
                                                                    info("A1", NVDA, "7")])  # fmt: skip
    pd.read_csv(text, sep="\t", dtype=str, keep_default_na=False).to_parquet(tmp_path / "a" / "INFOTABLE.parquet")
    text.unlink()
    with pytest.raises(DataPackageError) as raised:
        _holdings(duck, tmp_path, paths)
    located = [p for p in raised.value.problems if p.line is not None]
    assert [(Path(p.file).name, p.line, p.field) for p in located] == [("INFOTABLE.parquet", 2, "SSHPRNAMT")]
    write_fixture_dataset(tmp_path / "b")
    numeric = pd.read_csv(tmp_path / "b" / "INFOTABLE.tsv", sep="\t", dtype=str, keep_default_na=False)
    numeric["SSHPRNAMT"] = numeric["SSHPRNAMT"].astype("int64")
    numeric.to_parquet(tmp_path / "b" / "INFOTABLE.parquet", index=False)
    (tmp_path / "b" / "INFOTABLE.tsv").unlink()
    with pytest.raises(DataPackageError, match=r"b/INFOTABLE.parquet, field 'SSHPRNAMT': 13F INFOTABLE: type int64 "
                       r"here, (large_)?string in .*a/INFOTABLE.parquet"):  # fmt: skip
        _holdings(duck, tmp_path, paths)
