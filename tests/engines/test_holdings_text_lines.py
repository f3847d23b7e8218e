"""13F text (TSV) inputs on the engines: each bad row named by file, line and column, the lines numbered by the
byte ranges the FEC ingest uses, the same problems on DuckDB and on Spark, the same lines as the one-file reader.

The data sets are written line by line, so every line number below is counted by hand from the rows listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_data import AMD, NVDA, cover, info, tsv, write_fixture_dataset

from marketpower.engines import holdings as H
from marketpower.errors import DataPackageError, Problem
from marketpower.ingest.byte_ranges import cuts, line_count, lines_before, range_lines
from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS, MAX_LISTED, load_13f

SHARES = "share amount empty, negative or not a number"
VOTING = "voting authority (sole or shared) negative or not a number"
WIDTH = "a number of tab-separated fields other than the header's"


def _line(columns: tuple[str, ...], row: dict[str, str], fields: int | None = None) -> str:
    """One TSV line of ``row``, cut after its first ``fields`` fields when given (a malformed, short line)."""
    return "\t".join([row.get(c, "") for c in columns][:fields])


def _write(path: Path, columns: tuple[str, ...], lines: list[str], end: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(end.join(["\t".join(columns), *lines, ""]).encode())
    return path


def _infotable_lines(short: bool) -> list[str]:
    """INFOTABLE of 2025q3 from line 2 on; line 8 is cut after CUSIP (5 of 15 fields) when ``short``."""
    eighth = info("A1", NVDA, "8")
    return [
        _line(INFOTABLE_COLUMNS, info("A1", NVDA, "100", sole="100")),  # 2 good
        _line(INFOTABLE_COLUMNS, info("A1", NVDA, "-5")),  # 3 negative share amount
        _line(INFOTABLE_COLUMNS, info("A1", AMD, "ten")),  # 4 not a number
        _line(INFOTABLE_COLUMNS, info("A1", AMD, "10", sole="-1")),  # 5 negative voting authority
        _line(INFOTABLE_COLUMNS, info("A1", "", "3")),  # 6 empty CUSIP
        _line(INFOTABLE_COLUMNS, info("", NVDA, "4")),  # 7 empty accession
        _line(INFOTABLE_COLUMNS, eighth, 5 if short else None),  # 8 short: no SSHPRNAMT either
        _line(INFOTABLE_COLUMNS, info("A1", AMD, "10", sole="10")),  # 9 good
        _line(INFOTABLE_COLUMNS, info("A1", NVDA, "")),  # 10 empty share amount
    ]


def _coverpage_lines(short: bool) -> list[str]:
    """COVERPAGE of 2025q3 from line 2 on; line 7 holds only ACCESSION_NUMBER and the date when ``short``."""
    seventh = cover("C5", "Gamma", "30-SEP-2025")
    return [
        _line(COVERPAGE_COLUMNS, cover("A1", "Alpha Capital", "30-SEP-2025")),  # 2 good
        _line(COVERPAGE_COLUMNS, cover("C1", "Gamma", "2025-09-30")),  # 3 bad date
        _line(COVERPAGE_COLUMNS, cover("C2", "Gamma", "30-SEP-2025", amend="X")),  # 4 neither Y nor N
        _line(COVERPAGE_COLUMNS, cover("C3", "Gamma", "30-SEP-2025", "Y", "0", "RESTATEMENT")),  # 5 number 0
        _line(COVERPAGE_COLUMNS, cover("C4", "Gamma", "30-SEP-2025", "Y", "1", "OTHER")),  # 6 bad type
        _line(COVERPAGE_COLUMNS, seventh, 2 if short else None),  # 7 short (2 of 21 fields), nothing else wrong
        _line(COVERPAGE_COLUMNS, cover("C6", "Gamma", "30-SEP-2025", "Y", "", "")),  # 8 no number, no type
    ]


def _bad_history(root: Path, short: bool = True) -> dict[str, Path]:
    """Two data sets: 2025q3 with the bad rows above; 2025q2 with a clean INFOTABLE and a COVERPAGE with CRLF
    line ends, an empty line 3 (which the readers skip, but which counts as a line) and a bad date on line 4."""
    paths = write_fixture_dataset(root / "2025q2")
    _write(root / "2025q3" / "INFOTABLE.tsv", INFOTABLE_COLUMNS, _infotable_lines(short))
    _write(root / "2025q3" / "COVERPAGE.tsv", COVERPAGE_COLUMNS, _coverpage_lines(short))
    tsv(root / "2025q2" / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [info("Q2", NVDA, "400")])
    _write(root / "2025q2" / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [
        _line(COVERPAGE_COLUMNS, cover("Q2", "Alpha Capital", "30-JUN-2025")),  # 2
        "",  # 3 empty
        _line(COVERPAGE_COLUMNS, cover("Q9", "Delta", "30-JUNE-2025")),  # 4 bad date
    ], end="\r\n")  # fmt: skip
    return paths


def _expected(root: Path) -> list[tuple[str, int | None, str | None, str]]:
    """Every problem of :func:`_bad_history`, by hand: located rows by file and line, then counts per data set."""
    info_q3, cover_q2, cover_q3 = (str(root / q / n) for q, n in [("2025q3", "INFOTABLE.tsv"),
                                                                   ("2025q2", "COVERPAGE.tsv"),
                                                                   ("2025q3", "COVERPAGE.tsv")])  # fmt: skip
    date, flag = "date is not DD-MON-YYYY", "ISAMENDMENT is neither Y nor N"
    number = "an amendment whose AMENDMENTNO is not a number from 1 up"
    kind = "an amendment that is neither RESTATEMENT nor NEW HOLDINGS"
    return [
        (info_q3, 3, "SSHPRNAMT", SHARES), (info_q3, 4, "SSHPRNAMT", SHARES),
        (info_q3, 5, "VOTING_AUTH_SOLE", VOTING), (info_q3, 6, "CUSIP", "empty CUSIP"),
        (info_q3, 7, "ACCESSION_NUMBER", "empty ACCESSION_NUMBER"),
        (info_q3, 8, None, f"{WIDTH} (5 here, 15 in the header)"), (info_q3, 8, "SSHPRNAMT", SHARES),
        (info_q3, 10, "SSHPRNAMT", SHARES),
        (info_q3, None, None, f"1 row(s) with {WIDTH}"), (info_q3, None, "SSHPRNAMT", f"4 row(s) with {SHARES}"),
        (info_q3, None, "VOTING_AUTH_SOLE", f"1 row(s) with {VOTING}"),
        (info_q3, None, "CUSIP", "1 row(s) with empty CUSIP"),
        (info_q3, None, "ACCESSION_NUMBER", "1 row(s) with empty ACCESSION_NUMBER"),
        (cover_q2, 4, "REPORTCALENDARORQUARTER", date),
        (cover_q3, 3, "REPORTCALENDARORQUARTER", date), (cover_q3, 4, "ISAMENDMENT", flag),
        (cover_q3, 5, "AMENDMENTNO", number), (cover_q3, 6, "AMENDMENTTYPE", kind),
        (cover_q3, 7, None, f"{WIDTH} (2 here, 21 in the header)"),
        (cover_q3, 8, "AMENDMENTNO", number), (cover_q3, 8, "AMENDMENTTYPE", kind),
        (cover_q2, None, "REPORTCALENDARORQUARTER", f"1 row(s) with {date}"),
        (cover_q3, None, None, f"1 row(s) with {WIDTH}"),
        (cover_q3, None, "REPORTCALENDARORQUARTER", f"1 row(s) with {date}"),
        (cover_q3, None, "ISAMENDMENT", f"1 row(s) with {flag}"),
        (cover_q3, None, "AMENDMENTNO", f"2 row(s) with {number}"),
        (cover_q3, None, "AMENDMENTTYPE", f"2 row(s) with {kind}"),
    ]  # fmt: skip


def _problems(engine: Any, root: Path, paths: dict[str, Path]) -> list[Problem]:
    from marketpower.ingest.sec13f import read_cusip_map, read_shares_outstanding

    outstanding = read_shares_outstanding(paths["shares_outstanding"]).rename("shares_outstanding").reset_index()
    with pytest.raises(DataPackageError) as raised:
        H.holdings_by_quarter(engine, H.find_datasets(root), read_cusip_map(paths["cusip_map"]), outstanding)
    return raised.value.problems


def _as_tuples(problems: list[Problem]) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.file, p.line, p.field, p.message) for p in problems]


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """64-byte ranges: most lines cross a range end, so the running sum is what numbers them."""
    monkeypatch.setattr(H, "TEXT_RANGE_BYTES", 64)


def test_every_check_and_a_short_line_are_named_by_file_line_and_column(
    duck: Any, tmp_path: Path, small_ranges: None
) -> None:
    paths = _bad_history(tmp_path / "sets")
    assert _as_tuples(_problems(duck, tmp_path / "sets", paths)) == _expected(tmp_path / "sets")


def test_the_lines_are_those_of_the_one_file_reader(duck: Any, tmp_path: Path, small_ranges: None) -> None:
    """The same files without the short lines (a good row in their place, so no line moves): the engine names
    the lines and columns the one-file reader names, check for check."""
    paths = _bad_history(tmp_path / "sets", short=False)
    folder = tmp_path / "sets" / "2025q3"
    located = {(p.line, p.field) for p in _problems(duck, tmp_path / "sets", paths)
               if p.line is not None and Path(p.file).parent == folder}  # fmt: skip
    with pytest.raises(DataPackageError) as one_file:
        load_13f(folder / "INFOTABLE.tsv", folder / "COVERPAGE.tsv", paths["cusip_map"], paths["shares_outstanding"])
    assert {(p.line, p.field) for p in one_file.value.problems if p.line is not None} == located
    assert len(located) == 12


def test_more_bad_lines_than_listed_are_counted(duck: Any, tmp_path: Path) -> None:
    paths = write_fixture_dataset(tmp_path / "q")
    tsv(tmp_path / "q" / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [info("A1", NVDA, "-1") for _ in range(MAX_LISTED + 10)])
    problems = _problems(duck, tmp_path, paths)
    assert [p.line for p in problems if p.line is not None] == list(range(2, MAX_LISTED + 2))
    assert str(problems[-1]).endswith(f"field 'SSHPRNAMT': {MAX_LISTED + 10} row(s) with {SHARES}")


def test_clean_text_is_never_read_twice(duck: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clean input keeps the one read it had: the line-numbering reader is not called."""

    def refuse(*_: object) -> None:
        raise AssertionError("clean input went through the line-numbering reader")

    monkeypatch.setattr(H, "_numbered_text", refuse)
    paths = write_fixture_dataset(tmp_path / "q")
    from marketpower.ingest.sec13f import read_cusip_map, read_shares_outstanding

    outstanding = read_shares_outstanding(paths["shares_outstanding"]).rename("shares_outstanding").reset_index()
    got = H.holdings_by_quarter(duck, H.find_datasets(tmp_path), read_cusip_map(paths["cusip_map"]), outstanding)
    # the fixture's holdings (engine_data.write_fixture_dataset): Alpha 400 NVDA in 2025Q2; in 2025Q3 Alpha 10
    # AMD and 100 + 50 NVDA, Beta 20 AMD and its restated 300 NVDA
    assert got["shares"].tolist() == pytest.approx([400.0, 10.0, 150.0, 20.0, 300.0], rel=1e-12)


