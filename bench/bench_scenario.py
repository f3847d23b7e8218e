"""Benchmark: `scenario run` of each shipped scenario (target < 1 s in-process on the bundled data) and
`scenario compare` of two (target < 2 s), each beside its baseline: the same analysis on the store without
the overlay (a scenario with no operations). Prints our time, the baseline's time and the ratio."""

from __future__ import annotations

import os
import time
from pathlib import Path

from marketpower import api
from marketpower.api.scenarios import compare_scenarios, run_scenario, scenario_tables

EXAMPLES = sorted((Path(__file__).parents[1] / "examples" / "scenarios").glob("*.yaml"))
REPEATS = 3


CPU: list[float] = []


def best(run) -> float:  # type: ignore[no-untyped-def]
    """Least wall time of REPEATS runs (s); the least CPU time of the same runs goes to CPU (a shared, loaded
    machine stretches wall time, not CPU time)."""
    walls, cpus = [], []
    for _ in range(REPEATS):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    CPU.append(min(cpus))
    return min(walls)


def main() -> None:
    store = api.open_store()
    tables = scenario_tables(store)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; least wall and CPU time of {REPEATS} runs")
    spec = {"scenario": "baseline", "title": "no overlay", "operations": []}
    for path in EXAMPLES:
        ours = best(lambda p=path: run_scenario(store, p, tables=tables))
        as_of = run_scenario(store, path, tables=tables).scenario["as_of"]
        base = best(lambda a=as_of: run_scenario(store, spec, as_of=a, tables=tables))
        print(f"  cpu: ours {CPU[-2]:.3f} s, baseline {CPU[-1]:.3f} s")
        print(
            f"scenario run {path.stem:28s} {ours:6.3f} s  baseline (no overlay) {base:6.3f} s  ratio {ours / base:5.2f}"
            f"  target < 1 s: wall {'met' if ours < 1 else 'NOT met'}, CPU {'met' if CPU[-2] < 1 else 'NOT met'}"
        )
    a, b = EXAMPLES[0], EXAMPLES[1]
    ours = best(lambda: compare_scenarios(store, a, b, tables=tables))
    # the baseline: two scenarios without an overlay compared, sharing what the baseline computes as compare does
    base = best(lambda: [run_scenario(store, spec, tables=tables, memo=m) for m in [{}] for _ in range(2)])
    print(f"  cpu: ours {CPU[-2]:.3f} s, baseline {CPU[-1]:.3f} s")
    print(
        f"scenario compare {a.stem} {b.stem}: {ours:6.3f} s  baseline {base:6.3f} s  ratio {ours / base:5.2f}"
        f"  target < 2 s: wall {'met' if ours < 2 else 'NOT met'}, CPU {'met' if CPU[-2] < 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
