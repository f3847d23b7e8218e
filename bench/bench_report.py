"""Benchmark: build the full static report (every page of the bundled package + its JSON twin) in under 10 s.

    python bench/bench_report.py            # French report into a temporary folder, 3 runs, best and median
    python bench/bench_report.py --runs 1 --lang en

Our time: :func:`marketpower.publish.report.build_report` on an open store (index, report sections, every
market, layer, entity and deal page, their JSON twins, the vendored chart library copied beside them).
Baseline, in the same run: the walking skeleton's report scheme, where each page recomputed the concentration
table of every market (``marketpower.api.markets``) and the market's trend on its own; measured here as the
cost of those two calls per market page times the number of market pages. Peak memory is this process's peak
RSS (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marketpower import api  # noqa: E402
from marketpower.publish.report import build_report  # noqa: E402
from marketpower.store import Store  # noqa: E402

TARGET_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="fr")
    args = parser.parse_args()
    start = time.perf_counter()
    store = Store.open()
    open_s = time.perf_counter() - start
    times, cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            out = Path(tmp) / f"report-{run}"
            start, start_cpu = time.perf_counter(), time.process_time()
            build_report(store, out, lang=args.lang)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        pages = len(list((Path(tmp) / "report-0").glob("*.html")))
    markets = list(store.table("markets")["id"])
    start = time.perf_counter()
    for market_id in markets:
        api.markets(store)
        api.trend(store, market_id)
    baseline_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best, median = min(times), statistics.median(times)
    print(f"store open (bundled aistack): {open_s:.2f} s")
    print(
        f"report build: {pages} HTML pages (+ JSON twins), best {best:.2f} s, median {median:.2f} s "
        f"over {len(times)} run(s), CPU {statistics.median(cpu):.2f} s [target < {TARGET_S:.0f} s: "
        f"{'PASS' if median < TARGET_S else 'FAIL'}]"
    )
    if median > 1.5 * statistics.median(cpu):
        print("note: wall time well above CPU time: the machine is busy with other work; rerun when it is idle")
    print(
        f"baseline (skeleton scheme, per-page recomputation of the {len(markets)} market pages only): "
        f"{baseline_s:.2f} s; ratio report / baseline = {median / baseline_s:.2f}"
    )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")
    if median >= TARGET_S:
        sys.exit(1)


if __name__ == "__main__":
    main()
