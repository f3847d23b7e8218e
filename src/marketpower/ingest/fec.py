"""Streaming ingest of the FEC's bulk data files into the DuckDB store.

Formats follow the FEC's published file descriptions (fec.gov/campaign-finance-data/*-file-description):
pipe-delimited text, no header row, no quoting, line feed as end of line, dates as MMDDYYYY (the PAC summary
uses MM/DD/YYYY). The FEC describes its files as ASCII, so they are read as UTF-8 (a superset of ASCII); a byte
that is not UTF-8 (a Latin-1 "Ñ", a Windows quote) is a bad row like any other, unless the caller names the
file's encoding (``latin-1`` or ``cp1252``). The independent-expenditure file is the exception to the layout: a
comma-separated file with a header row and quoted fields.

How a load works, per kind of file (``cm``, ``cn``, ``ccl``, ``indiv``, ``oth``, ``pas2``, ``webk``, ``ie``)
and election cycle:

1. each file is read in pieces of about :data:`PIECE_BYTES` cut at line ends (a background thread reads the
   next piece meanwhile); the compiled parser of :mod:`marketpower.ingest.fec_kernel` splits a piece of an
   unquoted file into columns, converting dates and numbers on the way (Arrow's multi-threaded CSV reader
   parses the pieces it declines, and every piece of the quoted ``ie`` and the ``webk`` files, then their
   dates are checked and converted), and a background thread writes it to a Parquet file under the store's
   FEC folder while the next piece is parsed: one pass, bounded memory, no Python per row;
2. a piece the fast path refuses is scanned line by line in Python, which reports *every* problem in it with
   its file, 1-based line and field (bytes that are not text in the encoding, wrong column count, truncated
   line, non-numeric amount, bad date), checking values with the fast path's converters so that the two agree.
   Without ``skip_bad_rows`` nothing at all is loaded (the other pieces are still checked, to report every
   problem); with it, the good lines of the piece are parsed again and kept, the bad ones counted and kept in
   ``fec_rejects``;
3. a load that would keep fewer than :data:`SHRINK_LIMIT` (half) of the rows stored for its kind-cycle is
   refused unless ``replace`` is given (an empty or cut re-download must not silently replace the data);
4. one DuckDB transaction then points the view ``fec_<kind>_<cycle>`` at the new Parquet files (replacing an
   earlier load of the same kind and cycle) and records the files in ``fec_manifest``; the folder of the
   replaced load is deleted after the commit, and folders no manifest row names (an interrupted run) before
   the next load.

A load folder's first file is its load manifest (:data:`LOAD_MANIFEST`: the store's id and every file the
load writes); a folder is deleted only when that manifest names this store and lists every file present, so a
load never deletes files it cannot prove are its own. So re-running never duplicates rows (a kind-cycle is
replaced, never appended), an interrupted run leaves the store as it was (rerun it: kinds already loaded from
the same files are skipped), and memory stays bounded. The Parquet files live in ``<store file name>.fec/``
next to a store file (``x.duckdb.fec/``; stores of earlier versions keep reading their ``x.fec/`` folder, and a
replaced load there is deleted only if nothing but its part files is in it), named relative to the store's
folder, which :func:`marketpower.ingest.store_folder.use_store_folder` puts on DuckDB's file search path; for an
in-memory store they live in a temporary folder.

Views ``fec_<kind>`` union the cycles. ``fec_indiv_current``, ``fec_oth_current``, ``fec_pas2_current`` and
``fec_ie_current`` keep only the latest version of each amended transaction (see :data:`AMENDMENT_RULE`);
memo entries (``memo_cd = 'X'``) stay in the rows but are flagged by ``counts_in_totals = false``.
"""

from __future__ import annotations

import atexit
import csv
import functools
import json
import mmap
import os
import re
import shutil
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import DataPackageError, InvalidInputError, Problem
from .store_folder import use_store_folder

if TYPE_CHECKING:
    from .fec_kernel import Workspace

#: Encodings a file may be read in; UTF-8 (which includes ASCII, the FEC's stated format) is the default.
ENCODINGS = ("utf-8", "latin-1", "cp1252")
ENCODING = "utf-8"

#: How amendments are resolved (documented by the FEC: a transaction id "must be unique for the life of a report
#: (original + all amendments)" within a committee). For each committee, report type, year of the transaction and
#: transaction id we keep the row of the latest filing (highest ``file_num``, then highest ``sub_id``).
#: Paper filings carry no transaction id: their rows are all kept.
AMENDMENT_RULE = "latest file_num per (cmte_id, rpt_tp, year(transaction_dt), tran_id)"

#: A memo entry (``MEMO_CD = 'X'``) repeats money already itemised elsewhere (e.g. an earmarked contribution
#: reported by both the conduit and the recipient); the FEC leaves it out of totals, and so do we.
MEMO_CODE = "X"

_STR, _INT, _AMOUNT, _DATE = "str", "int", "amount", "date"

#: Bytes of a file parsed at once (cut at a line end; each piece becomes one Parquet row group, ~140,000 rows of
#: the itcont layout). Smaller pieces keep a piece's columns in the cache shared with the writer thread: parsing
#: took 10-25% less CPU than with 64 MiB pieces (8-24 MiB measured alike); Arrow splits a piece into blocks
#: for its threads.
PIECE_BYTES = 24 << 20
#: Pieces parsed at once, each by its own thread (memory holds one more, being read, and the rows being written).
PARSERS = 2
_BLOCK_BYTES = 4 << 20


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

_ARROW_TYPES = {_STR: pa.string(), _INT: pa.int64(), _AMOUNT: pa.decimal128(14, 2), _DATE: pa.date32()}
#: Largest dollar amount stored: DECIMAL(14,2) holds 12 digits before the point.
MAX_AMOUNT = Decimal("999999999999.99")


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
# converters shared by the fast path and the problem scan


