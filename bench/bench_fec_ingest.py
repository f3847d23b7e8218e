"""Benchmark: FEC itcont ingest into the store (Parquet behind DuckDB views) vs pandas.read_csv on the same file.

Target (issue 7): 20 million synthetic rows in the FEC's itcont layout (21 pipe-delimited columns, no header,
MMDDYYYY dates, a two-byte UTF-8 letter in some names) ingested at more than 1 million rows/s on 2 cores, with
memory under 4 GB.

    python bench/bench_fec_ingest.py              # 20,000,000 rows (file generated once into /tmp)
    python bench/bench_fec_ingest.py --rows 2000000
    python bench/bench_fec_ingest.py --pandas-rows 2000000   # rows pandas reads (its rate is per row)
    python bench/bench_fec_ingest.py --cores 2               # CPUs both sides may use (default 2)
    python bench/bench_fec_ingest.py --keep-file             # keep the generated file for the next run

Our side runs :func:`marketpower.ingest.fec.ingest_fec` into a store file (full path: parse, cast and check every
amount and date, write Parquet, swap the views in) with Arrow's thread pool and DuckDB limited to ``--cores``
threads; the loaded rows are then checked against the generator (row count and the sum of amounts, computed
independently with NumPy). Three baselines: ``pandas.read_csv`` with the C engine and with
``engine="pyarrow"`` (same column names, dtype=str as the FEC advises for ids and zip codes, then amounts and
dates converted) on a file of the first ``--pandas-rows`` rows of the same file (loading 20 million rows of
strings into pandas needs more memory than the 4 GB budget, and the pyarrow engine has no ``nrows``), and
DuckDB's own CSV reader typing the same columns into a Parquet file on the whole file; all rates are rows per
second. The generated files are deleted at the end (also after a failure) unless ``--keep-file``.
Peak memory is the peak RSS of this process (``resource.getrusage``), measured separately for each side by
running each in a child process. Both sides are pinned to ``--cores`` CPUs (``os.sched_setaffinity``). The
machine's load average and each side's CPU seconds are printed too: on a shared, loaded machine the wall-clock
rates fall with the CPU share this process gets, while CPU seconds per row stay comparable.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marketpower.ingest.fec import FILE_KINDS, ingest_fec  # noqa: E402


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
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        _limit_threads(con)
        started, cpu = time.perf_counter(), _cpu_seconds()
        report = ingest_fec(con, path.parent, cycle=2026)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        row = con.execute("SELECT count(*), sum(transaction_amt) * 100 FROM fec_indiv").fetchone()
        assert row is not None
        stored = (int(row[0]), int(row[1]))
        con.close()
    queue.put((report.rows_loaded, seconds, cpu, _peak_rss_gb(), stored))


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


def prefix_file(path: Path, rows: int) -> Path:
    """A file beside ``path`` holding its first ``rows`` lines (what the pandas baselines read)."""
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


Result = tuple[int, float, float, float, "tuple[int, int] | None"]


def _in_child(target: Callable[..., None], *args: object) -> Result:
    """Run ``target(*args, queue)`` in a forked child; returns what it put on the queue."""
    context = mp.get_context("fork")
    queue: mp.Queue = context.Queue()  # type: ignore[type-arg]
    proc = context.Process(target=target, args=(*args, queue))
    proc.start()
    result: Result = queue.get()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit code {proc.exitcode})")
    return result


def _line(label: str, rows: int, seconds: float, cpu: float, memory: float) -> str:
    return (
        f"{label}: {rows:,} rows in {seconds:.1f} s = {rows / seconds / 1e6:.2f} M rows/s "
        f"({cpu / rows * 1e6:.2f} CPU s per M rows), peak RSS {memory:.2f} GB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--pandas-rows", type=int, default=2_000_000)
    parser.add_argument("--cores", type=int, default=2, help="CPUs both sides may use (pinned)")
    parser.add_argument("--keep-file", action="store_true", help="keep the generated files for the next run")
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
    """Ours, then the three baselines, on ``path``; prints each line and the ratios."""
    size_gb = path.stat().st_size / 1e9
    cpus = sorted(os.sched_getaffinity(0))
    print(f"file: {path} ({args.rows:,} rows, {size_gb:.2f} GB); pinned to CPUs {cpus}; before: {_load()}")
    print(f"core speed before: {_core_speed()}")
    rows, ours_s, ours_cpu, ours_mem, stored = _in_child(run_ours, path)
    print(f"after ours: {_load()}; core speed: {_core_speed()}")
    expected = (args.rows, expected_amount_cents(args.rows))
    print(
        f"stored rows and sum of amounts (cents): {stored}; "
        f"expected {expected}: {'ok' if stored == expected else 'WRONG'}"
    )
    prefix = prefix_file(path, min(args.pandas_rows, args.rows))
    ours_rate = rows / ours_s
    lines = [_line("marketpower ingest_fec (Arrow CSV -> Parquet, DuckDB views)", rows, ours_s, ours_cpu, ours_mem)]
    ratios = []
    for engine in ("c", "pyarrow"):
        p_rows, pandas_s, pandas_cpu, pandas_mem, _ = _in_child(run_pandas, prefix, engine)
        label = f"pandas.read_csv(engine={engine!r}), first {p_rows:,} rows"
        lines.append(_line(label, p_rows, pandas_s, pandas_cpu, pandas_mem))
        ratios.append(f"{ours_rate / (p_rows / pandas_s):.2f}x pandas {engine}")
    d_rows, duck_s, duck_cpu, duck_mem, _ = _in_child(run_duckdb, path)
    lines.append(_line("DuckDB read_csv -> Parquet (all rows)", d_rows, duck_s, duck_cpu, duck_mem))
    ratios.append(f"{ours_rate / (d_rows / duck_s):.2f}x DuckDB")
    print(f"after the baselines: {_load()}")
    print("\n".join(lines))
    print(f"ratio (our rows/s over each baseline's): {', '.join(ratios)}")
    print(
        f"target > 1.00 M rows/s: {'met' if ours_rate > 1e6 else 'NOT met'}; "
        f"memory < 4 GB: {'met' if ours_mem < 4 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
