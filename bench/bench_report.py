"""Benchmark: build the full static report (every page of the bundled package + its JSON twin) in under 10 s.

    python bench/bench_report.py            # French report into a temporary folder, 3 runs, best and median
    python bench/bench_report.py --runs 1 --lang en

Our time: :func:`marketpower.publish.report.build_report` on an open store (index, report sections, every
market, layer, entity and deal page, their JSON twins, the vendored chart library copied beside them).
Baseline, in the same run: the walking skeleton's report scheme, where each page recomputed the concentration
table of every market (``marketpower.api.markets``) and the market's trend on its own; measured here as the
cost of those two calls per market page times the number of market pages. Peak memory is this process's peak
RSS (``resource.getrusage``).

Chart specs, in the same run: the report's market, layer, overview and value-by-layer charts built as plain
Vega-Lite dictionaries (publish/charts.py) against the same charts built with Altair as before
(bench/_altair_charts.py, the previous code verbatim; skipped with the reason when Altair is not installed).
The report build includes drawing every chart as a static SVG image (vl-convert, in worker threads).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from marketpower import api  # noqa: E402
from marketpower.api import Context  # noqa: E402
from marketpower.publish import charts, pages  # noqa: E402
from marketpower.publish.report import build_report  # noqa: E402
from marketpower.store import Store  # noqa: E402

TARGET_S = 10.0


def chart_inputs(store: Store) -> list[tuple[str, tuple[Any, ...]]]:
    """The inputs of the report's Altair-era charts: (chart function name, arguments), one per chart drawn."""
    ctx = Context(store)
    inputs: list[tuple[str, tuple[Any, ...]]] = []
    for market_id in ctx.table("markets")["id"]:
        answer = api.market_concentration(ctx, market_id)
        if len(answer.shares):
            inputs.append(("shares_over_time", (answer.shares, answer.market["name"])))
        if len(answer.trend):
            inputs.append(("hhi_trend", (answer.trend, answer.market["name"])))
    for layer in pages.layer_ids(ctx):
        history = pd.DataFrame(pages.layer_page(ctx, layer)["history"])
        if len(history):
            inputs.append(("layer_hhi_trend", (history, layer)))
    latest = pages.latest_per_market(ctx.concentration)
    inputs.append(("hhi_by_market", (pages.one_per_market(latest), "HHI")))
    inputs.append(("value_by_layer", (pages.winners_page(ctx)["layers"],)))
    return inputs


def time_specs(module: Any, inputs: list[tuple[str, tuple[Any, ...]]], runs: int) -> float:
    """Best time over ``runs`` to build every chart of ``inputs`` with ``module``'s functions (seconds)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for name, args in inputs:
            getattr(module, name)(*args)
        best = min(best, time.perf_counter() - start)
    return best


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
    inputs = chart_inputs(store)
    ours_specs = time_specs(charts, inputs, 5)
    try:
        import _altair_charts
    except ImportError as error:
        altair_specs = None
        skipped = f"{type(error).__name__}: {error} (install the dev extra)"
    else:
        altair_specs = time_specs(_altair_charts, inputs, 5)
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
    if altair_specs is None:
        print(f"chart specs: {len(inputs)} charts, dictionaries {ours_specs * 1e3:.1f} ms; baseline skipped: {skipped}")
    else:
        print(
            f"chart specs ({len(inputs)} charts, best of 5): dictionaries {ours_specs * 1e3:.1f} ms, Altair (before) "
            f"{altair_specs * 1e3:.1f} ms; ratio Altair / dictionaries = {altair_specs / ours_specs:.0f}x"
        )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")
    if median >= TARGET_S:
        sys.exit(1)


if __name__ == "__main__":
    main()