def test_spark_names_the_same_problems(spark: Any, duck: Any, tmp_path: Path, small_ranges: None) -> None:
    paths = _bad_history(tmp_path / "sets")
    on_spark = _problems(spark, tmp_path / "sets", paths)
    assert on_spark == _problems(duck, tmp_path / "sets", paths)
    assert _as_tuples(on_spark) == _expected(tmp_path / "sets")


def test_byte_ranges_hold_every_line_once_whatever_the_cuts(tmp_path: Path) -> None:
    """Lines 1–5 of ``ab / cd / (empty) / efg / h`` (the last without a line end), cut every possible way."""
    path = tmp_path / "t.txt"
    path.write_bytes(b"ab\ncd\n\nefg\nh")
    size = path.stat().st_size
    for range_bytes in range(1, size + 2):
        ranges = cuts(size, range_bytes)
        pieces = [range_lines(str(path), start, end) for start, end in ranges]
        assert b"".join(data for data, _ in pieces) == path.read_bytes()
        assert [at_end for _, at_end in pieces][-1] is True
        counts = [line_count(data) for data, _ in pieces]
        assert sum(counts) == 5
        before = lines_before((0, c) for c in counts)
        firsts = {b + 1 for b, (data, _) in zip(before, pieces, strict=True) if data}
        assert firsts <= {1, 2, 3, 4, 5}
    assert range_lines(str(path), 0, size, header=True) == (b"cd\n\nefg\nh", True)
    assert lines_before([(0, 3), (0, 2), (1, 4), (0, 1), (1, 1)]) == [0, 3, 0, 5, 4]


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_empty_lines_and_crlf_give_the_one_file_readers_lines(duck: Any, tmp_path: Path, end: str) -> None:
    """Empty lines (which both readers skip) before bad rows, LF or CRLF line ends: the engine and the one-file
    reader name the same lines, those counted by hand."""
    paths = write_fixture_dataset(tmp_path / "sets" / "2025q3")
    folder = tmp_path / "sets" / "2025q3"
    _write(folder / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [
        _line(INFOTABLE_COLUMNS, info("A1", NVDA, "100")),  # 2 good
        "",  # 3 empty
        "",  # 4 empty
        _line(INFOTABLE_COLUMNS, info("A1", NVDA, "-5")),  # 5 negative share amount
        _line(INFOTABLE_COLUMNS, info("A1", AMD, "10")),  # 6 good
        "",  # 7 empty
        _line(INFOTABLE_COLUMNS, info("A1", "", "3")),  # 8 empty CUSIP
    ], end)  # fmt: skip
    _write(folder / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [
        _line(COVERPAGE_COLUMNS, cover("A1", "Alpha Capital", "30-SEP-2025")),  # 2 good
        "",  # 3 empty
        _line(COVERPAGE_COLUMNS, cover("C1", "Gamma", "2025-09-30")),  # 4 bad date
    ], end)  # fmt: skip
    expected = {("INFOTABLE.tsv", 5, "SSHPRNAMT"), ("INFOTABLE.tsv", 8, "CUSIP"),
                ("COVERPAGE.tsv", 4, "REPORTCALENDARORQUARTER")}  # fmt: skip
    engine = {(Path(p.file).name, p.line, p.field) for p in _problems(duck, tmp_path / "sets", paths) if p.line}
    with pytest.raises(DataPackageError) as one_file:
        load_13f(folder / "INFOTABLE.tsv", folder / "COVERPAGE.tsv", paths["cusip_map"], paths["shares_outstanding"])
    assert {(Path(p.file).name, p.line, p.field) for p in one_file.value.problems if p.line} == expected
    assert engine == expected


