"""FEC bulk ingest: the real 2019-2020 sample, and small hand-written files for amendments, memo entries and
every kind of bad row."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.ingest import fec
from marketpower.ingest.fec import FILE_KINDS, infer_cycle, ingest_fec
from marketpower.politics.money import receipts_by_donor, spending_by_race
from marketpower.store import Store, use_store_folder


def itcont(
    cmte: str = "C00000001",
    amndt: str = "N",
    rpt: str = "Q1",
    tran: str = "SA1",
    amt: str = "100",
    dt: str = "01152026",
    memo: str = "",
    sub: str = "1",
    file_num: str = "100",
    name: str = "DOE, JANE",
    employer: str = "ACME",
) -> str:
    """One itcont line in the FEC's 21-column layout."""
    fields = [
        cmte,
        amndt,
        rpt,
        "P2026",
        "202601019000000001",
        "15",
        "IND",
        name,
        "CITY",
        "CA",
        "90000",
        employer,
        "ENGINEER",
        dt,
        amt,
        "",
        tran,
        file_num,
        memo,
        "",
        sub,
    ]
    assert len(fields) == len(FILE_KINDS["indiv"].columns)
    return "|".join(fields)


def write(folder: Path, name: str, lines: list[str], trailing_newline: bool = True, encoding: str = "latin-1") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join(lines) + ("\n" if trailing_newline else "")).encode(encoding))
    return path


IE_HEADER = ",".join(c.name for c in FILE_KINDS["ie"].columns)  # the header row of the FEC's CSV


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def test_real_sample_counts_and_values(con: duckdb.DuckDBPyConnection, shared_dir: Path) -> None:
    report = ingest_fec(con, shared_dir / "data" / "fec-2020-sample")
    loaded = {(k.kind, k.cycle): k.rows_loaded for k in report.kinds}
    # line counts of the files (wc -l): 17,939 committees, 7,611 candidates, 11,255 PAC summaries
    assert loaded == {("cm", 2020): 17939, ("cn", 2020): 7611, ("webk", 2020): 11255}
    hallmark = con.execute("SELECT cmte_nm, cmte_tp, org_tp FROM fec_cm WHERE cmte_id = 'C00000059'").fetchone()
    assert hallmark == ("HALLMARK CARDS PAC", "Q", "C")
    ama = con.execute("SELECT connected_org_nm FROM fec_cm WHERE cmte_id = 'C00000422'").fetchone()
    assert ama == ("DELAWARE MEDICAL PAC",)
    summary = con.execute(
        "SELECT ttl_receipts, coh_cop, cvg_end_dt FROM fec_webk WHERE cmte_id = 'C00000059'"
    ).fetchone()
    assert summary is not None
    assert summary[0] == Decimal("103530.03") and summary[1] == Decimal("138525.31")
    assert str(summary[2]) == "2020-10-14"
    lamb = con.execute("SELECT cand_name, cand_election_yr, cand_pcc FROM fec_cn WHERE cand_id = 'H0AK00105'")
    assert lamb.fetchone() == ("LAMB, THOMAS", 2020, "C00607515")


