"""Benchmark: post-merger prices in all 94 Nevo cereal markets (firm 2 folded into firm 1), ours vs pyblp's
``ProblemResults.compute_prices`` with the same tolerance (simple iteration, atol 1e-12, start at observed prices,
costs held fixed), for the logit and the random-coefficients (Nevo/BLP) models.

Run: .venv/bin/python bench/bench_simulate_nevo.py   (needs pyblp 1.3.0, the `bench` extra that `make bench`
installs, and the pyblp reference outputs in ../shared/reference/pyblp beside the clone; without either it says
which is missing and skips: no stored figure is printed in place of a measurement).
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from _nevo import REFERENCE, grid, load, parameters
from marketpower.simulate import markups, solve_prices

REPEATS = 5


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """(median seconds over ``repeats``, peak traced memory in MiB of one more call)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def missing() -> str | None:
    """Why the benchmark cannot run here, or None."""
    try:
        import pyblp  # noqa: F401
    except ImportError:
        return "pyblp is not installed (`make bench` installs the `bench` extra: pip install -e '.[bench]')"
    if not (REFERENCE / "summary.json").is_file():
        return f"the pyblp reference outputs are not at {REFERENCE} (the project's shared folder beside the clone)"
    return None


def pyblp_call(model: str) -> tuple[Callable[[], object], np.ndarray]:
    import pyblp

    pyblp.options.verbose = False
    products = pd.read_csv(pyblp.data.NEVO_PRODUCTS_LOCATION)
    merger_ids = products["firm_ids"].replace(2, 1)
    if model == "logit":
        problem = pyblp.Problem(pyblp.Formulation("prices", absorb="C(product_ids)"), products)
        results = problem.solve()
    else:
        par = parameters("blp")
        formulations = (
            pyblp.Formulation("0 + prices", absorb="C(product_ids)"),
            pyblp.Formulation("1 + prices + sugar + mushy"),
        )
        agents = pd.read_csv(pyblp.data.NEVO_AGENTS_LOCATION)
        problem = pyblp.Problem(
            formulations, products, pyblp.Formulation("0 + income + income_squared + age + child"), agents
        )
        results = problem.solve(
            sigma=np.array(par["sigma"]), pi=np.array(par["pi"]), method="1s", optimization=pyblp.Optimization("return")
        )
    costs = results.compute_costs()
    call = lambda: results.compute_prices(firm_ids=merger_ids, costs=costs)  # noqa: E731
    return call, np.asarray(call()).reshape(94, 24)


def main() -> None:
    reason = missing()
    if reason is not None:
        print(f"skipped: {reason}")
        return
    print(
        f"{'model':<7} {'ours (s)':>10} {'pyblp (s)':>10} {'ratio':>7} {'ours MiB':>9} {'pyblp MiB':>10}  "
        "max rel. diff of post prices"
    )
    for model in ("logit", "blp"):
        demand, df, pre, post = load(model)
        p = grid(df, "prices")
        costs = p - markups(demand, p, pre)
        ours_s, ours_mib = timed(lambda: solve_prices(demand, costs, post, p, tol=1e-12))  # noqa: B023
        prices, diag = solve_prices(demand, costs, post, p, tol=1e-12)
        call, pyblp_prices = pyblp_call(model)
        base_s, base_mib = timed(call)
        label = " (pyblp 1.3.0, same run)"
        diff = float(np.abs(prices / pyblp_prices - 1).max())
        print(
            f"{model:<7} {ours_s:>10.4f} {base_s:>10.4f} {base_s / ours_s:>6.1f}x {ours_mib:>9.1f} {base_mib:>10.1f}"
            f"  {diff:.1e}{label}; ours: {diag.iterations} iterations, FOC residual {diag.max_foc_residual:.1e}"
        )


if __name__ == "__main__":
    main()
