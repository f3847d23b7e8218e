"""Benchmark: a calibrated nested-logit merger at 400 products / 100 firms / 4 nests (α and one ρ per nest from five
known margins: an exact calibration), ours (least squares with the analytic Jacobian of the margins in α and ρ)
against the previous code (finite-difference columns, one markup solve per parameter and step; commit 51b5b54 from a
detached worktree) on the same case in the same run. The margins are those of a known nested logit (α = −0.4,
ρ = 0.3 / 0.5 / 0.6 / 0.7) computed by our code in the parent process, so both sides must recover it. Each side: the
least wall and CPU seconds of 3 calls in one fresh process; the largest relative price difference and the recovered
parameters are printed. Target: under 30 ms at 400 products.
Run: .venv/bin/python bench/bench_simulate_nested.py [--old-src DIR] [--products 400]
(without ``--old-src`` the baseline commit is checked out in a temporary worktree and removed afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from _baseline import baseline_src

HERE = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from marketpower.simulate import simulate_case
case = json.load(open(sys.argv[2]))
best_wall = best_cpu = float("inf")
for _ in range(3):
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate_case(case)
    best_wall, best_cpu = min(best_wall, time.perf_counter() - wall), min(best_cpu, time.process_time() - cpu)
print(json.dumps({"wall": best_wall, "cpu": best_cpu, "prices": np.asarray(result.prices_post).tolist(),
                  "parameters": result.parameters}))
"""


def make_case(n: int) -> dict[str, object]:
    """Shares, prices and owners drawn once (seed 0); the margins of five products (one per nest, plus one) are
    the Bertrand margins of the nested logit α = −0.4, ρ = (0.3, 0.5, 0.6, 0.7) at these data."""
    sys.path.insert(0, str(HERE / "src"))
    from marketpower.simulate.bertrand import markups
    from marketpower.simulate.groups import group_sum
    from marketpower.simulate.logit import NestedLogit
    from marketpower.simulate.ownership import Ownership

    rng = np.random.default_rng(0)
    shares = rng.uniform(0.5, 1.5, n)
    shares = shares / shares.sum() * 0.8
    prices = rng.uniform(8, 12, n)
    nests = np.arange(n) % 4
    firms = [f"F{i // 4}" for i in range(n)]
    rho = np.array([0.3, 0.5, 0.6, 0.7])[nests]
    within = shares / group_sum(shares, nests)
    meanval = np.log(shares) - np.log(1 - shares.sum()) - rho * np.log(within)
    demand = NestedLogit(-0.4, rho, nests, meanval, prices)
    margins = markups(demand, prices, Ownership.from_firms(firms)) / prices
    known = [m if j < 5 else None for j, m in enumerate(margins.tolist())]
    return {"demand": "nested_logit", "prices": prices.tolist(), "shares": shares.tolist(), "margins": known,
            "nests": [f"N{h}" for h in nests], "owner_pre": firms,
            "owner_post": ["F0" if f == "F1" else f for f in firms], "insize": 1000.0}


def run(src: str, case_path: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CHILD, src, str(case_path)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old-src", help="src/ of a checkout of the previous code (default: 51b5b54, checked out)")
    parser.add_argument("--products", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        case_path = Path(folder) / "case.json"
        case_path.write_text(json.dumps(make_case(args.products)))
        ours = run(str(HERE / "src"), case_path)
        with baseline_src("51b5b54", args.old_src) as old_src:
            old = run(old_src, case_path)
    diff = max(abs(a / b - 1.0) for a, b in zip(ours["prices"], old["prices"], strict=True))  # type: ignore[call-overload]
    ow, oc, bw, bc = (float(x) for x in (ours["wall"], ours["cpu"], old["wall"], old["cpu"]))  # type: ignore[arg-type]
    params = ours["parameters"]
    print(
        f"nested-logit merger, {args.products} products: ours {ow * 1e3:.1f} ms wall, {oc * 1e3:.1f} ms CPU; "
        f"previous code {bw * 1e3:.1f} ms wall, {bc * 1e3:.1f} ms CPU; ratio {bw / ow:.1f}x wall, {bc / oc:.1f}x CPU; "
        f"max relative price difference {diff:.1e}; recovered alpha {params['alpha']:.6f}, "  # type: ignore[index]
        f"rho {[round(v, 6) for v in params['rho'].values()]}; "  # type: ignore[index]
        f"target < 30 ms: wall {'met' if ow < 0.03 else 'NOT met'}, CPU {'met' if oc < 0.03 else 'NOT met'} "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