def test_amendments_keep_latest_filing_and_memo_rows_leave_totals(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    lines = [
        itcont(tran="SA1", amt="500", file_num="100", sub="1"),  # original
        itcont(tran="SA1", amt="750", file_num="200", sub="2", amndt="A"),  # amendment of SA1
        itcont(tran="SA2", amt="300", file_num="100", sub="3", name="ROE, RICHARD", employer="FACEBOOK INC"),
        itcont(tran="SA3", amt="300", file_num="100", sub="4", memo="X", name="ROE, RICHARD"),  # memo repeat
    ]
    write(tmp_path / "indiv26", "itcont.txt", lines)
    ingest_fec(con, tmp_path, cycle=2026)
    assert con.execute("SELECT count(*) FROM fec_indiv").fetchone() == (4,)
    current = con.execute(
        "SELECT tran_id, transaction_amt, counts_in_totals FROM fec_indiv_current ORDER BY tran_id"
    ).fetchall()
    assert current == [
        ("SA1", Decimal("750.00"), True),
        ("SA2", Decimal("300.00"), True),
        ("SA3", Decimal("300.00"), False),
    ]
    frame = con.execute("SELECT * FROM fec_indiv_current").df()
    by_donor = receipts_by_donor(frame).set_index("donor")["amount_usd"].to_dict()
    assert by_donor == pytest.approx({"DOE, JANE": 750.0, "ROE, RICHARD": 300.0})  # 500 superseded, memo 300 out


def test_every_bad_row_is_reported_and_nothing_is_loaded(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = [
        itcont(sub="1"),
        itcont(sub="2", amt="12O.00"),  # letter O: non-numeric amount (line 2)
        itcont(sub="3", dt="13452026"),  # month 13 (line 3)
        itcont(sub="4") + "|EXTRA",  # 22 columns (line 4)
        itcont(sub="5"),
        "C00000001|N|Q1|P2026",  # truncated last line without newline (line 6)
    ]
    write(tmp_path, "itcont.txt", lines, trailing_newline=False)
    write(tmp_path, "cm26.txt", ["C00000001|GOOD PAC|T|A||CITY|CA|9|U|Q||M|C||"])
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path, cycle=2026)
    found = {(p.file, p.line, p.field) for p in caught.value.problems}
    assert found == {
        ("itcont.txt", 2, "transaction_amt"),
        ("itcont.txt", 3, "transaction_dt"),
        ("itcont.txt", 4, None),
        ("itcont.txt", 6, None),
    }
    messages = " ".join(p.message for p in caught.value.problems)
    assert "truncated line" in messages and "found 22" in messages and "'12O.00'" in messages
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not any(t.startswith("fec_cm") or t.startswith("fec_indiv") for t in tables)  # nothing loaded


def test_skip_bad_rows_loads_the_rest_and_keeps_the_rejects(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = [itcont(sub="1"), itcont(sub="2", amt="abc"), itcont(sub="3", dt="2026-01-15"), itcont(sub="4")]
    write(tmp_path, "itcont.txt", lines)
    report = ingest_fec(con, tmp_path, cycle=2026, skip_bad_rows=True)
    assert (report.rows_loaded, report.rows_skipped) == (2, 2)
    assert report.kinds[0].status == "skipped-bad-rows"
    assert con.execute("SELECT list(sub_id ORDER BY sub_id) FROM fec_indiv").fetchone() == ([1, 4],)
    assert con.execute("SELECT list(line ORDER BY line) FROM fec_rejects").fetchone() == ([2, 3],)


def test_dates_must_be_exact_and_only_empty_fields_are_null(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # '1012026' is January 1 written without its leading zero and '02302026' a February 30: Arrow's strptime
    # alone would read the first as November 5 and roll the second over into March 2.
    lines = [itcont(sub="1"), itcont(sub="2", dt="1012026"), itcont(sub="3", dt="02302026"), itcont(sub="4", amt="  ")]
    write(tmp_path / "a", "itcont.txt", lines)
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path / "a", cycle=2026)
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (2, "transaction_dt"),
        (3, "transaction_dt"),
        (4, "transaction_amt"),
    ]
    assert "'1012026'" in caught.value.problems[0].message and "MMDDYYYY" in caught.value.problems[0].message
    write(tmp_path / "b", "itcont.txt", [itcont(sub="1", amt="", dt="", file_num=""), itcont(sub="2", amt=" 7.5 ")])
    ingest_fec(con, tmp_path / "b", cycle=2026)
    assert con.execute(
        "SELECT transaction_amt, transaction_dt, file_num, sub_id FROM fec_indiv ORDER BY sub_id"
    ).fetchall() == [(None, None, None, 1), (Decimal("7.50"), dt.date(2026, 1, 15), 100, 2)]


def test_amounts_beyond_the_decimal_and_extra_empty_fields_are_bad(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    lines = [
        itcont(sub="1", amt="1000000000000"),  # 13 digits: DECIMAL(14,2) holds 12 before the point
        itcont(sub="2", amt="12.345"),  # three decimals would be rounded
        itcont(sub="3") + "|",  # one extra empty field
        "",  # an empty line
        itcont(sub="5", amt="-999999999999.99"),
    ]
    write(tmp_path, "itcont.txt", lines)
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path, cycle=2026)
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (1, "transaction_amt"),
        (2, "transaction_amt"),
        (3, None),
        (4, None),
    ]
    assert "found 22" in caught.value.problems[2].message and "empty line" in caught.value.problems[3].message


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("itcont.txt", itcont() + "\n\n", 2),  # a blank line at the end, alone in its piece on the fast path
        ("itcont.txt", "\n" + itcont() + "\n", 1),
        ("itcont.txt", itcont() + "\r\n\r\n", 2),
        ("itcont.txt", "|" * 20 + "\n", 1),  # 21 fields, all empty
        ("cm26.txt", "\n", 1),
        ("independent_expenditure_2026.csv", IE_HEADER + "\n\n", 2),
    ],
)
def test_an_empty_line_is_a_bad_row_never_a_row_of_nulls(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, text: str, line: int
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path, cycle=2026)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (name, line)
    assert "empty" in problem.message
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not any(t.startswith(("fec_indiv", "fec_cm", "fec_ie")) for t in tables)