class _BadValues(Exception):
    """Some value of a typed column does not convert (the fast path gives up; the scan says where)."""


#: What the fast path raises on bad input: the reader's errors (columns, numbers, UTF-8), a byte the named
#: encoding lacks, a bad date or an amount out of range.
_FAST_PATH_ERRORS = (pa.ArrowInvalid, UnicodeDecodeError, _BadValues)


def _csv_options(kind: FileKind) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    """How Arrow reads one kind of file: named columns in file order, numbers parsed by the reader, dates
    kept as text for :func:`_dates`, an empty field is NULL, and an empty line is an error (not skipped).
    Text is not checked column by column: :func:`_check_utf8` checks each piece whole, faster."""
    quoted = kind.header
    read = pacsv.ReadOptions(column_names=[c.name for c in kind.columns], block_size=_BLOCK_BYTES)
    parse = pacsv.ParseOptions(
        delimiter=kind.delimiter,
        quote_char='"' if quoted else False,
        double_quote=quoted,
        newlines_in_values=quoted,
        ignore_empty_lines=False,
    )
    types = {c.name: pa.string() if c.kind in (_STR, _DATE) else _ARROW_TYPES[c.kind] for c in kind.columns}
    convert = pacsv.ConvertOptions(column_types=types, null_values=[""], strings_can_be_null=True, check_utf8=False)
    return read, parse, convert


def _check_utf8(piece: pa.Buffer) -> None:
    """Raise ``pa.ArrowInvalid`` unless ``piece`` is UTF-8 text (Arrow's validator over the piece as one value)."""
    offsets = pa.py_buffer(np.array([0, piece.size], np.int64))
    pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, piece]).cast(pa.large_string())


def _calendar() -> tuple[np.ndarray, np.ndarray]:
    """For the years 0-9999: days from 1970-01-01 to January 1, and whether the year is a leap year."""
    year = np.arange(10_000, dtype=np.int64)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_before = np.concatenate([[0], np.cumsum(365 + leap)[:-1]]) - int((365 + leap[:1970]).sum())
    return days_before.astype(np.int32), leap


_JANUARY_1, _LEAP = _calendar()
_DAYS_BEFORE_MONTH = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], np.int32)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int32)
_HIGH, _SIXES = np.uint64(0xF0F0F0F0F0F0F0F0), np.uint64(0x0606060606060606)


