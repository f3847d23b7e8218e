"""Benchmark: build the full static report (every page of the bundled package, its JSON twin, the chart images of
report.html and the table files), ours against the code before the chart dictionaries, in the same run.

    python bench/bench_report.py                    # 3 runs of each, English, interleaved
    python bench/bench_report.py --runs 5 --lang fr
    python bench/bench_report.py --old-src ../old/src   # a checkout of the baseline already made

Our time and the baseline's: :func:`marketpower.publish.report.build_report` on an open store (opening it is not
timed), each build in a fresh process so neither side inherits the other's caches, ours and the baseline's
alternating so both see the same load. The ratio compares the two on the same input, the baseline's bundled
package (the data has grown since; the old code cannot read today's package, ours reads the old one); ours on
today's package is printed beside it, and ours rebuilt over the report a first build wrote (what a user rerunning
``marketpower report --out`` gets: the previous report's sealed chart images are copied, not drawn again). The
baseline is commit 120fa2e (``d7ab37e^``: charts through Altair, no static images, no table files; recorded at
24.4 s of CPU on a loaded machine), checked out by
``bench/_baseline.py`` in a temporary worktree. Each build prints wall and CPU seconds (CPU: every thread of the
process, vl-convert's included) and the 1-minute load average when it started; the summary gives min-max of each
and the ratio of the medians (baseline / ours: above 1 is faster).

Chart specs, in the same run: the report's market, layer, overview and value-by-layer charts built as plain
Vega-Lite dictionaries (publish/charts.py) against the same charts built with Altair as before
(bench/_altair_charts.py, the previous code verbatim; skipped with the reason when Altair is not installed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _baseline import baseline_src  # noqa: E402
from marketpower import api  # noqa: E402
from marketpower.api import Context  # noqa: E402
from marketpower.publish import charts, pages  # noqa: E402
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


#: The code before the chart dictionaries (d7ab37e^), whose report build was recorded at 24.4 s of CPU.
BASELINE_COMMIT = "120fa2e7333304995381c5e426bdc123080e4f8d"

#: One build in a fresh process: argv = out folder, language[, package folder[, "rebuild"]]; prints wall and
#: CPU seconds, pages and load.
CHILD = """
import json, os, sys, time
from pathlib import Path
from marketpower.publish.report import build_report
from marketpower.store import Store
store = Store.open(package=sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else Store.open()
if len(sys.argv) > 4:  # "rebuild": time a build over the report a first (untimed) build wrote
    build_report(store, sys.argv[1], lang=sys.argv[2])
load = os.getloadavg()[0]
start, start_cpu = time.perf_counter(), time.process_time()
build_report(store, sys.argv[1], lang=sys.argv[2])
wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
pages = len(list(Path(sys.argv[1]).glob("*.html")))
print(json.dumps({"wall": wall, "cpu": cpu, "load": load, "pages": pages}))
"""


def build_once(src: str, out: Path, lang: str, package: Path | None = None, rebuild: bool = False) -> dict[str, float]:
    """One report build by the code in ``src`` (of ``package``, default its bundled one), in a fresh process
    (see :data:`CHILD`); ``rebuild``: the build over a previous report (its chart images reused)."""
    env = {**os.environ, "PYTHONPATH": src}
    command = [sys.executable, "-c", CHILD, str(out), lang, str(package or ""), *(["rebuild"] if rebuild else [])]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"report build with {src} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return result


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="commit of the baseline (default: d7ab37e^)")
    parser.add_argument("--old-src", help="src folder of a checkout of the baseline (instead of a worktree)")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "baseline": [], "today": [], "rebuild": []}
    with baseline_src(args.baseline, args.old_src) as old_src, tempfile.TemporaryDirectory() as tmp:
        old_package = Path(old_src) / "marketpower" / "datasets" / "aistack"
        for run in range(args.runs):
            sides = (
                ("ours", ROOT / "src", old_package),
                ("baseline", old_src, None),
                ("rebuild", ROOT / "src", old_package),
                ("today", ROOT / "src", None),
            )
            for side, src, package in sides:
                out = Path(tmp) / f"{side}-{run}"
                runs[side].append(build_once(str(src), out, args.lang, package, side == "rebuild"))
                r = runs[side][-1]
                print(f"run {run + 1} {side:8}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, load {r['load']:.2f}")
    labels = {
        "ours": "ours, on the baseline's package",
        "baseline": f"baseline ({args.baseline[:10]}), its package",
        "rebuild": "ours, rebuilt over its previous report (chart images reused), the baseline's package",
        "today": "ours, on today's package",
    }
    for side, label in labels.items():
        r = runs[side]
        print(
            f"{label}: {int(r[0]['pages'])} HTML pages, wall {spread([x['wall'] for x in r])} s, CPU "
            f"{spread([x['cpu'] for x in r])} s over {len(r)} runs, load {spread([x['load'] for x in r])}"
        )
    ours_wall, base_wall = (statistics.median(x["wall"] for x in runs[s]) for s in ("ours", "baseline"))
    ours_cpu, base_cpu = (statistics.median(x["cpu"] for x in runs[s]) for s in ("ours", "baseline"))
    print(
        f"ratio baseline / ours (medians): wall {base_wall / ours_wall:.2f}x, CPU {base_cpu / ours_cpu:.2f}x "
        f"[target < {TARGET_S:.0f} s wall: {'PASS' if ours_wall < TARGET_S else 'FAIL'}]"
    )
    rebuild_cpu = statistics.median(x["cpu"] for x in runs["rebuild"])
    print(f"ratio baseline / ours rebuilt (medians): CPU {base_cpu / rebuild_cpu:.2f}x")
    if max(x["load"] for side in runs.values() for x in side) > 1.5:
        print("note: load average above 1.5 during the runs (a shared machine): wall times are loose")
    store = Store.open()
    inputs = chart_inputs(store)
    ours_specs = time_specs(charts, inputs, 5)
    try:
        import _altair_charts
    except ImportError as error:
        print(
            f"chart specs: {len(inputs)} charts, dictionaries {ours_specs * 1e3:.1f} ms; baseline skipped: "
            f"{type(error).__name__}: {error} (install the dev extra)"
        )
    else:
        altair_specs = time_specs(_altair_charts, inputs, 5)
        print(
            f"chart specs ({len(inputs)} charts, best of 5): dictionaries {ours_specs * 1e3:.1f} ms, Altair (before) "
            f"{altair_specs * 1e3:.1f} ms; ratio Altair / dictionaries = {altair_specs / ours_specs:.0f}x"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (RSS, chart specs): {peak_mb:.0f} MB")
    if ours_wall >= TARGET_S:
        sys.exit(1)


if __name__ == "__main__":
    main()
