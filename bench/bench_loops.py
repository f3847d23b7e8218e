"""Benchmark: all money loops up to 6 legs within a 2-year window on a synthetic power-law deal graph
(20,000 firms, 200,000 deals), against networkx ``simple_cycles(G, length_bound=6)`` on the same graph.

The generator (Chung-Lu style) draws each deal's payer and payee with probability proportional to
power-law firm weights (Pareto shape 1.6, i.e. degree tail exponent 2.6; separate buyer and seller weights,
both proportional to a firm's size) and dates uniformly over 20 years. Money mostly flows from the smaller
to the larger firm (a supply chain: customers pay suppliers); 15% of deals go the other way (investments,
vendor financing), and those are what close loops. That keeps the loop count finite and readable (tens of
thousands within a 2-year window, not billions); the count found is printed.

The networkx baseline ignores dates (it has no time window) and runs on the collapsed simple digraph, so it
enumerates a superset of the loops; it is stopped after ``BASELINE_LIMIT_S`` and its time is reported as a
lower bound. A small graph checks that both finders agree exactly when there is no window.

The target of issue 19 (10x the previous pure-Python search at 1.6M deals) is checked against the previous code
run in a fresh process on the same graph (``--old-src``, a ``git worktree`` of the commit before the compiled
search), wall and CPU seconds, with a checksum of the loops found.
Run: ``python bench/bench_loops.py`` (about 1-2 minutes on 2 cores);
``python bench/bench_loops.py --firms 160000 --deals 1600000 --old-src /tmp/mp_old_loops/src --no-networkx``
(make the baseline once with ``git worktree add --detach /tmp/mp_old_loops 2b908b8``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

from marketpower.flows.loops import find_cycles
from marketpower.flows.loops_kernel import COMPILED_MIN_EDGES

FIRMS, DEALS, MAX_LEN, WINDOW_DAYS = 20_000, 200_000, 6, 730
SPAN_DAYS = 20 * 365
BASELINE_LIMIT_S = 60.0
SEED = 20261126


def power_law_deals(firms: int, deals: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(payer, payee, day) arrays of the synthetic deal graph described in the module docstring."""
    rng = np.random.default_rng(seed)
    size = rng.pareto(1.6, firms) + 1.0  # Pareto shape 1.6: degree tail exponent 2.6
    buy = size * rng.lognormal(0.0, 0.5, firms)
    sell = size * rng.lognormal(0.0, 0.5, firms)
    payer = rng.choice(firms, deals, p=buy / buy.sum())
    payee = rng.choice(firms, deals, p=sell / sell.sum())
    # supply-chain orientation: money mostly flows to the larger firm; 15% of deals go the other way
    # (investments, vendor financing), which is what closes loops
    backwards = rng.random(deals) < 0.15
    swap = (size[payer] > size[payee]) & ~backwards
    payer, payee = np.where(swap, payee, payer), np.where(swap, payer, payee)
    keep = payer != payee
    day = rng.integers(0, SPAN_DAYS, deals)
    return payer[keep], payee[keep], day[keep]


def baseline(payer: np.ndarray, payee: np.ndarray, limit_s: float) -> tuple[int, float, bool]:
    """networkx simple_cycles(length_bound=6) on the collapsed digraph: (cycles seen, seconds, finished)."""
    graph = nx.DiGraph()
    graph.add_edges_from(zip(payer.tolist(), payee.tolist(), strict=True))
    start = time.perf_counter()
    count = 0
    for _ in nx.simple_cycles(graph, length_bound=MAX_LEN):
        count += 1
        if count % 1000 == 0 and time.perf_counter() - start > limit_s:
            return count, time.perf_counter() - start, False
    return count, time.perf_counter() - start, True


def agreement_check() -> None:
    """On a small graph without a window, our cycles (collapsed to node cycles) equal networkx's."""
    payer, payee, day = power_law_deals(300, 1_500, SEED + 1)
    graph = nx.DiGraph()
    graph.add_edges_from(zip(payer.tolist(), payee.tolist(), strict=True))
    simple = {}
    for e, (a, b) in enumerate(zip(payer.tolist(), payee.tolist(), strict=True)):
        simple.setdefault((a, b), e)
    edges = np.array(sorted(simple.values()))
    cycles = find_cycles(payer[edges], payee[edges], day[edges], max_len=4)
    n_nx = sum(1 for _ in nx.simple_cycles(graph, length_bound=4))
    if len(cycles) != n_nx:
        sys.exit(f"agreement check failed: {len(cycles)} loops vs networkx {n_nx}")
    print(f"agreement check (300 firms, no window, length <= 4): {len(cycles)} loops = networkx {n_nx}")