def _mmddyyyy(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``text`` (MMDDYYYY) as date32 and a mask of the non-blank values that are not such a date.

    Exactly eight ASCII digits naming a real day (no '1152026', no February 30, which ``strptime`` reads as
    November 5 or rolls into March 2). The eight bytes of each date are taken from Arrow's data buffer less
    '0' each: all are digits when, read as one 64-bit word, every high nibble is 0 and adding 6 to every byte
    leaves them 0 (no byte above 9). Days since 1970-01-01 = January 1 of the year (a table) + days before the
    month (+1 after February in a leap year) + day - 1.
    """
    n = len(text)
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1]
    data = np.frombuffer(text.buffers()[2], np.uint8) if text.buffers()[2] is not None else np.zeros(0, np.uint8)
    eight = present & (np.diff(offsets) == 8)
    starts = offsets[:-1][eight]
    if len(starts) and starts[-1] - starts[0] == 8 * (len(starts) - 1):
        raw = data[starts[0] : starts[-1] + 8]  # the dates lie back to back
    else:
        raw = data[starts[:, None] + np.arange(8)].ravel()
    digits = (raw - np.uint8(48)).reshape(-1, 8)
    words = digits.view("<u8").ravel()
    good = ((words & _HIGH) == 0) & (((words + _SIXES) & _HIGH) == 0)
    month = digits[:, 0] * np.uint8(10) + digits[:, 1]
    day = digits[:, 2] * np.uint8(10) + digits[:, 3]
    year = (digits[:, 4] * np.uint16(10) + digits[:, 5]) * np.uint16(100) + digits[:, 6] * np.uint16(10) + digits[:, 7]
    good &= (month >= 1) & (month <= 12) & (year >= 1)
    m = np.where(good, month, 1).astype(np.intp) - 1
    y = np.where(good, year, 1970).astype(np.intp)
    leap = _LEAP[y]
    good &= (day >= 1) & (day <= _DAYS_IN_MONTH[m] + (leap & (m == 1)))
    days = np.zeros(n, np.int32)
    days[eight] = _JANUARY_1[y] + _DAYS_BEFORE_MONTH[m] + (leap & (m > 1)) + day - 1
    ok = np.zeros(n, bool)
    ok[eight] = good
    validity = pa.py_buffer(np.packbits(ok, bitorder="little"))
    return pa.Array.from_buffers(pa.date32(), n, [validity, pa.py_buffer(days)]), present & ~ok


def _round_trips(text: pa.Array, parsed: pa.Array, date_format: str) -> pa.Array:
    """True where ``parsed`` written back in ``date_format`` gives ``text`` (letter case aside): no rolled-over
    day, no missing zero. Slow; used only for the other formats, those of the small summary files."""
    again = pc.strftime(parsed, format=date_format)
    return pc.equal(pc.utf8_upper(again), pc.utf8_upper(text))


def _dates(col: Column, text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``text`` as dates (date32) and a mask of the values that are not blank yet no date in ``col``'s formats."""
    if col.date_formats == ("%m%d%Y",):
        return _mmddyyyy(text)
    parsed: pa.Array | None = None
    for date_format in col.date_formats:
        attempt = pc.strptime(text, format=date_format, unit="s", error_is_null=True)
        attempt = pc.if_else(_round_trips(text, attempt, date_format), attempt, pa.scalar(None, attempt.type))
        parsed = attempt if parsed is None else pc.coalesce(parsed, attempt)
    assert parsed is not None
    dates = pc.cast(parsed, pa.date32())
    bad = pc.fill_null(pc.and_(pc.is_valid(text), pc.is_null(dates)), True)
    return dates, bad.to_numpy(zero_copy_only=False)


def _amount_out_of_range(amounts: pa.Array) -> pa.Array:
    """Mask of amounts beyond :data:`MAX_AMOUNT` (Arrow's reader does not enforce the decimal precision)."""
    limit = pa.scalar(MAX_AMOUNT, pa.decimal128(14, 2))
    return pc.fill_null(pc.greater(pc.abs(amounts), limit), False)


def _finish(kind: FileKind, table: pa.Table) -> pa.Table:
    """Dates converted and amounts range-checked; raises :class:`_BadValues` at the first bad value."""
    for i, col in enumerate(kind.columns):
        if col.kind == _DATE:
            dates, bad = _dates(col, table.column(i).combine_chunks())
            if bad.any():
                raise _BadValues(col.name)
            table = table.set_column(i, col.name, dates)
        elif col.kind == _AMOUNT and pc.any(_amount_out_of_range(table.column(i).combine_chunks())).as_py():
            raise _BadValues(col.name)
    return table


def _numbers_parse(col: Column, values: list[str]) -> pa.Array:
    """``values`` parsed by Arrow's CSV reader exactly as the fast path parses column ``col``."""
    text = ("\n".join(values) + "\n").encode("utf-8")
    table = pacsv.read_csv(
        pa.BufferReader(text),
        read_options=pacsv.ReadOptions(column_names=["v"]),
        parse_options=pacsv.ParseOptions(delimiter="\x1f", quote_char=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={"v": _ARROW_TYPES[col.kind]}, null_values=[""], strings_can_be_null=True
        ),
    )
    if table.num_rows != len(values):
        raise pa.ArrowInvalid("a value holds a line break")
    return table.column(0).combine_chunks()


def _bad_values(col: Column, values: list[str]) -> list[int]:
    """Positions in ``values`` (raw text of column ``col``) that the fast path refuses."""
    if not values:
        return []
    if col.kind == _DATE:
        _, bad = _dates(col, pa.array([v or None for v in values], pa.string()))
        return [int(i) for i in np.flatnonzero(bad)]
    try:
        parsed = _numbers_parse(col, values)
    except pa.ArrowInvalid:
        return [i for i, v in enumerate(values) if _bad_values(col, [v])] if len(values) > 1 else [0]
    if col.kind == _AMOUNT:
        return [int(i) for i in np.flatnonzero(_amount_out_of_range(parsed).to_numpy(zero_copy_only=False))]
    return []


def _value_message(col: Column, value: str) -> str:
    if col.kind == _INT:
        return f"not a whole number: {value!r}"
    if col.kind == _AMOUNT:
        return f"not a dollar amount (at most 2 decimals, below 10^12): {value!r}"
    if col.date_formats == ("%m%d%Y",):
        return f"not a date in MMDDYYYY form: {value!r}"
    return f"not a date ({' or '.join(col.date_formats)}): {value!r}"


# ---------------------------------------------------------------------------------------------------------------
# fast path: Arrow's CSV reader into Parquet


@dataclass(frozen=True)
class _Piece:
    """Whole lines of a file: their bytes (valid until the next piece is read), the number of their first
    line, and whether the file ends with them."""

    data: memoryview
    first_line: int
    at_end: bool


def _pieces(kind: FileKind, path: Path, buffers: int = 2) -> Iterator[tuple[memoryview, bool]]:
    """The file's bytes cut at line ends into pieces of about :data:`PIECE_BYTES` (a quoted file, whose fields
    may hold line breaks, in one piece), the header line left out.

    ``buffers`` buffers take turns: while the caller parses the pieces in the others, a background thread reads
    the next piece into one (reading overlaps parsing), so memory holds ``buffers`` pieces whatever the file's
    size and no fresh memory is touched per piece. When the caller asks for piece *i + 1*, it must be done with
    piece *i + 1 - buffers* (the parsers copy what they keep; a memory map measured no faster). Yields the bytes
    and whether the file ends there.
    """
    size = path.stat().st_size
    length = min(size, PIECE_BYTES) if not kind.header else size
    ring = [_read_buffer(length if k == 0 or size > length else 0) for k in range(max(buffers, 2))]
    with path.open("rb") as handle, ThreadPoolExecutor(max_workers=1) as reader:
        start = len(handle.readline()) if kind.header else 0
        turn = 0
        pending = reader.submit(os.preadv, handle.fileno(), [ring[turn]], start) if start < size else None
        while pending is not None:
            got, buffer = pending.result(), ring[turn]
            cut = got if start + got >= size else buffer.rfind(b"\n", 0, got) + 1
            if cut == 0:  # a line longer than the buffer: read more at once
                ring = [_read_buffer(2 * len(buffer)) for _ in ring]
                pending = reader.submit(os.preadv, handle.fileno(), [ring[turn]], start)
                continue
            start += cut
            turn = (turn + 1) % len(ring)
            pending = reader.submit(os.preadv, handle.fileno(), [ring[turn]], start) if start < size else None
            data = memoryview(buffer)[:cut]
            yield data, start >= size
            del data


def _read_buffer(length: int) -> mmap.mmap | bytearray:
    """A buffer of ``length`` bytes for :func:`_pieces`: anonymous memory in 2 MiB pages where the system allows
    (a 24 MiB piece then costs 12 page faults, not 6,144)."""
    if length == 0:
        return bytearray()
    buffer = mmap.mmap(-1, length)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        buffer.madvise(mmap.MADV_HUGEPAGE)
    return buffer


def _parse(kind: FileKind, raw: memoryview | bytes, encoding: str, workspace: Workspace | None = None) -> pa.Table:
    """Whole lines parsed and converted (the fast path); raises one of :data:`_FAST_PATH_ERRORS` if anything in
    them is bad. ``workspace``: where the compiled parser writes the columns (see :func:`_compiled_parse`)."""
    text = pa.py_buffer(raw if encoding == "utf-8" else bytes(raw).decode(encoding).encode("utf-8"))
    compiled = _compiled_parse(kind, text, workspace)  # checks the text is UTF-8 itself
    if compiled is not None:
        return compiled
    if encoding == "utf-8":
        _check_utf8(text)
    table = pacsv.read_csv(pa.BufferReader(text), *_csv_options(kind))
    _refuse_blank_rows(table)
    return _finish(kind, table)


@functools.cache
def _kernel_columns(kind: FileKind) -> tuple[int, ...] | None:
    """The compiled parser's numbers for ``kind``'s column types, or None for a kind it does not parse: a quoted
    file with a header (``ie``), or dates in a form other than MMDDYYYY (``webk``)."""
    from . import fec_kernel

    if kind.header or any(c.kind == _DATE and c.date_formats != ("%m%d%Y",) for c in kind.columns):
        return None
    codes = {_STR: fec_kernel.TEXT, _INT: fec_kernel.WHOLE, _AMOUNT: fec_kernel.AMOUNT, _DATE: fec_kernel.DATE}
    return tuple(codes[c.kind] for c in kind.columns)


def _compiled_parse(kind: FileKind, text: pa.Buffer, workspace: Workspace | None = None) -> pa.Table | None:
    """Whole lines of UTF-8 ``text`` parsed by :mod:`marketpower.ingest.fec_kernel` (the same table as Arrow's
    reader and :func:`_finish` make of them), or None when the kernel declines them: then Arrow's reader parses
    them, and loads them or refuses them as before. The table's columns live in ``workspace`` when one is given
    (:class:`~marketpower.ingest.fec_kernel.Workspace`: used until that workspace's next parse). Imported on
    first use (Numba takes ~0.3 s to import)."""
    columns = _kernel_columns(kind)
    if columns is None:
        return None
    from . import fec_kernel

    calendar = (_JANUARY_1, _LEAP, _DAYS_BEFORE_MONTH, _DAYS_IN_MONTH)
    arrays = fec_kernel.parse(np.frombuffer(text, np.uint8), kind.delimiter, list(columns), calendar, workspace)
    if arrays is None:
        return None
    return pa.Table.from_arrays(arrays, names=[c.name for c in kind.columns])


def _refuse_blank_rows(table: pa.Table) -> None:
    """Raise :class:`_BadValues` if a row has every field empty: Arrow's reader turns an empty line into such a
    row, which is a bad row, never an all-NULL row. Free when some column has no NULL (the usual case)."""
    if not table.num_rows or any(column.null_count == 0 for column in table.columns):
        return
    blank = pc.is_null(table.column(0))
    for column in table.columns[1:]:
        blank = pc.and_(blank, pc.is_null(column))
    if pc.any(blank).as_py():
        raise _BadValues("a row with every field empty")


def _records(kind: FileKind, lines: list[str]) -> Iterator[tuple[int, int, list[str]]]:
    """(offset of its first line, offset past its last line, fields) of each record: one line, or in a quoted
    file the lines a record spans (a quoted field may hold line breaks)."""
    if not kind.header:
        for offset, line in enumerate(lines):
            yield offset, offset + 1, line.split(kind.delimiter)
        return
    reader = csv.reader(line + "\n" for line in lines)
    start = 0
    for fields in reader:
        yield start, reader.line_num, fields
        start = reader.line_num


def _scan(kind: FileKind, piece: _Piece, file: str, encoding: str) -> tuple[list[Problem], list[bytes], int]:
    """Every problem of a piece the fast path refused, each with its 1-based line and field, the piece's good
    lines (for ``--skip-bad-rows``) and its number of lines. Values are checked with the fast path's converters,
    so the two agree."""
    problems: list[Problem] = []
    n = len(kind.columns)
    typed = [(i, c) for i, c in enumerate(kind.columns) if c.kind != _STR]
    whole = bytes(piece.data)
    raw_lines = [line.removesuffix(b"\r") for line in whole.split(b"\n")]
    if raw_lines[-1] == b"":
        raw_lines.pop()  # the piece ends with a line end
    unterminated = piece.at_end and not whole.endswith(b"\n")
    bad: set[int] = set()
    lines: list[str] = []
    for offset, raw in enumerate(raw_lines):
        try:
            lines.append(raw.decode(encoding))
        except UnicodeDecodeError as error:
            at = raw[: error.start].count(kind.delimiter.encode())
            message = (
                f"byte 0x{raw[error.start]:02X} is not {encoding} text; the FEC's files are ASCII. If this file "
                "is Latin-1 or Windows-1252, say so with --encoding latin-1 or --encoding cp1252"
            )
            problems.append(
                Problem(file, piece.first_line + offset, kind.columns[at].name if at < n else None, message)
            )
            bad.add(offset)
            lines.append(raw.decode(encoding, "replace"))  # keeps the records that follow in step
    candidates: list[tuple[int, int, list[str]]] = []
    for start, end, fields in _records(kind, lines):
        span = range(start, end)
        carriage = [i for i, value in enumerate(fields) if "\r" in value] if not kind.header else []
        if bad.intersection(span):
            bad.update(span)
        elif not any(fields):  # Arrow's reader would load it as a row of NULLs
            what = "empty line" if len(fields) <= 1 else "every field is empty"
            message = f"{what}: an FEC record has {n} fields; remove the line (or pass --skip-bad-rows)"
            problems.append(Problem(file, piece.first_line + start, None, message))
            bad.update(span)
        elif carriage:  # Arrow's reader ends a line there, so the fast path sees a wrong column count
            message = "a carriage return inside the field ends the line early"
            problems.append(Problem(file, piece.first_line + start, kind.columns[carriage[0]].name, message))
            bad.update(span)
        elif len(fields) != n:
            truncated = unterminated and end == len(lines)
            what = "truncated line" if truncated or len(fields) < n else "wrong number of columns"
            message = f"{what}: expected {n} fields separated by '{kind.delimiter}', found {len(fields)}"
            problems.append(Problem(file, piece.first_line + start, None, message))
            bad.update(span)
        else:
            candidates.append((start, end, [fields[i] for i, _ in typed]))
    for j, (_, col) in enumerate(typed):
        values = [row[j] for _, _, row in candidates]
        for k in _bad_values(col, values):
            start, end, _ = candidates[k]
            problems.append(Problem(file, piece.first_line + start, col.name, _value_message(col, values[k])))
            bad.update(range(start, end))
    order = {c.name: i for i, c in enumerate(kind.columns)}
    problems.sort(key=lambda p: (p.line or 0, order.get(p.field or "", -1)))
    good = [raw + b"\n" for offset, raw in enumerate(raw_lines) if offset not in bad]
    return problems, good, len(raw_lines)


@dataclass
class CheckedPiece:
    """What the rules make of one piece of whole lines: the rows kept (None when none are), every problem (file,
    1-based line, field, message), the number of lines that hold a problem, and the piece's number of lines."""

    table: pa.Table | None
    problems: list[Problem]
    skipped: int
    lines: int


def check_piece(
    kind: FileKind, data: memoryview | bytes, first_line: int, at_end: bool, file: str, encoding: str,
    skip_bad_rows: bool, workspace: Workspace | None = None,
) -> CheckedPiece:  # fmt: skip
    """Parse and check whole lines of ``file`` whose first is line ``first_line`` (``at_end``: the file ends with
    them): the fast path, and on refusal the line-by-line scan; with ``skip_bad_rows`` the good lines are parsed
    again and kept. The one definition of the validation rules, run by :func:`ingest_fec` on this machine and by
    :mod:`marketpower.engines.fec_ingest` on Spark's executors. ``workspace``: see :func:`_compiled_parse`."""
    try:
        table = _parse(kind, data, encoding, workspace)
        return CheckedPiece(table, [], 0, table.num_rows)  # one row per line: an empty line is an error
    except _FAST_PATH_ERRORS as error:
        found, good, lines = _scan(kind, _Piece(memoryview(data), first_line, at_end), file, encoding)
        if not found:  # refused by the fast path, accepted by the scan: report it as is
            found = [Problem(file, None, None, str(error).splitlines()[0])]
        kept = None
        if skip_bad_rows and good:
            try:
                kept = _parse(kind, b"".join(good), encoding, workspace)
            except _FAST_PATH_ERRORS as again:  # the same disagreement in a good line
                found.append(Problem(file, None, None, str(again).splitlines()[0]))
        return CheckedPiece(kept, found, len({p.line for p in found}), lines)


#: Values the Parquet writer encodes at a time (Arrow's default is 1,024; a larger batch costs ~6% less CPU).
_WRITE_BATCH = 64 << 10


def parquet_writer(kind: FileKind, path: Path) -> pq.ParquetWriter:
    """A writer of one Parquet file of the interchange layout (:func:`_schema`; what every engine query reads)."""
    statistics = [c.name for c in kind.columns if c.kind != _STR]
    return pq.ParquetWriter(
        path, _schema(kind), compression="snappy", use_dictionary=["cycle", "source_file"],
        write_statistics=statistics or False, write_batch_size=_WRITE_BATCH,
    )  # fmt: skip


def with_provenance(table: pa.Table, cycle: int, source: pa.Array) -> pa.Table:
    """Parsed rows with the layout's last columns: the ``cycle`` and ``source_file`` (``source``: the file's name
    as a one-value array, dictionary-encoded)."""
    n = table.num_rows
    table = table.append_column("cycle", pa.array(np.full(n, cycle, np.int32)))
    names = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), source)
    return table.append_column("source_file", names)


