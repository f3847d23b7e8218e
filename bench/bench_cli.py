"""Benchmark: latency of everyday commands, each run in a fresh process (what a user waits for).

Commands: ``marketpower --help``, ``hhi --shares 0.3,0.7``, ``simulate examples/cases/logit_three_firms.json``
(three products), ``markets`` and ``loops`` (the bundled deal web and its 200 rewirings), each beside
``python -c "pass"`` (the interpreter's own start) and ``python -c "import pandas"`` (what one import of pandas
costs on this machine), with the ratio of each command's median to the pandas import. Every process is a fresh
``python`` started from here, so figures include the interpreter's start; median wall-clock seconds and median
CPU seconds (user + system of the child, ``RUSAGE_CHILDREN``) of ``--runs`` (at least 5), the new and the
previous code taking turns run by run. On a shared machine
the CPU figure is the one to compare: waiting for a core stretches wall time, not CPU time. The load average is
printed before and after.

The baseline is the previous code, timed in the same run on the same commands: ``src`` of a temporary
``git worktree`` of ``--baseline-commit`` (default: the commit before issue 19's lazy simulate / Parquet
``markets`` / interpreted small-web loops work), or ``--old-src`` (the ``src`` folder of any checkout). Each side
gets one untimed warm-up run per command first (the command index, the cached store and its tables are built
once, as on a user's machine after the first call). Both sides read the same bundled package, the
baseline's: "now" runs from a temporary copy of the working tree's ``src`` holding the baseline's package (the
working tree's may have columns the previous code rejects); ``--own-packages`` lets each side read its own.

Targets (issue 19, on an idle 2-core machine): --help < 0.3 s, hhi and simulate < 0.5 s, markets < 0.6 s.
Run:  .venv/bin/python bench/bench_cli.py [--runs 7] [--baseline-commit 681d0e2 | --old-src /tmp/mp_old/src]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _baseline import REPO, baseline_src

CASE = REPO / "examples" / "cases" / "logit_three_firms.json"
PACKAGE = Path("marketpower", "datasets", "aistack")  # the bundled package, inside a src folder
ENTRY = "from marketpower.cli import main; main()"
COMMANDS = {
    "--help": ["--help"],
    "hhi": ["hhi", "--shares", "0.3,0.7"],
    "simulate (3 products)": ["simulate", str(CASE)],
    "markets": ["markets"],
    "loops (bundled web)": ["loops"],
}
TARGETS_S = {"--help": 0.3, "hhi": 0.5, "simulate (3 products)": 0.5, "markets": 0.6}
#: The commit before this benchmark's last round of work (lazy simulate tables, Parquet ``markets``, loops).
BASELINE_COMMIT = "681d0e2"


def once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system of the child) of one fresh process (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def timed(argv: list[str], envs: list[dict[str, str]], runs: int) -> list[tuple[float, float]]:
    """Median wall-clock and median CPU seconds of ``argv`` under each of ``envs`` over ``runs`` rounds, the
    sides taking turns within each round (so a change in the machine's load falls on both alike)."""
    samples: list[list[tuple[float, float]]] = [[] for _ in envs]
    for _ in range(runs):
        for side, env in enumerate(envs):
            samples[side].append(once(argv, env))
    return [(statistics.median(w for w, _ in s), statistics.median(c for _, c in s)) for s in samples]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def with_package(src: Path, package_from: str, folder: Path) -> str:
    """A copy of ``src`` in ``folder`` whose bundled package is the one under ``package_from`` (a src folder)."""
    copy = folder / "src"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(copy / PACKAGE)
    shutil.copytree(Path(package_from) / PACKAGE, copy / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    return str(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per command and side (at least 5)")
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT, help="commit of the previous code")
    parser.add_argument("--old-src", help="src folder of the previous code (instead of a worktree of the commit)")
    parser.add_argument("--only", nargs="*", choices=list(COMMANDS), help="time only these commands")
    parser.add_argument("--own-packages", action="store_true", help="each side reads its own bundled package")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    py = sys.executable
    commands = {k: v for k, v in COMMANDS.items() if not args.only or k in args.only}
    with (
        tempfile.TemporaryDirectory(prefix="mp-bench-cli-") as cache,
        tempfile.TemporaryDirectory(prefix="mp-bench-cli-src-") as copies,
        baseline_src(args.baseline_commit, args.old_src) as old_src,
    ):
        now_src = str(REPO / "src") if args.own_packages else with_package(REPO / "src", old_src, Path(copies))
        env = {**os.environ, "MARKETPOWER_CACHE_DIR": cache, "PYTHONPATH": now_src}
        old_env = {**env, "PYTHONPATH": old_src}
        print(f"{runs} fresh processes per command and side; {load()}")
        print(f"baseline: {args.old_src or f'commit {args.baseline_commit}'} ({old_src})")
        print("bundled package: " + ("each side its own" if args.own_packages else "the baseline's, on both sides"))
        floor, pandas = (timed([py, "-c", code], [env], runs)[0] for code in ("pass", "import pandas"))
        print(f"{'python -c pass':26s} median {floor[0]:6.3f} s  CPU {floor[1]:6.3f} s")
        print(f"{'python -c import pandas':26s} median {pandas[0]:6.3f} s  CPU {pandas[1]:6.3f} s")
        print(
            f"{'command':24s} {'now: wall':>10s} {'CPU':>7s} {'CPU/pandas':>10s} {'before: wall':>13s} {'CPU':>7s}"
            f" {'CPU ratio':>9s}  target (idle wall; judged on CPU, what idle wall comes to)"
        )
        for label, words in commands.items():
            argv = [py, "-c", ENTRY, *words]
            timed(argv, [env, old_env], 1)  # warm-up: the command index, the cached store and tables, built once
            (wall, cpu), (old_wall, old_cpu) = timed(argv, [env, old_env], runs)
            target = TARGETS_S.get(label)
            verdict = f"< {target:.2f} s: {'meets' if cpu < target else 'misses'}" if target else "-"
            print(
                f"{label:24s} {wall:9.3f}s {cpu:6.3f}s {cpu / pandas[1]:9.2f}x {old_wall:12.3f}s {old_cpu:6.3f}s"
                f" {old_cpu / cpu:8.2f}x  {verdict}"
            )
        print(f"after: {load()}")


if __name__ == "__main__":
    main()