PREVIOUS = """
import json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from bench_loops import MAX_LEN, SEED, WINDOW_DAYS, power_law_deals
from marketpower.flows.loops import find_cycles
from marketpower.flows.loops_kernel import COMPILED_MIN_EDGES
payer, payee, day = power_law_deals(int(sys.argv[3]), int(sys.argv[4]), SEED)
wall, cpu = time.perf_counter(), time.process_time()
cycles = find_cycles(payer, payee, day, max_len=MAX_LEN, window_days=WINDOW_DAYS)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu, "loops": len(cycles), "edges_sum": int(cycles.edges.sum()),
                  "offsets_sum": int(cycles.offsets.sum())}))
"""


def previous_code(src: Path, firms: int, deals: int) -> dict[str, float]:
    """find_cycles of another checkout's ``src`` on the same graph, in a fresh process: seconds and checksums."""
    here = str(Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", PREVIOUS, str(src), here, str(firms), str(deals)], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=FIRMS)
    parser.add_argument("--deals", type=int, default=DEALS)
    parser.add_argument("--old-src", type=Path, help="src folder of the previous code, timed on the same graph")
    parser.add_argument("--no-networkx", action="store_true", help="skip the networkx baseline")
    args = parser.parse_args()
    agreement_check()
    payer, payee, day = power_law_deals(args.firms, args.deals, SEED)
    degree = np.bincount(payer, minlength=args.firms) + np.bincount(payee, minlength=args.firms)
    print(
        f"graph: {args.firms:,} firms, {len(payer):,} deals, max degree {degree.max():,}, "
        f"median degree {int(np.median(degree))}, dates over {SPAN_DAYS // 365} years"
    )
    # load the compiled search before timing: from COMPILED_MIN_EDGES edges the search runs compiled
    warm = COMPILED_MIN_EDGES * 2
    find_cycles(payer[:warm], payee[:warm], day[:warm], max_len=MAX_LEN, window_days=WINDOW_DAYS)
    start, cpu = time.perf_counter(), time.process_time()
    cycles = find_cycles(payer, payee, day, max_len=MAX_LEN, window_days=WINDOW_DAYS)
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    after_ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    lengths = np.bincount(cycles.lengths(), minlength=MAX_LEN + 1)[2:]
    print(
        f"ours: {len(cycles):,} loops of length 2..{MAX_LEN} within {WINDOW_DAYS} days "
        f"(by length: {', '.join(f'{n:,}' for n in lengths)}) in {ours:.2f} s wall, {ours_cpu:.2f} s CPU; "
        f"peak resident memory so far {after_ours:.0f} MiB"
    )
    if args.old_src:
        old = previous_code(args.old_src, args.firms, args.deals)
        same = (old["loops"], old["edges_sum"], old["offsets_sum"]) == (
            len(cycles),
            int(cycles.edges.sum()),
            int(cycles.offsets.sum()),
        )
        print(
            f"previous code ({args.old_src}): {old['loops']:,} loops in {old['wall']:.2f} s wall, "
            f"{old['cpu']:.2f} s CPU; ratio {old['wall'] / ours:.1f}x wall, {old['cpu'] / ours_cpu:.1f}x CPU; "
            f"same loops (count and checksums): {same}"
        )
    if not args.no_networkx:
        seen, base, finished = baseline(payer, payee, BASELINE_LIMIT_S)
        bound = "" if finished else " (stopped: lower bound)"
        print(f"networkx simple_cycles(length_bound={MAX_LEN}), no window: {seen:,} cycles in {base:.1f} s{bound}")
        print(f"ratio baseline / ours: {'>= ' if not finished else ''}{base / ours:.1f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"peak resident memory of the process: {rss:.0f} MiB (target < 4096 MiB); ours < 30 s: {ours < 30}")


if __name__ == "__main__":
    main()
