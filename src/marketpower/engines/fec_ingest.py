"""The FEC bulk ingest on Spark, for raw files too large for one machine: the same rules, bad-row report, Parquet
layout and swap as the one-machine ingest (:func:`marketpower.ingest.fec.ingest_fec`), which it plugs into as a
:class:`~marketpower.ingest.fec.Loader`.

How a kind-cycle's files are loaded:

1. on the driver, each file is cut into byte ranges of :data:`CHUNK_BYTES` (a quoted file, the independent
   expenditures, whose fields may hold line breaks, in one range; its header line left out). A range owns the
   lines that *start* in it: it begins at the first line start at or after its first byte and ends at the first
   line start at or after its end, so every line belongs to exactly one range, whole
   (:mod:`marketpower.ingest.byte_ranges`, shared with the located 13F text rows);
2. one Spark task per range (the ranges of all files in one job) reads its bytes and runs
   :func:`marketpower.ingest.fec.check_piece`, the one-machine ingest's own code for the rules (the fast path,
   and on refusal the line-by-line scan naming file, line, field and what is wrong), counting lines from 1,
   and writes its rows to ``part-FFFFF-CCCCC.parquet`` (file, range) in the load folder, in the interchange
   layout (:func:`~marketpower.ingest.fec.parquet_writer`);
3. the driver gets back per range its number of lines, rows and problems; a range's first line number is 1 plus
   the lines of the file's earlier ranges (a running sum), which turns each problem's line into the file's line
   number: exact, whatever the ranges, with one pass over the data;
4. the one-machine ingest then does what it always does: refuses a load with bad rows (every problem listed) or
   keeps the good rows with ``skip_bad_rows``, refuses a shrinking load, and points the store's views at the new
   load folder in one transaction (the replaced one deleted after), so nothing half-written is ever read.

The files must be readable at the same path by the driver (which lists them and sizes the ranges) and the
executors, and the store's folder writable by both: a local disk in local mode; on a cluster a shared file
system (NFS, a FUSE mount of the bucket such as Databricks' ``/dbfs``). Executors need ``marketpower`` and
PyArrow installed (the rules run in Python there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import Problem
from ..ingest.byte_ranges import cuts, lines_before, map_tasks, range_lines
from ..ingest.fec import (
    FILE_KINDS,
    FileKind,
    IngestReport,
    LoadOutcome,
    check_piece,
    ingest_fec,
    parquet_writer,
    with_provenance,
)  # fmt: skip

#: Bytes of a file one Spark task checks and writes (larger than the one-machine ingest's pieces: a task has a
#: fixed start-up cost, and no cache is shared with a writer thread).
CHUNK_BYTES = 64 << 20


@dataclass(frozen=True)
class Chunk:
    """One byte range of one file: the lines starting in ``[start, end)``; ``header``: the file's first line is a
    header (left out) and the range is the whole file."""

    kind: str
    path: str
    file_number: int
    chunk_number: int
    start: int
    end: int
    header: bool

    @property
    def part_name(self) -> str:
        return f"part-{self.file_number:05d}-{self.chunk_number:05d}.parquet"


@dataclass(frozen=True)
class ChunkResult:
    """What a task gives back: lines in the range, rows written, and the problems with lines counted from the
    range's first line (line 1; a header file's first data line is line 2)."""

    lines: int
    rows: int
    problems: list[Problem]


def chunks(kind: FileKind, files: list[Path], chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:
    """The byte ranges of ``files`` (at least one per file, so an empty file still writes its empty part)."""
    found = []
    for number, path in enumerate(files):
        size = path.stat().st_size
        for c, (start, end) in enumerate([(0, size)] if kind.header else cuts(size, chunk_bytes)):
            found.append(Chunk(kind.name, str(path.resolve()), number, c, start, end, kind.header))
    return found


def check_chunk(chunk: Chunk, cycle: int, target: str, encoding: str, skip_bad_rows: bool) -> ChunkResult:
    """Check and write one range (runs on an executor): the one-machine rules over its whole lines, its rows to
    its part file unless it has problems and ``skip_bad_rows`` is off (the load is then refused anyway)."""
    kind = FILE_KINDS[chunk.kind]
    name = Path(chunk.path).name
    data, at_end = range_lines(chunk.path, chunk.start, chunk.end, chunk.header)
    first_line = 2 if chunk.header else 1
    if data:
        checked = check_piece(kind, data, first_line, at_end, name, encoding, skip_bad_rows)
        table, problems, lines = checked.table, checked.problems, checked.lines
    else:  # a range inside one long line, or an empty file
        table, problems, lines = None, [], 0
    if problems and not skip_bad_rows:
        return ChunkResult(lines, 0, problems)
    with parquet_writer(kind, Path(target) / chunk.part_name) as writer:
        if table is not None:
            writer.write_table(with_provenance(table, cycle, pa.array([name])))
    return ChunkResult(lines, table.num_rows if table is not None else 0, problems)


def file_lines(results: list[tuple[Chunk, ChunkResult]]) -> list[Problem]:
    """Every problem with its line in the file: a range's lines follow those of the file's earlier ranges."""
    offsets = lines_before((chunk.file_number, result.lines) for chunk, result in results)
    return [p if p.line is None else replace(p, line=p.line + offset)
            for (_, result), offset in zip(results, offsets, strict=True) for p in result.problems]  # fmt: skip


@dataclass
class SparkLoader:
    """A :class:`~marketpower.ingest.fec.Loader` running the ranges of a kind-cycle as tasks of one Spark job."""

    session: Any
    chunk_bytes: int = CHUNK_BYTES

    def part_names(self, kind: FileKind, files: list[Path]) -> list[str]:
        return [c.part_name for c in chunks(kind, files, self.chunk_bytes)]

    def load(
        self, kind: FileKind, files: list[Path], cycle: int, target: Path, encoding: str, skip_bad_rows: bool,
        advance: Callable[[int], None],
    ) -> LoadOutcome:  # fmt: skip
        ranges = chunks(kind, files, self.chunk_bytes)
        folder = str(target.resolve())

        def run(chunk: Chunk) -> tuple[Chunk, ChunkResult]:
            return chunk, check_chunk(chunk, cycle, folder, encoding, skip_bad_rows)

        results = map_tasks(self.session, run, ranges, f"the ingest of {kind.name} {cycle}")
        advance(sum(c.end - c.start for c in ranges))
        problems = file_lines(results)
        skipped = sum(len({p.line for p in r.problems}) for _, r in results)
        return LoadOutcome(sum(r.rows for _, r in results), skipped, problems)


def ingest_fec_spark(
    con: Any, directory: Path | str, *, spark_master: str = "local[*]", **options: Any
) -> IngestReport:
    """:func:`marketpower.ingest.fec.ingest_fec` (same ``options``) with the files parsed and checked by Spark on
    ``spark_master``; the session is stopped after unless it was already running."""
    from .session import connect

    engine = connect("spark", spark_master)
    try:
        return ingest_fec(con, directory, loader=SparkLoader(engine.session), **options)
    finally:
        engine.close()
