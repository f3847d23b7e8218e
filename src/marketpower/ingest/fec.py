"""Streaming ingest of the FEC's bulk data files into DuckDB.

Formats follow the FEC's published file descriptions (fec.gov/campaign-finance-data/*-file-description):
pipe-delimited text, no header row, no quoting, line feed as end of line, Latin-1 bytes, dates as MMDDYYYY
(the PAC summary uses MM/DD/YYYY). The independent-expenditure file is the exception: a comma-separated file
with a header row.

How a load works, per kind of file (``cm``, ``cn``, ``ccl``, ``indiv``, ``oth``, ``pas2``, ``webk``, ``ie``)
and election cycle:

1. every file of that kind is streamed by DuckDB into a staging table; numbers and dates are cast on the
   way and any bad value aborts the staging (fast path, one pass, no Python per row);
2. only when the fast path fails, a Python pass re-reads the file and reports *every* problem with its file
   and 1-based line (wrong column count, truncated line, non-numeric amount, bad date);
   without ``skip_bad_rows`` nothing at all is loaded; with it, the bad lines are left out, counted and
   kept in ``fec_rejects``;
3. one transaction then swaps the staging tables in as ``fec_<kind>_<cycle>`` (replacing an earlier load of
   the same kind and cycle) and records the files in ``fec_manifest``.

So re-running never duplicates rows (a kind-cycle is replaced, never appended), an interrupted run leaves the
store as it was (rerun it: kinds already loaded from the same files are skipped), and memory stays bounded
(DuckDB streams and spills).

Views ``fec_<kind>`` union the cycles. ``fec_indiv_current``, ``fec_oth_current``, ``fec_pas2_current`` and
``fec_ie_current`` keep only the latest version of each amended transaction (see :data:`AMENDMENT_RULE`);
memo entries (``memo_cd = 'X'``) stay in the rows but are flagged by ``counts_in_totals = false``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from ..errors import DataPackageError, InvalidInputError, Problem

ENCODING = "latin-1"

#: How amendments are resolved (documented by the FEC: a transaction id "must be unique for the life of a report
#: (original + all amendments)" within a committee). For each committee, report type, year of the transaction and
#: transaction id we keep the row of the latest filing (highest ``file_num``, then highest ``sub_id``).
#: Paper filings carry no transaction id: their rows are all kept.
AMENDMENT_RULE = "latest file_num per (cmte_id, rpt_tp, year(transaction_dt), tran_id)"

#: A memo entry (``MEMO_CD = 'X'``) repeats money already itemised elsewhere (e.g. an earmarked contribution
#: reported by both the conduit and the recipient); the FEC leaves it out of totals, and so do we.
MEMO_CODE = "X"

_STR, _INT, _AMOUNT, _DATE = "str", "int", "amount", "date"
_CHUNK = 1 << 24


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = _STR
    date_formats: tuple[str, ...] = ("%m%d%Y",)


def _cols(
    spec: str, types: dict[str, str] | None = None, date_formats: tuple[str, ...] = ("%m%d%Y",)
) -> tuple[Column, ...]:
    types = types or {}
    return tuple(Column(n.lower(), types.get(n, _STR), date_formats) for n in spec.split())


_ITEMIZED = (
    "CMTE_ID AMNDT_IND RPT_TP TRANSACTION_PGI IMAGE_NUM TRANSACTION_TP ENTITY_TP NAME CITY STATE ZIP_CODE "
    "EMPLOYER OCCUPATION TRANSACTION_DT TRANSACTION_AMT OTHER_ID TRAN_ID FILE_NUM MEMO_CD MEMO_TEXT SUB_ID"
)
_ITEMIZED_TYPES = {"TRANSACTION_DT": _DATE, "TRANSACTION_AMT": _AMOUNT, "FILE_NUM": _INT, "SUB_ID": _INT}
_SUMMARY_AMOUNTS = (
    "TTL_RECEIPTS TRANS_FROM_AFF INDV_CONTRIB OTHER_POL_CMTE_CONTRIB CAND_CONTRIB CAND_LOANS TTL_LOANS_RECEIVED "
    "TTL_DISB TRANF_TO_AFF INDV_REFUNDS OTHER_POL_CMTE_REFUNDS CAND_LOAN_REPAY LOAN_REPAY COH_BOP COH_COP "
    "DEBTS_OWED_BY NONFED_TRANS_RECEIVED CONTRIB_TO_OTHER_CMTE IND_EXP PTY_COORD_EXP NONFED_SHARE_EXP"
)
_IE_DATES = ("%d-%b-%y", "%d-%b-%Y", "%m/%d/%Y", "%Y-%m-%d")


@dataclass(frozen=True)
class FileKind:
    """One FEC bulk file format: its columns (in file order) and how files of that kind are named."""

    name: str
    description: str
    columns: tuple[Column, ...]
    name_pattern: str
    header: bool = False
    delimiter: str = "|"
    amendable: bool = False


FILE_KINDS: dict[str, FileKind] = {
    k.name: k
    for k in (
        FileKind(
            "cm",
            "committee master",
            _cols(
                "CMTE_ID CMTE_NM TRES_NM CMTE_ST1 CMTE_ST2 CMTE_CITY CMTE_ST CMTE_ZIP CMTE_DSGN CMTE_TP "
                "CMTE_PTY_AFFILIATION CMTE_FILING_FREQ ORG_TP CONNECTED_ORG_NM CAND_ID"
            ),
            r"^cm\d*\.txt$",
        ),
        FileKind(
            "cn",
            "candidate master",
            _cols(
                "CAND_ID CAND_NAME CAND_PTY_AFFILIATION CAND_ELECTION_YR CAND_OFFICE_ST CAND_OFFICE "
                "CAND_OFFICE_DISTRICT CAND_ICI CAND_STATUS CAND_PCC CAND_ST1 CAND_ST2 CAND_CITY CAND_ST CAND_ZIP",
                {"CAND_ELECTION_YR": _INT},
            ),
            r"^cn\d*\.txt$",
        ),
        FileKind(
            "ccl",
            "candidate-committee linkages",
            _cols(
                "CAND_ID CAND_ELECTION_YR FEC_ELECTION_YR CMTE_ID CMTE_TP CMTE_DSGN LINKAGE_ID",
                {"CAND_ELECTION_YR": _INT, "FEC_ELECTION_YR": _INT, "LINKAGE_ID": _INT},
            ),
            r"^ccl\d*\.txt$",
        ),
        FileKind(
            "indiv",
            "contributions by individuals",
            _cols(_ITEMIZED, _ITEMIZED_TYPES),
            r"^(itcont|indiv)[\w\-]*\.txt$",
            amendable=True,
        ),
        FileKind(
            "oth",
            "transactions from one committee to another",
            _cols(_ITEMIZED, _ITEMIZED_TYPES),
            r"^(itoth|oth)[\w\-]*\.txt$",
            amendable=True,
        ),
        FileKind(
            "pas2",
            "contributions from committees to candidates and independent expenditures",
            _cols(_ITEMIZED.replace("OTHER_ID", "OTHER_ID CAND_ID"), _ITEMIZED_TYPES),
            r"^(itpas2|pas2)[\w\-]*\.txt$",
            amendable=True,
        ),
        FileKind(
            "webk",
            "PAC and party summary",
            _cols(
                "CMTE_ID CMTE_NM CMTE_TP CMTE_DSGN CMTE_FILING_FREQ " + _SUMMARY_AMOUNTS + " CVG_END_DT",
                {**{n: _AMOUNT for n in _SUMMARY_AMOUNTS.split()}, "CVG_END_DT": _DATE},
                ("%m/%d/%Y",),
            ),
            r"^webk\d*\.txt$",
        ),
        FileKind(
            "ie",
            "independent expenditures (24- and 48-hour reports)",
            _cols(
                "cand_id cand_name spe_id spe_nam ele_type can_office_state can_office_dis can_office "
                "cand_pty_aff exp_amo exp_date agg_amo sup_opp pur pay file_num amndt_ind tran_id image_num "
                "receipt_dat fec_election_yr prev_file_num dissem_dt",
                {
                    "exp_amo": _AMOUNT,
                    "agg_amo": _AMOUNT,
                    "exp_date": _DATE,
                    "receipt_dat": _DATE,
                    "dissem_dt": _DATE,
                    "file_num": _INT,
                    "prev_file_num": _INT,
                    "fec_election_yr": _INT,
                },
                _IE_DATES,
            ),
            r"^independent_expenditure[\w\-]*\.csv$",
            header=True,
            delimiter=",",
            amendable=True,
        ),
    )
}

_DUCK_TYPES = {_STR: "VARCHAR", _INT: "BIGINT", _AMOUNT: "DECIMAL(14,2)", _DATE: "DATE"}


@dataclass
class KindReport:
    """What happened to one kind of file for one cycle."""

    kind: str
    cycle: int
    files: list[str]
    rows_loaded: int = 0
    rows_skipped: int = 0
    status: str = "loaded"  # loaded | unchanged | skipped-bad-rows

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "cycle": self.cycle,
            "files": self.files,
            "rows_loaded": self.rows_loaded,
            "rows_skipped": self.rows_skipped,
            "status": self.status,
        }


@dataclass
class IngestReport:
    """The outcome of :func:`ingest_fec`: one entry per kind-cycle, and the bad rows that were skipped."""

    kinds: list[KindReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(k.rows_loaded for k in self.kinds)

    @property
    def rows_skipped(self) -> int:
        return sum(k.rows_skipped for k in self.kinds)

    def to_dict(self) -> dict[str, object]:
        return {
            "kinds": [k.to_dict() for k in self.kinds],
            "rows_loaded": self.rows_loaded,
            "rows_skipped": self.rows_skipped,
            "problems": [p.to_dict() for p in self.problems],
        }


# ---------------------------------------------------------------------------------------------------------------
# finding files


def classify(path: Path) -> FileKind | None:
    """Kind of an FEC bulk file from its name (``cm20.txt``, ``itcont.txt``, ``independent_expenditure_2026.csv``)."""
    name = path.name.lower()
    for kind in FILE_KINDS.values():
        if re.match(kind.name_pattern, name):
            return kind
    return None


def infer_cycle(path: Path) -> int | None:
    """The cycle from the file or folder name: ``cm20.txt`` or ``indiv20/`` -> 2020, ``..._2026.csv`` -> 2026."""
    for part in (path.name, path.parent.name):
        four = re.search(r"(?<!\d)(19|20)(\d{2})(?!\d)", part)
        if four:
            return int(four.group(0))
        two = re.search(r"(?<!\d)(\d{2})(?=\.txt$|$)", part)
        if two:
            return 2000 + int(two.group(1))
    return None


def discover(directory: Path, cycle: int | None) -> dict[tuple[str, int], list[Path]]:
    """Group the FEC files found in ``directory`` (recursively) by (kind, cycle)."""
    if not directory.is_dir():
        raise InvalidInputError(f"DIR {directory}: not a folder; give the folder holding the unzipped FEC bulk files")
    groups: dict[tuple[str, int], list[Path]] = {}
    unknown_cycle: list[str] = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        kind = classify(path)
        if kind is None:
            continue
        file_cycle = cycle if cycle is not None else infer_cycle(path)
        if file_cycle is None:
            unknown_cycle.append(str(path))
            continue
        groups.setdefault((kind.name, file_cycle), []).append(path)
    if unknown_cycle:
        raise InvalidInputError(
            "cannot tell the election cycle of " + ", ".join(unknown_cycle) + "; pass --cycle (e.g. --cycle 2026)"
        )
    if not groups:
        raise InvalidInputError(
            f"DIR {directory}: no FEC bulk file found (expected names like cm26.txt, cn26.txt, ccl26.txt, "
            "itcont.txt, itoth.txt, itpas2.txt, webk26.txt, independent_expenditure_2026.csv)"
        )
    return groups


# ---------------------------------------------------------------------------------------------------------------
# fast path: DuckDB


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _typed_expr(col: Column, kind: FileKind) -> str:
    """The typed value of a raw text column: blank -> NULL, a value that does not convert -> error().

    The common case (a value that converts) is tested first, so the blank test (``trim``) and the error branch
    only run on the rare rows whose conversion gave NULL; DuckDB evaluates the repeated conversion once
    (common subexpression). Testing blanks first cost a ``trim`` of every value of every typed column.
    """
    raw = f'"{col.name}"'
    if col.kind == _STR:
        return raw
    label = f"{kind.name} file: bad {col.name} value "
    if col.kind == _INT:
        cast = f"TRY_CAST({raw} AS BIGINT)"
    elif col.kind == _AMOUNT:
        cast = f"TRY_CAST({raw} AS DECIMAL(14,2))"
    else:
        attempts = [f"TRY_STRPTIME({raw}, {_sql_literal(f)})::DATE" for f in col.date_formats]
        cast = attempts[0] if len(attempts) == 1 else "COALESCE(" + ", ".join(attempts) + ")"
        if col.date_formats == ("%m%d%Y",):
            cast = f"CASE WHEN length({raw}) = 8 THEN {cast} END"
    return (
        f"CASE WHEN {cast} IS NOT NULL THEN {cast} WHEN {raw} IS NULL OR trim({raw}) = '' THEN NULL "
        f"ELSE error({_sql_literal(label)} || {raw}) END"
    )


def _read_csv_sql(kind: FileKind, files: list[Path], encoding: str) -> str:
    columns = "{" + ", ".join(f"{_sql_literal(c.name)}: 'VARCHAR'" for c in kind.columns) + "}"
    file_list = "[" + ", ".join(_sql_literal(str(f)) for f in files) + "]"
    quoting = "quote='\"', escape='\"'" if kind.header else "quote='', escape=''"
    return (
        f"read_csv({file_list}, delim={_sql_literal(kind.delimiter)}, header={str(kind.header).lower()}, "
        f"{quoting}, columns={columns}, encoding={_sql_literal(encoding)}, strict_mode=true, "
        "null_padding=false, auto_detect=false, filename=true)"
    )


def _utf8_copy(path: Path, encoding: str, scratch: Path) -> Path:
    """A UTF-8 copy of ``path`` in ``scratch``: the fallback when DuckDB's own Latin-1 reader refuses a file
    (it rejects the bytes 0x80-0x9F, which Python's Latin-1 codec maps to control characters)."""
    target = scratch / "utf8" / f"{abs(hash(str(path.resolve())))}" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as src, target.open("wb") as out:
        while chunk := src.read(_CHUNK):
            out.write(chunk.decode(encoding).encode("utf-8"))
    return target


def _stage(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    kind: FileKind,
    files: list[Path],
    cycle: int,
    encoding: str,
    scratch: Path,
) -> int:
    """Stream ``files`` into table ``stage`` with typed columns; raises duckdb.Error on any bad row."""
    try:
        return _stage_as(con, stage, kind, files, cycle, encoding)
    except duckdb.Error as error:
        if "encoded" not in str(error):
            raise
    return _stage_as(con, stage, kind, [_utf8_copy(f, encoding, scratch) for f in files], cycle, "utf-8")


def _stage_as(
    con: duckdb.DuckDBPyConnection, stage: str, kind: FileKind, files: list[Path], cycle: int, encoding: str
) -> int:
    select = ", ".join(f'{_typed_expr(c, kind)} AS "{c.name}"' for c in kind.columns)
    con.execute(f'DROP TABLE IF EXISTS "{stage}"')
    con.execute("SET preserve_insertion_order = false")  # row order is not needed; it costs memory and time
    try:
        con.execute(
            f'CREATE TABLE "{stage}" AS SELECT {select}, {int(cycle)}::INTEGER AS cycle, '
            f"parse_filename(filename) AS source_file FROM {_read_csv_sql(kind, files, encoding)}"
        )
    finally:
        con.execute("RESET preserve_insertion_order")
    row = con.execute(f'SELECT count(*) FROM "{stage}"').fetchone()
    return int(row[0]) if row else 0


# ---------------------------------------------------------------------------------------------------------------
# slow path: locate every problem


def _value_problem(col: Column, value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if col.kind == _INT:
        return None if re.fullmatch(r"[+-]?\d+", text) else f"not a whole number: {value!r}"
    if col.kind == _AMOUNT:
        try:
            ok = Decimal(text).is_finite() and abs(Decimal(text)) < Decimal(10) ** 12
        except InvalidOperation:
            ok = False
        return None if ok else f"not a dollar amount: {value!r}"
    if col.kind == _DATE:
        if col.date_formats == ("%m%d%Y",) and len(text) != 8:
            return f"not a date in MMDDYYYY form: {value!r}"
        for fmt in col.date_formats:
            try:
                dt.datetime.strptime(text, fmt)
                return None
            except ValueError:
                continue
        return f"not a date ({' or '.join(col.date_formats)}): {value!r}"
    return None


def _split(kind: FileKind, line: str) -> list[str]:
    if kind.header:
        import csv

        return next(csv.reader([line]))
    return line.split(kind.delimiter)


def scan_file(kind: FileKind, path: Path, encoding: str = ENCODING) -> tuple[list[Problem], set[int]]:
    """Every problem of one file, each with its 1-based line, and the set of bad line numbers."""
    problems: list[Problem] = []
    bad: set[int] = set()
    n = len(kind.columns)
    typed = [(i, c) for i, c in enumerate(kind.columns) if c.kind != _STR]
    with path.open("r", encoding=encoding, newline="") as handle:
        for line_no, raw_line in enumerate(handle, start=1):
            if kind.header and line_no == 1:
                continue
            truncated = not raw_line.endswith("\n")
            line = raw_line.rstrip("\n").rstrip("\r")
            if not line and truncated:
                continue
            fields = _split(kind, line)
            if len(fields) != n:
                what = "truncated line" if truncated or len(fields) < n else "wrong number of columns"
                problems.append(
                    Problem(
                        path.name,
                        line_no,
                        None,
                        f"{what}: expected {n} fields separated by '{kind.delimiter}', found {len(fields)}",
                    )
                )
                bad.add(line_no)
                continue
            for i, col in typed:
                message = _value_problem(col, fields[i])
                if message:
                    problems.append(Problem(path.name, line_no, col.name, message))
                    bad.add(line_no)
    return problems, bad


def _write_clean_copy(kind: FileKind, path: Path, bad: set[int], target: Path, encoding: str) -> None:
    with path.open("r", encoding=encoding, newline="") as src, target.open("w", encoding=encoding, newline="") as out:
        for line_no, line in enumerate(src, start=1):
            if line_no in bad:
                continue
            out.write(line if line.endswith("\n") else line + "\n")


# ---------------------------------------------------------------------------------------------------------------
# store bookkeeping


def _ensure_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS fec_manifest (kind VARCHAR, cycle INTEGER, file VARCHAR, size_bytes BIGINT, "
        "mtime DOUBLE, rows_loaded BIGINT, rows_skipped BIGINT, loaded_at TIMESTAMP)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS fec_rejects (kind VARCHAR, cycle INTEGER, file VARCHAR, line BIGINT, "
        "field VARCHAR, message VARCHAR)"
    )
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_stage\\_fec\\_%' ESCAPE '\\'"
    ).fetchall():
        con.execute(f'DROP TABLE IF EXISTS "{name}"')


def _fingerprint(files: list[Path]) -> list[tuple[str, int, float]]:
    return sorted((str(f.resolve()), f.stat().st_size, round(f.stat().st_mtime, 3)) for f in files)


def _already_loaded(con: duckdb.DuckDBPyConnection, kind: str, cycle: int, files: list[Path]) -> bool:
    rows = con.execute(
        "SELECT file, size_bytes, mtime FROM fec_manifest WHERE kind = ? AND cycle = ? ORDER BY file",
        [kind, cycle],
    ).fetchall()
    return [(r[0], int(r[1]), round(float(r[2]), 3)) for r in rows] == _fingerprint(files)


def _table_name(kind: str, cycle: int) -> str:
    return f"fec_{kind}_{cycle}"


def _refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """``fec_<kind>`` = union of its cycle tables; ``*_current`` views resolve amendments and flag memo rows."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for kind in FILE_KINDS.values():
        parts = sorted(t for t in tables if re.fullmatch(rf"fec_{kind.name}_\d{{4}}", t))
        if not parts:
            continue
        union = " UNION ALL ".join(f'SELECT * FROM "{t}"' for t in parts)
        con.execute(f'CREATE OR REPLACE VIEW "fec_{kind.name}" AS {union}')
        if kind.name in ("indiv", "oth", "pas2"):
            con.execute(
                f'CREATE OR REPLACE VIEW "fec_{kind.name}_current" AS SELECT *, '
                f"coalesce(memo_cd, '') <> '{MEMO_CODE}' AS counts_in_totals FROM \"fec_{kind.name}\" "
                "QUALIFY tran_id IS NULL OR row_number() OVER (PARTITION BY cycle, cmte_id, rpt_tp, "
                "year(transaction_dt), tran_id ORDER BY file_num DESC NULLS LAST, sub_id DESC NULLS LAST) = 1"
            )
        elif kind.name == "ie":
            con.execute(
                'CREATE OR REPLACE VIEW "fec_ie_current" AS SELECT *, true AS counts_in_totals FROM "fec_ie" '
                "QUALIFY tran_id IS NULL OR row_number() OVER (PARTITION BY cycle, spe_id, tran_id "
                "ORDER BY file_num DESC NULLS LAST, receipt_dat DESC NULLS LAST) = 1"
            )


# ---------------------------------------------------------------------------------------------------------------
# entry point

ProgressHook = Callable[[str, int], None]


def ingest_fec(
    con: duckdb.DuckDBPyConnection,
    directory: Path | str,
    cycle: int | None = None,
    skip_bad_rows: bool = False,
    encoding: str = ENCODING,
    progress: ProgressHook | None = None,
    kinds: Iterable[str] | None = None,
) -> IngestReport:
    """Load every FEC bulk file found in ``directory`` into the store behind ``con``.

    ``progress(label, bytes_done)`` is called after each kind is staged (for a progress bar over the total
    file size). Raises :class:`DataPackageError` listing every bad row (file, line, field) when a file has bad
    rows and ``skip_bad_rows`` is false; then nothing is loaded.
    """
    if cycle is not None and not 1976 <= cycle <= 2100:
        raise InvalidInputError(f"--cycle {cycle}: an election cycle is an even year such as 2026")
    groups = discover(Path(directory), cycle)
    wanted = set(kinds) if kinds is not None else set(FILE_KINDS)
    groups = {k: v for k, v in groups.items() if k[0] in wanted}
    _ensure_bookkeeping(con)
    report = IngestReport()
    staged: list[tuple[KindReport, str, list[Problem]]] = []
    all_problems: list[Problem] = []
    scratch = Path(tempfile.mkdtemp(prefix="marketpower-fec-"))
    try:
        for (kind_name, group_cycle), files in sorted(groups.items()):
            kind = FILE_KINDS[kind_name]
            entry = KindReport(kind_name, group_cycle, [f.name for f in files])
            size = sum(f.stat().st_size for f in files)
            if _already_loaded(con, kind_name, group_cycle, files):
                entry.status = "unchanged"
                report.kinds.append(entry)
                if progress:
                    progress(f"{kind_name} {group_cycle} (unchanged)", size)
                continue
            stage = f"_stage_{_table_name(kind_name, group_cycle)}"
            problems: list[Problem] = []
            try:
                entry.rows_loaded = _stage(con, stage, kind, files, group_cycle, encoding, scratch)
            except duckdb.Error as fast_error:
                con.execute(f'DROP TABLE IF EXISTS "{stage}"')
                clean_files: list[Path] = []
                for f in files:
                    found, bad = scan_file(kind, f, encoding)
                    problems += found
                    target = scratch / kind_name / str(group_cycle) / f.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _write_clean_copy(kind, f, bad, target, encoding)
                    clean_files.append(target)
                    entry.rows_skipped += len(bad)
                if not problems:  # DuckDB refused something the line scan accepts: report it as is
                    problems = [Problem(", ".join(entry.files), None, None, str(fast_error).splitlines()[0])]
                all_problems += problems
                if skip_bad_rows and entry.rows_skipped:
                    entry.rows_loaded = _stage(con, stage, kind, clean_files, group_cycle, encoding, scratch)
                    entry.status = "skipped-bad-rows"
            staged.append((entry, stage, problems))
            report.kinds.append(entry)
            if progress:
                progress(f"{kind_name} {group_cycle}", size)
        if (all_problems and not skip_bad_rows) or any(p.line is None for p in all_problems):
            raise DataPackageError(all_problems)
        con.execute("BEGIN TRANSACTION")
        try:
            for entry, stage, problems in staged:
                table = _table_name(entry.kind, entry.cycle)
                con.execute(f'DROP TABLE IF EXISTS "{table}"')
                con.execute(f'ALTER TABLE "{stage}" RENAME TO "{table}"')
                con.execute("DELETE FROM fec_manifest WHERE kind = ? AND cycle = ?", [entry.kind, entry.cycle])
                con.execute("DELETE FROM fec_rejects WHERE kind = ? AND cycle = ?", [entry.kind, entry.cycle])
                for path_text, size, mtime in _fingerprint(groups[(entry.kind, entry.cycle)]):
                    con.execute(
                        "INSERT INTO fec_manifest VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                        [entry.kind, entry.cycle, path_text, size, mtime, entry.rows_loaded, entry.rows_skipped],
                    )
                if problems:
                    con.executemany(
                        "INSERT INTO fec_rejects VALUES (?, ?, ?, ?, ?, ?)",
                        [[entry.kind, entry.cycle, p.file, p.line, p.field, p.message] for p in problems],
                    )
            _refresh_views(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        report.problems = all_problems
        return report
    finally:
        for _, stage, _ in staged:
            if con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [stage]
            ).fetchone() != (0,):
                con.execute(f'DROP TABLE IF EXISTS "{stage}"')
        shutil.rmtree(scratch, ignore_errors=True)
