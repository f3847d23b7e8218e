"""Common-ownership κ at 13F scale against a straightforward pandas merge-and-groupby.

Synthetic quarter: 5,000 investors × 6,000 firms, 3,000,000 holdings (each firm's institutional ownership
drawn in 30-90%, split among its holders); all pairwise κ_fg among 1,500 chosen firms (S&P 1500 size).

Ours: :func:`marketpower.measures.common_ownership.kappa` (validation, sparse B, one product BᵀB).
Baseline: self-merge of the holdings on investor, product of fractions, groupby (firm_f, firm_g) sum, divided
by the (f, f) term. Its work is one row per (investor, f, g) triple: Σ_i n_i² rows, ~10⁸ at full scale, too
big to run here in the time budget, so it runs on two subsets of investors (same firms); we compare κ on the
larger (must agree to 1e-9) and extrapolate its time as fixed cost + marginal cost × merged rows (Σ_i n_i²,
what its merge and groupby scale with), the marginal cost fitted on the two subsets.
Both sides are timed the same way (perf_counter and process_time, nothing traced). Memory is measured in a
separate run, a fresh process that builds the same quarter and runs only our κ: its resident memory before κ
and its peak during κ (VmRSS, then VmHWM reset and read), so tracing never slows the timed run (tracemalloc
around 3M strings cost ~9×).
Targets: ours < 10 s and < 4 GB; baseline / ours ≥ 50 in both wall-clock and CPU time (CPU time is printed
too because a shared machine's load swings wall-clock times of either side).

Run: ``python bench/bench_kappa.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from marketpower.measures.common_ownership import kappa

N_INVESTORS, N_FIRMS, N_HOLDINGS, N_CHOSEN = 5_000, 6_000, 3_000_000, 1_500
SUBSET_INVESTORS = 250
SEED = 20261126


def synthetic_quarter(rng: np.random.Generator) -> pd.DataFrame:
    """3M distinct (investor, firm) holdings; per firm the fractions add to its institutional ownership."""
    cells = rng.choice(N_INVESTORS * N_FIRMS, size=N_HOLDINGS, replace=False)
    investor, firm = np.divmod(cells, N_FIRMS)
    weight = rng.pareto(1.5, size=N_HOLDINGS) + 0.01
    firm_total = np.bincount(firm, weights=weight, minlength=N_FIRMS)
    institutional = rng.uniform(0.3, 0.9, size=N_FIRMS)
    fraction = weight / firm_total[firm] * institutional[firm]
    return pd.DataFrame(
        {
            "investor": np.array([f"I{i:05d}" for i in range(N_INVESTORS)], dtype=object)[investor],
            "firm": np.array([f"F{j:05d}" for j in range(N_FIRMS)], dtype=object)[firm],
            "fraction": fraction,
        }
    )


def pandas_kappa(holdings: pd.DataFrame, firms: list[str]) -> pd.DataFrame:
    """The straightforward formula: merge on investor, multiply, group by firm pair, divide by the own term."""
    sub = holdings[holdings["firm"].isin(firms)]
    pairs = sub.merge(sub, on="investor", suffixes=("_f", "_g"))
    pairs["product"] = pairs["fraction_f"] * pairs["fraction_g"]
    numerator = pairs.groupby(["firm_f", "firm_g"])["product"].sum()
    own = numerator[numerator.index.get_level_values(0) == numerator.index.get_level_values(1)]
    own.index = own.index.get_level_values(0)
    ratio = numerator / own.reindex(numerator.index.get_level_values(0)).to_numpy()
    return ratio.unstack(fill_value=0.0).reindex(index=firms, columns=firms, fill_value=0.0)


def merged_rows(holdings: pd.DataFrame, firms: list[str]) -> int:
    """Σ_i n_i², the number of rows the baseline's self-merge produces."""
    counts = holdings.loc[holdings["firm"].isin(firms), "investor"].value_counts().to_numpy(dtype=np.int64)
    return int(np.sum(counts * counts))