def test_a_carriage_return_inside_a_field_is_bad(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # Arrow's reader ends a line at a lone carriage return; the scan must say so rather than accept the line
    lines = [itcont(sub="1"), itcont(sub="2", employer="ACME\rINC"), itcont(sub="3", amt="x"), itcont(sub="4")]
    write(tmp_path, "itcont.txt", lines)
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path, cycle=2026)
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "employer"), (3, "transaction_amt")]
    report = ingest_fec(con, tmp_path, cycle=2026, skip_bad_rows=True)
    assert (report.rows_loaded, report.rows_skipped) == (2, 2)
    assert con.execute("SELECT list(sub_id ORDER BY sub_id) FROM fec_indiv").fetchone() == ([1, 4],)


def test_bytes_that_are_not_utf8_are_bad_unless_the_encoding_is_named(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    write(tmp_path / "a", "itcont.txt", [itcont(sub="1"), itcont(sub="2", name="PE\u00d1A, JOSE")])
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path / "a", cycle=2026)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("itcont.txt", 2, "name")
    assert "0xD1" in problem.message and "--encoding latin-1" in problem.message
    ingest_fec(con, tmp_path / "a", cycle=2026, encoding="latin-1")
    assert con.execute("SELECT name FROM fec_indiv WHERE sub_id = 2").fetchone() == ("PE\u00d1A, JOSE",)
    # 0x92 is a right single quote in Windows-1252 (a control character in Latin-1)
    write(tmp_path / "b", "itcont.txt", [itcont(name="O\u2019BRIEN, PAT")], encoding="cp1252")
    ingest_fec(con, tmp_path / "b", cycle=2024, encoding="cp1252")
    assert con.execute("SELECT name FROM fec_indiv WHERE cycle = 2024").fetchone() == ("O\u2019BRIEN, PAT",)
    write(tmp_path / "c", "itcont.txt", [itcont(name="S\u00c3O PAULO")], encoding="utf-8")
    ingest_fec(con, tmp_path / "c", cycle=2022)
    assert con.execute("SELECT name FROM fec_indiv WHERE cycle = 2022").fetchone() == ("S\u00c3O PAULO",)
    with pytest.raises(InvalidInputError, match="--encoding"):
        ingest_fec(con, tmp_path / "c", cycle=2022, encoding="utf-16")


def test_large_files_are_read_in_pieces(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fec, "PIECE_BYTES", 300)  # about two lines per piece
    lines = [itcont(sub=str(i), tran=f"SA{i}", amt=f"{i}.25") for i in range(1, 12)]
    write(tmp_path / "a", "itcont.txt", lines)
    report = ingest_fec(con, tmp_path / "a", cycle=2026)
    assert report.rows_loaded == 11
    assert con.execute("SELECT sum(transaction_amt), count(DISTINCT sub_id) FROM fec_indiv").fetchone() == (
        Decimal("68.75"),
        11,
    )
    bad_lines = [*lines[:2], itcont(sub="3", amt="x"), *lines[3:9], itcont(sub="10", dt="20260115"), lines[10]]
    write(tmp_path / "b", "itcont.txt", bad_lines)
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path / "b", cycle=2024)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "transaction_amt"), (10, "transaction_dt")]
    report = ingest_fec(con, tmp_path / "b", cycle=2024, skip_bad_rows=True)
    assert (report.rows_loaded, report.rows_skipped) == (9, 2)
    assert con.execute("SELECT list(sub_id ORDER BY sub_id) FROM fec_indiv WHERE cycle = 2024").fetchone() == (
        [1, 2, 4, 5, 6, 7, 8, 9, 11],
    )
    assert con.execute("SELECT list(line ORDER BY line) FROM fec_rejects").fetchone() == ([3, 10],)


