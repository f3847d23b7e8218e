"""Benchmark: merger simulation at scale — a Bertrand-logit case with one firm per product (two merge).

Two measurements, each in a fresh process whose peak resident memory (ru_maxrss) is read back with ``os.wait4``:
- CLI: ``marketpower simulate CASE --json > file`` (parse, calibrate, solve, screens, JSON output);
- in-process: ``simulate_case(case)`` alone (issue 19's structured Jacobian target).

Baseline: the same commands run from another checkout of the code (``--baseline-src``, e.g. a ``git worktree``
of the commit before the scale work, /tmp/mp_sim_head/src), on the same inputs, at the sizes it can do; at
sizes it cannot do within ``--baseline-limit-s`` the recorded figures of issue 18 / 14 are named as recorded.
Targets: CLI 3,000 products < 3 s and < 1 GB; 10,000 < 30 s and < 4 GB; in-process 10,000 < 1 s and < 1 GB,
100,000 < 30 s and < 4 GB.
Run (baseline = b17f7a3, the commit before the scale work):
  git worktree add --detach /tmp/mp_sim_head b17f7a3
  .venv/bin/python bench/bench_simulate_scale.py --baseline-src /tmp/mp_sim_head/src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
RECORDED = {  # issue 18 "Scale" / issue 14 item 17, recorded through the CLI before this work (not measured here)
    3000: "57 s, 6.5 GB (recorded in issue 18)",
    10000: "> 120 s, > 14 GB, killed (recorded in issue 14)",
}


def make_case(n_products: int, seed: int = 0) -> dict:
    """Inside share 0.7, prices 5-15, one known margin (0.4), one firm per product; F1 merges into F0."""
    rng = np.random.default_rng(seed)
    shares = rng.uniform(0.5, 1.5, n_products)
    firms = [f"F{i}" for i in range(n_products)]
    return {
        "demand": "logit",
        "prices": rng.uniform(5, 15, n_products).tolist(),
        "shares": (shares / shares.sum() * 0.7).tolist(),
        "margins": [0.4] + [None] * (n_products - 1),
        "owner_pre": firms,
        "owner_post": ["F0" if f == "F1" else f for f in firms],
    }


IN_PROCESS = (
    "import json, sys, time; from marketpower.simulate import simulate_case; "
    "case = json.load(open(sys.argv[1])); t = time.perf_counter(); simulate_case(case); "
    "print(time.perf_counter() - t)"
)


def run(argv: list[str], src: Path, limit_s: float, stdout_path: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS GiB, status) of one fresh process with ``src`` first on PYTHONPATH."""
    env = os.environ | {"PYTHONPATH": str(src)}
    start = time.perf_counter()
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        timer = threading.Timer(limit_s, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)  # reaps the child and returns its own rusage
        timer.cancel()
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
    wall = time.perf_counter() - start
    peak = usage.ru_maxrss / 2**20  # KiB -> GiB
    cpu = usage.ru_utime + usage.ru_stime  # the process's own CPU seconds: less sensitive to a loaded machine
    code = os.waitstatus_to_exitcode(status)
    state = "killed at limit" if wall >= limit_s else ("ok" if code == 0 else f"exit {code}")
    state += f", CPU {cpu:.2f} s"
    if code != 0:
        state += f": {lines[-1][:200] if lines else 'no message'}"
    return wall, peak, state


def measure(
    src: Path, case_path: Path, limit_s: float, tmp: Path, cli_too: bool = True
) -> dict[str, tuple[float, float, str]]:
    result = {}
    if cli_too:
        cli = [sys.executable, "-c", "from marketpower.cli import main; main()", "simulate", str(case_path), "--json"]
        result["cli"] = run(cli, src, limit_s, tmp / "out.json")
    _, peak, state = run([sys.executable, "-c", IN_PROCESS, str(case_path)], src, limit_s, tmp / "t.txt")
    solve = float((tmp / "t.txt").read_text() or "nan") if state.startswith("ok") else float("nan")
    result["in-process"] = (solve, peak, state)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,3000,10000,100000")
    parser.add_argument("--baseline-src", type=Path, default=None, help="src/ of the baseline checkout")
    parser.add_argument("--baseline-limit-s", type=float, default=120.0)
    parser.add_argument("--baseline-max-n", type=int, default=2000, help="largest size given to the baseline CLI")
    parser.add_argument(
        "--baseline-max-n-in-process", type=int, default=10000, help="largest size given to the baseline solve"
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for n in (int(x) for x in args.sizes.split(",")):
            case_path = tmp / f"case_{n}.json"
            case_path.write_text(json.dumps(make_case(n)))
            ours = measure(HERE / "src", case_path, 600.0, tmp)
            base: dict[str, tuple[float, float, str]] = {}
            if args.baseline_src is not None and n <= args.baseline_max_n_in_process:
                cli_too = n <= args.baseline_max_n
                base = measure(args.baseline_src, case_path, args.baseline_limit_s, tmp, cli_too)
            for kind in ("cli", "in-process"):
                t, mem, state = ours[kind]
                line = f"{n:>7,} products, {kind:<10}: ours {t:8.3f} s, peak RSS {mem:5.2f} GiB ({state})"
                if kind in base:
                    bt, bmem, bstate = base[kind]
                    line += (
                        f"; baseline {bt:8.3f} s, {bmem:5.2f} GiB ({bstate}); "
                        f"ratio {bt / t:6.1f}x time, {bmem / mem:5.1f}x memory"
                    )
                elif kind == "cli" and n in RECORDED:
                    line += f"; baseline {RECORDED[n]}"
                print(line, flush=True)
            os.remove(case_path)


if __name__ == "__main__":
    main()
