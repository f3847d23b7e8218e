"""The FEC ingest on Spark against the one-machine ingest: the same rows in the same order (amounts exact Decimals)
and the same bad-row report (file, line, field, message), on the real 2020 sample and on a synthetic itcont with
bad rows of every kind, cut into byte ranges far smaller than its lines so that lines cross range ends."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from test_fec_engines import ITCONT, SAMPLE

from marketpower.engines.fec_ingest import check_chunk, chunks, file_lines
from marketpower.errors import DataPackageError, Problem
from marketpower.ingest.fec import FILE_KINDS, ingest_fec

#: (line, field) of each bad line of :func:`_bad_itcont`, numbered by hand from the lines written there.
BAD_LINES = [
    (3, "transaction_dt"), (5, "transaction_amt"), (6, None), (8, "name"), (9, None), (11, "file_num"),
    (12, "cmte_id"), (13, None),
]  # fmt: skip


def _bad_itcont(folder: Path) -> Path:
    """13 lines: the synthetic receipts with, at the lines of :data:`BAD_LINES`, a 30 February, an amount with
    three decimals, a missing field, a Latin-1 byte in a name, an empty line, a file number that is no number, a
    carriage return inside the first field and a truncated last line (no line end)."""
    good = [line.encode() for line in ITCONT]
    fields = ITCONT[0].split("|")

    def variant(position: int, value: str, encoding: str = "utf-8") -> bytes:
        return "|".join([*fields[:position], value, *fields[position + 1 :]]).encode(encoding)

    lines = [
        good[0], good[1], variant(13, "02302020"), good[2], variant(14, "12.345"), "|".join(fields[:-1]).encode(),
        good[3], variant(7, "PE\xd1A, ANA", "latin-1"), b"", good[4], variant(17, "1O0"),
        b"C000\r00001" + good[5][9:], good[6][:40],
    ]  # fmt: skip
    path = folder / "itcont.txt"
    path.write_bytes(b"\n".join(lines))
    return path


def _rows(folder: Path) -> list[dict[str, Any]]:
    """Every row of a load folder's Parquet files, in file-name order (the order the views read them)."""
    rows: list[dict[str, Any]] = []
    for part in sorted(folder.glob("*.parquet")):
        rows += pq.read_table(part).to_pylist()
    return rows


def _load_folders(con: duckdb.DuckDBPyConnection) -> dict[str, Path]:
    found = con.execute("SELECT DISTINCT kind, load_dir FROM fec_manifest").fetchall()
    db = Path(con.execute("PRAGMA database_list").fetchall()[0][2])
    return {kind: db.parent / load_dir for kind, load_dir in found}


