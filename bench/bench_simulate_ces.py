"""Benchmark: a calibrated CES merger at 400 products / 100 firms, ours (one Lerner index per firm: Newton on the
firms' revenue shares, O(n)) against previous code run from detached worktrees on the same case in the same run:
commit 18fca7b (analytic Jacobian of the n first-order conditions, dense Newton) and commit 6ce8ed2 (MINPACK with a
finite-difference Jacobian: one FOC evaluation per product and step). Each side: the least wall and CPU seconds of
3 calls in one fresh process; the largest relative price difference is printed. Target: under 30 ms at 400 products.
Run: .venv/bin/python bench/bench_simulate_ces.py [--old-src /tmp/mp_pre_ces/src --old-src /tmp/mp_old_ces/src]
[--products 400]  (without ``--old-src`` the two baseline commits, 18fca7b and 6ce8ed2, are checked out in
temporary worktrees and removed afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _baseline import baseline_src

#: the previous code: 18fca7b (dense analytic Newton) and 6ce8ed2 (finite-difference Jacobian)
BASELINES = ("18fca7b", "6ce8ed2")

CHILD = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from marketpower.simulate import simulate_case
n = int(sys.argv[2])
rng = np.random.default_rng(0)
shares = rng.uniform(0.5, 1.5, n)
firms = [f"F{i // 4}" for i in range(n)]
post = ["F0" if f == "F1" else f for f in firms]
case = {"demand": "ces", "prices": rng.uniform(8, 12, n).tolist(), "shares": (shares / shares.sum() * 0.8).tolist(),
        "margins": [0.3] + [None] * (n - 1), "owner_pre": firms, "owner_post": post, "insize": 1000.0}
best_wall = best_cpu = float("inf")
for _ in range(3):
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate_case(case)
    best_wall, best_cpu = min(best_wall, time.perf_counter() - wall), min(best_cpu, time.process_time() - cpu)
print(json.dumps({"wall": best_wall, "cpu": best_cpu, "prices": np.asarray(result.prices_post).tolist()}))
"""


def run(src: str, n: int) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CHILD, src, str(n)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old-src", action="append", help="src/ of a baseline checkout (repeatable)")
    parser.add_argument("--products", type=int, default=400)
    args = parser.parse_args()
    ours = run(str(Path(__file__).resolve().parents[1] / "src"), args.products)
    ow, oc = float(ours["wall"]), float(ours["cpu"])  # type: ignore[arg-type]
    print(f"CES merger, {args.products} products: ours {ow * 1e3:.1f} ms wall, {oc * 1e3:.1f} ms CPU; "
          f"target < 30 ms: wall {'met' if ow < 0.03 else 'NOT met'}, CPU {'met' if oc < 0.03 else 'NOT met'} "
          f"(load average {os.getloadavg()[0]:.1f})")
    givens = [*(args.old_src or []), *[None] * len(BASELINES)][: len(BASELINES)]
    for commit, given in zip(BASELINES, givens, strict=True):
        with baseline_src(commit, given) as src:
            old = run(src, args.products)
        diff = max(abs(a / b - 1.0) for a, b in zip(ours["prices"], old["prices"], strict=True))  # type: ignore[call-overload]
        bw, bc = float(old["wall"]), float(old["cpu"])  # type: ignore[arg-type]
        print(f"  baseline {commit}: {bw * 1e3:.1f} ms wall, {bc * 1e3:.1f} ms CPU; ratio {bw / ow:.1f}x wall, "
              f"{bc / oc:.1f}x CPU; max relative price difference {diff:.1e}")


if __name__ == "__main__":
    main()
