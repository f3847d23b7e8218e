"""Benchmark: FEC itcont ingest into the store (Parquet behind DuckDB views) vs pandas, DuckDB and a byte scan.

Targets: issue 7, more than 1 million rows/s on 2 cores with memory under 4 GB; issue 19, at least 2x the rate
of ``pandas.read_csv(engine="pyarrow")`` on the same file and within 3x of a NumPy byte scan. The file is
synthetic, in the FEC's itcont layout (21 pipe-delimited columns, no header, MMDDYYYY dates, a two-byte UTF-8
letter in some names).

    python bench/bench_fec_ingest.py --rows 2000000 --pandas-rows 2000000 --repeat 3
    python bench/bench_fec_ingest.py              # 20,000,000 rows (3.5 GB in /tmp; pandas reads 2,000,000)
    python bench/bench_fec_ingest.py --cores 2    # CPUs every side may use (default 2)
    python bench/bench_fec_ingest.py --keep-file  # keep the generated file for the next run

Our side runs :func:`marketpower.ingest.fec.ingest_fec` into a store file (full path: parse, cast and check every
amount and date, write Parquet, swap the views in) with Arrow's thread pool and DuckDB limited to ``--cores``
threads; the loaded rows are then checked against the generator (row count and the sum of amounts, computed
independently with NumPy). Before it is timed, the child process ingests a one-line file: the first load in a
process imports Numba and loads the compiled parser from its cache (or compiles it, on a fresh clone), and that
one-off time is printed on its own. Baselines, each in its own child process:

- ``pandas.read_csv`` with the C engine and with ``engine="pyarrow"`` (same column names, dtype=str as the FEC
  advises for ids and zip codes, then amounts and dates converted), on the first ``--pandas-rows`` rows (the
  same file when that is all of it; 20 million rows of strings in pandas need more than the 4 GB budget, and
  the pyarrow engine has no ``nrows``); pandas is imported before the clock starts;
- DuckDB's own CSV reader typing the same columns into a Parquet file, on the whole file;
- the floor: the file read in the ingest's pieces and its line feeds counted with NumPy, one thread (every
  parser reads each byte at least once);
- the writer's floor: the ingest's own Parquet writer writing the parsed rows, only the writes timed. Its CPU
  seconds per row bound any ingest that writes this layout with Arrow's writer: even with free parsing, no
  such ingest passes cores / (its CPU seconds per row); the bench prints that ceiling beside the scan;
- the parser alone: the ingest's check and compiled parse of each piece on one thread, the reads untimed. With
  the writer's CPU it is set against the CPU a third of the scan's rate allows on the cores (cores / that rate).

Rates are rows per second (the byte scan's too: the file's rows over its time); ``--repeat`` runs every side
that many times, in another fixed order each time (printed), and prints the min-max. The generated files are
deleted at the end (also after a failure) unless ``--keep-file``. Peak memory is the peak RSS of the child
process (``resource.getrusage``). Every side is pinned to ``--cores`` CPUs (``os.sched_setaffinity``). The
machine's load average and each side's CPU seconds per million rows are printed too: on a shared, loaded
machine the wall-clock rates fall with the CPU share this process gets, while CPU seconds per row stay
comparable.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marketpower.ingest.fec import (  # noqa: E402
    FILE_KINDS,
    PIECE_BYTES,
    check_piece,
    ingest_fec,
    parquet_writer,
    with_provenance,
)
from marketpower.ingest.fec_kernel import Workspace  # noqa: E402


def _generate_sql(tmp: Path, rows: int) -> str:
    """Rows in the itcont layout; one in 97 names carries an N with tilde (two bytes in UTF-8)."""
    return f"""
        COPY (
          SELECT
            'C' || lpad(CAST(i % 40000 AS VARCHAR), 8, '0') AS c1,
            CASE WHEN i % 50 = 0 THEN 'A' ELSE 'N' END AS c2,
            CASE i % 4 WHEN 0 THEN 'Q1' WHEN 1 THEN 'Q2' WHEN 2 THEN 'M3' ELSE 'YE' END AS c3,
            'P2026' AS c4,
            CAST(202501019000000000 + i AS VARCHAR) AS c5,
            '15' AS c6,
            'IND' AS c7,
            CASE WHEN i % 97 = 0 THEN 'PE\u00d1A, JOSE'
                 ELSE 'DONOR, NUMBER ' || CAST(i % 999983 AS VARCHAR) END AS c8,
            'SPRINGFIELD' AS c9, 'IL' AS c10, lpad(CAST(i % 99999 AS VARCHAR), 9, '0') AS c11,
            'ACME CORP' AS c12, 'ENGINEER' AS c13,
            lpad(CAST(1 + i % 12 AS VARCHAR), 2, '0') || lpad(CAST(1 + i % 28 AS VARCHAR), 2, '0') || '2025' AS c14,
            CAST(CAST((i % 500000) / 100.0 + 5 AS DECIMAL(14,2)) AS VARCHAR) AS c15,
            '' AS c16,
            'SA11AI.' || CAST(i AS VARCHAR) AS c17,
            CAST(1500000 + i // 1000 AS VARCHAR) AS c18,
            CASE WHEN i % 10 = 0 THEN 'X' ELSE '' END AS c19,
            CASE WHEN i % 10 = 0 THEN 'EARMARKED' ELSE '' END AS c20,
            CAST(4000000000000000000 + i AS VARCHAR) AS c21
          FROM range({rows}) t(i)
        ) TO '{tmp}' (FORMAT csv, DELIMITER '|', HEADER false, QUOTE '', ESCAPE '')
    """


def expected_amount_cents(rows: int) -> int:
    """Sum of the generated amounts in cents: (i mod 500,000) + 500 for i = 0 .. rows - 1."""
    i = np.arange(rows, dtype=np.int64)
    return int(((i % 500_000) + 500).sum())


def ensure_file(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"marketpower-bench-itcont-utf8-{rows}" / "itcont.txt"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = path.with_suffix(".part")
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(_generate_sql(tmp, rows))
    con.close()
    tmp.rename(path)
    print(f"generated {rows:,} rows ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s")
    return path


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # ru_maxrss is KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _core_speed() -> str:
    """Seconds a fixed single-threaded loop takes: on a shared VM the speed of a core varies from run to run."""
    started = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return f"a fixed 5M-step Python loop took {time.perf_counter() - started:.2f} s"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _limit_threads(con: duckdb.DuckDBPyConnection) -> None:
    cores = len(os.sched_getaffinity(0))
    pa.set_cpu_count(cores)
    pa.set_io_thread_count(cores)
    con.execute(f"SET threads = {cores}")
    con.execute("SET memory_limit = '3GB'")


def run_ours(path: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "first"
        first.mkdir()
        with path.open("rb") as handle:
            (first / "itcont.txt").write_bytes(handle.readline())
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        _limit_threads(con)
        started = time.perf_counter()
        ingest_fec(con, first, cycle=2024)
        one_off = time.perf_counter() - started
        started, cpu = time.perf_counter(), _cpu_seconds()
        report = ingest_fec(con, path.parent, cycle=2026)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        row = con.execute("SELECT count(*), sum(transaction_amt) * 100 FROM fec_indiv WHERE cycle = 2026").fetchone()
        assert row is not None
        stored = (int(row[0]), int(row[1]))
        con.close()
    queue.put((report.rows_loaded, seconds, cpu, _peak_rss_gb(), (stored, one_off)))


def run_byte_scan(path: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """The floor: read the file in the ingest's pieces (:data:`PIECE_BYTES`) and count its line feeds."""
    buffer = np.empty(PIECE_BYTES, np.uint8)
    started, cpu = time.perf_counter(), _cpu_seconds()
    lines = 0
    with path.open("rb") as handle:
        while got := handle.readinto(memoryview(buffer)):
            lines += int(np.count_nonzero(buffer[:got] == 10))
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    queue.put((lines, seconds, cpu, _peak_rss_gb(), None))


def _parsed_pieces(path: Path) -> Iterator[tuple[pa.Table, float, float]]:
    """The file's pieces (:data:`PIECE_BYTES`, cut after a line feed) parsed as the ingest parses them
    (:func:`check_piece` into one reused workspace, this thread), each with the parse's wall and CPU seconds. A
    one-line parse before the first loads the compiled parser (a one-off of every process), untimed."""
    kind, workspace = FILE_KINDS["indiv"], Workspace()
    buffer = np.empty(PIECE_BYTES, np.uint8)
    start, size = 0, path.stat().st_size
    with path.open("rb") as handle:
        first_line = handle.readline()
        check_piece(kind, np.frombuffer(first_line, np.uint8), 1, False, path.name, "utf-8", False, workspace)
        while got := os.preadv(handle.fileno(), [buffer], start):
            cut = got if start + got >= size else int(np.flatnonzero(buffer[:got] == 10)[-1]) + 1
            start += cut
            started, thread_cpu = time.perf_counter(), time.thread_time()
            checked = check_piece(kind, buffer[:cut], 1, False, path.name, "utf-8", False, workspace)
            seconds, cpu = time.perf_counter() - started, time.thread_time() - thread_cpu
            assert checked.table is not None
            yield checked.table, seconds, cpu


def run_parse(path: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """The parser alone: the ingest's check and compiled parse of every piece on one thread (no writes; the reads
    untimed), what the ingest's parser threads spend per row."""
    rows, seconds, cpu = 0, 0.0, 0.0
    for table, piece_seconds, piece_cpu in _parsed_pieces(path):
        rows, seconds, cpu = rows + table.num_rows, seconds + piece_seconds, cpu + piece_cpu
    queue.put((rows, seconds, cpu, _peak_rss_gb(), None))


def run_parquet_write(path: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """The writer's floor: the ingest's own Parquet writer (:func:`parquet_writer`, one thread) writing the rows
    the ingest writes, piece by piece; only the writes are timed (the pieces are read and parsed untimed)."""
    kind, source = FILE_KINDS["indiv"], pa.array([path.name])
    rows, seconds, cpu = 0, 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp, parquet_writer(kind, Path(tmp) / "floor.parquet") as writer:
        for parsed, _, _ in _parsed_pieces(path):
            table = with_provenance(parsed, 2026, source)
            started, thread_cpu = time.perf_counter(), time.thread_time()
            writer.write_table(table)
            seconds += time.perf_counter() - started
            cpu += time.thread_time() - thread_cpu
            rows += table.num_rows
    queue.put((rows, seconds, cpu, _peak_rss_gb(), None))


def run_duckdb(path: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """DuckDB's own CSV reader typing the same columns straight into a Parquet file (no checks, no views)."""
    types = {
        c.name: {"int": "BIGINT", "amount": "DECIMAL(14,2)", "date": "DATE"}.get(c.kind, "VARCHAR")
        for c in FILE_KINDS["indiv"].columns
    }
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in types.items()) + "}"
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect()
        _limit_threads(con)
        started, cpu = time.perf_counter(), _cpu_seconds()
        con.execute(
            f"COPY (SELECT * FROM read_csv('{path}', delim='|', header=false, quote='', escape='', "
            f"columns={columns}, dateformat='%m%d%Y', auto_detect=false, strict_mode=true)) "
            f"TO '{tmp}/out.parquet' (FORMAT parquet)"
        )
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        rows = con.execute(f"SELECT count(*) FROM '{tmp}/out.parquet'").fetchone()
        con.close()
    queue.put((int(rows[0]) if rows else 0, seconds, cpu, _peak_rss_gb(), None))


def prefix_file(path: Path, rows: int, total: int) -> Path:
    """A file beside ``path`` holding its first ``rows`` of ``total`` lines (what the pandas baselines read):
    ``path`` itself when that is all of it."""
    if rows >= total:
        return path
    prefix = path.with_name(f"first-{rows}.txt")
    if not prefix.is_file():
        with path.open("rb") as source, prefix.open("wb") as target:
            for _, line in zip(range(rows), source, strict=False):
                target.write(line)
    return prefix


def run_pandas(path: Path, engine: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """pandas.read_csv with ``engine`` ("c" or "pyarrow"); the file has no quote characters, so the C engine's
    QUOTE_NONE (which the pyarrow engine does not take) reads it the same."""
    import pandas as pd

    names = [c.name for c in FILE_KINDS["indiv"].columns]
    options = {"quoting": 3} if engine == "c" else {}
    started, cpu = time.perf_counter(), _cpu_seconds()
    frame = pd.read_csv(
        path,
        sep="|",
        header=None,
        names=names,
        dtype=str,
        encoding="utf-8",
        keep_default_na=False,
        engine=engine,  # type: ignore[call-overload]
        **options,
    )
    frame["transaction_amt"] = pd.to_numeric(frame["transaction_amt"])
    frame["transaction_dt"] = pd.to_datetime(frame["transaction_dt"], format="%m%d%Y")
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    queue.put((len(frame), seconds, cpu, _peak_rss_gb(), None))


Result = tuple[int, float, float, float, Any]


def _in_child(target: Callable[..., None], *args: object) -> Result:
    """Run ``target(*args, queue)`` in a forked child; returns what it put on the queue. Files written before
    (the generated input, the previous side's Parquet) are flushed to disk first, so no side's timed run shares
    the cores with the kernel writing back another side's output."""
    os.sync()
    context = mp.get_context("fork")
    queue: mp.Queue = context.Queue()  # type: ignore[type-arg]
    proc = context.Process(target=target, args=(*args, queue))
    proc.start()
    result: Result = queue.get()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit code {proc.exitcode})")
    return result


def _span(values: list[float], digits: int = 2) -> str:
    """``low-high`` of ``values`` (one number when they agree to ``digits`` decimals)."""
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low}-{high}"


def _line(label: str, results: list[Result]) -> str:
    """One side's rows, seconds, rate, CPU seconds per million rows and peak memory (min-max over its runs)."""
    rows = results[0][0]
    return (
        f"{label}: {rows:,} rows in {_span([r[1] for r in results])} s = "
        f"{_span([r[0] / r[1] / 1e6 for r in results])} M rows/s "
        f"({_span([r[2] / r[0] * 1e6 for r in results])} CPU s per M rows), "
        f"peak RSS {_span([r[3] for r in results])} GB"
    )


def _rates(results: list[Result]) -> list[float]:
    return [r[0] / r[1] for r in results]


def _ratio(ours: list[float], theirs: list[float]) -> str:
    """Min-max of ours / theirs over the runs (paired in order; each run's sides ran one after another)."""
    return _span([a / b for a, b in zip(ours, theirs, strict=True)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--pandas-rows", type=int, default=2_000_000)
    parser.add_argument("--cores", type=int, default=2, help="CPUs both sides may use (pinned)")
    parser.add_argument("--keep-file", action="store_true", help="keep the generated files for the next run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every side (min-max printed)")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))[: args.cores]
    os.sched_setaffinity(0, cpus)
    path = ensure_file(args.rows)
    try:
        compare(path, args)
    finally:
        if not args.keep_file:
            for generated in path.parent.iterdir():
                generated.unlink()
            path.parent.rmdir()
            print(f"removed {path.parent}")


def compare(path: Path, args: argparse.Namespace) -> None:
    """Ours, then the baselines and the byte scan, ``--repeat`` times on ``path``; prints each line and the
    ratios."""
    size_gb = path.stat().st_size / 1e9
    cpus = sorted(os.sched_getaffinity(0))
    print(f"file: {path} ({args.rows:,} rows, {size_gb:.2f} GB); pinned to CPUs {cpus}; before: {_load()}")
    print(f"core speed before: {_core_speed()}")
    prefix = prefix_file(path, args.pandas_rows, args.rows)
    runs: dict[str, tuple[Any, ...]] = {  # each side: its function and arguments
        "ours": (run_ours, path), "scan": (run_byte_scan, path), "parse": (run_parse, path),
        "write": (run_parquet_write, path),
        "pyarrow": (run_pandas, prefix, "pyarrow"), "c": (run_pandas, prefix, "c"), "duckdb": (run_duckdb, path),
    }  # fmt: skip
    sides: dict[str, list[Result]] = {name: [] for name in runs}
    loads = []
    orders = []
    for repeat in range(args.repeat):
        # Each repeat runs the sides in another order (a fixed shuffle): a side can run slower after another (on
        # a 2-core VM, ours by 10-30% after DuckDB's Parquet write), so no side always follows the same one.
        names = list(runs)
        random.Random(repeat).shuffle(names)
        orders.append(" ".join(names))
        for name in names:
            sides[name].append(_in_child(*runs[name]))
        loads.append(os.getloadavg()[0])
    print(f"order of the sides in each run: {'; '.join(orders)}")
    print(f"after {args.repeat} run(s) of every side: {_load()}; 1-min load after each run: {loads}")
    expected = (args.rows, expected_amount_cents(args.rows))
    stored = {r[4][0] for r in sides["ours"]}
    print(f"stored rows and sum of amounts (cents): {stored}; expected {expected}: "
          f"{'ok' if stored == {expected} else 'WRONG'}")  # fmt: skip
    one_off = _span([r[4][1] for r in sides["ours"]])
    print(f"one-off in each child before the timed ingest (Numba import, compiled parser loaded): {one_off} s")
    scan_rows = [r[0] for r in sides["scan"]]
    assert scan_rows == [args.rows] * args.repeat, scan_rows
    p_rows = sides["pyarrow"][0][0]
    print(_line("marketpower ingest_fec (compiled parser -> Parquet, DuckDB views)", sides["ours"]))
    print(_line(f"pandas.read_csv(engine='pyarrow'), first {p_rows:,} rows", sides["pyarrow"]))
    print(_line(f"pandas.read_csv(engine='c'), first {p_rows:,} rows", sides["c"]))
    print(_line("DuckDB read_csv -> Parquet (all rows)", sides["duckdb"]))
    print(_line("NumPy byte scan (read in pieces, count line feeds; one thread)", sides["scan"]))
    print(_line("parse alone (the ingest's check and compiled parse of each piece; one thread)", sides["parse"]))
    print(_line("Parquet write alone (the ingest's writer, the parsed rows; writes timed, one thread)", sides["write"]))
    cores = len(cpus)
    write_cpu = [r[2] / r[0] * 1e6 for r in sides["write"]]  # CPU s per M rows
    parse_cpu = [r[2] / r[0] * 1e6 for r in sides["parse"]]
    ceiling = [cores / c for c in write_cpu]  # M rows/s on every core with nothing but the writes
    scan_rates = [r / 1e6 for r in _rates(sides["scan"])]
    print(
        f"ceiling set by the writer: its CPU alone allows at most {_span(ceiling)} M rows/s on {cores} cores (were "
        f"parsing free); byte scan / that ceiling {_span([a / b for a, b in zip(scan_rates, ceiling, strict=True)])}"
    )
    budget = [cores / (rate / 3) for rate in scan_rates]  # CPU s per M rows at a third of the scan's rate
    both = [a + b for a, b in zip(parse_cpu, write_cpu, strict=True)]
    print(
        f"CPU budget of 'within 3x of the byte scan' on {cores} cores: at most {_span(budget, 3)} CPU s per M rows "
        f"for everything; parse alone + write alone take {_span(both, 3)}"
    )
    ours = _rates(sides["ours"])
    versus_pyarrow, versus_scan = _ratio(ours, _rates(sides["pyarrow"])), _ratio(_rates(sides["scan"]), ours)
    print(
        f"ratios of rows/s: ours / pandas pyarrow {versus_pyarrow}, ours / pandas C "
        f"{_ratio(ours, _rates(sides['c']))}, ours / DuckDB {_ratio(ours, _rates(sides['duckdb']))}, "
        f"byte scan / ours {versus_scan}"
    )
    worst_pyarrow = min(a / b for a, b in zip(ours, _rates(sides["pyarrow"]), strict=True))
    worst_scan = max(a / b for a, b in zip(_rates(sides["scan"]), ours, strict=True))
    memory = max(r[3] for r in sides["ours"])
    print(
        f"targets: >= 2x pandas pyarrow: {'met' if worst_pyarrow >= 2 else 'NOT met'} (worst run); within 3x of the "
        f"byte scan: {'met' if worst_scan <= 3 else 'NOT met'} (worst run); > 1.00 M rows/s: "
        f"{'met' if min(ours) > 1e6 else 'NOT met'}; memory < 4 GB: {'met' if memory < 4 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