def _one_odd_line(root: Path, fields: int) -> tuple[dict[str, Path], Path]:
    """The fixture data set (:func:`engine_data.write_fixture_dataset`) with INFOTABLE line 4 (A1's 10 AMD) cut to
    ``fields`` fields (14: VOTING_AUTH_NONE dropped) or given a 16th: its required columns still parse, so its
    number of fields is the data set's only problem."""
    paths = write_fixture_dataset(root / "2025q3")
    lines = paths["infotable"].read_text().split("\n")
    values = lines[3].split("\t")
    lines[3] = "\t".join(values[:fields] if fields < len(values) else [*values, "extra"])
    paths["infotable"].write_text("\n".join(lines))
    return paths, paths["infotable"]


@pytest.mark.parametrize("fields", [14, 16])
def test_a_short_or_long_line_alone_is_named_alike_on_both_engines(
    spark: Any, duck: Any, tmp_path: Path, fields: int
) -> None:
    """Spark's reader pads or cuts such a line; it is still named, by file and line, as DuckDB names it."""
    paths, infotable = _one_odd_line(tmp_path / "sets", fields)
    expected = [
        (str(infotable), 4, None, f"{WIDTH} ({fields} here, 15 in the header)"),
        (str(infotable), None, None, f"1 row(s) with {WIDTH}"),
    ]
    on_duckdb = _problems(duck, tmp_path / "sets", paths)
    assert _as_tuples(on_duckdb) == expected
    assert _problems(spark, tmp_path / "sets", paths) == on_duckdb
