"""SEC 13F holdings at scale, written once in Ibis: holdings by investor × issuer × quarter from any number of
13F data sets, the CUSIP → firm mapping, the investors × firms inputs of κ, and κ / ΔMHHI per quarter.

The rules are those of :mod:`marketpower.ingest.sec13f` (its docstring has them and their sources): only shares
count (``SSHPRNAMTTYPE = SH``, no PUTCALL); within a manager-quarter the latest RESTATEMENT replaces the original
and later NEW HOLDINGS amendments add to it; fraction = shares held / the firm's shares outstanding; voting
fraction = (sole + shared voting authority) / shares outstanding. What runs on the engine: parsing and checking
every row, the amendment rule, the joins and the group-by to one row per (quarter, investor, firm). What runs on
the driver: the aggregated holdings (a few thousand investors × the firms asked for, per quarter) go to
:func:`marketpower.measures.common_ownership.kappa` (sparse NumPy/SciPy), one quarter at a time.

A data set is a folder holding ``INFOTABLE`` and ``COVERPAGE`` as ``.tsv`` (the SEC's files, unzipped) or as
``.parquet`` (files or folders of parts, e.g. converted once for a cluster). Data sets overlap (an amendment is
filed in a later quarter's data set): the same filing read twice counts once; two filings that are both a
manager's original (or both its amendment n) for one quarter are refused, naming the manager, the quarter, the
accession numbers and the data sets.

Bad rows: the first :data:`~marketpower.ingest.sec13f.MAX_LISTED` are each named by file, row or line, and
column, then counted per data set and check, with the same wording and the same list on both engines. A Parquet
row is its reader's row index (DuckDB's ``file_row_number``, Spark's ``_metadata.row_index``). A TSV line is the
line of the file (header = line 1, as :func:`marketpower.ingest.sec13f.load_13f` numbers them), but neither
engine's TSV reader gives one: DuckDB keeps the file's row order (documented) yet skips empty lines and stops at a
line with too few or too many fields, Spark's rows are split over tasks and such a line is only marked (its text
in the corrupt-record column, :meth:`~marketpower.engines.session.Engine.files`). So the error path, and only it,
reads a TSV file that has bad rows (or that DuckDB's reader refuses) again, numbered the
way the FEC ingest on Spark numbers lines (:mod:`marketpower.ingest.byte_ranges`): byte ranges read by one task
each, a running sum of the earlier ranges' lines, the same Python code on both engines, so the two give the same
lines; a line whose number of fields is not the header's is one more problem. Clean input is read once, as before.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..datasets import AISTACK
from ..errors import DataPackageError, EngineError, InvalidInputError, Problem
from ..ingest.byte_ranges import (
    FIELD_COUNT_PROBLEM,
    cuts,
    line_count,
    lines_before,
    map_tasks,
    numbered_lines,
    range_lines,
)
from ..ingest.sec13f import COVERPAGE_REQUIRED, INFOTABLE_REQUIRED, MAX_LISTED, SUM_TOLERANCE
from ..measures.common_ownership import kappa, mhhi_by_market
from .session import Engine, _first_line, _ibis

#: The bundled CUSIP map of the AI-stack firms' listed securities (the package's table ``cusips``, a source per
#: CUSIP; firm ids are entity ids): what ``kappa`` and ``kappa-series`` use when no ``--cusips`` file is given.
BUNDLED_CUSIP_MAP = AISTACK / "data" / "cusips.csv"

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DATE_PATTERN = r"^[0-9]{2}-[A-Za-z]{3}-[0-9]{4}$"


@dataclass(frozen=True)
class DataSet13F:
    """One 13F data set: its folder and its INFOTABLE and COVERPAGE (each a ``.tsv`` file or Parquet)."""

    folder: Path
    infotable: Path
    coverpage: Path

    @property
    def label(self) -> str:
        return str(self.folder)


def _table_file(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.tsv", f"{stem}.parquet", stem):
        for candidate in (folder / name, folder / name.lower()):
            if candidate.exists():
                return candidate
    return None


def find_datasets(root: Path) -> list[DataSet13F]:
    """Every 13F data set under ``root`` (``root`` itself or its sub-folders, recursively), in folder order."""
    if not root.is_dir():
        raise InvalidInputError(f"{root}: not a folder; give the folder that holds the unzipped 13F data sets")
    found = []
    for folder in sorted({root, *(p for p in root.rglob("*") if p.is_dir())}):
        info, cover = _table_file(folder, "INFOTABLE"), _table_file(folder, "COVERPAGE")
        if info is not None and cover is not None and not (info.is_dir() and folder == info):
            found.append(DataSet13F(folder, info, cover))
    if not found:
        raise DataPackageError(
            [Problem(str(root), None, None, "no 13F data set here: expected INFOTABLE.tsv and COVERPAGE.tsv (or "
                     ".parquet) in this folder or its sub-folders")]
        )  # fmt: skip
    return found


#: The data set of a row: its file's folder (a file named INFOTABLE/COVERPAGE, or a part inside such a folder, is
#: removed from the path). Spark names files as URIs (``file:///...``): :func:`_place` turns them back.
_DATASET_OF_FILE = r"(?i)/(infotable|coverpage)(\.tsv|\.parquet)?(/[^/]*)?$"


def _place(label: str) -> str:
    return label.removeprefix("file://").removeprefix("file:")


def _read_all(
    engine: Engine, paths: Sequence[Path], columns: Sequence[str], what: str,
    numbered: tuple[Collection[str], Path] | None = None,
) -> Any:  # fmt: skip
    """Every file of one table (INFOTABLE or COVERPAGE) of every data set, as few scans as layouts: files are
    grouped by kind and, for TSV, header (for Parquet, the types of ``columns``); a file lacking a column is a
    :class:`DataPackageError` naming it. Adds ``dataset``, the folder each row's data set is in, and keeps
    ``_file`` and ``_row`` (:meth:`Engine.files`) to locate bad rows. ``numbered``: (TSV files, a scratch folder):
    those files are read by :func:`_numbered_text` instead, their ``_row`` the line (from 0). When any table has
    ``_fields`` and ``_width`` (numbered text, Spark's text), every table gets them (NULL where not counted)."""
    import pyarrow.parquet as pq

    from ..ingest.sec13f import header, missing_columns
    from .session import parquet_files

    ibis = _ibis()
    groups: dict[tuple[object, ...], list[str]] = {}
    problems: list[Problem] = []
    text: list[str] = []
    for path in paths:
        if path.suffix.lower() == ".tsv":
            problems += missing_columns(path, columns, "\t")
            if numbered is not None and str(path) in numbered[0]:
                text.append(str(path))
            else:
                groups.setdefault(("tsv", *header(path, "\t")), []).append(str(path))
            continue
        for file in parquet_files([path], what):
            schema = pq.read_schema(file)
            lacking = [c for c in columns if c not in schema.names]
            problems += [Problem(file, None, c, f"{what}: missing column {c!r}") for c in lacking]
            if not lacking:
                groups.setdefault(("parquet", *(str(schema.field(c).type) for c in columns)), []).append(file)
    problems += _mixed_parquet_types(groups, columns, what)
    if problems:
        raise DataPackageError(problems)
    tables = [engine.files(files, columns, key[0] == "tsv") for key, files in groups.items()]
    if numbered is not None and text:
        tables.append(_numbered_text(engine, text, columns, numbered[1]))
    if any("_fields" in t.columns for t in tables):
        none = ibis.null("int64")
        tables = [t if "_fields" in t.columns else t.mutate(_fields=none, _width=none) for t in tables]
    if len(tables) > 1:  # text files beside typed Parquet: every column as text, as the TSV reader gives it
        tables = [t.mutate(**{c: t[c].cast("string") for c in columns}) for t in tables]
    table = ibis.union(*tables) if len(tables) > 1 else tables[0]
    return table.mutate(dataset=table._file.re_replace(_DATASET_OF_FILE, ""))


#: Bytes of a TSV file one task reads into numbered rows (:mod:`marketpower.ingest.byte_ranges`).
TEXT_RANGE_BYTES = 64 << 20


def _text_ranges(files: Sequence[str]) -> list[tuple[int, str, int, int]]:
    """(file number, file, start, end) of every byte range of the TSV ``files``."""
    return [(n, file, start, end) for n, file in enumerate(files)
            for start, end in cuts(Path(file).stat().st_size, TEXT_RANGE_BYTES)]  # fmt: skip


def _range_lines(piece: tuple[int, str, int, int]) -> int:
    """Lines in one byte range (header line included)."""
    return line_count(range_lines(piece[1], piece[2], piece[3])[0])


def _numbered_rows(piece: tuple[int, str, int, int], first_line: int, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of one byte range of a TSV file whose first line is ``first_line``: ``columns`` as text (empty is
    NULL, a field past the line's end NULL, as the engines' readers give them), then the file, the line from 0
    (header = 0), the line's number of tab-separated fields and the header's. The header line and empty lines
    (which the engines' readers skip) give no row; a line is cut at ``\n``, a ``\r`` before it dropped."""
    from ..ingest.sec13f import header

    _, file, start, end = piece
    names = header(Path(file), "\t")
    where = [names.index(c) for c in columns]
    data, _ = range_lines(file, start, end)
    rows = []
    for line, text in numbered_lines(data, first_line):
        if line == 1:
            continue
        fields = text.decode("utf-8", "replace").split("\t")
        values = (fields[i] or None if i < len(fields) else None for i in where)
        rows.append((*values, file, line - 1, len(fields), len(names)))
    return rows


def _numbered_text(engine: Engine, files: Sequence[str], columns: Sequence[str], scratch: Path) -> Any:
    """The TSV ``files`` with each row's line: ``columns``, ``_file``, ``_row`` (the line, from 0), ``_fields``
    and ``_width`` (:func:`_numbered_rows`). The FEC ingest's mechanism: the files cut into byte ranges, one task
    per range counts its lines, a range's first line is 1 plus the lines of the file's earlier ranges (a running
    sum, :func:`~marketpower.ingest.byte_ranges.lines_before`), then one task per range makes its rows. On Spark
    the rows stay on the executors (a DataFrame); on DuckDB each range's rows go to a Parquet part in ``scratch``
    (memory holds one range at a time), read back as one table. Only bad input comes here."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pieces = _text_ranges(files)
    session = engine.session if engine.name == "spark" else None
    counts = map_tasks(session, _range_lines, pieces, "counting the lines of the 13F text files")
    firsts = [1 + b for b in lines_before((p[0], c) for p, c in zip(pieces, counts, strict=True))]
    names = [*columns, "_file", "_row", "_fields", "_width"]
    if session is not None:
        from pyspark.sql.types import LongType, StringType, StructField, StructType

        kinds = [StringType()] * (len(columns) + 1) + [LongType()] * 3
        schema = StructType([StructField(n, k) for n, k in zip(names, kinds, strict=True)])
        rdd = session.sparkContext.parallelize(list(zip(pieces, firsts, strict=True)), len(pieces))
        frame = session.createDataFrame(rdd.flatMap(lambda p: _numbered_rows(p[0], p[1], columns)), schema)
        name = engine._view_name()
        frame.createOrReplaceTempView(name)
        return engine.backend.table(name)
    schema = pa.schema([(n, pa.string() if i <= len(columns) else pa.int64()) for i, n in enumerate(names)])
    parts = []
    for number, (piece, first) in enumerate(zip(pieces, firsts, strict=True)):
        rows = _numbered_rows(piece, first, columns)
        values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        part = scratch / f"part-{number:05d}.parquet"
        pq.write_table(pa.Table.from_arrays([pa.array(v, f.type) for v, f in zip(values, schema, strict=True)],
                                            schema=schema), part)  # fmt: skip
        parts.append(str(part))
    return engine.backend.read_parquet(parts, table_name=engine._view_name()).select(*names)


def _mixed_parquet_types(
    groups: dict[tuple[object, ...], list[str]], columns: Sequence[str], what: str
) -> list[Problem]:
    """Parquet files of one table whose ``columns`` have other types than the first such file's: one problem per
    file and column, then one naming the table (an engine would otherwise fail mid-union)."""
    typed = [(key, files) for key, files in groups.items() if key[0] == "parquet"]
    if len(typed) < 2:
        return []
    (first, first_files), problems = typed[0], []
    for key, files in typed[1:]:
        problems += [Problem(file, None, column, f"{what}: type {kind} here, {expected} in {first_files[0]}")
                     for file in files for column, kind, expected in zip(columns, key[1:], first[1:], strict=True)
                     if kind != expected]  # fmt: skip
    return [*problems, Problem(what, None, None, "mixed schemas: every Parquet file of one table needs the same "
                               "column types")]  # fmt: skip


def _text(column: Any) -> Any:
    """A column as trimmed text (numbers in Parquet files become their text)."""
    return (column if column.type().is_string() else column.cast("string")).strip()


def _number(column: Any) -> Any:
    """A share amount as float64: numeric columns as they are, text with thousands separators parsed (NULL when
    the text is not a number)."""
    if column.type().is_numeric():
        return column.cast("float64")
    return column.replace(",", "").try_cast("float64")  # both engines' casts ignore surrounding spaces


def _bad_amount(value: Any) -> Any:
    """Empty, not a number, negative, infinite or NaN (NaN sorts above +inf on both engines)."""
    return ~((value >= 0) & (value < float("inf"))).fill_null(False)


def _line_width(table: Any) -> dict[str, Any]:
    """``bad_width`` (a line whose number of fields is not the header's) with the two counts, for numbered text
    rows (:func:`_numbered_text`) and Spark's text rows (:meth:`Engine.files`: counted only where they differ,
    and without a line, so such a file is then numbered; Parquet rows have NULL counts, so never); nothing when
    no table has the counts."""
    if "_fields" not in table.columns:
        return {}
    bad = (table._fields != table._width).fill_null(False)
    return {"_fields": table._fields, "_width": table._width, "bad_width": bad}


def _info_rows(table: Any, **extra: Any) -> Any:
    """INFOTABLE rows typed and flagged by the checks of :data:`_INFO_CHECKS`, with the ``extra`` columns (Ibis
    expressions over ``table``) that a reader adds to them."""
    shares, sole, shared = (_number(table[c]) for c in ("SSHPRNAMT", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED"))
    sole_text, shared_text = _text(table.VOTING_AUTH_SOLE), _text(table.VOTING_AUTH_SHARED)
    accession, cusip = _text(table.ACCESSION_NUMBER), _text(table.CUSIP).upper()
    return table.select(
        dataset=table.dataset,
        _file=table._file,
        _row=table._row,
        accession=accession,
        cusip=cusip,
        shares=shares,
        voting=sole.fill_null(0.0) + shared.fill_null(0.0),
        is_share=(_text(table.SSHPRNAMTTYPE).fill_null("").upper() == "SH")
        & (_text(table.PUTCALL).fill_null("") == ""),
        bad_shares=_bad_amount(shares),
        bad_voting=(sole_text.fill_null("") != "") & _bad_amount(sole) | (shared_text.fill_null("") != "")
        & _bad_amount(shared),
        no_cusip=cusip.fill_null("") == "",
        no_accession=accession.fill_null("") == "",
        **_line_width(table),
        **extra,
    )


def _cover_rows(table: Any) -> Any:
    date = _text(table.REPORTCALENDARORQUARTER).fill_null("")
    month = date.substr(3, 3).upper().cases(*((m, i + 1) for i, m in enumerate(_MONTHS)), else_=None)
    is_amendment = _text(table.ISAMENDMENT).fill_null("N").upper()
    number = _text(table.AMENDMENTNO).try_cast("int64")
    amendment_type = _text(table.AMENDMENTTYPE).fill_null("").upper()
    good_date = date.re_search(_DATE_PATTERN) & month.notnull()
    return table.select(
        dataset=table.dataset,
        _file=table._file,
        _row=table._row,
        accession=_text(table.ACCESSION_NUMBER),
        investor=_text(table.FILINGMANAGER_NAME),
        quarter=good_date.ifelse(date.substr(7, 4) + "Q" + ((month + 2) // 3).cast("string"), None),
        is_amendment=is_amendment == "Y",
        amendment_type=amendment_type,
        amendment_no=number.fill_null(0),
        bad_date=~good_date,
        bad_flag=~is_amendment.isin(["Y", "N"]),
        bad_number=(is_amendment == "Y") & (number.isnull() | (number < 1)),
        bad_type=(is_amendment == "Y") & ~amendment_type.isin(["RESTATEMENT", "NEW HOLDINGS"]),
        **_line_width(table),
    )


def staged(engine: Engine, datasets: Sequence[DataSet13F], scratch: Path) -> tuple[Any, Any]:
    """(INFOTABLE rows, COVERPAGE rows) of every data set, typed and flagged, as two Ibis tables, every row checked
    first (:func:`_checked`): bad rows are one :class:`DataPackageError`. ``scratch``: a folder for the numbered
    text of bad TSV files (DuckDB only; nothing is written there for clean input)."""
    info, problems = _checked(engine, [d.infotable for d in datasets], INFOTABLE_REQUIRED, "13F INFOTABLE",
                              _info_rows, _INFO_CHECKS, _files_by_dataset(datasets, "infotable"), scratch)  # fmt: skip
    cover, more = _checked(engine, [d.coverpage for d in datasets], COVERPAGE_REQUIRED, "13F COVERPAGE",
                           _cover_rows, _COVER_CHECKS, _files_by_dataset(datasets, "coverpage"), scratch)  # fmt: skip
    if problems or more:
        raise DataPackageError([*problems, *more])
    return info, cover


def _files_by_dataset(datasets: Sequence[DataSet13F], table: str) -> dict[str, str]:
    """The file of ``table`` (``infotable`` or ``coverpage``) of each data set, by its folder as given and as an
    absolute path (Spark names files by absolute URIs)."""
    return {key: str(getattr(d, table)) for d in datasets for key in (d.label, str(d.folder.resolve()))}


_INFO_CHECKS: dict[str, tuple[str | None, str]] = {
    "bad_shares": ("SSHPRNAMT", "share amount empty, negative or not a number"),
    "bad_voting": ("VOTING_AUTH_SOLE", "voting authority (sole or shared) negative or not a number"),
    "no_cusip": ("CUSIP", "empty CUSIP"),
    "no_accession": ("ACCESSION_NUMBER", "empty ACCESSION_NUMBER"),
}
_COVER_CHECKS: dict[str, tuple[str | None, str]] = {
    "bad_date": ("REPORTCALENDARORQUARTER", "date is not DD-MON-YYYY"),
    "bad_flag": ("ISAMENDMENT", "ISAMENDMENT is neither Y nor N"),
    "bad_number": ("AMENDMENTNO", "an amendment whose AMENDMENTNO is not a number from 1 up"),
    "bad_type": ("AMENDMENTTYPE", "an amendment that is neither RESTATEMENT nor NEW HOLDINGS"),
}
#: The check of numbered text rows (:func:`_line_width`), before the others: the line as a whole is wrong.
_LINE_CHECKS: dict[str, tuple[str | None, str]] = {
    "bad_width": (None, FIELD_COUNT_PROBLEM),
}


def _checked(
    engine: Engine, paths: Sequence[Path], columns: Sequence[str], what: str, rows: Callable[[Any], Any],
    checks: dict[str, tuple[str | None, str]], file_of: dict[str, str], scratch: Path,
) -> tuple[Any, list[Problem]]:  # fmt: skip
    """One table of every data set as typed, flagged rows (``rows`` of :func:`_read_all`) and its bad rows
    (:func:`_row_problems`). Clean input costs what it always did: one read, two jobs. Only on bad input: a TSV
    file whose data set has bad rows is read again with its lines numbered (:func:`_numbered_text`), and so is
    one the engine's reader refuses (DuckDB's stops at a line with too few or too many fields); the problems are
    those of that reading, each bad row named by file, line and column. An engine error that no numbered file
    explains is raised as it is."""
    text = [str(p) for p in paths if p.suffix.lower() == ".tsv"]
    numbered: set[str] = set()
    clean, refusal = None, None
    while True:
        try:
            table = rows(_read_all(engine, paths, columns, what, (numbered, scratch) if numbered else None))
            problems = _row_problems(engine, table, checks, file_of)
        except (DataPackageError, InvalidInputError):
            raise
        except Exception as error:  # the engine's reader refused a file (duckdb.Error, EngineError, ...)
            refused = [f for f in text if f not in numbered and not _readable(engine, f, columns)]
            if not refused:
                raise _engine_error(engine, what, error) from None
            refusal = refusal or error
            numbered.update(refused)
            continue
        clean = table if clean is None and not numbered else clean
        unlocated = {p.file for p in problems if p.line is None}.intersection(text) - numbered
        if not unlocated:
            if refusal is not None and not problems:
                raise _engine_error(engine, what, refusal) from None
            return clean if clean is not None else table, problems
        numbered |= unlocated


def _readable(engine: Engine, file: str, columns: Sequence[str]) -> bool:
    """Whether the engine's own reader reads every line of one TSV file (a scan; only after a refusal)."""
    try:
        engine.execute(engine.files([file], columns, True).count())
    except (DataPackageError, InvalidInputError):
        raise
    except Exception:
        return False
    return True


def _engine_error(engine: Engine, what: str, error: BaseException) -> EngineError:
    if isinstance(error, EngineError):
        return error
    return EngineError(f"{engine.name} could not read the {what} files: {_first_line(error)}")


def _row_problems(
    engine: Engine, table: Any, checks: dict[str, tuple[str | None, str]], file_of: dict[str, str]
) -> list[Problem]:
    """Rows failing each check: the first :data:`MAX_LISTED` located, in a Parquet file by its row and in a
    numbered TSV file by its line (both from 1; a TSV file's header is line 1), each naming the file, the row or
    line and the column, then the count per (data set, check) (two engine jobs)."""
    widths = ["_fields", "_width"] if "bad_width" in table.columns else []
    if widths:
        checks = {**_LINE_CHECKS, **checks}
    flag = None
    for name in checks:
        flag = table[name] if flag is None else flag | table[name]
    failing = table.filter(flag)
    located = engine.execute(
        failing.filter(failing._row.notnull()).select("_file", "_row", *widths, *checks).order_by(["_file", "_row"])
        .limit(MAX_LISTED)
    )  # fmt: skip
    problems = []
    for row in sorted(located.to_dict("records"), key=lambda r: (_place(str(r["_file"])), int(r["_row"]))):
        file, number = _place(str(row["_file"])), int(row["_row"]) + 1
        where = "" if file.lower().endswith(".tsv") else f"Parquet row {number}: "
        for name, (column, what) in checks.items():
            if name == "bad_width" and bool(row[name]):
                what = f"{what} ({int(row['_fields'])} here, {int(row['_width'])} in the header)"
            if bool(row[name]):
                problems.append(Problem(file, number, column, where + what))
    counts = engine.execute(
        failing.group_by("dataset").aggregate(**{n: table[n].cast("int64").sum() for n in checks})
    )
    for count_row in sorted(counts.to_dict("records"), key=lambda r: _place(str(r["dataset"]))):
        dataset = _place(str(count_row["dataset"]))
        for name, (column, what) in checks.items():
            count = int(count_row[name])
            if count:
                where = file_of.get(dataset, dataset)
                problems.append(Problem(where, None, column, f"{count:,} row(s) with {what}"))
    return problems


def _kept_filings(engine: Engine, cover: Any, coverpages: dict[str, str]) -> Any:
    """COVERPAGE rows after dropping copies of one filing and applying the amendment rule; refuses an accession
    with two different cover pages, and two kept filings of one manager-quarter with the same number."""
    ibis = _ibis()
    content = ["accession", "investor", "quarter", "is_amendment", "amendment_type", "amendment_no"]
    filings = cover.group_by(content).aggregate(dataset=cover.dataset.min())
    conflicts = filings.group_by("accession").aggregate(versions=ibis._.count(), dataset=ibis._.dataset.min())
    listed = engine.execute(conflicts.filter(conflicts.versions > 1).order_by("accession").limit(MAX_LISTED))
    if len(listed):
        raise DataPackageError(
            [Problem(coverpages.get(_place(str(r.dataset)), str(r.dataset)), None, "ACCESSION_NUMBER",
                     f"accession {r.accession} has {r.versions} different cover pages; a filing has one: keep the "
                     "right row") for r in listed.itertuples(index=False)]
        )  # fmt: skip
    restated = (
        filings.filter(filings.amendment_type == "RESTATEMENT")
        .group_by(["investor", "quarter"])
        .aggregate(restated_at=ibis._.amendment_no.max())
    )
    joined = filings.left_join(restated, ["investor", "quarter"]).select(*filings.columns, "restated_at")
    r, kind = joined.restated_at, joined.amendment_type
    keep = (r.isnull() & (~joined.is_amendment | (kind == "NEW HOLDINGS"))) | (
        r.notnull() & (((kind == "RESTATEMENT") & (joined.amendment_no == r)) | ((kind == "NEW HOLDINGS")
                                                                                  & (joined.amendment_no > r)))
    )  # fmt: skip
    kept = joined.filter(keep).select(
        "accession", "investor", "quarter", "dataset",
        number=joined.is_amendment.ifelse(joined.amendment_no, 0),
    )  # fmt: skip
    twice = kept.group_by(["investor", "quarter", "number"]).aggregate(filings=ibis._.count()).filter(
        ibis._.filings > 1
    )
    doubled = engine.execute(
        kept.join(twice, ["investor", "quarter", "number"]).select("investor", "quarter", "number", "accession",
                                                                   "dataset").order_by(["quarter", "investor",
                                                                                        "accession"])
        .limit(10 * MAX_LISTED)
    )  # fmt: skip
    if len(doubled):
        problems = []
        for (investor, quarter, number), group in doubled.groupby(["investor", "quarter", "number"], sort=True):
            which = "original report" if number == 0 else f"amendment {number}"
            places = sorted({coverpages.get(_place(str(d)), str(d)) for d in group["dataset"]})
            problems.append(
                Problem(", ".join(places), None, "ACCESSION_NUMBER",
                        f"{investor!r} has {len(group)} filings that are each its {which} for {quarter} "
                        f"({', '.join(group['accession'])}): a duplicated filing in the quarter, whose holdings "
                        "would count twice; keep one, or mark the later one as an amendment")
            )  # fmt: skip
        raise DataPackageError(problems[:MAX_LISTED])
    return kept


def holdings_by_quarter(
    engine: Engine,
    datasets: Sequence[DataSet13F],
    cusip_map: pd.DataFrame,
    shares_outstanding: pd.DataFrame,
    firms: Sequence[str] | None = None,
    quarters: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Holdings per (quarter, investor, firm) of every data set: ``quarter, investor, firm, shares, fraction,
    voting_fraction`` sorted by quarter, investor, firm.

    ``cusip_map`` has columns cusip, firm (:func:`marketpower.ingest.sec13f.read_cusip_map`);
    ``shares_outstanding`` has firm, shares_outstanding and optionally quarter (then each quarter uses its own
    count). ``firms`` and ``quarters`` restrict the result. Every row of every data set is checked first; bad
    rows are one :class:`DataPackageError`: the first :data:`MAX_LISTED` bad rows each by file, line (TSV) or row
    (Parquet) and column, then the count per data set and check.
    """
    ibis = _ibis()
    with tempfile.TemporaryDirectory(prefix="marketpower-13f-") as scratch:
        info, cover = staged(engine, datasets, Path(scratch))
    coverpages = _files_by_dataset(datasets, "coverpage")
    kept = _kept_filings(engine, cover, coverpages)
    if quarters is not None:
        kept = kept.filter(kept.quarter.isin(list(quarters)))
    mapping = cusip_map[["cusip", "firm"]]
    if firms is not None:
        unknown = sorted(set(firms) - set(mapping["firm"]))
        if unknown:
            raise InvalidInputError(f"firm(s) {', '.join(unknown)} are not in the CUSIP map; add a cusip,firm row each")
        mapping = mapping[mapping["firm"].isin(list(firms))]
    cusips = engine.frame(mapping.astype({"cusip": str, "firm": str}).reset_index(drop=True))
    # A filing's holdings are read from the data set its kept cover page comes from (the first in folder order),
    # so a filing present in two overlapping data sets counts once.
    shares = info.filter(info.is_share).select("dataset", "accession", "cusip", "shares", "voting")
    grouped = (
        shares.join(kept.select("dataset", "accession", "investor", "quarter"), ["dataset", "accession"])
        .join(cusips, "cusip")
        .group_by(["quarter", "investor", "firm"])
        .aggregate(shares=ibis._.shares.sum(), voting_shares=ibis._.voting.sum())
    )
    frame = engine.execute(grouped)
    return _fractions(frame, shares_outstanding)


def _fractions(frame: pd.DataFrame, outstanding: pd.DataFrame) -> pd.DataFrame:
    """Divide by shares outstanding (per firm, or per firm and quarter when the table has a quarter column)."""
    keys = ["firm", "quarter"] if "quarter" in outstanding.columns else ["firm"]
    merged = frame.merge(outstanding[[*keys, "shares_outstanding"]], on=keys, how="left")
    lacking = merged.loc[merged["shares_outstanding"].isna(), keys].drop_duplicates()
    if len(lacking):
        listed = ", ".join(" ".join(map(str, r)) for r in lacking.itertuples(index=False, name=None))
        raise DataPackageError(
            [Problem("shares outstanding", None, "firm", f"no shares outstanding for {listed}; add a row for each")]
        )
    total = merged["shares_outstanding"].to_numpy(dtype=np.float64)
    over = merged[merged["shares"].to_numpy(dtype=np.float64) > (1 + SUM_TOLERANCE) * total]
    if len(over):
        raise DataPackageError(
            [Problem("13F INFOTABLE", None, "SSHPRNAMT",
                     f"{r.investor!r} reports {r.shares:,.0f} shares of {r.firm!r} in {r.quarter}, more than its "
                     f"{r.shares_outstanding:,.0f} shares outstanding") for r in over.head(MAX_LISTED).itertuples()]
        )  # fmt: skip
    out = merged.assign(
        fraction=merged["shares"] / total,
        voting_fraction=merged["voting_shares"] / total,
    )[["quarter", "investor", "firm", "shares", "fraction", "voting_fraction"]]
    return out.sort_values(["quarter", "investor", "firm"], kind="stable").reset_index(drop=True)


def kappa_series(
    holdings: pd.DataFrame, firms: Sequence[str] | None = None, control: str | None = None
) -> pd.DataFrame:
    """κ_fg per quarter from :func:`holdings_by_quarter`: ``quarter, firm, other_firm, kappa, investors``, one
    row per ordered pair f ≠ g of the ``firms`` held that quarter (default: every firm held), κ_fg = Σ_i γ_fi β_gi
    / Σ_i γ_fi β_fi (:func:`marketpower.measures.common_ownership.kappa`; ``control="voting_fraction"`` for γ from
    voting authority)."""
    rows = []
    for quarter, group in holdings.groupby("quarter", sort=True):
        held = set(group["firm"])
        wanted = [f for f in (firms if firms is not None else sorted(held)) if f in held]
        if len(wanted) < 2:
            continue
        weights = kappa(group.drop(columns="quarter"), wanted, control=control)
        values = weights.to_numpy(dtype=np.float64)
        f, g = np.nonzero(~np.eye(len(wanted), dtype=bool))
        rows.append(
            pd.DataFrame(
                {
                    "quarter": quarter,
                    "firm": np.asarray(wanted, dtype=object)[f],
                    "other_firm": np.asarray(wanted, dtype=object)[g],
                    "kappa": values[f, g],
                    "investors": int(group["investor"].nunique()),
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["quarter", "firm", "other_firm", "kappa", "investors"])
    return pd.concat(rows, ignore_index=True)


def mhhi_series(holdings: pd.DataFrame, market_shares: pd.DataFrame, control: str | None = None) -> pd.DataFrame:
    """HHI, MHHI and ΔMHHI per quarter and market: ``market_shares`` has market_id, firm, share and optionally
    quarter (else the same shares every quarter); κ of each quarter from its holdings."""
    rows = []
    for quarter, group in holdings.groupby("quarter", sort=True):
        shares = market_shares
        if "quarter" in market_shares.columns:
            shares = market_shares[market_shares["quarter"] == quarter]
        if shares.empty:
            continue
        weights = kappa(group.drop(columns="quarter"), sorted(set(shares["firm"])), control=control)
        rows.append(mhhi_by_market(shares[["market_id", "firm", "share"]], weights).assign(quarter=quarter))
    columns = ["quarter", "market_id", "hhi", "mhhi", "mhhi_delta"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)
