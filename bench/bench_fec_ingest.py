"""Benchmark: FEC itcont ingest into DuckDB vs pandas.read_csv on the same file.

Target (issue 7): 20 million synthetic rows in the FEC's itcont layout (21 pipe-delimited columns, no header,
MMDDYYYY dates, a Latin-1 byte in some names) ingested at more than 1 million rows/s on 2 cores, with memory
under 4 GB.

    python bench/bench_fec_ingest.py              # 20,000,000 rows (file generated once into /tmp)
    python bench/bench_fec_ingest.py --rows 2000000
    python bench/bench_fec_ingest.py --pandas-rows 2000000   # rows pandas reads (its rate is per row)
    python bench/bench_fec_ingest.py --cores 2               # CPUs both sides may use (default 2)

Our side runs :func:`marketpower.ingest.fec.ingest_fec` (full path: parse, cast and check every amount and date,
stage, swap in, build views) with DuckDB limited to 2 threads and 3 GB. The baseline is ``pandas.read_csv``
(C engine, same column names, dtype=str as the FEC advises for ids and zip codes, then amounts and dates
converted) on the first ``--pandas-rows`` rows of the same file, because loading 20 million rows of strings
into pandas needs more memory than the 4 GB budget; both rates are rows per second.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marketpower.ingest.fec import FILE_KINDS, ingest_fec  # noqa: E402


def _generate_sql(tmp: Path, rows: int) -> str:
    # One row in 97 carries a Latin-1 name (byte 0xD1, N with tilde): written as '~' here, swapped afterwards.
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
            CASE WHEN i % 97 = 0 THEN 'PE~A, JOSE'
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


def ensure_file(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"marketpower-bench-itcont-{rows}" / "itcont.txt"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = path.with_suffix(".part")
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(_generate_sql(tmp, rows))
    con.close()
    with tmp.open("rb") as src, path.open("wb") as out:
        while chunk := src.read(1 << 24):
            out.write(chunk.replace(b"~", b"\xd1"))
    tmp.unlink()
    print(f"generated {rows:,} rows ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s")
    return path


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # ru_maxrss is KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def run_ours(path: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        con.execute("SET threads = 2")
        con.execute("SET memory_limit = '3GB'")
        con.execute(f"SET temp_directory = '{tmp}/spill'")
        started, cpu = time.perf_counter(), _cpu_seconds()
        report = ingest_fec(con, path.parent, cycle=2026)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        con.close()
    queue.put((report.rows_loaded, seconds, cpu, _peak_rss_gb()))


def run_pandas(path: Path, nrows: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import pandas as pd

    names = [c.name for c in FILE_KINDS["indiv"].columns]
    started, cpu = time.perf_counter(), _cpu_seconds()
    frame = pd.read_csv(
        path,
        sep="|",
        header=None,
        names=names,
        dtype=str,
        encoding="latin-1",
        quoting=3,
        nrows=nrows,
        keep_default_na=False,
    )
    frame["transaction_amt"] = pd.to_numeric(frame["transaction_amt"])
    frame["transaction_dt"] = pd.to_datetime(frame["transaction_dt"], format="%m%d%Y")
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    queue.put((len(frame), seconds, cpu, _peak_rss_gb()))


def _in_child(target: Callable[..., None], *args: object) -> tuple[int, float, float, float]:
    """Run ``target(*args, queue)`` in a forked child; returns what it put on the queue."""
    context = mp.get_context("fork")
    queue: mp.Queue = context.Queue()  # type: ignore[type-arg]
    proc = context.Process(target=target, args=(*args, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit code {proc.exitcode})")
    result: tuple[int, float, float, float] = queue.get()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--pandas-rows", type=int, default=2_000_000)
    parser.add_argument("--cores", type=int, default=2, help="CPUs both sides may use (pinned)")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))[: args.cores]
    os.sched_setaffinity(0, cpus)
    path = ensure_file(args.rows)
    size_gb = path.stat().st_size / 1e9
    print(f"before: {_load()}; this run pinned to CPUs {cpus}")
    rows, ours_s, ours_cpu, ours_mem = _in_child(run_ours, path)
    print(f"after ours: {_load()}")
    p_rows, pandas_s, pandas_cpu, pandas_mem = _in_child(run_pandas, path, min(args.pandas_rows, args.rows))
    print(f"after pandas: {_load()}")
    ours_rate = rows / ours_s
    pandas_rate = p_rows / pandas_s
    print(f"file: {path} ({rows:,} rows, {size_gb:.2f} GB)")
    print(
        f"marketpower ingest_fec (DuckDB, 2 threads): {rows:,} rows in {ours_s:.1f} s = "
        f"{ours_rate / 1e6:.2f} M rows/s ({ours_cpu / rows * 1e6:.2f} CPU s per M rows), peak RSS {ours_mem:.2f} GB"
    )
    print(
        f"pandas.read_csv (C engine, first {p_rows:,} rows): {pandas_s:.1f} s = "
        f"{pandas_rate / 1e6:.2f} M rows/s ({pandas_cpu / p_rows * 1e6:.2f} CPU s per M rows), "
        f"peak RSS {pandas_mem:.2f} GB"
    )
    print(f"ratio (our rows/s over pandas rows/s): {ours_rate / pandas_rate:.1f}x")
    print(
        f"target > 1.00 M rows/s: {'met' if ours_rate > 1e6 else 'NOT met'}; "
        f"memory < 4 GB: {'met' if ours_mem < 4 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
