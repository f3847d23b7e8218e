"""Benchmark: every pairwise merger among n single-product logit Bertrand firms in one ``screen_all`` call.

Baseline: the previous code (one ζ-markup iteration over a (pairs × products) array), run from a detached
worktree of the commit before the firm-level solve, on the same case in the same run. Each side runs in a fresh
subprocess: wall seconds, CPU seconds (user + system) and peak resident memory (ru_maxrss). The largest
difference between the two result tables is printed too. Targets: 400 firms under 10 s and 2 GB, 1,000 firms
under 2 minutes (the baseline is skipped at 1,000: it needs ~50 GB).
Each pair is solved by a compiled (Numba) Newton iteration and its HHI and ΔHHI summed exactly by a compiled
kernel (issue 19); ``--old-src`` may also point at a worktree of 2b908b8^ (the NumPy firm-level solve with
math.fsum per row, about 70 s at 400 firms).
Run: .venv/bin/python bench/bench_simulate_screen.py [--old-src DIR] [--sizes 100,400,1000]
(without ``--old-src`` the baseline commit 7fd16cb is checked out in a temporary worktree and removed afterwards).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from _baseline import baseline_src

OLD_MAX_FIRMS = 400  # the baseline's (pairs × products) arrays: 3.1 GB at 400 firms, ~50 GB at 1,000

CHILD = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from marketpower.simulate import screen_all
n = int(sys.argv[2])
rng = np.random.default_rng(0)
shares = rng.uniform(0.5, 1.5, n)
firms = [f"F{i}" for i in range(n)]
case = {"demand": "logit", "prices": rng.uniform(8, 12, n).tolist(), "shares": (shares / shares.sum() * 0.8).tolist(),
        "margins": [0.3] + [None] * (n - 1), "owner_pre": firms, "owner_post": firms}
wall, cpu = time.perf_counter(), time.process_time()
frame = screen_all(case)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
frame.to_parquet(sys.argv[3])
print(json.dumps({"wall": wall, "cpu": cpu, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(src: str, n_firms: int, out: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, src, str(n_firms), str(out)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old-src", help="src/ of a checkout of the previous code (default: 7fd16cb, checked out)")
    parser.add_argument("--sizes", default="100,400,1000")
    args = parser.parse_args()
    new_src = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory() as tmp, baseline_src("7fd16cb", args.old_src) as old_src:
        for n in [int(x) for x in args.sizes.split(",")]:
            ours = run(new_src, n, Path(tmp) / "new.parquet")
            line = (
                f"{n} firms, {n * (n - 1) // 2} pairs: ours {ours['wall']:.2f} s wall, {ours['cpu']:.2f} s CPU, "
                f"peak {ours['peak_mib']:.0f} MiB"
            )
            if n <= OLD_MAX_FIRMS:
                old = run(old_src, n, Path(tmp) / "old.parquet")
                new_frame, old_frame = (
                    pd.read_parquet(Path(tmp) / "new.parquet"),
                    pd.read_parquet(Path(tmp) / "old.parquet"),
                )
                numeric = new_frame.select_dtypes("number").columns
                diff = float(np.abs(new_frame[numeric].to_numpy() - old_frame[numeric].to_numpy()).max())
                line += (
                    f"; previous code {old['wall']:.2f} s wall, {old['cpu']:.2f} s CPU, "
                    f"peak {old['peak_mib']:.0f} MiB; "
                    f"ratio {old['wall'] / ours['wall']:.1f}x wall, {old['cpu'] / ours['cpu']:.1f}x CPU; "
                    f"max |difference| {diff:.1e}"
                )
            else:
                line += "; previous code not run at this size"
            target = {400: (10.0, 2048.0), 1000: (120.0, float("inf"))}.get(n)
            if target:
                met = ours["wall"] < target[0] and ours["peak_mib"] < target[1]
                met_cpu = ours["cpu"] < target[0] and ours["peak_mib"] < target[1]
                line += (
                    f"; target < {target[0]:.0f} s"
                    + (" and 2 GB" if n == 400 else "")
                    + f": {'met' if met else 'NOT met'} by wall time, {'met' if met_cpu else 'NOT met'} by CPU time"
                    " (on a loaded machine the wall time counts other jobs' share of the CPUs)"
                )
            print(line, flush=True)


if __name__ == "__main__":
    main()
