"""Benchmark: one calibrated Bertrand-logit merger per call (parse, calibrate α from one margin, recover costs,
solve post-merger prices, surplus, UPP/GUPPI, CMCR, elasticities) with 400 products / 100 firms and with
1,000 products / 200 firms (two firms merge).

Baseline: R `antitrust` 0.99.31 takes about 5 s per call for the 400-product case on this machine kind — a figure
stated in issue 9, NOT measured here (R is not installable in this environment); the ratio is against that
stated figure. Targets: 100x faster at 400 products; under 1 s at 1,000 products.
Run: .venv/bin/python bench/bench_simulate_large.py
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import numpy as np

from marketpower.simulate import simulate_case

R_ANTITRUST_STATED_S = 5.0
REPEATS = 5


def make_case(n_products: int, n_firms: int, seed: int = 0) -> dict:
    """Random but reproducible market: inside share 0.7, prices 5-15, one known margin (0.4), firms F0..F{n-1}
    owning products round-robin; F1 merges into F0."""
    rng = np.random.default_rng(seed)
    shares = rng.uniform(0.5, 1.5, n_products)
    firms = [f"F{i % n_firms}" for i in range(n_products)]
    return {
        "demand": "logit",
        "prices": rng.uniform(5, 15, n_products).tolist(),
        "shares": (shares / shares.sum() * 0.7).tolist(),
        "margins": [0.4] + [None] * (n_products - 1),
        "owner_pre": firms,
        "owner_post": ["F0" if f == "F1" else f for f in firms],
    }


def measure(case: dict) -> tuple[float, float, dict]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = simulate_case(case)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    simulate_case(case)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak, result.diagnostics["post_merger_prices"]


def main() -> None:
    ours, peak, diag = measure(make_case(400, 100))
    print(
        f"400 products / 100 firms: ours {ours:.4f} s (median of {REPEATS}), peak {peak:.1f} MiB; "
        f"R antitrust 0.99.31 {R_ANTITRUST_STATED_S:.1f} s (stated in issue 9, not measured here); "
        f"ratio {R_ANTITRUST_STATED_S / ours:.0f}x (target >= 100x); solve: {diag['iterations']} iterations, "
        f"FOC residual {diag['max_foc_residual']:.1e}"
    )
    ours, peak, diag = measure(make_case(1000, 200))
    print(
        f"1,000 products / 200 firms: ours {ours:.4f} s (median of {REPEATS}), peak {peak:.1f} MiB; "
        f"target < 1 s: {'met' if ours < 1 else 'NOT met'}; solve: {diag['iterations']} iterations, "
        f"FOC residual {diag['max_foc_residual']:.1e}"
    )


if __name__ == "__main__":
    main()