def _schema(kind: FileKind) -> pa.Schema:
    """Columns of the Parquet files: the kind's columns typed, then the cycle and the source file's name."""
    typed = [pa.field(c.name, _ARROW_TYPES[c.kind]) for c in kind.columns]
    return pa.schema(
        [*typed, pa.field("cycle", pa.int32()), pa.field("source_file", pa.dictionary(pa.int32(), pa.string()))]
    )


@dataclass
class LoadOutcome:
    """What loading one kind-cycle's files gave: rows written, lines skipped, every problem found."""

    rows: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)


def _load_files(
    kind: FileKind,
    files: list[Path],
    cycle: int,
    target: Path,
    encoding: str,
    skip_bad_rows: bool,
    advance: Callable[[int], None],
) -> LoadOutcome:
    """Parse ``files`` into Parquet files ``part-NNNNN.parquet`` (one per file) in the load folder ``target``
    (made by the caller with its load manifest), piece by piece.

    A piece the fast path refuses is scanned for every problem (file, line, field); with ``skip_bad_rows``
    its good lines are parsed again and kept, otherwise nothing more is written (the caller loads nothing) but
    the remaining pieces are still checked, so that every problem is reported. :data:`PARSERS` threads parse
    consecutive pieces at once while a background thread writes the pieces parsed before, in file order (the
    compiled parser and Parquet's writer release the GIL).
    """
    outcome = LoadOutcome()
    with ThreadPoolExecutor(max_workers=1) as writer_thread, ThreadPoolExecutor(max_workers=PARSERS) as parsers:
        for number, path in enumerate(files):
            part = target / f"part-{number:05d}.parquet"
            _load_file(kind, path, part, cycle, encoding, skip_bad_rows, advance, outcome, (parsers, writer_thread))
    return outcome


