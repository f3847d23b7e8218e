"""Exact line numbers over a file read in parallel: the file is cut into byte ranges, each range is read (by its own
task) as the whole lines that *start* in it, and a line's number in the file is 1 plus the lines of the file's
earlier ranges plus its place in its range. The FEC ingest on Spark (:mod:`marketpower.engines.fec_ingest`) and
the located 13F text rows (:mod:`marketpower.engines.holdings`) both number lines this way, and the one-file 13F
reader (:mod:`marketpower.ingest.sec13f`) turns DuckDB's row ids into lines with it: it sits with the readers, below
the engines, so both layers can use it.

A range ``[start, end)`` begins at the first line start at or after ``start`` and ends at the first line start at
or after ``end``, so every line belongs to exactly one range, whole, however the cuts fall. A line is what ends at
``\\n`` (a ``\\r`` before it is the caller's to drop); a last line without one still counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, BinaryIO, TypeVar

from ..errors import EngineError

Item = TypeVar("Item")
Result = TypeVar("Result")


def cuts(size: int, range_bytes: int) -> list[tuple[int, int]]:
    """``[start, end)`` byte ranges of ``range_bytes`` covering a file of ``size`` bytes (one range when empty)."""
    count = max(1, -(-size // range_bytes))
    return [(c * range_bytes, min(size, (c + 1) * range_bytes)) for c in range(count)]


def _line_start(handle: BinaryIO, at: int, size: int) -> int:
    """The first byte at or after ``at`` that starts a line (``size`` when none does): 0, or a byte after ``\\n``."""
    if at <= 0:
        return 0
    position = at - 1
    handle.seek(position)
    while position < size:
        block = handle.read(1 << 16)
        if not block:
            break
        found = block.find(b"\n")
        if found >= 0:
            return min(position + found + 1, size)
        position += len(block)
    return size


def range_lines(path: str, start: int, end: int, header: bool = False) -> tuple[bytes, bool]:
    """The bytes of the whole lines of ``path`` that start in ``[start, end)`` (``header``: the file's first line
    left out), and whether the file ends with them."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        begin = _line_start(handle, start, size)
        if header and begin == 0:
            handle.seek(0)
            begin = len(handle.readline())
        finish = size if end >= size else _line_start(handle, end, size)
        handle.seek(begin)
        data = handle.read(max(0, finish - begin))
    return data, finish >= size


def line_count(data: bytes) -> int:
    """Lines in whole lines' bytes (:func:`range_lines`): one per ``\\n``, plus an unterminated last line."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def numbered_lines(data: bytes, first_line: int) -> Iterator[tuple[int, bytes]]:
    """(line number, text) of each line of whole lines' bytes (:func:`range_lines`) whose first line is
    ``first_line``, without its ``\\n`` and a ``\\r`` before it, and without the empty lines, which DuckDB's CSV
    reader skips: the lines that are rows (and the header)."""
    for offset, raw in enumerate(data.split(b"\n")):
        text = raw.removesuffix(b"\r")
        if text:
            yield first_line + offset, text


def row_lines(path: str, rows: Collection[int], range_bytes: int = 64 << 20) -> dict[int, int]:
    """The line (header = line 1) of each of ``rows`` of a text file with a header, a row being a line after the
    header that is not empty, counted from 0 (DuckDB's ``rowid`` of the file read by ``read_csv``): one read of the
    file up to the last row asked for, ``range_bytes`` at a time."""
    wanted = set(rows)
    found: dict[int, int] = {}
    row, first = 0, 1
    for start, end in cuts(os.path.getsize(path), range_bytes):
        if len(found) == len(wanted):
            break
        data, _ = range_lines(path, start, end)
        for line, _text in numbered_lines(data, first):
            if line > 1:
                if row in wanted:
                    found[row] = line
                row += 1
        first += line_count(data)
    return found


#: What a line with a number of fields other than the header's is (both 13F readers word it so).
FIELD_COUNT_PROBLEM = "a number of tab-separated fields other than the header's"


def field_count_lines(
    path: str, delimiter: bytes, limit: int, range_bytes: int = 64 << 20
) -> tuple[list[tuple[int, int]], int, int]:
    """The first ``limit`` lines (line, fields) of a text file with a header whose number of ``delimiter``-
    separated fields differs from the header's, how many such lines there are in all, and the header's number of
    fields: one read of the file, ``range_bytes`` at a time (empty lines are no rows, as DuckDB reads them)."""
    found: list[tuple[int, int]] = []
    total, width, first = 0, 0, 1
    for start, end in cuts(os.path.getsize(path), range_bytes):
        data, _ = range_lines(path, start, end)
        for line, text in numbered_lines(data, first):
            fields = text.count(delimiter) + 1
            if line == 1:
                width = fields
            elif fields != width:
                total += 1
                if len(found) < limit:
                    found.append((line, fields))
        first += line_count(data)
    return found, total, width


def lines_before(ranges: Iterable[tuple[int, int]]) -> list[int]:
    """For (file number, lines in the range) per range, each file's ranges in byte order: the lines of the same
    file's earlier ranges (a running sum), to add to a line's number within its range."""
    before: dict[int, int] = {}
    found = []
    for file_number, lines in ranges:
        offset = before.get(file_number, 0)
        found.append(offset)
        before[file_number] = offset + lines
    return found


def map_tasks(session: Any, function: Callable[[Item], Result], items: Sequence[Item], what: str) -> list[Result]:
    """``function`` of each item, in order: one Spark task per item on ``session``'s executors, or in this process
    when ``session`` is None. A failed task (a file unreadable there, marketpower missing) is an
    :class:`EngineError` naming ``what``."""
    if session is None:
        return [function(item) for item in items]
    try:
        return session.sparkContext.parallelize(list(items), max(1, len(items))).map(function).collect()  # type: ignore[no-any-return]
    except Exception as error:  # Py4JJavaError: the Java side of a failed task
        lines = [line for line in str(error).splitlines() if "Error" in line] or [str(error)]
        raise EngineError(f"{what} failed on Spark: {lines[-1].strip()[:500]}") from None
