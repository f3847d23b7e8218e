"""Institutional holdings from the SEC's Form 13F data sets, or from a plain ``investor,firm,fraction`` CSV.

The SEC publishes each quarter's 13F filings as tab-separated files with a header row (Form 13F Data Sets,
https://www.sec.gov/data-research/sec-markets-data/form-13f-data-sets; column lists in the readme shipped with
each zip). We read three of them with DuckDB:

- ``INFOTABLE.tsv``: one row per holding (ACCESSION_NUMBER, CUSIP, SSHPRNAMT, SSHPRNAMTTYPE, PUTCALL, ...);
- ``COVERPAGE.tsv``: one row per filing (ACCESSION_NUMBER, REPORTCALENDARORQUARTER as DD-MON-YYYY,
  FILINGMANAGER_NAME, ISAMENDMENT, AMENDMENTNO, AMENDMENTTYPE, ...);
- ``SUMMARYPAGE.tsv`` (optional): TABLEENTRYTOTAL per filing, used to report filings whose information table
  does not have the number of rows the manager declared.

Rules: only shares (``SSHPRNAMTTYPE = SH``) count, options (PUTCALL set) and principal amounts are left out.
Amendments: within a manager-quarter, the latest RESTATEMENT replaces the original, and NEW HOLDINGS
amendments filed after it add to it. A firm's CUSIPs are mapped to a firm id by a user table
``cusip,firm``; shares held divided by the firm's shares outstanding (user table
``firm,shares_outstanding``) give the fraction each manager holds. Sole + shared voting authority over the
same denominator gives the voting fraction (a control proxy).

Every check runs before anything is returned: a missing column, a negative or non-numeric share amount, a bad
date or CUSIP, a firm without shares outstanding raise :class:`DataPackageError` naming file, line and column
(all problems of a file at once); a requested firm missing from the CUSIP map or an absent quarter raise
:class:`InvalidInputError`. Nothing is half-loaded.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..errors import DataPackageError, InvalidInputError, Problem
from ..schema.finance import CUSIP_PATTERN, cusip_check_digit
from .byte_ranges import FIELD_COUNT_PROBLEM, field_count_lines, row_lines
from .textcsv import read_csv_text

#: Columns of the official files (Form 13F data sets readme, tables INFOTABLE, COVERPAGE, SUMMARYPAGE).
INFOTABLE_COLUMNS = (
    "ACCESSION_NUMBER", "INFOTABLE_SK", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "FIGI", "VALUE", "SSHPRNAMT",
    "SSHPRNAMTTYPE", "PUTCALL", "INVESTMENTDISCRETION", "OTHERMANAGER", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED",
    "VOTING_AUTH_NONE",
)  # fmt: skip
COVERPAGE_COLUMNS = (
    "ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTNO", "AMENDMENTTYPE",
    "CONFDENIEDEXPIRED", "DATEDENIEDEXPIRED", "DATEREPORTED", "REASONFORNONCONFIDENTIALITY", "FILINGMANAGER_NAME",
    "FILINGMANAGER_STREET1", "FILINGMANAGER_STREET2", "FILINGMANAGER_CITY", "FILINGMANAGER_STATEORCOUNTRY",
    "FILINGMANAGER_ZIPCODE", "REPORTTYPE", "FORM13FFILENUMBER", "CRDNUMBER", "SECFILENUMBER",
    "PROVIDEINFOFORINSTRUCTION5", "ADDITIONALINFORMATION",
)  # fmt: skip
SUMMARYPAGE_COLUMNS = (
    "ACCESSION_NUMBER", "OTHERINCLUDEDMANAGERSCOUNT", "TABLEENTRYTOTAL", "TABLEVALUETOTAL", "ISCONFIDENTIALOMITTED",
)  # fmt: skip

#: The columns this reader needs (a file lacking one is rejected before any row is read).
INFOTABLE_REQUIRED = (
    "ACCESSION_NUMBER", "CUSIP", "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED",
)  # fmt: skip
COVERPAGE_REQUIRED = ("ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "FILINGMANAGER_NAME", "ISAMENDMENT",
                      "AMENDMENTNO", "AMENDMENTTYPE")  # fmt: skip
SUMMARYPAGE_REQUIRED = ("ACCESSION_NUMBER", "TABLEENTRYTOTAL")
CUSIP_MAP_REQUIRED = ("cusip", "firm")
SHARES_OUTSTANDING_REQUIRED = ("firm", "shares_outstanding")
HOLDINGS_CSV_REQUIRED = ("investor", "firm", "fraction")

#: At most this many located problems are listed per check (the message gives the total count).
MAX_LISTED = 50
SUM_TOLERANCE = 0.005


@dataclass(frozen=True)
class Holdings:
    """Holdings of one quarter: ``frame`` has investor, firm, fraction (of the firm's shares) and, from 13F,
    quarter, shares and voting_fraction. ``diagnostics`` counts what was left out and why."""

    frame: pd.DataFrame
    diagnostics: dict[str, object] = field(default_factory=dict)


def header(path: Path, delimiter: str) -> list[str]:
    """Column names on the first line of ``path`` (BOM and surrounding spaces removed)."""
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline().rstrip("\r\n")
    except OSError as error:
        raise DataPackageError([Problem(str(path), None, None, f"cannot read the file: {error.strerror}")]) from None
    return [c.strip() for c in first.split(delimiter)] if first else []


def missing_columns(path: Path, required: Sequence[str], delimiter: str) -> list[Problem]:
    """One problem per required column absent from the header of ``path`` (line 1)."""
    names = header(path, delimiter)
    return [
        Problem(str(path), 1, column, f"missing column {column!r} (the header has: {', '.join(names) or 'nothing'})")
        for column in required
        if column not in names
    ]


#: Bad rows of one check: the file, the first (row id, column, value) rows, their total and what is wrong.
_Found = tuple[Path, list[tuple[int, str, str]], int, str]


def _located(found: list[_Found]) -> list[Problem]:
    """One problem per bad row found, named by its line in the file (:func:`_row_lines`), then the count of those
    beyond the listed ones, check by check."""
    rows_of: dict[Path, set[int]] = {}
    for path, rows, _, _ in found:
        rows_of.setdefault(path, set()).update(r[0] for r in rows)
    lines = {path: _row_lines(path, rows) for path, rows in rows_of.items()}
    problems = []
    for path, rows, total, what in found:
        problems += [Problem(str(path), lines[path][r], column, f"{what}: {value!r}") for r, column, value in rows]
        if total > len(rows):
            problems.append(Problem(str(path), None, None, f"{total - len(rows)} more row(s) with {what}"))
    return problems


def _row_lines(path: Path, rows: Collection[int]) -> dict[int, int]:
    """The line in ``path`` (header = line 1) of each DuckDB row id in ``rows``: the ids count rows, and DuckDB's
    reader skips empty lines, so the file is read again to count its lines (only for rows named in an error)."""
    return row_lines(str(path), rows) if rows else {}


def _read_tsv(con: duckdb.DuckDBPyConnection, table: str, path: Path, columns: Sequence[str]) -> None:
    """Stage the needed ``columns`` of a 13F TSV as text into ``table``, its rowid the row's place in the file
    (from 0; :func:`_row_lines` gives its line)."""
    selected = ", ".join(f'"{c}"' for c in columns)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {selected} FROM read_csv(?, delim='\t', header=true, "
            "quote='', escape='', all_varchar=true)",
            [str(path)],
        )
    except duckdb.Error as error:
        raise _unreadable(path, error) from None


def _unreadable(path: Path, error: duckdb.Error) -> DataPackageError:
    """Why DuckDB could not read the 13F TSV ``path``: its lines with a number of fields other than the
    header's, each by line (the first :data:`MAX_LISTED`, then how many more), or DuckDB's message when every
    line has the header's fields."""
    lines, total, width = field_count_lines(str(path), b"\t", MAX_LISTED)
    if not lines:
        return DataPackageError([Problem(str(path), None, None, f"not a readable 13F TSV: {error}")])
    problems = [
        Problem(str(path), line, None, f"{FIELD_COUNT_PROBLEM} ({fields} here, {width} in the header)")
        for line, fields in lines
    ]
    if total > len(lines):
        problems.append(Problem(str(path), None, None, f"{total - len(lines)} more line(s) with {FIELD_COUNT_PROBLEM}"))
    return DataPackageError(problems)


def _stage_infotable(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Stage INFOTABLE in one scan as typed columns plus a ``bad`` flag (raw text is re-read only if a row is bad).
    ``sk`` is INFOTABLE_SK (the SEC's key of a holding row) when the file has that column."""
    sk = "nullif(trim(INFOTABLE_SK), '')" if "INFOTABLE_SK" in header(path, "\t") else "NULL::VARCHAR"
    try:
        con.execute(_STAGE_INFO_SQL.format(sk=sk), [str(path)])
    except duckdb.Error as error:
        raise _unreadable(path, error) from None


def _bad_rows(con: duckdb.DuckDBPyConnection, path: Path, sql: str, what: str) -> _Found:
    """The rows of ``sql`` (row id, column, value), the first :data:`MAX_LISTED` of them and their total."""
    total = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])  # type: ignore[index]
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {MAX_LISTED}").fetchall()
    return path, [(int(r[0]), str(r[1]), "" if r[2] is None else str(r[2])) for r in rows], total, what


def _read_csv(path: Path, required: Sequence[str], problems: list[Problem]) -> pd.DataFrame:
    """A user CSV as stripped text cells, its index the file line (:func:`marketpower.ingest.textcsv.read_csv_text`);
    raises DataPackageError when it cannot be read."""
    frame = read_csv_text(path, required, problems)
    if frame is None:
        raise DataPackageError(problems)
    return frame


def read_cusip_map(path: Path) -> pd.DataFrame:
    """A ``cusip,firm`` CSV: 9-character CUSIPs (case-insensitive) whose ninth character is the check digit of
    the first eight (``cusip_check_digit``), each mapped to exactly one firm id."""
    problems: list[Problem] = []
    frame = _read_csv(path, CUSIP_MAP_REQUIRED, problems)
    frame["cusip"] = frame["cusip"].str.strip().str.upper()
    frame["firm"] = frame["firm"].str.strip()
    well_formed = frame["cusip"].str.fullmatch(CUSIP_PATTERN).to_numpy(dtype=bool)
    for line, code, ok in zip(frame.index, frame["cusip"], well_formed, strict=True):
        if not ok:
            problems.append(Problem(str(path), int(line), "cusip", f"{code!r} is not a 9-character CUSIP"))
        elif code[8] != str(expected := cusip_check_digit(code[:8])):
            problems.append(
                Problem(
                    str(path),
                    int(line),
                    "cusip",
                    f"{code}: check digit {code[8]}, the first eight characters give {expected}; "
                    "a mistyped CUSIP maps no holding",
                )
            )
    for pos in np.flatnonzero((frame["firm"] == "").to_numpy()):
        problems.append(Problem(str(path), int(frame.index[int(pos)]), "firm", "empty firm id"))
    firms_per_cusip = frame.groupby("cusip")["firm"].nunique()
    for cusip in firms_per_cusip.index[firms_per_cusip.to_numpy() > 1]:
        lines = ", ".join(str(int(str(i))) for i in frame.index[frame["cusip"] == cusip])
        problems.append(Problem(str(path), None, "cusip", f"{cusip} maps to several firms (lines {lines})"))
    if problems:
        raise DataPackageError(problems)
    return frame[["cusip", "firm"]].drop_duplicates()


def read_shares_outstanding(path: Path) -> pd.Series:
    """A ``firm,shares_outstanding`` CSV (shares, positive) as a Series indexed by firm."""
    problems: list[Problem] = []
    frame = _read_csv(path, SHARES_OUTSTANDING_REQUIRED, problems)
    frame["firm"] = frame["firm"].str.strip()
    amounts = pd.to_numeric(frame["shares_outstanding"].str.replace(",", ""), errors="coerce")
    for pos in np.flatnonzero(~((amounts > 0) & np.isfinite(amounts)).to_numpy()):
        problems.append(
            Problem(str(path), int(frame.index[int(pos)]), "shares_outstanding",
                    f"{frame['shares_outstanding'].iloc[pos]!r} is not a positive number of shares")
        )  # fmt: skip
    for firm, group in frame.groupby("firm"):
        if len(group) > 1:
            lines = ", ".join(str(int(str(i))) for i in group.index)
            problems.append(Problem(str(path), None, "firm", f"{firm!r} appears more than once (lines {lines})"))
    if problems:
        raise DataPackageError(problems)
    return pd.Series(amounts.to_numpy(dtype=np.float64), index=pd.Index(frame["firm"], name="firm"))


def read_holdings_csv(path: Path) -> Holdings:
    """A plain ``investor,firm,fraction`` CSV (fraction of the firm's shares held, 0-1).

    Every bad row is reported with its line: empty ids, fractions that are not numbers in [0, 1] (negative
    holdings included), and firms whose holdings add up to more than 100% (with the lines involved).
    """
    problems: list[Problem] = []
    frame = _read_csv(path, HOLDINGS_CSV_REQUIRED, problems)
    for column in ("investor", "firm"):
        frame[column] = frame[column].str.strip()
        for pos in np.flatnonzero((frame[column] == "").to_numpy()):
            problems.append(Problem(str(path), int(frame.index[int(pos)]), column, f"empty {column} id"))
    fraction = pd.to_numeric(frame["fraction"], errors="coerce")
    bad = ~((fraction >= 0) & (fraction <= 1)).to_numpy()
    for pos in np.flatnonzero(bad):
        value = frame["fraction"].iloc[pos]
        why = "a negative holding" if (fraction.iloc[pos] < 0) else "not a fraction between 0 and 1"
        problems.append(Problem(str(path), int(frame.index[int(pos)]), "fraction", f"{value!r} is {why}"))
    frame["fraction"] = fraction
    totals = frame[~bad].groupby("firm")["fraction"].sum()
    for firm, total in totals[totals > 1 + SUM_TOLERANCE].items():
        lines = ", ".join(str(int(str(i))) for i in frame.index[frame["firm"] == firm][:MAX_LISTED])
        problems.append(
            Problem(str(path), None, "fraction", f"holdings of firm {firm!r} add up to {total:.4f} (> 100%), "
                    f"lines {lines}")
        )  # fmt: skip
    if problems:
        raise DataPackageError(problems)
    grouped = frame.groupby(["investor", "firm"], sort=False)["fraction"].sum().reset_index()
    return Holdings(grouped, {"rows": len(frame), "holdings": len(grouped)})


def quarter_label(value: str) -> str:
    """'2025Q3' from '2025Q3', '2025q3' or '2025-Q3'."""
    text = value.strip().upper().replace("-", "")
    if len(text) != 6 or not text[:4].isdigit() or text[4] != "Q" or text[5] not in "1234":
        raise InvalidInputError(f"quarter {value!r}: write it as YYYYQn, e.g. 2025Q3")
    return text


def load_13f(
    infotable: Path,
    coverpage: Path,
    cusip_map: Path,
    shares_outstanding: Path,
    *,
    summarypage: Path | None = None,
    quarter: str | None = None,
    firms: Sequence[str] | None = None,
) -> Holdings:
    """Holdings per (manager, firm) of one quarter from the SEC 13F data set files.

    ``quarter`` (YYYYQn) picks the report quarter; default: the latest in COVERPAGE. ``firms`` restricts the
    result (each must appear in the CUSIP map). Returns investor (filing manager name), firm, quarter, shares,
    fraction = shares / shares outstanding and voting_fraction = (sole + shared voting authority) / shares
    outstanding.
    """
    wanted_quarter = quarter_label(quarter) if quarter else None
    problems = missing_columns(infotable, INFOTABLE_REQUIRED, "\t") + missing_columns(
        coverpage, COVERPAGE_REQUIRED, "\t"
    )
    if summarypage is not None:
        problems += missing_columns(summarypage, SUMMARYPAGE_REQUIRED, "\t")
    if problems:
        raise DataPackageError(problems)
    mapping = read_cusip_map(cusip_map)
    outstanding = read_shares_outstanding(shares_outstanding)
    if firms is not None:
        unknown = [f for f in firms if f not in set(mapping["firm"])]
        if unknown:
            raise InvalidInputError(
                f"firm(s) {', '.join(unknown)} are not in the CUSIP map {cusip_map}; add a 'cusip,firm' row for each"
            )

    con = duckdb.connect()
    try:
        _stage_infotable(con, infotable)
        _read_tsv(con, "cover", coverpage, COVERPAGE_REQUIRED)
        problems = _check_rows(con, infotable, coverpage)
        if problems:
            raise DataPackageError(problems)
        dropped = _drop_duplicates(con, infotable, coverpage)
        con.execute(_COVER_SQL)
        problems = _double_filings(con, coverpage)
        if problems:
            raise DataPackageError(problems)
        quarters = [r[0] for r in con.execute("SELECT DISTINCT quarter FROM cover_q ORDER BY 1").fetchall()]
        if not quarters:
            raise DataPackageError([Problem(str(coverpage), None, None, "no filings in the cover page file")])
        chosen = wanted_quarter or quarters[-1]
        if chosen not in quarters:
            raise InvalidInputError(f"quarter {chosen} is not in {coverpage}; it holds {', '.join(quarters)}")
        # Firm and investor ids as DuckDB ENUMs: integer grouping, and pandas categoricals on the way out.
        con.register("cusip_names", mapping)
        con.execute("CREATE TYPE firm_id AS ENUM (SELECT DISTINCT firm FROM cusip_names ORDER BY 1)")
        con.execute("CREATE TYPE investor_id AS ENUM (SELECT DISTINCT investor FROM cover_q ORDER BY 1)")
        con.execute("CREATE TEMP TABLE cusip_map AS SELECT cusip, firm::firm_id AS firm FROM cusip_names")
        con.execute("ALTER TABLE cover_q ALTER investor TYPE investor_id")
        con.register("outstanding", outstanding.rename("shares_outstanding").reset_index())
        con.register("wanted", pd.DataFrame({"firm": list(firms) if firms is not None else []}, dtype=object))
        firm_filter = "AND m.firm IN (SELECT firm FROM wanted)" if firms is not None else ""
        con.execute(f"CREATE TEMP TABLE holdings AS {_HOLDINGS_SQL.format(firm_filter=firm_filter)}", [chosen])
        lacking = con.execute(
            "SELECT DISTINCT firm FROM holdings WHERE firm NOT IN (SELECT firm FROM outstanding) ORDER BY 1"
        ).fetchall()
        if lacking:
            raise DataPackageError(
                [
                    Problem(
                        str(shares_outstanding), None, "firm", f"no shares outstanding for firm {r[0]!r}; add a row"
                    )
                    for r in lacking
                ]
            )
        over = con.execute(_OVER_SQL, [1 + SUM_TOLERANCE, MAX_LISTED]).fetchall()
        if over:
            raise DataPackageError(
                [
                    Problem(str(infotable), None, "SSHPRNAMT",
                            f"{investor!r} reports {held:,.0f} shares of {firm!r}, more than its {total:,.0f} "
                            f"shares outstanding ({shares_outstanding})")
                    for investor, firm, held, total in over
                ]
            )  # fmt: skip
        frame = con.execute(_FRACTIONS_SQL).df().assign(quarter=chosen)
        diagnostics: dict[str, object] = {"quarter": chosen, "quarters_in_data": quarters, **dropped}
        counts = con.execute(_COUNTS_SQL, [chosen]).fetchone()
        assert counts is not None
        diagnostics.update(
            {
                "infotable_rows": int(counts[0]),
                "filings_kept": int(counts[1]),
                "rows_options_or_principal_left_out": int(counts[2]),
                "rows_unmapped_cusip_left_out": int(counts[3]),
            }
        )
        if summarypage is not None:
            _read_tsv(con, "summary", summarypage, SUMMARYPAGE_REQUIRED)
            diagnostics["filings_with_entry_count_mismatch"] = int(
                con.execute(_SUMMARY_SQL, [chosen]).fetchone()[0]  # type: ignore[index]
            )
    finally:
        con.close()
    return Holdings(frame, diagnostics)


def _check_rows(con: duckdb.DuckDBPyConnection, infotable: Path, coverpage: Path) -> list[Problem]:
    """Every located problem of the staged files: share amounts, voting amounts, CUSIPs, dates."""
    any_bad = con.execute("SELECT count(*) FROM info WHERE bad").fetchone()
    if any_bad is not None and any_bad[0] == 0:
        return _located(_cover_problems(con, coverpage))
    _read_tsv(con, "info_raw", infotable, INFOTABLE_REQUIRED)
    found = []
    for column in ("SSHPRNAMT", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED"):
        sql = (
            f'SELECT rowid, \'{column}\', "{column}" FROM info_raw WHERE "{column}" IS NOT NULL '
            f"AND coalesce(NOT (TRY_CAST(replace(\"{column}\", ',', '') AS DOUBLE) >= 0 "
            f"AND isfinite(TRY_CAST(replace(\"{column}\", ',', '') AS DOUBLE))), true)"
        )
        found.append(_bad_rows(con, infotable, sql, f"{column} is negative or not a number"))
    found.append(_bad_rows(con, infotable, "SELECT rowid, 'SSHPRNAMT', SSHPRNAMT FROM info_raw WHERE SSHPRNAMT IS NULL",
                           "empty SSHPRNAMT"))  # fmt: skip
    found.append(_bad_rows(
        con, infotable, "SELECT rowid, 'CUSIP', CUSIP FROM info_raw WHERE length(trim(coalesce(CUSIP, ''))) = 0",
        "empty CUSIP",
    ))  # fmt: skip
    found.append(_bad_rows(
        con, infotable,
        "SELECT rowid, 'ACCESSION_NUMBER', '' FROM info_raw WHERE length(trim(coalesce(ACCESSION_NUMBER, ''))) = 0",
        "empty ACCESSION_NUMBER",
    ))  # fmt: skip
    return _located(found + _cover_problems(con, coverpage))


def _cover_problems(con: duckdb.DuckDBPyConnection, coverpage: Path) -> list[_Found]:
    amendment = "upper(trim(coalesce(ISAMENDMENT, 'N'))) = 'Y'"
    checks = [
        ("SELECT rowid, 'REPORTCALENDARORQUARTER', REPORTCALENDARORQUARTER FROM cover "
         "WHERE try_strptime(REPORTCALENDARORQUARTER, '%d-%b-%Y') IS NULL", "date is not DD-MON-YYYY"),
        ("SELECT rowid, 'FILINGMANAGER_NAME', '' FROM cover WHERE length(trim(coalesce(FILINGMANAGER_NAME, ''))) = 0",
         "empty filing manager name"),
        ("SELECT rowid, 'ACCESSION_NUMBER', '' FROM cover WHERE length(trim(coalesce(ACCESSION_NUMBER, ''))) = 0",
         "empty ACCESSION_NUMBER"),
        ("SELECT rowid, 'ISAMENDMENT', ISAMENDMENT FROM cover "
         "WHERE upper(trim(coalesce(ISAMENDMENT, 'N'))) NOT IN ('Y', 'N')", "ISAMENDMENT is neither Y nor N"),
        (f"SELECT rowid, 'AMENDMENTNO', AMENDMENTNO FROM cover WHERE {amendment} "
         "AND coalesce(TRY_CAST(trim(AMENDMENTNO) AS INTEGER) < 1, true)",
         "an amendment whose AMENDMENTNO is not a number from 1 up"),
        (f"SELECT rowid, 'AMENDMENTTYPE', AMENDMENTTYPE FROM cover WHERE {amendment} "
         "AND upper(trim(coalesce(AMENDMENTTYPE, ''))) NOT IN ('RESTATEMENT', 'NEW HOLDINGS')",
         "an amendment that is neither RESTATEMENT nor NEW HOLDINGS"),
    ]  # fmt: skip
    return [_bad_rows(con, coverpage, sql, what) for sql, what in checks]


def _duplicates(
    con: duckdb.DuckDBPyConnection, table: str, key: str, content: str
) -> tuple[int, list[tuple[Any, ...]], int]:
    """Rows of ``table`` sharing ``key`` (comma-separated columns; rows with a NULL in the last one are not
    compared): (rows beyond the first of each key, the first conflicting keys as (key columns..., row ids),
    number of conflicting keys), a conflict being a key whose rows differ in ``content``."""
    last = key.split(",")[-1].strip()
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE dup AS SELECT {key}, list(rowid ORDER BY rowid) AS lines, "
        f"count(DISTINCT row({content})) AS versions, min(rowid) AS first FROM {table} "
        f"WHERE {last} IS NOT NULL GROUP BY {key} HAVING count(*) > 1"
    )
    extra, conflicts = con.execute(
        "SELECT coalesce(sum(len(lines) - 1), 0), count(*) FILTER (WHERE versions > 1) FROM dup"
    ).fetchone() or (0, 0)
    listed = con.execute(
        f"SELECT {key}, lines FROM dup WHERE versions > 1 ORDER BY first LIMIT {MAX_LISTED}"
    ).fetchall()
    return int(extra), listed, int(conflicts)


def _drop_duplicates(con: duckdb.DuckDBPyConnection, infotable: Path, coverpage: Path) -> dict[str, int]:
    """Rows loaded twice: a COVERPAGE accession on several rows, an INFOTABLE (ACCESSION_NUMBER, INFOTABLE_SK)
    on several rows. Copies identical in every column read are dropped (the first row is kept) and counted;
    copies that differ are refused, since no rule says which one is the filing."""
    cover_extra, listed, conflicts = _duplicates(con, "cover", "ACCESSION_NUMBER", ", ".join(COVERPAGE_REQUIRED[1:]))
    line = _shown_lines(coverpage, [rows for *_, rows in listed])
    problems = [
        Problem(str(coverpage), line[rows[1]], "ACCESSION_NUMBER",
                f"accession {accession} is on lines {_lines(rows, line)} with different contents; a filing has one "
                "cover page: keep the right row")
        for accession, rows in listed
    ]  # fmt: skip
    if conflicts > len(listed):
        problems.append(Problem(str(coverpage), None, "ACCESSION_NUMBER", f"{conflicts - len(listed)} more"))
    info_extra, listed, conflicts = _duplicates(con, "info", "accession, sk", "cusip, shares, voting, is_share")
    line = _shown_lines(infotable, [rows for *_, rows in listed])
    problems += [
        Problem(str(infotable), line[rows[1]], "INFOTABLE_SK",
                f"holding {sk} of accession {accession} is on lines {_lines(rows, line)} with different contents: "
                "keep the right row")
        for accession, sk, rows in listed
    ]  # fmt: skip
    if conflicts > len(listed):
        problems.append(Problem(str(infotable), None, "INFOTABLE_SK", f"{conflicts - len(listed)} more"))
    if problems:
        raise DataPackageError(problems)
    if cover_extra:
        con.execute("DELETE FROM cover WHERE rowid NOT IN (SELECT min(rowid) FROM cover GROUP BY ACCESSION_NUMBER)")
    if info_extra:
        con.execute(
            "DELETE FROM info WHERE sk IS NOT NULL "
            "AND rowid NOT IN (SELECT min(rowid) FROM info GROUP BY accession, sk)"
        )
    return {"coverpage_duplicate_rows_dropped": cover_extra, "infotable_duplicate_rows_dropped": info_extra}


#: Lines of one key's rows shown in a message (then "and n more").
_SHOWN = 10


def _shown_lines(path: Path, row_lists: Sequence[Sequence[int]]) -> dict[int, int]:
    """The lines of the rows :func:`_lines` shows of each list of row ids (one read of ``path``)."""
    return _row_lines(path, {r for rows in row_lists for r in rows[:_SHOWN]})


def _lines(rows: Sequence[int], line: dict[int, int]) -> str:
    shown = ", ".join(str(line[r]) for r in rows[:_SHOWN])
    return shown + (f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else "")


def _double_filings(con: duckdb.DuckDBPyConnection, coverpage: Path) -> list[Problem]:
    """Two kept filings of one manager-quarter that are both its original, or both its amendment number n
    (under two accession numbers): their holdings would be counted twice, so they are refused."""
    doubled = con.execute(
        "SELECT investor, quarter, amendment_no, list(accession ORDER BY row_id), list(row_id ORDER BY row_id) "
        "FROM cover_q GROUP BY investor, quarter, amendment_no HAVING count(*) > 1 ORDER BY min(row_id) "
        f"LIMIT {MAX_LISTED}"
    ).fetchall()
    line = _shown_lines(coverpage, [rows for *_, rows in doubled])
    return [
        Problem(str(coverpage), line[rows[1]], "ACCESSION_NUMBER",
                f"{investor!r} has {len(rows)} filings that are each its "
                f"{'original report' if number == 0 else f'amendment {number}'} for {quarter} "
                f"({', '.join(accessions)}, lines {_lines(rows, line)}): their holdings would count twice; "
                "keep one, or mark the later one as an amendment")
        for investor, quarter, number, accessions, rows in doubled
    ]  # fmt: skip


#: Filings kept per manager-quarter after the amendment rule (see module docstring).
_COVER_SQL = """
CREATE OR REPLACE TEMP TABLE cover_q AS
WITH c AS (
  SELECT rowid AS row_id, ACCESSION_NUMBER AS accession, trim(FILINGMANAGER_NAME) AS investor,
         strftime(strptime(REPORTCALENDARORQUARTER, '%d-%b-%Y'), '%Y') || 'Q' ||
           quarter(strptime(REPORTCALENDARORQUARTER, '%d-%b-%Y')) AS quarter,
         upper(trim(coalesce(ISAMENDMENT, 'N'))) = 'Y' AS is_amendment,
         upper(trim(coalesce(AMENDMENTTYPE, ''))) AS amendment_type,
         coalesce(TRY_CAST(trim(AMENDMENTNO) AS INTEGER), 0) AS amendment_no
  FROM cover
), last_restatement AS (
  SELECT investor, quarter, max(amendment_no) AS restated_at FROM c
  WHERE amendment_type = 'RESTATEMENT' GROUP BY investor, quarter
)
SELECT c.accession, c.investor, c.quarter, c.row_id, CASE WHEN c.is_amendment THEN c.amendment_no ELSE 0 END
       AS amendment_no
FROM c LEFT JOIN last_restatement r USING (investor, quarter)
WHERE (r.restated_at IS NULL AND (NOT c.is_amendment OR c.amendment_type = 'NEW HOLDINGS'))
   OR (r.restated_at IS NOT NULL AND ((c.amendment_type = 'RESTATEMENT' AND c.amendment_no = r.restated_at)
       OR (c.amendment_type = 'NEW HOLDINGS' AND c.amendment_no > r.restated_at)))
"""

_STAGE_INFO_SQL = """
CREATE OR REPLACE TEMP TABLE info AS
SELECT ACCESSION_NUMBER AS accession, {sk} AS sk, upper(trim(coalesce(CUSIP, ''))) AS cusip, shares,
       coalesce(sole, 0) + coalesce(shared, 0) AS voting,
       upper(trim(coalesce(SSHPRNAMTTYPE, ''))) = 'SH' AND trim(coalesce(PUTCALL, '')) = '' AS is_share,
       coalesce(NOT (shares >= 0 AND isfinite(shares)), true)
         OR coalesce(NOT (sole >= 0 AND isfinite(sole)), VOTING_AUTH_SOLE IS NOT NULL)
         OR coalesce(NOT (shared >= 0 AND isfinite(shared)), VOTING_AUTH_SHARED IS NOT NULL)
         OR length(trim(coalesce(CUSIP, ''))) = 0
         OR length(trim(coalesce(ACCESSION_NUMBER, ''))) = 0 AS bad
FROM (
  SELECT *, TRY_CAST(replace(SSHPRNAMT, ',', '') AS DOUBLE) AS shares,
         TRY_CAST(replace(VOTING_AUTH_SOLE, ',', '') AS DOUBLE) AS sole,
         TRY_CAST(replace(VOTING_AUTH_SHARED, ',', '') AS DOUBLE) AS shared
  FROM read_csv(?, delim='\t', header=true, quote='', escape='', all_varchar=true)
)
"""

_SHARE_ROWS = """
  FROM info i JOIN cover_q q ON q.accession = i.accession AND q.quarter = ?
"""

_HOLDINGS_SQL = f"""
SELECT q.investor, m.firm, sum(i.shares) AS shares, sum(i.voting) AS voting_shares
{_SHARE_ROWS}
  JOIN cusip_map m ON m.cusip = i.cusip
WHERE i.is_share {{firm_filter}}
GROUP BY q.investor, m.firm
"""

_OVER_SQL = """
SELECT h.investor, h.firm, h.shares, o.shares_outstanding FROM holdings h JOIN outstanding o USING (firm)
WHERE h.shares > ? * o.shares_outstanding ORDER BY h.firm, h.investor LIMIT ?
"""

_FRACTIONS_SQL = """
SELECT h.investor, h.firm, h.shares, h.shares / o.shares_outstanding AS fraction,
       h.voting_shares / o.shares_outstanding AS voting_fraction
FROM holdings h JOIN outstanding o USING (firm)
"""

_COUNTS_SQL = f"""
SELECT (SELECT count(*) FROM info),
       count(DISTINCT i.accession),
       count(*) FILTER (WHERE NOT i.is_share),
       count(*) FILTER (WHERE i.is_share AND i.cusip NOT IN (SELECT cusip FROM cusip_map))
{_SHARE_ROWS}
"""

_SUMMARY_SQL = """
WITH n AS (SELECT accession AS ACCESSION_NUMBER, count(*) AS entries FROM info GROUP BY accession)
SELECT count(*) FROM summary s
JOIN cover_q q ON q.accession = s.ACCESSION_NUMBER AND q.quarter = ?
LEFT JOIN n ON n.ACCESSION_NUMBER = s.ACCESSION_NUMBER
WHERE TRY_CAST(s.TABLEENTRYTOTAL AS BIGINT) IS DISTINCT FROM coalesce(n.entries, 0)
"""
