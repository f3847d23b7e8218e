"""SEC 13F data-set ingest and the plain holdings CSV: hand-checked fractions and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.ingest.sec13f import (
    COVERPAGE_COLUMNS,
    INFOTABLE_COLUMNS,
    SUMMARYPAGE_COLUMNS,
    load_13f,
    read_cusip_map,
    read_holdings_csv,
)

NVDA, AMD, OTHER = "67066G104", "007903107", "123456789"


def _tsv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    lines = ["\t".join(columns)] + ["\t".join(row.get(c, "") for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _info(acc: str, cusip: str, shares: str, kind: str = "SH", putcall: str = "", sole: str = "0") -> dict[str, str]:
    return {
        "ACCESSION_NUMBER": acc, "CUSIP": cusip, "SSHPRNAMT": shares, "SSHPRNAMTTYPE": kind, "PUTCALL": putcall,
        "NAMEOFISSUER": "X", "VALUE": "1", "VOTING_AUTH_SOLE": sole, "VOTING_AUTH_SHARED": "0",
        "VOTING_AUTH_NONE": "0",
    }  # fmt: skip


def _cover(acc: str, manager: str, period: str, amend: str = "N", no: str = "", kind: str = "") -> dict[str, str]:
    return {
        "ACCESSION_NUMBER": acc, "REPORTCALENDARORQUARTER": period, "FILINGMANAGER_NAME": manager,
        "ISAMENDMENT": amend, "AMENDMENTNO": no, "AMENDMENTTYPE": kind, "REPORTTYPE": "13F HOLDINGS REPORT",
    }  # fmt: skip


@pytest.fixture
def dataset(tmp_path: Path) -> dict[str, Path]:
    """Two managers in 2025Q3 (+ one old 2025Q2 filing).

    Alpha: 100 NVDA + 50 NVDA (two lines, summed), 10 AMD; a call option on NVDA and a PRN line are left out.
    Beta: original filing (900 NVDA) restated by amendment 1 (300 NVDA), then NEW HOLDINGS amendment 2 (20 AMD).
    Unmapped CUSIP left out. Shares outstanding: NVDA 1,000, AMD 200.
    """
    info = _tsv(
        tmp_path / "INFOTABLE.tsv",
        INFOTABLE_COLUMNS,
        [
            _info("A1", NVDA, "100", sole="100"),
            _info("A1", NVDA.lower(), "50", sole="0"),
            _info("A1", AMD, "10", sole="10"),
            _info("A1", NVDA, "999", putcall="Call"),
            _info("A1", AMD, "77", kind="PRN"),
            _info("A1", OTHER, "5"),
            _info("B0", NVDA, "900"),
            _info("B1", NVDA, "300", sole="300"),
            _info("B2", AMD, "20"),
            _info("Q2", NVDA, "400"),
        ],
    )
    cover = _tsv(
        tmp_path / "COVERPAGE.tsv",
        COVERPAGE_COLUMNS,
        [
            _cover("A1", "Alpha Capital", "30-SEP-2025"),
            _cover("B0", "Beta Advisors", "30-SEP-2025"),
            _cover("B1", "Beta Advisors", "30-SEP-2025", "Y", "1", "RESTATEMENT"),
            _cover("B2", "Beta Advisors", "30-SEP-2025", "Y", "2", "NEW HOLDINGS"),
            _cover("Q2", "Alpha Capital", "30-JUN-2025"),
        ],
    )
    summary = _tsv(
        tmp_path / "SUMMARYPAGE.tsv",
        SUMMARYPAGE_COLUMNS,
        [
            {"ACCESSION_NUMBER": "A1", "TABLEENTRYTOTAL": "6"},
            {"ACCESSION_NUMBER": "B1", "TABLEENTRYTOTAL": "2"},  # declares 2, has 1
        ],
    )
    cusips = tmp_path / "cusips.csv"
    cusips.write_text(f"cusip,firm\n{NVDA},NVDA\n{AMD},AMD\n", encoding="utf-8")
    outstanding = tmp_path / "outstanding.csv"
    outstanding.write_text("firm,shares_outstanding\nNVDA,1000\nAMD,200\n", encoding="utf-8")
    return {"infotable": info, "coverpage": cover, "summarypage": summary, "cusip_map": cusips,
            "shares_outstanding": outstanding}  # fmt: skip


def _load(paths: dict[str, Path], **kwargs: object) -> dict[tuple[str, str], tuple[float, float]]:
    holdings = load_13f(
        paths["infotable"], paths["coverpage"], paths["cusip_map"], paths["shares_outstanding"],
        summarypage=paths.get("summarypage"), **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    frame = holdings.frame
    return {(r.investor, r.firm): (r.fraction, r.voting_fraction) for r in frame.itertuples()}


def test_fractions_by_hand(dataset: dict[str, Path]) -> None:
    got = _load(dataset)
    assert got == {
        ("Alpha Capital", "NVDA"): pytest.approx((0.15, 0.10)),  # (100 + 50) / 1,000; votes 100 / 1,000
        ("Alpha Capital", "AMD"): pytest.approx((0.05, 0.05)),  # 10 / 200
        ("Beta Advisors", "NVDA"): pytest.approx((0.30, 0.30)),  # restatement replaces the 900
        ("Beta Advisors", "AMD"): pytest.approx((0.10, 0.0)),  # NEW HOLDINGS amendment adds 20 / 200
    }


def test_diagnostics(dataset: dict[str, Path]) -> None:
    holdings = load_13f(
        dataset["infotable"], dataset["coverpage"], dataset["cusip_map"], dataset["shares_outstanding"],
        summarypage=dataset["summarypage"],
    )  # fmt: skip
    d = holdings.diagnostics
    assert d["quarter"] == "2025Q3"
    assert d["quarters_in_data"] == ["2025Q2", "2025Q3"]
    assert d["filings_kept"] == 3  # A1, B1, B2
    assert d["rows_options_or_principal_left_out"] == 2
    assert d["rows_unmapped_cusip_left_out"] == 1
    assert d["filings_with_entry_count_mismatch"] == 1


def test_quarter_selection(dataset: dict[str, Path]) -> None:
    assert _load(dataset, quarter="2025q2") == {("Alpha Capital", "NVDA"): pytest.approx((0.4, 0.0))}
    with pytest.raises(InvalidInputError, match="quarter 2024Q4 is not in"):
        _load(dataset, quarter="2024Q4")
    with pytest.raises(InvalidInputError, match="write it as YYYYQn"):
        _load(dataset, quarter="Q3-2025")


def test_firm_filter_and_unknown_firm(dataset: dict[str, Path]) -> None:
    assert set(_load(dataset, firms=["AMD"])) == {("Alpha Capital", "AMD"), ("Beta Advisors", "AMD")}
    with pytest.raises(InvalidInputError, match="firm\\(s\\) INTC are not in the CUSIP map"):
        _load(dataset, firms=["AMD", "INTC"])


def test_missing_columns_are_all_reported_with_file_and_column(tmp_path: Path, dataset: dict[str, Path]) -> None:
    info = _tsv(tmp_path / "bad_info.tsv", tuple(c for c in INFOTABLE_COLUMNS if c != "SSHPRNAMT"), [])
    cover = _tsv(tmp_path / "bad_cover.tsv", tuple(c for c in COVERPAGE_COLUMNS if c != "FILINGMANAGER_NAME"), [])
    with pytest.raises(DataPackageError) as caught:
        load_13f(info, cover, dataset["cusip_map"], dataset["shares_outstanding"])
    problems = {(Path(p.file).name, p.line, p.field) for p in caught.value.problems}
    assert problems == {("bad_info.tsv", 1, "SSHPRNAMT"), ("bad_cover.tsv", 1, "FILINGMANAGER_NAME")}


def test_negative_and_non_numeric_share_amounts_name_the_line(tmp_path: Path, dataset: dict[str, Path]) -> None:
    info = _tsv(
        tmp_path / "INFOTABLE.tsv",
        INFOTABLE_COLUMNS,
        [_info("A1", NVDA, "100"), _info("A1", AMD, "-5"), _info("A1", AMD, "ten")],
    )
    with pytest.raises(DataPackageError) as caught:
        load_13f(info, dataset["coverpage"], dataset["cusip_map"], dataset["shares_outstanding"])
    located = [(p.line, p.field) for p in caught.value.problems]
    assert located == [(3, "SSHPRNAMT"), (4, "SSHPRNAMT")]
    assert "negative or not a number: '-5'" in str(caught.value)


def test_bad_report_date_names_the_line(tmp_path: Path, dataset: dict[str, Path]) -> None:
    cover = _tsv(tmp_path / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [_cover("A1", "Alpha", "2025-09-30")])
    with pytest.raises(DataPackageError) as caught:
        load_13f(dataset["infotable"], cover, dataset["cusip_map"], dataset["shares_outstanding"])
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "REPORTCALENDARORQUARTER")]


def test_missing_shares_outstanding(tmp_path: Path, dataset: dict[str, Path]) -> None:
    outstanding = tmp_path / "so.csv"
    outstanding.write_text("firm,shares_outstanding\nNVDA,1000\n", encoding="utf-8")
    with pytest.raises(DataPackageError, match="no shares outstanding for firm 'AMD'"):
        load_13f(dataset["infotable"], dataset["coverpage"], dataset["cusip_map"], outstanding)


def test_holding_above_shares_outstanding(tmp_path: Path, dataset: dict[str, Path]) -> None:
    outstanding = tmp_path / "so.csv"
    outstanding.write_text("firm,shares_outstanding\nNVDA,100\nAMD,200\n", encoding="utf-8")
    with pytest.raises(DataPackageError, match="more than its 100 shares outstanding"):
        load_13f(dataset["infotable"], dataset["coverpage"], dataset["cusip_map"], outstanding)


def test_bad_cusip_map(tmp_path: Path, dataset: dict[str, Path]) -> None:
    cusips = tmp_path / "c.csv"
    cusips.write_text(f"cusip,firm\n12345,NVDA\n{AMD},AMD\n{AMD},ATI\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        load_13f(dataset["infotable"], dataset["coverpage"], cusips, dataset["shares_outstanding"])
    messages = [str(p) for p in caught.value.problems]
    assert any("line 2" in m and "not a 9-character CUSIP" in m for m in messages)
    assert any("maps to several firms (lines 3, 4)" in m for m in messages)


def test_wrong_check_digit_refused_with_file_line_field(tmp_path: Path, dataset: dict[str, Path]) -> None:
    """NVIDIA's 67066G104 typed with a 5 and AMD's 007903107 with a 1 (their first eight give 4 and 7): both
    refused at once, each by file, line and field, with the digit expected; the good third row is no problem."""
    cusips = tmp_path / "c.csv"
    cusips.write_text("cusip,firm\n67066G105,NVDA\n007903101,AMD\n594918104,MSFT\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        read_cusip_map(cusips)
    found = [(p.file, p.line, p.field, p.message) for p in caught.value.problems]
    assert [row[:3] for row in found] == [(str(cusips), 2, "cusip"), (str(cusips), 3, "cusip")]
    assert "check digit 5, the first eight characters give 4" in found[0][3]
    assert "check digit 1, the first eight characters give 7" in found[1][3]
    with pytest.raises(DataPackageError, match="give 4"):  # the 13F ingest reads the map through the same check
        load_13f(dataset["infotable"], dataset["coverpage"], cusips, dataset["shares_outstanding"])


# --- plain CSV ---------------------------------------------------------------------------------------------------


def test_plain_holdings_csv(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("investor,firm,fraction\nVanguard,NVDA,0.09\nVanguard,AMD,0.08\nBlackRock,NVDA,0.07\n")
    frame = read_holdings_csv(path).frame
    assert frame.set_index(["investor", "firm"])["fraction"].to_dict() == pytest.approx(
        {("Vanguard", "NVDA"): 0.09, ("Vanguard", "AMD"): 0.08, ("BlackRock", "NVDA"): 0.07}
    )


def test_plain_csv_reports_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "investor,firm,fraction\nA,NVDA,0.6\nB,NVDA,0.5\nC,AMD,-0.1\n,AMD,0.1\nD,AMD,abc\n", encoding="utf-8"
    )
    with pytest.raises(DataPackageError) as caught:
        read_holdings_csv(path)
    located = {(p.line, p.field) for p in caught.value.problems}
    assert located == {(4, "fraction"), (5, "investor"), (6, "fraction"), (None, "fraction")}
    text = str(caught.value)
    assert "'-0.1' is a negative holding" in text
    assert "holdings of firm 'NVDA' add up to 1.1000 (> 100%), lines 2, 3" in text


def test_plain_csv_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("investor,firm,share\nA,NVDA,0.1\n", encoding="utf-8")
    with pytest.raises(DataPackageError, match="line 1, field 'fraction': missing column 'fraction'"):
        read_holdings_csv(path)


# --- filings or holdings loaded twice, amendments ----------------------------------------------------------------


def _kappa_files(tmp_path: Path, info_rows: list[dict[str, str]], cover_rows: list[dict[str, str]]) -> Path:
    _tsv(tmp_path / "INFOTABLE.tsv", INFOTABLE_COLUMNS, info_rows)
    _tsv(tmp_path / "COVERPAGE.tsv", COVERPAGE_COLUMNS, cover_rows)
    (tmp_path / "cusips.csv").write_text(f"cusip,firm\n{NVDA},NVDA\n{AMD},AMD\n", encoding="utf-8")
    (tmp_path / "outstanding.csv").write_text("firm,shares_outstanding\nNVDA,1000\nAMD,200\n", encoding="utf-8")
    return tmp_path


def _kappa_nvda_amd(folder: Path) -> tuple[float, dict[str, object]]:
    from marketpower.measures.common_ownership import kappa

    holdings = load_13f(
        folder / "INFOTABLE.tsv", folder / "COVERPAGE.tsv", folder / "cusips.csv", folder / "outstanding.csv"
    )
    return float(kappa(holdings.frame, ["NVDA", "AMD"]).loc["NVDA", "AMD"]), holdings.diagnostics


def _with_sk(row: dict[str, str], sk: str) -> dict[str, str]:
    return {**row, "INFOTABLE_SK": sk}


#: Alpha holds 100 of 1,000 NVDA (0.1) and 5 of 200 AMD (0.025); Beta holds 200 NVDA (0.2).
#: κ_NVDA,AMD = (0.1 · 0.025) / (0.1² + 0.2²) = 0.0025 / 0.05 = 0.05. Counting Alpha's filing twice would give
#: (0.2 · 0.05) / (0.2² + 0.2²) = 0.125.
_ALPHA = [_with_sk(_info("A1", NVDA, "100"), "1"), _with_sk(_info("A1", AMD, "5"), "2")]
_BETA = [_with_sk(_info("B1", NVDA, "200"), "3")]
_COVERS = [_cover("A1", "Alpha", "30-SEP-2025"), _cover("B1", "Beta", "30-SEP-2025")]


def test_kappa_by_hand_on_clean_files(tmp_path: Path) -> None:
    value, diagnostics = _kappa_nvda_amd(_kappa_files(tmp_path, _ALPHA + _BETA, _COVERS))
    assert value == pytest.approx(0.05, abs=1e-12)
    assert diagnostics["coverpage_duplicate_rows_dropped"] == 0
    assert diagnostics["infotable_duplicate_rows_dropped"] == 0


@pytest.mark.parametrize(
    ("info_twice", "cover_twice", "dropped"),
    [
        (False, True, (1, 0)),  # the same accession on two cover rows (files concatenated): κ was 0.125
        (True, False, (0, 2)),  # Alpha's holdings listed twice with the same INFOTABLE_SK: κ was 0.125
        (True, True, (1, 2)),  # both: Alpha counted four times, κ was (0.4 · 0.1) / (0.4² + 0.2²) = 0.2
    ],
)
def test_a_filing_or_its_holdings_loaded_twice_count_once(
    tmp_path: Path, info_twice: bool, cover_twice: bool, dropped: tuple[int, int]
) -> None:
    info = _ALPHA + _BETA + (_ALPHA if info_twice else [])
    covers = [*_COVERS, *(_COVERS[:1] if cover_twice else [])]
    value, diagnostics = _kappa_nvda_amd(_kappa_files(tmp_path, info, covers))
    assert value == pytest.approx(0.05, abs=1e-12)
    assert (diagnostics["coverpage_duplicate_rows_dropped"], diagnostics["infotable_duplicate_rows_dropped"]) == dropped


def test_a_duplicate_accession_with_other_contents_is_refused(tmp_path: Path) -> None:
    folder = _kappa_files(tmp_path, _ALPHA + _BETA, [*_COVERS, _cover("A1", "Gamma", "30-SEP-2025")])
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(folder)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.field) == ("COVERPAGE.tsv", 4, "ACCESSION_NUMBER")
    assert "accession A1 is on lines 2, 4 with different contents" in problem.message


def test_a_holding_key_with_two_contents_is_refused(tmp_path: Path) -> None:
    folder = _kappa_files(tmp_path, [*_ALPHA, *_BETA, _with_sk(_info("A1", AMD, "6"), "2")], _COVERS)
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(folder)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.field) == ("INFOTABLE.tsv", 5, "INFOTABLE_SK")
    assert "holding 2 of accession A1 is on lines 3, 5" in problem.message


def test_two_original_reports_of_one_manager_quarter_are_refused(tmp_path: Path) -> None:
    # the same holdings filed again under a second accession number, not marked as an amendment
    again = [_with_sk(_info("A2", NVDA, "100"), "4"), _with_sk(_info("A2", AMD, "5"), "5")]
    folder = _kappa_files(tmp_path, _ALPHA + _BETA + again, [*_COVERS, _cover("A2", "Alpha", "30-SEP-2025")])
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(folder)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (4, "ACCESSION_NUMBER")
    assert "'Alpha' has 2 filings that are each its original report for 2025Q3 (A1, A2, lines 2, 4)" in str(problem)


def test_a_restatement_supersedes_earlier_new_holdings(tmp_path: Path) -> None:
    # Alpha: original (100 NVDA, 5 AMD), amendment 1 NEW HOLDINGS (+50 NVDA), amendment 2 RESTATEMENT (100 NVDA,
    # 5 AMD: the complete report). The restatement replaces both; amendment 3 NEW HOLDINGS (+10 AMD) adds to it.
    rows = [
        *_ALPHA, *_BETA, _with_sk(_info("A3", NVDA, "50"), "6"), _with_sk(_info("A4", NVDA, "100"), "7"),
        _with_sk(_info("A4", AMD, "5"), "8"), _with_sk(_info("A5", AMD, "10"), "9"),
    ]  # fmt: skip
    covers = [
        *_COVERS, _cover("A3", "Alpha", "30-SEP-2025", "Y", "1", "NEW HOLDINGS"),
        _cover("A4", "Alpha", "30-SEP-2025", "Y", "2", "RESTATEMENT"),
        _cover("A5", "Alpha", "30-SEP-2025", "Y", "3", "NEW HOLDINGS"),
    ]  # fmt: skip
    value, diagnostics = _kappa_nvda_amd(_kappa_files(tmp_path, rows, covers))
    # Alpha: NVDA 0.1, AMD 15 / 200 = 0.075; κ = (0.1 · 0.075) / (0.1² + 0.2²) = 0.15
    assert value == pytest.approx(0.15, abs=1e-12)
    assert diagnostics["filings_kept"] == 3  # A4, A5, B1


def test_amendments_without_a_number_or_type_are_refused(tmp_path: Path) -> None:
    covers = [
        *_COVERS,
        _cover("A3", "Alpha", "30-SEP-2025", "Y", "", "NEW HOLDINGS"),
        _cover("A4", "Alpha", "30-SEP-2025", "Y", "2", "RESTATED"),
        _cover("A5", "Alpha", "30-SEP-2025", "maybe"),
    ]
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(_kappa_files(tmp_path, _ALPHA + _BETA, covers))  # fmt: skip
    located = sorted((p.line, p.field) for p in caught.value.problems)
    assert located == [(4, "AMENDMENTNO"), (5, "AMENDMENTTYPE"), (6, "ISAMENDMENT")]


@pytest.mark.parametrize("column", ["SSHPRNAMT", "VOTING_AUTH_SOLE"])
@pytest.mark.parametrize("value", ["inf", "NaN", "1e400"])
def test_amounts_that_are_not_finite_name_the_line(tmp_path: Path, column: str, value: str) -> None:
    amd = {**_with_sk(_info("A1", AMD, "5"), "2"), column: value}
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(_kappa_files(tmp_path, [_ALPHA[0], amd, *_BETA], _COVERS))
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, column)]


# --- line numbers with empty lines and CRLF line ends ------------------------------------------------------------


def _text_file(path: Path, columns: tuple[str, ...], rows: list[dict[str, str] | None], end: str) -> Path:
    """A TSV file whose lines end with ``end``; ``None`` in ``rows`` is an empty line (which the reader skips)."""
    lines = ["\t".join(columns)] + ["" if r is None else "\t".join(r.get(c, "") for c in columns) for r in rows]
    path.write_bytes(end.join([*lines, ""]).encode())
    return path


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_lines_count_the_empty_lines_before_a_bad_row(tmp_path: Path, end: str) -> None:
    """Lines counted by hand, header = line 1: each empty line moves the rows after it one line down."""
    _text_file(tmp_path / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [
        _info("A1", NVDA, "100"),  # line 2
        None,  # 3 empty
        None,  # 4 empty
        _info("A1", NVDA, "-5"),  # 5 negative share amount
        _info("A1", AMD, "10"),  # 6
        None,  # 7 empty
        _info("A1", "", "3"),  # 8 empty CUSIP
    ], end)  # fmt: skip
    _text_file(tmp_path / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [
        _cover("A1", "Alpha", "30-SEP-2025"),  # 2
        None,  # 3 empty
        _cover("C1", "Gamma", "2025-09-30"),  # 4 bad date
    ], end)  # fmt: skip
    (tmp_path / "cusips.csv").write_text(f"cusip,firm\n{NVDA},NVDA\n{AMD},AMD\n", encoding="utf-8")
    (tmp_path / "outstanding.csv").write_text("firm,shares_outstanding\nNVDA,1000\nAMD,200\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(tmp_path)
    assert [(Path(p.file).name, p.line, p.field) for p in caught.value.problems] == [
        ("INFOTABLE.tsv", 5, "SSHPRNAMT"), ("INFOTABLE.tsv", 8, "CUSIP"),
        ("COVERPAGE.tsv", 4, "REPORTCALENDARORQUARTER"),
    ]  # fmt: skip


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_duplicates_and_double_filings_name_lines_past_empty_lines(tmp_path: Path, end: str) -> None:
    """The row lists of the duplicate checks are lines too: with an empty line 3, the rows on lines 2 and 4."""
    (tmp_path / "cusips.csv").write_text(f"cusip,firm\n{NVDA},NVDA\n{AMD},AMD\n", encoding="utf-8")
    (tmp_path / "outstanding.csv").write_text("firm,shares_outstanding\nNVDA,1000\nAMD,200\n", encoding="utf-8")
    # INFOTABLE: line 2 holding 1 of A1, line 3 empty, line 4 holding 1 of A1 again with other shares
    _text_file(tmp_path / "INFOTABLE.tsv", INFOTABLE_COLUMNS,
               [_with_sk(_info("A1", NVDA, "100"), "1"), None, _with_sk(_info("A1", NVDA, "7"), "1")], end)  # fmt: skip
    _text_file(tmp_path / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [_COVERS[0]], end)
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(tmp_path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (4, "INFOTABLE_SK")
    assert "holding 1 of accession A1 is on lines 2, 4" in problem.message
    # COVERPAGE: line 2 Alpha's original A1, lines 3 and 4 empty, line 5 a second original A2 of the same quarter
    _text_file(tmp_path / "INFOTABLE.tsv", INFOTABLE_COLUMNS, _ALPHA, end)
    second = _cover("A2", "Alpha", "30-SEP-2025")
    _text_file(tmp_path / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [_COVERS[0], None, None, second], end)
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(tmp_path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (5, "ACCESSION_NUMBER")
    assert "original report for 2025Q3 (A1, A2, lines 2, 5)" in problem.message
    # and a second cover row for A1 with other contents, on line 5 after the empty lines 3 and 4
    other = _cover("A1", "Gamma", "30-SEP-2025")
    _text_file(tmp_path / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [_COVERS[0], None, None, other], end)
    with pytest.raises(DataPackageError) as caught:
        _kappa_nvda_amd(tmp_path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (5, "ACCESSION_NUMBER")
    assert "accession A1 is on lines 2, 5 with different contents" in problem.message


def test_a_line_with_too_few_or_too_many_fields_is_named_by_its_line(tmp_path: Path, dataset: dict[str, Path]) -> None:
    """DuckDB refuses a TSV whose lines do not all have the header's fields; the reader then names each such line
    (header = line 1, the empty line 3 counted) with its number of fields, as the engine path words it."""
    width = len(INFOTABLE_COLUMNS)
    good = "\t".join(_info("A1", NVDA, "100").get(c, "") for c in INFOTABLE_COLUMNS)
    short, long = "\t".join(good.split("\t")[:-2]), good + "\textra"
    info = tmp_path / "INFOTABLE.tsv"
    info.write_text("\n".join(["\t".join(INFOTABLE_COLUMNS), good, "", short, good, long]) + "\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        load_13f(info, dataset["coverpage"], dataset["cusip_map"], dataset["shares_outstanding"])
    assert [(Path(p.file).name, p.line, p.field, p.message) for p in caught.value.problems] == [
        ("INFOTABLE.tsv", 4, None, f"a number of tab-separated fields other than the header's ({width - 2} here, "
                                   f"{width} in the header)"),
        ("INFOTABLE.tsv", 6, None, f"a number of tab-separated fields other than the header's ({width + 1} here, "
                                   f"{width} in the header)"),
    ]  # fmt: skip