def _load_file(
    kind: FileKind, path: Path, part: Path, cycle: int, encoding: str, skip_bad_rows: bool,
    advance: Callable[[int], None], outcome: LoadOutcome, threads: tuple[ThreadPoolExecutor, ThreadPoolExecutor],
) -> None:  # fmt: skip
    """One file of :func:`_load_files` into the Parquet file ``part``, adding to ``outcome``; ``threads``: the
    parsers' pool and the writer thread."""
    parsers, writer_thread = threads
    source = pa.array([path.name])
    pending: Future[None] | None = None
    parsing: deque[tuple[Future[CheckedPiece], int, Workspace | None]] = deque()
    # Each piece is parsed into a workspace that is free again once its rows are written: PARSERS pieces being
    # parsed and one being written hold one each, and the next piece takes another.
    free = deque(_workspaces(kind, PARSERS + 1))
    writing: Workspace | None = None  # the workspace of the rows being written
    first = 2 if kind.header else 1  # a piece is checked as if it began the file, then its lines are moved
    line = first  # the number of the next piece's first line in the file
    with parquet_writer(kind, part) as writer:

        def take_oldest() -> None:
            """Account for the oldest piece in parsing (its problems moved to their lines in the file) and hand
            its rows to the writer thread."""
            nonlocal pending, writing, line
            parsed, size, workspace = parsing.popleft()
            checked = parsed.result()
            shift = line - first
            outcome.problems += [p if p.line is None else replace(p, line=p.line + shift) for p in checked.problems]
            outcome.skipped += checked.skipped
            line += checked.lines
            advance(size)
            if checked.table is None or (outcome.problems and not skip_bad_rows):
                free.append(workspace)
                return
            outcome.rows += checked.table.num_rows
            if pending is not None:
                pending.result()
                free.append(writing)
            pending = writer_thread.submit(writer.write_table, with_provenance(checked.table, cycle, source))
            writing = workspace

        try:
            for data, at_end in _pieces(kind, path, PARSERS + 1):
                workspace = free.popleft()
                task = parsers.submit(
                    check_piece, kind, data, first, at_end, path.name, encoding, skip_bad_rows, workspace
                )
                parsing.append((task, len(data), workspace))
                while len(parsing) >= PARSERS:  # before the next piece is read into a buffer in use
                    take_oldest()
            while parsing:
                take_oldest()
        finally:
            for task, _, _ in parsing:
                task.exception()  # wait: its buffer must outlive it
            if pending is not None:
                pending.result()