def test_rerun_never_duplicates_and_reloads_changed_files(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path, "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2")])
    first = ingest_fec(con, tmp_path, cycle=2026)
    second = ingest_fec(con, tmp_path, cycle=2026)
    assert [k.status for k in first.kinds] == ["loaded"] and [k.status for k in second.kinds] == ["unchanged"]
    assert con.execute("SELECT count(*) FROM fec_indiv").fetchone() == (2,)
    write(tmp_path, "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2"), itcont(sub="3", tran="SA3")])
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    third = ingest_fec(con, tmp_path, cycle=2026)
    assert third.kinds[0].status == "loaded"
    assert con.execute("SELECT count(*), count(DISTINCT sub_id) FROM fec_indiv").fetchone() == (3, 3)
    assert con.execute("SELECT count(*) FROM fec_manifest").fetchone() == (1,)


def test_independent_expenditures_dedupe_amendments_and_sum_by_race(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = [
        'H6NY12001,"BORES, ALEX",C00900001,LEADING THE FUTURE,P,NY,12,H,DEM,100000,15-MAY-26,100000,O,'
        "TV AD,VENDOR,1001,N,SE1,1,16-MAY-26,2026,,15-MAY-26",
        'H6NY12001,"BORES, ALEX",C00900001,LEADING THE FUTURE,P,NY,12,H,DEM,120000,15-MAY-26,120000,O,'
        "TV AD,VENDOR,1002,A,SE1,2,18-MAY-26,2026,1001,15-MAY-26",  # amends SE1: 120,000 replaces 100,000
        'H6TX10001,"GOBER, CHRIS",C00900001,LEADING THE FUTURE,P,TX,10,H,REP,50000,20-MAY-26,50000,S,'
        "MAIL,VENDOR,1003,N,SE2,3,21-MAY-26,2026,,20-MAY-26",
    ]
    write(tmp_path, "independent_expenditure_2026.csv", [IE_HEADER, *rows])
    ingest_fec(con, tmp_path)
    ie = con.execute("SELECT * FROM fec_ie_current").df()
    out = spending_by_race(ie)
    assert out[["state", "district", "sup_opp"]].values.tolist() == [["NY", "12", "O"], ["TX", "10", "S"]]
    assert out["amount_usd"].tolist() == pytest.approx([120000.0, 50000.0])


def test_a_quoted_line_break_keeps_the_line_numbers_of_bad_records(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:

    def row(tran: str, amount: str, purpose: str) -> str:
        return (
            f'H6NY12001,"BORES, ALEX",C00900001,LEADING THE FUTURE,P,NY,12,H,DEM,{amount},15-MAY-26,{amount},O,'
            f'"{purpose}",VENDOR,1001,N,{tran},1,16-MAY-26,2026,,15-MAY-26'
        )

    lines = [IE_HEADER, row("SE1", "100", "TV AD\nAND DIGITAL"), row("SE2", "1O0", "MAIL"), row("SE3", "50", "MAIL")]
    write(tmp_path, "independent_expenditure_2026.csv", lines)
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(4, "exp_amo"), (4, "agg_amo")]
    report = ingest_fec(con, tmp_path, skip_bad_rows=True)
    assert (report.rows_loaded, report.rows_skipped) == (2, 1)
    assert con.execute("SELECT tran_id, pur FROM fec_ie ORDER BY tran_id").fetchall() == [
        ("SE1", "TV AD\nAND DIGITAL"),
        ("SE3", "MAIL"),
    ]


def test_cycle_must_be_known(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    write(tmp_path / "bulk", "itcont.txt", [itcont()])
    with pytest.raises(InvalidInputError, match="--cycle"):
        ingest_fec(con, tmp_path / "bulk")
    assert infer_cycle(Path("/x/cm26.txt")) == 2026
    assert infer_cycle(Path("/x/indiv20/itcont.txt")) == 2020


def test_cli_fec_ingest_json_and_clean_failure(cli: Callable[..., Any], tmp_path: Path) -> None:
    write(tmp_path / "in", "itcont.txt", [itcont(), itcont(sub="2", amt="x")])
    db = tmp_path / "store.duckdb"
    bad = cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db))
    assert bad.code == 1 and "Traceback" not in bad.err and "itcont.txt, line 2, field 'transaction_amt'" in bad.err
    ok = cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db), "--skip-bad-rows", "--json")
    assert ok.code == 0
    assert json.loads(ok.out)["rows_loaded"] == 1 and json.loads(ok.out)["rows_skipped"] == 1