def _rejects(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute("SELECT * FROM fec_rejects ORDER BY file, line, field").fetchall()


def test_ranges_checked_one_by_one_give_the_one_machine_report(tmp_path: Path) -> None:
    """Without Spark: every 64-byte range of the bad file checked by the executors' function, lines then renumbered
    by the running sum, reports the one-machine ingest's problems, each at its hand-numbered line."""
    data = tmp_path / "indiv20"
    data.mkdir()
    path = _bad_itcont(data)
    kind = FILE_KINDS["indiv"]
    ranges = chunks(kind, [path], chunk_bytes=64)
    assert len(ranges) == -(-path.stat().st_size // 64) > len(BAD_LINES)
    out = tmp_path / "out"
    out.mkdir()
    results = [(c, check_chunk(c, 2020, str(out), "utf-8", True)) for c in ranges]
    assert sum(r.lines for _, r in results) == 13
    with pytest.raises(DataPackageError) as one_machine:
        ingest_fec(duckdb.connect(str(tmp_path / "s.duckdb")), data, cycle=2020)
    assert file_lines(results) == one_machine.value.problems
    assert [(p.line, p.field) for p in one_machine.value.problems] == BAD_LINES
    assert sum(r.rows for _, r in results) == 5 == len(_rows(out))


def test_a_quoted_file_is_one_range_numbered_from_its_second_line(tmp_path: Path) -> None:
    """Independent expenditures (header, quoted fields): one range, lines from 2; a bad date on line 3."""
    from test_fec_engines import IE

    data = tmp_path / "ie"
    data.mkdir()
    lines = [*IE[:2], IE[2].replace("01-FEB-20", "31-FEB-20"), *IE[3:]]
    path = data / "independent_expenditure_2020.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out := tmp_path / "out").mkdir()
    ranges = chunks(FILE_KINDS["ie"], [path], chunk_bytes=64)
    assert [(c.start, c.end) for c in ranges] == [(0, path.stat().st_size)]
    results = [(c, check_chunk(c, 2020, str(out), "utf-8", False)) for c in ranges]
    with pytest.raises(DataPackageError) as one_machine:
        ingest_fec(duckdb.connect(str(tmp_path / "s.duckdb")), data, cycle=2020)
    assert file_lines(results) == one_machine.value.problems
    assert [(p.line, p.field) for p in one_machine.value.problems] == [(3, "exp_date")]


def _ingest_both(spark: Any, data: Path, root: Path, **options: Any) -> tuple[duckdb.DuckDBPyConnection, ...]:
    from marketpower.engines.fec_ingest import SparkLoader

    stores = []
    for name, loader in (("one", None), ("spark", SparkLoader(spark.session, chunk_bytes=100_000))):
        con = duckdb.connect(str(root / f"{name}.duckdb"))
        report = ingest_fec(con, data, cycle=2020, loader=loader, **options)
        stores.append((con, report))
    (one, one_report), (other, other_report) = stores
    assert other_report.to_dict() == one_report.to_dict()
    return one, other


def test_spark_ingest_gives_the_same_rows_and_bad_row_report(spark: Any, cli: Any, tmp_path: Path) -> None:
    if not SAMPLE.is_dir():
        pytest.skip(f"the real FEC sample is not at {SAMPLE}")
    real = tmp_path / "real"
    real.mkdir()
    for name in ("cn.txt", "webk20.txt"):
        shutil.copy(SAMPLE / name, real / name)
    one, other = _ingest_both(spark, real, tmp_path / "real")
    folders = _load_folders(one), _load_folders(other)
    for kind in ("cn", "webk"):
        assert len(list(folders[1][kind].glob("*.parquet"))) > 1  # several ranges per file
        assert _rows(folders[1][kind]) == _rows(folders[0][kind])
    webk = _rows(folders[1]["webk"])
    assert len(webk) == sum(1 for _ in (real / "webk20.txt").open(encoding="utf-8"))
    total = sum(Decimal(line.split("|")[5] or "0") for line in (real / "webk20.txt").open(encoding="utf-8"))
    assert sum(r["ttl_receipts"] or Decimal(0) for r in webk) == total  # exact Decimal sum of the raw column

    bad = tmp_path / "bad"
    bad.mkdir()
    _bad_itcont(bad)
    from marketpower.engines.fec_ingest import SparkLoader

    errors: list[list[Problem]] = []
    for loader in (None, SparkLoader(spark.session, chunk_bytes=64)):
        with pytest.raises(DataPackageError) as refused:
            ingest_fec(duckdb.connect(str(tmp_path / f"refused{len(errors)}.duckdb")), bad, cycle=2020, loader=loader)
        errors.append(refused.value.problems)
    assert errors[0] == errors[1] and [(p.line, p.field) for p in errors[1]] == BAD_LINES
    assert not list((tmp_path / "refused1.duckdb.fec").glob("*/*"))  # nothing left of the refused load

    one, other = _ingest_both(spark, bad, tmp_path / "bad", skip_bad_rows=True)
    assert _rows(_load_folders(other)["indiv"]) == _rows(_load_folders(one)["indiv"])
    assert _rejects(other) == _rejects(one) and len(_rejects(one)) == len(BAD_LINES)

    args = ["fec", "ingest", str(bad), "--cycle", "2020", "--skip-bad-rows", "--json"]
    answers = [cli(*args, "--db", str(tmp_path / f"cli-{e}.duckdb"), "--engine", e) for e in ("duckdb", "spark")]
    assert [a.code for a in answers] == [0, 0], answers[1].err
    assert json.loads(answers[1].out) == json.loads(answers[0].out)
