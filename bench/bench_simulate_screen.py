"""Benchmark: every pairwise merger among 100 single-product firms (4,950 logit Bertrand simulations) in one
``screen_all`` call, against the same simulations run one by one with ``simulate_case`` (our own unbatched
path, timed on 200 pairs in this run and scaled to 4,950). Target: under 10 s on 2 cores.
Run: .venv/bin/python bench/bench_simulate_screen.py
"""

from __future__ import annotations

import time
import tracemalloc
from itertools import combinations, islice

import numpy as np

from marketpower.simulate import screen_all, simulate_case

N_FIRMS = 100
SAMPLE_PAIRS = 200


def make_case(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    shares = rng.uniform(0.5, 1.5, N_FIRMS)
    firms = [f"F{i}" for i in range(N_FIRMS)]
    return {
        "demand": "logit",
        "prices": rng.uniform(8, 12, N_FIRMS).tolist(),
        "shares": (shares / shares.sum() * 0.8).tolist(),
        "margins": [0.3] + [None] * (N_FIRMS - 1),
        "owner_pre": firms,
        "owner_post": firms,
    }


def main() -> None:
    case = make_case()
    start = time.perf_counter()
    frame = screen_all(case)
    ours = time.perf_counter() - start
    tracemalloc.start()
    screen_all(case)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    pairs = list(islice(combinations(case["owner_pre"], 2), SAMPLE_PAIRS))
    start = time.perf_counter()
    for a, b in pairs:
        simulate_case(case | {"owner_post": [a if f == b else f for f in case["owner_pre"]]})
    loop = (time.perf_counter() - start) / SAMPLE_PAIRS * len(frame)
    print(
        f"{len(frame)} pairwise mergers of {N_FIRMS} single-product firms: ours {ours:.2f} s (one call), peak "
        f"{peak:.0f} MiB; one-by-one simulate_case (timed on {SAMPLE_PAIRS} pairs, scaled) {loop:.1f} s; "
        f"ratio {loop / ours:.0f}x; target < 10 s: {'met' if ours < 10 else 'NOT met'}"
    )
    print(
        f"most harmful: {frame.loc[0, 'firm_a']} + {frame.loc[0, 'firm_b']}, CV {frame.loc[0, 'cv']:.3g}, "
        f"HHI delta {frame.loc[0, 'hhi_delta']:.0f}"
    )


if __name__ == "__main__":
    main()