def test_a_store_file_keeps_its_parquet_beside_it_and_can_be_moved(tmp_path: Path) -> None:
    write(tmp_path / "in", "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2")])
    (tmp_path / "a").mkdir()
    store = Store.open(db=tmp_path / "a" / "store.duckdb")
    ingest_fec(store.connection, tmp_path / "in", cycle=2026)
    store.close()
    loads = list((tmp_path / "a" / "store.duckdb.fec" / "indiv_2026").iterdir())
    assert len(loads) == 1
    assert sorted(p.name for p in loads[0].iterdir()) == ["marketpower-load.json", "part-00000.parquet"]
    shutil.move(tmp_path / "a", tmp_path / "b")  # the file and its folder move together
    moved = Store.open(db=tmp_path / "b" / "store.duckdb", read_only=True)
    assert moved.frame("SELECT count(*) AS n, min(source_file) AS f FROM fec_indiv").values.tolist() == [
        [2, "itcont.txt"]
    ]
    moved.close()


def test_replaced_and_interrupted_loads_leave_no_files(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "in", "itcont.txt", [itcont(sub="1")])
    ingest_fec(con, tmp_path / "in", cycle=2026)
    folder = fec._folder(con, None) / "indiv_2026"
    first = {p.name for p in folder.iterdir()}
    [load] = first
    crashed = shutil.copytree(folder / load, folder / "leftover-of-a-crash")  # a copy holds the same manifest
    unnamed = folder / "killed-while-created"  # killed between making the folder and renaming its manifest
    unnamed.mkdir()
    (unnamed / (fec.LOAD_MANIFEST + ".partial")).write_text('{"store_id": "trunc')
    (folder / "killed-at-mkdir").mkdir()  # killed right after making the folder
    user_folder = folder / "not-ours"  # no load manifest: nothing proves it is the store's
    user_folder.mkdir()
    (user_folder / "notes.txt").write_text("mine")
    foreign = shutil.copytree(folder / load, folder / "with-a-foreign-file")
    (foreign / "notes.txt").write_text("mine")  # a file the manifest does not list
    write(tmp_path / "in", "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2")])
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    ingest_fec(con, tmp_path / "in", cycle=2026)
    second = {p.name for p in folder.iterdir()} - {"not-ours", "with-a-foreign-file"}
    assert len(second) == 1 and not second & first  # the replaced load and the leftover are gone
    assert not crashed.exists() and not unnamed.exists() and not (folder / "killed-at-mkdir").exists()
    assert (user_folder / "notes.txt").read_text() == "mine" and (foreign / "notes.txt").read_text() == "mine"
    second |= {"not-ours", "with-a-foreign-file"}
    assert con.execute("SELECT count(*) FROM fec_indiv").fetchone() == (2,)
    write(tmp_path / "bad", "itcont.txt", [itcont(sub="9", amt="x")])
    with pytest.raises(DataPackageError):
        ingest_fec(con, tmp_path / "bad", cycle=2026)
    assert {p.name for p in folder.iterdir()} == second and con.execute(
        "SELECT count(*) FROM fec_indiv"
    ).fetchone() == (2,)  # a failed load changes nothing


def test_a_store_written_by_an_earlier_version_gets_views(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # earlier versions kept each kind-cycle in a table and had no load_dir in the manifest
    con.execute("CREATE TABLE fec_indiv_2026 AS SELECT 1 AS sub_id")
    con.execute(
        "CREATE TABLE fec_manifest (kind VARCHAR, cycle INTEGER, file VARCHAR, size_bytes BIGINT, mtime DOUBLE, "
        "rows_loaded BIGINT, rows_skipped BIGINT, loaded_at TIMESTAMP)"
    )
    write(tmp_path, "itcont.txt", [itcont(sub="5")])
    ingest_fec(con, tmp_path, cycle=2026)
    assert con.execute("SELECT sub_id FROM fec_indiv_2026").fetchall() == [(5,)]
    kinds = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'fec_indiv_2026'")
    assert kinds.fetchall() == [("VIEW",)]


def test_cli_fec_ingest_encoding_option(cli: Callable[..., Any], tmp_path: Path) -> None:
    write(tmp_path / "in", "itcont.txt", [itcont(name="PE\u00d1A, JOSE")])
    db = tmp_path / "store.duckdb"
    bad = cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db))
    assert bad.code == 1 and "0xD1" in bad.err and "--encoding latin-1" in bad.err
    ok = cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db), "--encoding", "latin-1")
    assert ok.code == 0
    store = Store.open(db=db, read_only=True)
    assert store.frame("SELECT name FROM fec_indiv").values.tolist() == [["PE\u00d1A, JOSE"]]
    store.close()