def rss_gb() -> float:
    """Peak resident memory of this process so far, GB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def _status_gb(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS, VmHWM), GB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024 / 1e9
    raise SystemExit(f"no {field} in /proc/self/status")


def memory_run() -> None:
    """The separate memory run: same quarter and firms, our κ only; prints the resident memory with the quarter
    built and the peak during κ (the peak is reset first through /proc/self/clear_refs, so building the quarter's
    own peak does not hide κ's)."""
    rng = np.random.default_rng(SEED)
    holdings = synthetic_quarter(rng)
    firms = sorted(rng.choice(holdings["firm"].unique(), size=N_CHOSEN, replace=False).tolist())
    before = _status_gb("VmRSS")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as reset:
        reset.write("5")
    kappa(holdings, firms)
    print(f"{before:.3f} {_status_gb('VmHWM'):.3f}")


def measure_memory() -> tuple[float, float]:
    """(resident memory with the quarter built, peak resident memory during κ) in GB, from :func:`memory_run` in
    a fresh process (Linux)."""
    done = subprocess.run(
        [sys.executable, __file__, "--memory-run"], capture_output=True, text=True, check=True, timeout=600
    )
    before, after = (float(x) for x in done.stdout.split())
    return before, after


def main() -> None:
    rng = np.random.default_rng(SEED)
    t0 = time.perf_counter()
    holdings = synthetic_quarter(rng)
    print(f"synthetic quarter: {len(holdings):,} holdings, {N_INVESTORS:,} investors, {N_FIRMS:,} firms "
          f"({time.perf_counter() - t0:.1f} s to build)")  # fmt: skip
    firms = sorted(rng.choice(holdings["firm"].unique(), size=N_CHOSEN, replace=False).tolist())

    t0, c0 = time.perf_counter(), time.process_time()
    ours = kappa(holdings, firms)
    ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"ours:     {ours.shape[0]:,} × {ours.shape[1]:,} κ in {ours_s:.2f} s wall, {ours_cpu:.2f} s CPU")
    rss_before, rss_after = measure_memory()
    peak_gb = rss_after
    print(f"memory (separate run, fresh process): RSS {rss_before:.2f} GB with the quarter built, "
          f"peak {rss_after:.2f} GB during κ (κ adds {rss_after - rss_before:.2f} GB at its peak)")  # fmt: skip

    investors = sorted(holdings["investor"].unique())[:SUBSET_INVESTORS]
    subset = holdings[holdings["investor"].isin(investors)]
    t0, c0 = time.perf_counter(), time.process_time()
    base = pandas_kappa(subset, firms)
    base_subset_s, base_subset_cpu = time.perf_counter() - t0, time.process_time() - c0
    present = set(subset["firm"])
    held = [f for f in firms if f in present]
    ours_subset = kappa(subset, held)
    diff = float(np.max(np.abs(base.loc[held, held].to_numpy() - ours_subset.to_numpy())))
    rows_subset, rows_full = merged_rows(subset, firms), merged_rows(holdings, firms)
    print(f"baseline: pandas merge+groupby on {SUBSET_INVESTORS} investors ({rows_subset:,} merged rows) "
          f"in {base_subset_s:.2f} s wall, {base_subset_cpu:.2f} s CPU; "
          f"max |κ_pandas − κ_ours| = {diff:.2e} on {len(held):,} firms")  # fmt: skip
    half = holdings[holdings["investor"].isin(investors[: SUBSET_INVESTORS // 2])]
    rows_half = merged_rows(half, firms)
    t0, c0 = time.perf_counter(), time.process_time()
    pandas_kappa(half, firms)
    half_s, half_cpu = time.perf_counter() - t0, time.process_time() - c0
    # time = fixed + per_row · rows, fitted on the two subsets: the marginal cost per row, not the average,
    # carries to full scale (conservative: it credits the baseline with its fixed costs only once).
    per_row = (base_subset_s - half_s) / (rows_subset - rows_half)
    per_row_cpu = (base_subset_cpu - half_cpu) / (rows_subset - rows_half)
    base_full_s = base_subset_s + per_row * (rows_full - rows_subset)
    base_full_cpu = base_subset_cpu + per_row_cpu * (rows_full - rows_subset)
    print(f"baseline on {SUBSET_INVESTORS // 2} investors ({rows_half:,} rows): {half_s:.2f} s; marginal cost "
          f"{1e9 * per_row:.0f} ns per merged row")  # fmt: skip
    print(f"baseline extrapolated to all {N_INVESTORS:,} investors ({rows_full:,} merged rows): "
          f"{base_full_s:.1f} s wall, {base_full_cpu:.1f} s CPU")  # fmt: skip
    ratio, ratio_cpu = base_full_s / ours_s, base_full_cpu / ours_cpu
    max_rss_gb = rss_gb()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other jobs slow wall-clock times)")
    print(f"ratio baseline / ours: {ratio:.0f}x wall, {ratio_cpu:.0f}x CPU   (process max RSS {max_rss_gb:.2f} GB)")
    ok = ours_s < 10 and peak_gb < 4 and min(ratio, ratio_cpu) >= 50 and diff <= 1e-9
    print("targets (< 10 s, < 4 GB, >= 50x, agree to 1e-9):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    memory_run() if sys.argv[1:] == ["--memory-run"] else main()
