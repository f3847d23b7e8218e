"""Benchmark: latency of everyday commands, each run in a fresh process (what a user waits for).

Commands: ``marketpower --help``, ``hhi --shares 0.3,0.7``, ``simulate examples/cases/logit_three_firms.json``
(three products) and ``markets``, each beside ``python -c "pass"`` (the interpreter's own start) and
``python -c "import pandas"`` (the baseline: what one import of pandas costs on this machine), with the ratio
of each command's median to the pandas import. Every process is a fresh ``python`` started from here, so figures
include the interpreter's start; min and median of ``--runs`` (at least 5). The first run after an edit of
``cli/*.py`` builds the command index (see marketpower.cli.lazy); one untimed warm-up run per command keeps it
out of the figures, as on a user's machine after the first call.

Targets (issue 19, on an idle 2-core machine): --help < 0.3 s, hhi and simulate < 0.5 s, markets < 0.6 s.
With ``--baseline-src DIR`` (a ``git worktree`` of an older commit's ``src``) the same commands also run from
that code on the same inputs; otherwise the issue's recorded figures are printed, named as recorded.
Run:  .venv/bin/python bench/bench_cli.py [--runs 7] [--baseline-src /tmp/mp_old/src]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CASE = HERE / "examples" / "cases" / "logit_three_firms.json"
ENTRY = "from marketpower.cli import main; main()"
COMMANDS = {
    "--help": ["--help"],
    "hhi": ["hhi", "--shares", "0.3,0.7"],
    "simulate (3 products)": ["simulate", str(CASE)],
    "markets": ["markets"],
}
TARGETS_S = {"--help": 0.3, "hhi": 0.5, "simulate (3 products)": 0.5, "markets": 0.6}
#: Issue 19, measured on a 2-core machine before this work (not measured here).
RECORDED_S = {"--help": 1.0, "hhi": 0.93, "simulate (3 products)": 0.93, "markets": 1.8}


def timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """Min and median wall-clock seconds and median CPU seconds (user + system of the child) of ``argv`` over
    ``runs`` fresh processes (output discarded)."""
    seconds, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
        seconds.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return min(seconds), statistics.median(seconds), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per command (at least 5)")
    parser.add_argument("--baseline-src", type=Path, help="src folder of another checkout to time the same way")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="mp-bench-cli-") as cache:
        env = {**os.environ, "MARKETPOWER_CACHE_DIR": cache}
        if args.baseline_src:
            old_env = {**env, "PYTHONPATH": str(args.baseline_src.resolve())}
        print(f"{runs} fresh processes each; load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
        floor = timed([py, "-c", "pass"], env, runs)
        pandas = timed([py, "-c", "import pandas"], env, runs)
        print(f"{'python -c pass':32s} min {floor[0]:6.3f} s  median {floor[1]:6.3f} s  CPU {floor[2]:6.3f} s")
        baseline = "python -c 'import pandas'"
        print(f"{baseline:32s} min {pandas[0]:6.3f} s  median {pandas[1]:6.3f} s  CPU {pandas[2]:6.3f} s (baseline)")
        head = f"{'command':24s} {'min s':>7s} {'median s':>9s} {'CPU s':>6s} {'/pandas':>8s} {'target s':>9s}"
        print(f"{head}  old code")
        for label, words in COMMANDS.items():
            argv = [py, "-c", ENTRY, *words]
            timed(argv, env, 1)  # warm-up: builds the command index once, as a user's first call does
            best, median, cpu = timed(argv, env, runs)
            if args.baseline_src:
                old_best, old_median, old_cpu = timed(argv, old_env, runs)
                speedup = old_median / median
                old = (
                    f"min {old_best:.3f} median {old_median:.3f} s, CPU {old_cpu:.3f} s "
                    f"(measured; {speedup:.1f}x the new median, {old_cpu / cpu:.1f}x its CPU)"
                )
            else:
                old = f"{RECORDED_S[label]:.2f} s (recorded in issue 19, not measured here)"
            verdict = "meets" if median < TARGETS_S[label] else "misses"
            print(
                f"{label:24s} {best:7.3f} {median:9.3f} {cpu:6.3f} {median / pandas[1]:7.2f}x "
                f"{TARGETS_S[label]:8.2f} {verdict}  {old}"
            )


if __name__ == "__main__":
    main()