def _workspaces(kind: FileKind, count: int) -> list[Workspace | None]:
    """``count`` workspaces for the compiled parser's columns (None each for a kind it does not parse)."""
    if _kernel_columns(kind) is None:
        return [None] * count
    from .fec_kernel import Workspace

    return [Workspace() for _ in range(count)]


# ---------------------------------------------------------------------------------------------------------------
# where the Parquet files live, and store bookkeeping


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def bulk_folder(db: Path) -> Path:
    """The folder of the store file ``db``'s Parquet files: its full file name plus ``.fec`` (``x.duckdb`` ->
    ``x.duckdb.fec/``), so that ``x.duckdb`` and ``x.db`` side by side never share one."""
    return db.with_name(db.name + ".fec")


def _folder(con: duckdb.DuckDBPyConnection, db: Path | None) -> Path:
    """:func:`bulk_folder` of the store file ``db``; for an in-memory store, the temporary folder of its first
    load (created now if none, removed when Python exits)."""
    if db is not None:
        return bulk_folder(db)
    row = con.execute("SELECT load_dir FROM fec_manifest WHERE load_dir IS NOT NULL LIMIT 1").fetchone()
    if row:
        return Path(row[0]).parent.parent
    folder = Path(tempfile.mkdtemp(prefix="marketpower-fec-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _load_dir_text(db: Path | None, target: Path) -> str:
    """How views and the manifest name a load folder: relative to the store file's folder when inside it."""
    if db is not None and target.is_relative_to(db.parent):
        return target.relative_to(db.parent).as_posix()
    return str(target)


def _load_dir_path(db: Path | None, text: str) -> Path:
    """The folder a manifest's ``load_dir`` names (relative to the store file's folder, or absolute)."""
    return (db.parent / text) if db is not None and not Path(text).is_absolute() else Path(text)


#: The file a load writes first into its folder: the store that owns the folder and every file the load
#: writes there. A folder is deleted only when this file names the store and lists every file present.
LOAD_MANIFEST = "marketpower-load.json"
#: Part files of a load written by versions before load manifests (they named their folder in ``fec_manifest``).
_LEGACY_PART = re.compile(r"part-\d{5}\.parquet")


def _write_load_manifest(target: Path, store_id: str, kind: str, cycle: int, files: list[str]) -> None:
    """Create the load folder ``target`` holding only its manifest (written whole, then renamed into place)."""
    target.mkdir(parents=True)
    text = json.dumps({"store_id": store_id, "kind": kind, "cycle": cycle, "files": files}, indent=1)
    partial = target / (LOAD_MANIFEST + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target / LOAD_MANIFEST)


def _remove_own_load(load: Path, store_id: str, legacy: bool = False) -> bool:
    """Delete the load folder ``load`` if it provably belongs to the store ``store_id``: its manifest names that
    store and lists every file in it (``legacy``: a folder this store's ``fec_manifest`` names, written before
    load manifests, holding nothing but part files), or it holds nothing but an unfinished manifest (a load
    killed between creating the folder and naming its owner). Anything else is left as it is; True when deleted."""
    try:
        present = {p.name for p in load.iterdir()}
    except OSError:
        return False
    try:
        manifest = json.loads((load / LOAD_MANIFEST).read_text(encoding="utf-8"))
        owned = set(manifest["files"]) if manifest["store_id"] == store_id else set()
    except (OSError, ValueError, KeyError, TypeError):
        manifest, owned = None, set()
    if manifest is not None:
        if not owned or not present <= owned | {LOAD_MANIFEST, LOAD_MANIFEST + ".partial"}:
            return False
    elif present <= {LOAD_MANIFEST + ".partial"}:
        pass  # a load killed while creating its folder (:func:`_write_load_manifest`): it holds no data
    elif not legacy or not all(_LEGACY_PART.fullmatch(name) for name in present):
        return False
    for name in sorted(present - {LOAD_MANIFEST}):
        (load / name).unlink(missing_ok=True)
    (load / LOAD_MANIFEST).unlink(missing_ok=True)
    try:
        load.rmdir()
    except OSError:
        return False
    return True


def _referenced_loads(con: duckdb.DuckDBPyConnection, db: Path | None) -> set[Path]:
    rows = con.execute("SELECT DISTINCT load_dir FROM fec_manifest WHERE load_dir IS NOT NULL").fetchall()
    return {_load_dir_path(db, r[0]).resolve() for r in rows}


def _remove_unreferenced_loads(con: duckdb.DuckDBPyConnection, db: Path | None, folder: Path, store_id: str) -> None:
    """Delete the load folders under this store's own ``folder`` that no manifest row names (left by an
    interrupted run) and whose load manifest proves them this store's; anything else there stays."""
    if not folder.is_dir():
        return
    kept = _referenced_loads(con, db)
    for kind_cycle in folder.iterdir():
        for load in kind_cycle.iterdir() if kind_cycle.is_dir() else ():
            if load.is_dir() and load.resolve() not in kept:
                _remove_own_load(load, store_id)


def _store_id(con: duckdb.DuckDBPyConnection) -> str:
    """The store's own random id (created on its first FEC load), written into every load manifest."""
    con.execute("CREATE TABLE IF NOT EXISTS fec_store (store_id VARCHAR)")
    row = con.execute("SELECT store_id FROM fec_store LIMIT 1").fetchone()
    if row:
        return str(row[0])
    store_id = uuid.uuid4().hex
    con.execute("INSERT INTO fec_store VALUES (?)", [store_id])
    return store_id


def _ensure_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS fec_manifest (kind VARCHAR, cycle INTEGER, file VARCHAR, size_bytes BIGINT, "
        "mtime DOUBLE, rows_loaded BIGINT, rows_skipped BIGINT, loaded_at TIMESTAMP, load_dir VARCHAR)"
    )
    con.execute("ALTER TABLE fec_manifest ADD COLUMN IF NOT EXISTS load_dir VARCHAR")
    con.execute(
        "CREATE TABLE IF NOT EXISTS fec_rejects (kind VARCHAR, cycle INTEGER, file VARCHAR, line BIGINT, "
        "field VARCHAR, message VARCHAR)"
    )


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


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the view or table ``name`` if there is one (stores written by earlier versions hold tables)."""
    row = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    if row:
        con.execute(f'DROP {"VIEW" if row[0] == "VIEW" else "TABLE"} "{name}"')


def _refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """``fec_<kind>`` = union of its cycles; ``*_current`` views resolve amendments and flag memo rows."""
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


class Loader(Protocol):
    """How a kind-cycle's files become Parquet files in its load folder, when not on this machine (the Spark
    ingest, :mod:`marketpower.engines.fec_ingest`): the part files it writes, named in the load manifest before
    any is written, and the load itself (the arguments and result of :func:`_load_files`)."""

    def part_names(self, kind: FileKind, files: list[Path]) -> list[str]: ...

    def load(
        self, kind: FileKind, files: list[Path], cycle: int, target: Path, encoding: str, skip_bad_rows: bool,
        advance: Callable[[int], None],
    ) -> LoadOutcome: ...  # fmt: skip


#: A new load that keeps fewer than this fraction of the rows stored for its kind and cycle (an empty or cut
#: re-download, say) is refused unless ``replace`` is given: more than half of the rows would go.
SHRINK_LIMIT = 0.5


def _stored_rows(con: duckdb.DuckDBPyConnection, kind: str, cycle: int) -> int:
    """Rows the store holds for a kind-cycle (as its manifest recorded them; 0 when never loaded)."""
    row = con.execute("SELECT max(rows_loaded) FROM fec_manifest WHERE kind = ? AND cycle = ?", [kind, cycle])
    found = row.fetchone()
    if found and found[0] is not None:
        return int(found[0])
    name = _table_name(kind, cycle)
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone() == (0,):
        return 0
    counted = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
    return int(counted[0]) if counted else 0


def _shrinking(con: duckdb.DuckDBPyConnection, staged: list[KindReport]) -> list[str]:
    """One line per staged kind-cycle whose new row count is below :data:`SHRINK_LIMIT` of the stored one."""
    lines = []
    for entry in staged:
        stored = _stored_rows(con, entry.kind, entry.cycle)
        if stored and entry.rows_loaded < SHRINK_LIMIT * stored:
            lines.append(
                f"{entry.kind} {entry.cycle}: the store holds {stored:,} rows, the new file(s) "
                f"{', '.join(entry.files)} have {entry.rows_loaded:,}"
            )
    return lines


def ingest_fec(
    con: duckdb.DuckDBPyConnection,
    directory: Path | str,
    cycle: int | None = None,
    skip_bad_rows: bool = False,
    encoding: str = ENCODING,
    progress: ProgressHook | None = None,
    kinds: Iterable[str] | None = None,
    replace: bool = False,
    loader: Loader | None = None,
) -> IngestReport:
    """Load every FEC bulk file found in ``directory`` into the store behind ``con``.

    ``progress(label, bytes_done)`` is called as pieces of each file are parsed (for a progress bar over the
    total file size). Raises :class:`DataPackageError` listing every bad row (file, line, field) when a file has
    bad rows and ``skip_bad_rows`` is false, and :class:`InvalidInputError` when a kind-cycle would keep fewer
    than :data:`SHRINK_LIMIT` of its stored rows and ``replace`` is false; then nothing is loaded. ``loader``
    parses and writes elsewhere (Spark) under the same rules, bookkeeping and swap.
    """
    if cycle is not None and not 1976 <= cycle <= 2100:
        raise InvalidInputError(f"--cycle {cycle}: an election cycle is an even year such as 2026")
    if encoding not in ENCODINGS:
        raise InvalidInputError(f"--encoding {encoding}: expected one of {', '.join(ENCODINGS)}")
    groups = discover(Path(directory), cycle)
    wanted = set(kinds) if kinds is not None else set(FILE_KINDS)
    groups = {k: v for k, v in groups.items() if k[0] in wanted}
    _ensure_bookkeeping(con)
    db = use_store_folder(con)
    folder = _folder(con, db)
    store_id = _store_id(con)
    _remove_unreferenced_loads(con, db, folder, store_id)
    report = IngestReport()
    staged: list[tuple[KindReport, Path, list[Problem]]] = []
    all_problems: list[Problem] = []
    written: list[Path] = []
    committed = False
    try:
        for (kind_name, group_cycle), files in sorted(groups.items()):
            kind = FILE_KINDS[kind_name]
            entry = KindReport(kind_name, group_cycle, [f.name for f in files])
            label = f"{kind_name} {group_cycle}"
            size = sum(f.stat().st_size for f in files)
            if _already_loaded(con, kind_name, group_cycle, files):
                entry.status = "unchanged"
                report.kinds.append(entry)
                if progress:
                    progress(f"{label} (unchanged)", size)
                continue
            target = folder / f"{kind_name}_{group_cycle}" / uuid.uuid4().hex[:12]
            parts = (
                loader.part_names(kind, files)
                if loader
                else [f"part-{number:05d}.parquet" for number in range(len(files))]
            )
            _write_load_manifest(target, store_id, kind_name, group_cycle, parts)
            written.append(target)

            def advance(n: int, label: str = label) -> None:
                if progress:
                    progress(label, n)

            load_files = loader.load if loader else _load_files
            outcome = load_files(kind, files, group_cycle, target, encoding, skip_bad_rows, advance)
            entry.rows_loaded, entry.rows_skipped, problems = outcome.rows, outcome.skipped, outcome.problems
            all_problems += problems
            if problems and skip_bad_rows:
                entry.status = "skipped-bad-rows"
            staged.append((entry, target, problems))
            report.kinds.append(entry)
        if (all_problems and not skip_bad_rows) or any(p.line is None for p in all_problems):
            raise DataPackageError(all_problems)
        shrinking = [] if replace else _shrinking(con, [entry for entry, _, _ in staged])
        if shrinking:
            raise InvalidInputError(
                f"refusing to replace stored FEC rows with fewer than {SHRINK_LIMIT:.0%} of them (an empty or cut "
                "download?): " + "; ".join(shrinking) + ". Nothing was changed; pass --replace to load them anyway"
            )
        replaced = {
            _load_dir_path(db, r[0]).resolve()
            for entry, _, _ in staged
            for r in con.execute(
                "SELECT DISTINCT load_dir FROM fec_manifest WHERE kind = ? AND cycle = ? AND load_dir IS NOT NULL",
                [entry.kind, entry.cycle],
            ).fetchall()
        }
        con.execute("BEGIN TRANSACTION")
        try:
            for entry, target, problems in staged:
                view = _table_name(entry.kind, entry.cycle)
                load_dir = _load_dir_text(db, target)
                _drop_relation(con, view)
                con.execute(
                    f'CREATE VIEW "{view}" AS SELECT * FROM read_parquet({_sql_literal(load_dir + "/*.parquet")})'
                )
                con.execute("DELETE FROM fec_manifest WHERE kind = ? AND cycle = ?", [entry.kind, entry.cycle])
                con.execute("DELETE FROM fec_rejects WHERE kind = ? AND cycle = ?", [entry.kind, entry.cycle])
                for path_text, file_size, mtime in _fingerprint(groups[(entry.kind, entry.cycle)]):
                    con.execute(
                        "INSERT INTO fec_manifest VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp, ?)",
                        [
                            entry.kind,
                            entry.cycle,
                            path_text,
                            file_size,
                            mtime,
                            entry.rows_loaded,
                            entry.rows_skipped,
                            load_dir,
                        ],
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
        committed = True
        for load in replaced - _referenced_loads(con, db):  # the loads just replaced, if provably this store's
            _remove_own_load(load, store_id, legacy=True)
        report.problems = all_problems
        return report
    finally:
        if not committed:
            for target in written:
                _remove_own_load(target, store_id)