def test_mmddyyyy_dates_agree_with_the_calendar() -> None:
    days = [dt.date(1970, 1, 1) + dt.timedelta(days=k) for k in range(-30_000, 40_000, 7)]
    text = [d.strftime("%m%d%Y") for d in days]
    odd = ["02292024", "02292025", "02292000", "02291900", "00012025", "01002025", "1152026", "1a152026", "013120255"]
    values = pa.array([*text, None, *odd], pa.string())
    dates, bad = fec._mmddyyyy(values)
    assert dates.to_pylist()[: len(days)] == days
    assert bad.tolist() == [False] * (len(days) + 1) + [False, True, False, True, True, True, True, True, True]
    assert dates.to_pylist()[len(days) + 1 : len(days) + 4] == [dt.date(2024, 2, 29), None, dt.date(2000, 2, 29)]


def test_stores_side_by_side_keep_their_own_files(tmp_path: Path) -> None:
    # x.duckdb and x.db once shared x.fec/: a load into one deleted the other's Parquet files
    write(tmp_path / "in", "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2")])
    write(tmp_path / "in2", "itcont.txt", [itcont(sub="7", tran="SA7")])
    first = Store.open(db=tmp_path / "x.duckdb")
    ingest_fec(first.connection, tmp_path / "in", cycle=2026)
    first.close()
    second = Store.open(db=tmp_path / "x.db")
    ingest_fec(second.connection, tmp_path / "in2", cycle=2026)
    ingest_fec(second.connection, tmp_path / "in", cycle=2024)
    second.close()
    assert {p.name for p in tmp_path.iterdir()} >= {"x.duckdb.fec", "x.db.fec"}
    again = Store.open(db=tmp_path / "x.duckdb", read_only=True)
    assert again.frame("SELECT list(sub_id ORDER BY sub_id) AS s FROM fec_indiv")["s"][0].tolist() == [1, 2]
    again.close()
    other = Store.open(db=tmp_path / "x.db", read_only=True)
    assert other.frame("SELECT count(*) AS n FROM fec_indiv")["n"][0] == 3
    other.close()


def _as_legacy_layout(db: Path) -> None:
    """Rewrite a store as versions before the per-file folder left it: ``<stem>.fec/``, no load manifests."""
    for load in fec.bulk_folder(db).glob("*/*"):
        (load / fec.LOAD_MANIFEST).unlink()
        (db.with_suffix(".fec") / load.parent.name).mkdir(parents=True, exist_ok=True)
        load.rename(db.with_suffix(".fec") / load.parent.name / load.name)
    shutil.rmtree(fec.bulk_folder(db))
    con = duckdb.connect(str(db))
    use_store_folder(con)
    rows = con.execute("SELECT DISTINCT kind, cycle, load_dir FROM fec_manifest").fetchall()
    for kind, cycle, load_dir in rows:
        old = load_dir.replace(f"{db.name}.fec/", f"{db.stem}.fec/", 1)
        con.execute("UPDATE fec_manifest SET load_dir = ? WHERE load_dir = ?", [old, load_dir])
        con.execute(f"CREATE OR REPLACE VIEW fec_{kind}_{cycle} AS SELECT * FROM read_parquet('{old}/*.parquet')")
    con.execute("DROP TABLE fec_store")
    con.close()


def test_a_store_of_the_old_folder_layout_is_read_and_replaced_safely(tmp_path: Path) -> None:
    path = write(tmp_path / "in", "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2")])
    for name in ("x.duckdb", "x.db"):
        store = Store.open(db=tmp_path / name)
        ingest_fec(store.connection, tmp_path / "in", cycle=2026)
        store.close()
        _as_legacy_layout(tmp_path / name)
    legacy = tmp_path / "x.fec" / "indiv_2026"
    assert len(list(legacy.iterdir())) == 2  # both stores' loads in the one shared folder
    old = Store.open(db=tmp_path / "x.duckdb")
    assert old.frame("SELECT count(*) AS n FROM fec_indiv")["n"][0] == 2  # read where it lies
    write(tmp_path / "in", "itcont.txt", [itcont(sub="1"), itcont(sub="2", tran="SA2"), itcont(sub="3", tran="S3")])
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    ingest_fec(old.connection, tmp_path / "in", cycle=2026)
    assert old.frame("SELECT count(*) AS n FROM fec_indiv")["n"][0] == 3
    old.close()
    assert len(list(legacy.iterdir())) == 1  # its own replaced load went, the other store's stayed
    assert len(list((tmp_path / "x.duckdb.fec" / "indiv_2026").iterdir())) == 1
    other = Store.open(db=tmp_path / "x.db", read_only=True)
    assert other.frame("SELECT count(*) AS n FROM fec_indiv")["n"][0] == 2
    other.close()


