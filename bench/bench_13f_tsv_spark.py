"""What finding a 13F TSV line with too few or too many fields costs Spark on clean input: a synthetic INFOTABLE
(``--rows`` lines, the SEC's 15 columns) and COVERPAGE (5,000 filings), every row checked (``staged``) on Spark
local, three ways, alternated ``--rounds`` times after one warm-up each; prints each time and the best:

- ``pruned``: the reader before the check (Spark's CSV reader parses only the required columns and pads or cuts
  an odd line without a sign);
- ``corrupt``: the reader as shipped (every column parsed, ``columnPruning`` off, an odd line's text in the
  corrupt-record column: :meth:`marketpower.engines.session.Engine.files`);
- ``widths``: the pruned reader plus a count of fields per line on the executors (NumPy over the byte ranges of
  :mod:`marketpower.ingest.byte_ranges`, one Python task per range), the alternative not taken.

Run: ``python bench/bench_13f_tsv_spark.py [--rows N] [--rounds R] [--spark-master M]`` (default 1,000,000
rows, 4 rounds, local[2]: about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from marketpower.engines import holdings, session
from marketpower.ingest.byte_ranges import cuts, map_tasks, range_lines
from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS, header


def write_history(folder: Path, rows: int, rng: np.random.Generator) -> None:
    """One data set of clean TSV: ``rows`` holdings of 5,000 managers, all 15 INFOTABLE columns filled as the SEC
    fills them (OTHERMANAGER and PUTCALL mostly empty)."""
    folder.mkdir(parents=True)
    managers, shares = rng.integers(0, 5_000, rows), rng.integers(1, 10_000_000, rows)
    with (folder / "INFOTABLE.tsv").open("w") as out:
        out.write("\t".join(INFOTABLE_COLUMNS) + "\n")
        issuer = "ISSUER NAME INC\tCOM\t67066G104\tBBG000BBJQV0"
        out.writelines(f"A{m}\t{i}\t{issuer}\t{3 * s}\t{s}\tSH\t\tSOLE\t\t{s}\t0\t0\n"
                       for i, (m, s) in enumerate(zip(managers, shares, strict=True)))  # fmt: skip
    with (folder / "COVERPAGE.tsv").open("w") as out:
        out.write("\t".join(COVERPAGE_COLUMNS) + "\n")
        for m in range(5_000):
            row = {"ACCESSION_NUMBER": f"A{m}", "REPORTCALENDARORQUARTER": "30-SEP-2025",
                   "FILINGMANAGER_NAME": f"Manager {m}", "ISAMENDMENT": "N"}  # fmt: skip
            out.write("\t".join(row.get(c, "") for c in COVERPAGE_COLUMNS) + "\n")


def pruned_files(self: session.Engine, files: Sequence[str], columns: Sequence[str], tsv: bool) -> Any:
    """The Spark TSV read before the width check: the header's schema, only ``columns`` parsed."""
    from pyspark.sql.functions import input_file_name, lit
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(name, StringType()) for name in header(Path(files[0]), "\t")])
    frame = self.session.read.schema(schema).options(sep="\t", header=True, quote="", escape="").csv(list(files))
    frame = frame.select(*columns).withColumn("_row", lit(None).cast("long")).withColumn("_file", input_file_name())
    name = self._view_name()
    frame.createOrReplaceTempView(name)
    return self.backend.table(name)


def odd_lines(piece: tuple[str, int, int, int]) -> int:
    """Lines of one byte range whose number of tab-separated fields is not ``width`` (empty lines aside)."""
    path, start, end, width = piece
    data = np.frombuffer(range_lines(path, start, end)[0], np.uint8)
    if not len(data):
        return 0
    starts = np.concatenate(([0], np.flatnonzero(data == 10) + 1))
    starts = starts[starts < len(data)]
    tabs = np.add.reduceat((data == 9).astype(np.int32), starts)
    length = np.diff(np.append(starts, len(data)))
    empty = (length == 1) | ((length == 2) & (data[starts] == 13))
    return int(((tabs + 1 != width) & ~empty).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--spark-master", default="local[2]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-13f-tsv-") as work:
        root = Path(work)
        write_history(root / "sets" / "2025q3", args.rows, np.random.default_rng(20261204))
        size = sum(p.stat().st_size for p in (root / "sets").rglob("*.tsv"))
        engine = session.spark_engine(session.start_spark(args.spark_master), args.spark_master)
        datasets = holdings.find_datasets(root / "sets")
        shipped = session.Engine.files

        def staged(files: Callable[..., Any]) -> Callable[[], None]:
            def run() -> None:
                session.Engine.files = files  # type: ignore[method-assign]
                try:
                    holdings.staged(engine, datasets, root)
                finally:
                    session.Engine.files = shipped  # type: ignore[method-assign]

            return run

        def widths() -> None:
            staged(pruned_files)()
            pieces = [(str(p), s, e, len(header(p, "\t"))) for d in datasets for p in (d.infotable, d.coverpage)
                      for s, e in cuts(p.stat().st_size, holdings.TEXT_RANGE_BYTES)]  # fmt: skip
            assert sum(map_tasks(engine.session, odd_lines, pieces, "counting fields")) == 0

        ways = {"pruned": staged(pruned_files), "corrupt": staged(shipped), "widths": widths}
        times: dict[str, list[float]] = {name: [] for name in ways}
        for round_number in range(args.rounds + 1):
            for name, way in ways.items():
                began = time.perf_counter()
                way()
                if round_number:  # round 0 warms the JVM up
                    times[name].append(time.perf_counter() - began)
        print(f"{args.rows:,} INFOTABLE lines + 5,000 COVERPAGE lines, {size / 1e6:.0f} MB of TSV, "
              f"Spark {args.spark_master}, {args.rounds} rounds")  # fmt: skip
        best = {name: min(t) for name, t in times.items()}
        for name, t in times.items():
            print(f"{name:8s} {' '.join(f'{x:.2f}' for x in t)} s; best {best[name]:.2f} s "
                  f"({best[name] / best['pruned'] - 1:+.0%} vs pruned)")  # fmt: skip
        engine.close()


if __name__ == "__main__":
    main()