def test_a_load_that_would_empty_or_halve_a_kind_cycle_needs_replace(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write(tmp_path, "itcont.txt", [itcont(sub=str(i), tran=f"SA{i}") for i in range(1, 5)])
    ingest_fec(con, tmp_path, cycle=2026)

    def rewrite(lines: list[str]) -> None:
        write(tmp_path, "itcont.txt", lines, trailing_newline=bool(lines))
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))

    rewrite([])  # an empty re-download
    with pytest.raises(InvalidInputError) as caught:
        ingest_fec(con, tmp_path, cycle=2026)
    assert "holds 4 rows" in str(caught.value) and "have 0" in str(caught.value) and "--replace" in str(caught.value)
    assert con.execute("SELECT count(*) FROM fec_indiv").fetchone() == (4,)
    rewrite([itcont(sub="1")])  # 1 of 4 rows: more than half would go
    with pytest.raises(InvalidInputError, match="have 1"):
        ingest_fec(con, tmp_path, cycle=2026)
    rewrite([itcont(sub="1"), itcont(sub="2", tran="SA2")])  # exactly half: allowed
    assert ingest_fec(con, tmp_path, cycle=2026).rows_loaded == 2
    rewrite([])
    assert ingest_fec(con, tmp_path, cycle=2026, replace=True).kinds[0].status == "loaded"
    assert con.execute("SELECT count(*) FROM fec_indiv").fetchone() == (0,)


def test_cli_fec_ingest_replace_option(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = write(tmp_path / "in", "itcont.txt", [itcont(), itcont(sub="2", tran="SA2")])
    db = tmp_path / "store.duckdb"
    assert cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db)).code == 0
    path.write_bytes(b"")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    refused = cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db))
    assert refused.code != 0 and "holds 2 rows" in refused.err and "Traceback" not in refused.err
    ok = cli("fec", "ingest", str(tmp_path / "in"), "--cycle", "2026", "--db", str(db), "--replace", "--json")
    assert ok.code == 0 and json.loads(ok.out)["rows_loaded"] == 0


# ---------------------------------------------------------------------------------------------------------------
# the compiled parser against a straightforward reference parse

_WHOLE = re.compile(r"-?\d+")
_DOLLARS = re.compile(r"-?(\d+\.?\d{0,2}|\.\d{1,2})")  # 5, 5., 5.5, .05 (as the FEC writes them)


def _reference_value(column: fec.Column, text: str) -> object:
    """One field converted in plain Python (an independent reading of the FEC's layout); ValueError if bad."""
    if text == "":
        return None
    if column.kind == "str":
        return text
    if column.kind == "int":
        if not _WHOLE.fullmatch(text) or not -(2**63) <= int(text) < 2**63:
            raise ValueError(text)
        return int(text)
    if column.kind == "amount":
        if not _DOLLARS.fullmatch(text) or abs(Decimal(text)) > fec.MAX_AMOUNT:
            raise ValueError(text)
        return Decimal(text).quantize(Decimal("0.01"))
    (date_format,) = column.date_formats
    if date_format == "%m%d%Y":  # strptime would take '1152026' for 2026-11-05
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return dt.date(int(text[4:]), int(text[:2]), int(text[2:4]))
    parsed = dt.datetime.strptime(text, date_format).date()
    if parsed.strftime(date_format) != text:
        raise ValueError(text)
    return parsed


def _reference_table(kind: fec.FileKind, data: bytes) -> tuple[pa.Table, list[tuple[int, str | None]]]:
    """Every good line of ``data`` as a typed table (pyarrow arrays of explicit types built from Python values)
    and every bad line's (1-based line, first bad field or None for a wrong field count)."""
    rows: list[list[object]] = []
    bad: list[tuple[int, str | None]] = []
    for number, line in enumerate(data.decode("utf-8").split("\n")[: data.count(b"\n")], start=1):
        fields = line.split(kind.delimiter)
        if len(fields) != len(kind.columns):
            bad.append((number, None))
            continue
        converted: list[object] = []
        for column, text in zip(kind.columns, fields, strict=True):
            try:
                converted.append(_reference_value(column, text))
            except ValueError:
                bad.append((number, column.name))
                break
        else:
            rows.append(converted)
    types = {"str": pa.string(), "int": pa.int64(), "amount": pa.decimal128(14, 2), "date": pa.date32()}
    arrays = [pa.array([row[j] for row in rows], types[c.kind]) for j, c in enumerate(kind.columns)]
    return pa.Table.from_arrays(arrays, names=[c.name for c in kind.columns]), bad


@pytest.mark.parametrize(("name", "kind", "compiled"), [("cm.txt", "cm", True), ("cn.txt", "cn", True),
                                                         ("webk20.txt", "webk", False)])  # fmt: skip
def test_the_fast_path_equals_a_reference_parse_of_the_real_sample(
    shared_dir: Path, name: str, kind: str, compiled: bool
) -> None:
    data = (shared_dir / "data" / "fec-2020-sample" / name).read_bytes()
    expected, bad = _reference_table(FILE_KINDS[kind], data)
    assert bad == [] and expected.num_rows == data.count(b"\n")
    assert fec._parse(FILE_KINDS[kind], data, "utf-8").equals(expected)
    kernel = fec._compiled_parse(FILE_KINDS[kind], pa.py_buffer(data))
    assert (kernel is not None) == compiled  # webk's dates are MM/DD/YYYY: Arrow's reader parses that file
    if kernel is not None:
        assert kernel.equals(expected)


#: Values that look like their type but are not (the reference and the loader must both refuse them), and
#: edge values that are good (both must keep them, unchanged).
_BAD_VALUES = {
    "dt": ["02302026", "1152026", "13012026", "00002026", "0115202A", "02292025", "011520266"],
    "amt": ["1.234", "12x", "1234567890123", "5.5.5", "-", ".", "1000000000000.00"],
    "file_num": ["9223372036854775808", "12.5", "1-2"],
}
_GOOD_VALUES = {
    "dt": ["02292024", "12312099", "01010001", ""],
    "amt": ["-5", "0.5", "007", "999999999999.99", "-999999999999.99", "", "10.10", ".05", "-.5", "5."],
    "file_num": ["9223372036854775807", "-9223372036854775807", "0", "0000000000000000042"],
}


def _synthetic_lines() -> list[str]:
    lines, number = [], 0
    for field_name, values in (*_BAD_VALUES.items(), *_GOOD_VALUES.items()):
        for value in values:
            number += 1
            lines.append(itcont(sub=str(number), tran=f"SA{number}", **{field_name: value}))  # type: ignore[arg-type]
            lines += [itcont(sub=str(number * 1000 + k), tran=f"SB{number}.{k}", amt=f"{k}.{k}") for k in range(3)]
    lines[5] += "|"  # a 22nd field
    return lines


def test_bad_dates_and_amounts_are_located_as_a_reference_parse_locates_them(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    data = ("\n".join(_synthetic_lines()) + "\n").encode("utf-8")
    (tmp_path / "itcont.txt").write_bytes(data)
    expected, bad = _reference_table(FILE_KINDS["indiv"], data)
    assert len(bad) == sum(len(v) for v in _BAD_VALUES.values()) + 1
    with pytest.raises(DataPackageError) as caught:
        ingest_fec(con, tmp_path, cycle=2026)
    assert [(p.line, p.field) for p in caught.value.problems] == bad
    ingest_fec(con, tmp_path, cycle=2026, skip_bad_rows=True)
    stored = con.execute(f"SELECT {', '.join(c.name for c in FILE_KINDS['indiv'].columns)} FROM fec_indiv")
    assert stored.fetchall() == [tuple(row.values()) for row in expected.to_pylist()]
    good = "\n".join(line for k, line in enumerate(_synthetic_lines(), 1) if k not in {b[0] for b in bad}) + "\n"
    kernel = fec._compiled_parse(FILE_KINDS["indiv"], pa.py_buffer(good.encode()))
    assert kernel is not None and kernel.equals(expected)  # the good lines take the compiled path


def test_the_compiled_parser_declines_what_it_cannot_convert_exactly() -> None:
    kind = FILE_KINDS["indiv"]
    for line in [itcont(amt="1e5"), itcont(amt="+5"), itcont(amt=" 5"), itcont(sub="-9223372036854775808"),
                 itcont(file_num="00000000000000000000042"), itcont() + "\r",
                 "|" * 20, itcont(dt="02302026"), itcont() + "|"]:  # fmt: skip
        assert fec._compiled_parse(kind, pa.py_buffer((line + "\n").encode())) is None, line
    unterminated = fec._compiled_parse(kind, pa.py_buffer(f"{itcont()}\n{itcont(sub='2')}".encode()))
    assert unterminated is not None and unterminated.column("sub_id").to_pylist() == [1, 2]
