"""Issue 18 defect 1 (capacities under Bertrand), issue 14 items 17–18 and issue 19 (O(n) memory, matrices only
when asked, plausibility flags), issue 15 (no upward import from uncertainty to the engine)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from typer.testing import CliRunner

from marketpower.cli import app
from marketpower.errors import InvalidInputError
from marketpower.simulate import Logit, Ownership, markups, simulate_case
from marketpower.simulate.diagnostics import plausibility_flags
from marketpower.simulate.limits import MAX_MATRIX_CELLS, MEMORY_BUDGET_BYTES

runner = CliRunner()
ISSUE_CASE = {
    "prices": [10, 12, 9],
    "shares": [0.3, 0.25, 0.2],
    "margins": [0.4, None, None],
    "owner_pre": ["a", "b", "c"],
    "owner_post": ["a", "a", "c"],
    "insize": 1000,
}
ALPHA = -1.0 / (0.4 * 10.0 * 0.7)  # single-product logit firm: p − c = −1/(α(1 − s))


def test_capacity_below_observed_quantity_is_refused_not_ignored() -> None:
    """Issue 18's case: P3 sells 0.2 × 1000 = 200 units against a capacity of 150; R's logit.cap refuses it
    ("utilization is greater than capacity"); before the mend the key was silently ignored (exit 0)."""
    with pytest.raises(InvalidInputError, match=r"capacities\[P3\] = 150: below the observed quantity 200"):
        simulate_case(ISSUE_CASE | {"capacities": [300, 250, 150]})


def _merged_logit_focs(p: np.ndarray, costs: np.ndarray, cap3: float) -> np.ndarray:
    """Independent system: the merged firm's logit FOCs (equal markups −1/(α(1 − s_A − s_B))) and P3 at capacity."""
    v = np.log(np.array([0.3, 0.25, 0.2]) / 0.25) + ALPHA * (p - np.array([10.0, 12.0, 9.0]))
    s = np.exp(v) / (1.0 + np.exp(v).sum())
    markup = -1.0 / (ALPHA * (1.0 - s[0] - s[1]))
    return np.array([p[0] - costs[0] - markup, p[1] - costs[1] - markup, np.log(s[2] * 1000 / cap3)])


def test_capacity_binding_after_the_merger_prices_where_demand_meets_capacity() -> None:
    """Unconstrained, P3 would sell 236.6 units after A and B merge; with a capacity of 210 it sells exactly 210 at
    the price where its demand meets capacity, and the merged firm best-responds (FOCs solved independently)."""
    free = simulate_case(ISSUE_CASE)
    assert free.quantities_post[2] == pytest.approx(236.587, abs=1e-3)
    out = simulate_case(ISSUE_CASE | {"capacities": [400, 400, 210]})
    assert out.quantities_post[2] == pytest.approx(210.0, rel=1e-9)
    np.testing.assert_allclose(out.costs, free.costs, rtol=1e-12)  # nothing binds before the merger
    expected = optimize.fsolve(_merged_logit_focs, free.prices_post, args=(out.costs, 210.0), xtol=1e-13)
    np.testing.assert_allclose(out.prices_post, expected, rtol=1e-9)
    # P3 prices above its unconstrained best response: shadow cost p3 − c3 − (−1/(α(1 − s3))) > 0
    s3 = out.shares_post[2]
    shadow = out.prices_post[2] - out.costs[2] + 1.0 / (ALPHA * (1.0 - s3))
    cap = out.diagnostics["capacity"]
    assert cap["at_capacity_post"] == ["P3"] and cap["shadow_cost_post"]["P3"] == pytest.approx(shadow, rel=1e-7)
    assert shadow > 0


def test_capacity_binding_before_the_merger_uses_the_given_margin_for_cost() -> None:
    """P3 at capacity before the merger: its cost is p(1 − m) = 9 · 0.5 = 4.5 and its shadow cost the margin above the
    unconstrained markup, 4.5 − 1/(−α · 0.8) = 4.5 − 3.5 = 1.0."""
    out = simulate_case(ISSUE_CASE | {"capacities": [400, 400, 200], "margins": [0.4, None, 0.5]})
    assert out.costs[2] == pytest.approx(4.5, rel=1e-12)
    assert out.parameters["alpha"] == pytest.approx(ALPHA, rel=1e-12)  # α from A only
    assert out.diagnostics["capacity"]["shadow_cost_pre"]["P3"] == pytest.approx(1.0, rel=1e-9)
    assert out.quantities_post[2] == pytest.approx(200.0, rel=1e-9)
    expected = optimize.fsolve(_merged_logit_focs, out.prices_post, args=(out.costs, 200.0), xtol=1e-13)
    np.testing.assert_allclose(out.prices_post, expected, rtol=1e-9)


def test_capacity_errors_name_the_field() -> None:
    with pytest.raises(InvalidInputError, match=r"margins\[P3\]: the product is at capacity"):
        simulate_case(ISSUE_CASE | {"capacities": [400, 400, 200]})
    with pytest.raises(InvalidInputError, match="insize"):
        simulate_case({k: v for k, v in ISSUE_CASE.items() if k != "insize"} | {"capacities": [400, 400, 300]})
    with pytest.raises(InvalidInputError, match="logit demand only"):
        simulate_case(ISSUE_CASE | {"demand": "ces", "capacities": [400, 400, 300]})


def test_structured_markups_equal_the_dense_solve() -> None:
    """Block markups from J's entries (no n × n matrix) equal the dense solve, multi-product firms included."""
    rng = np.random.default_rng(3)
    n = 40
    s = rng.uniform(0.5, 1.5, n)
    s = s / s.sum() * 0.8
    p = rng.uniform(5, 15, n)
    demand = Logit(-0.3, np.log(s / 0.2), p)
    owner = Ownership.from_firms(rng.integers(0, 12, n))
    dense = markups(demand, p, owner, demand.jacobian(p))
    np.testing.assert_allclose(markups(demand, p, owner), dense, rtol=1e-12)


def _big_case(n: int) -> dict:
    rng = np.random.default_rng(0)
    shares = rng.uniform(0.5, 1.5, n)
    firms = [f"F{i}" for i in range(n)]
    return {
        "prices": rng.uniform(5, 15, n).tolist(),
        "shares": (shares / shares.sum() * 0.7).tolist(),
        "margins": [0.4] + [None] * (n - 1),
        "owner_pre": firms,
        "owner_post": ["F0" if f == "F1" else f for f in firms],
    }


def test_matrices_only_for_merging_products_by_default(tmp_path: Path) -> None:
    """Default output holds the merging products' rows of the elasticity and diversion matrices (every column);
    --matrices all gives n × n equal to the full matrices; --matrices none neither."""
    case = _big_case(30)
    out = simulate_case(case)
    rows = out.to_dict()
    assert sorted(rows["elasticities"]) == ["P1", "P2"] and len(rows["elasticities"]["P1"]) == 30
    full = out.elasticities
    assert rows["elasticities"]["P2"]["P7"] == pytest.approx(full[1, 6], rel=1e-12)
    assert rows["diversions"]["P1"]["P2"] == pytest.approx(out.diversions[0, 1], rel=1e-12)
    # logit: D[j, k] = s_k/(1 − s_j)
    s = out.shares_pre
    assert rows["diversions"]["P1"]["P2"] == pytest.approx(s[1] / (1 - s[0]), rel=1e-12)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    everything = json.loads(runner.invoke(app, ["simulate", str(path), "--json", "--matrices", "all"]).output)
    assert len(everything["elasticities"]) == 30 and everything["matrices"] == "all"
    nothing = json.loads(runner.invoke(app, ["simulate", str(path), "--json", "--matrices", "none"]).output)
    assert nothing["elasticities"] is None and nothing["diversions"] is None
    bad = runner.invoke(app, ["simulate", str(path), "--json", "--matrices", "some"])
    assert bad.exit_code != 0


def test_full_matrices_beyond_the_cell_limit_are_refused_before_building() -> None:
    n = int(MAX_MATRIX_CELLS**0.5) + 1
    out = simulate_case(_big_case(n))
    with pytest.raises(InvalidInputError, match="MAX_MATRIX_CELLS"):
        out.to_dict("all")
    assert len(out.to_dict()["elasticities"]) == 2  # the default stays small


def test_dense_models_beyond_the_memory_budget_are_refused_before_allocating() -> None:
    """AIDS at 10,000 products would need 8 dense 10,000² arrays (6 GB): refused naming the budget."""
    n = 10_000
    assert 8 * 8 * n * n > MEMORY_BUDGET_BYTES
    case = _big_case(n) | {"demand": "aids", "market_elasticity": -1.0}
    with pytest.raises(InvalidInputError, match="memory budget of 2 GiB"):
        simulate_case(case)


def test_plausibility_flags() -> None:
    """A converged but implausible result is flagged: price rise beyond 100%, CMCR above 1, a negative cost, a price
    below cost, a share outside [0, 1]."""
    flags = plausibility_flags(
        ["A", "B"],
        prices_pre=np.array([10.0, 10.0]),
        prices_post=np.array([3582.2, 10.5]),
        costs=np.array([-1.0, 4.0]),
        costs_post=np.array([-1.0, 11.0]),
        shares_pre=np.array([0.3, 0.3]),
        shares_post=np.array([1.2, 0.1]),
        quantities_post=np.array([1.2, 0.1]),
        cmcr={"A": 1.4, "B": 0.2},
    )
    assert [(f["code"], f["products"]) for f in flags] == [
        ("price_change", ["A"]),
        ("negative_cost", ["A"]),
        ("price_below_cost", ["B"]),
        ("share_outside_unit", ["A"]),
        ("share_outside_unit", []),  # post-merger shares sum to 1.3
        ("cmcr_above_1", ["A"]),
    ]
    assert "+35,722.0%" in next(f["message"] for f in flags if f["code"] == "price_change")
    assert simulate_case(ISSUE_CASE).flags == []


def test_implausible_result_is_flagged_in_cli(tmp_path: Path) -> None:
    """Margin 0.8 with an outside good of 0.2%: the logit merger to monopoly raises prices by 181% and needs a cost
    cut of 998 times the cost to offset (CMCR) — converged, flagged in the JSON and in the table."""
    case = {
        "prices": [1.0, 1.0],
        "shares": [0.499, 0.499],
        "margins": [0.8, None],
        "owner_pre": ["a", "b"],
        "owner_post": ["a", "a"],
    }
    out = simulate_case(case)
    assert out.price_change_pct()["products"]["P1"] == pytest.approx(180.65, abs=0.01)
    # single-product logit CMCR: m_2 D_12 p_2/p_1 ... / ((1 − m)(1 − D²)) with D = s/(1 − s) = 0.499/0.501
    d = 0.499 / 0.501
    assert out.cmcr["P1"] == pytest.approx((0.8 * d * d + 0.8 * d) / (0.2 * (1 - d * d)), rel=1e-9)
    assert [f["code"] for f in out.flags] == ["price_change", "cmcr_above_1"]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    as_json = json.loads(runner.invoke(app, ["simulate", str(path), "--json"]).output)
    assert as_json["flags"][0]["code"] == "price_change"
    table = runner.invoke(app, ["simulate", str(path)])
    assert table.exit_code == 0 and "IMPLAUSIBLE" in table.output and "price_change" in table.output


def test_same_firm_margins_fitted_badly_warn() -> None:
    """Logit gives a firm one absolute markup for all its products; margins 0.1 and 0.9 at one price cannot both be
    fitted, least squares misses each by about 0.4, and the result says so."""
    out = simulate_case(
        {
            "prices": [10, 10, 10],
            "shares": [0.2, 0.2, 0.2],
            "margins": [0.1, 0.9, None],
            "owner_pre": ["a", "a", "b"],
            "owner_post": ["a", "a", "a"],
        }
    )
    (warning,) = out.diagnostics["warnings"]
    assert "misses the margin of" in warning and "by 0.40" in warning


@pytest.mark.parametrize("module", ["uncertainty", "capacity", "outcome", "result", "auction", "cournot"])
def test_modules_below_the_engine_do_not_import_it(module: str) -> None:
    """Issue 15: no upward import simulate/uncertainty → simulate/engine (the engine passes its dispatcher in), and
    none from the modules the engine dispatches to (the result assembly lives in outcome.py)."""
    source = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "simulate" / f"{module}.py"
    imported = {
        node.module
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    assert "engine" not in imported and not any(m.endswith(".engine") for m in imported)


def test_structured_market_and_own_elasticities_equal_the_dense_ones() -> None:
    """Logit: Σ_jk J[j, k] p_k / Σ q = α (s·p)(1 − Σ s) / Σ s, and ε_jj = α p_j (1 − s_j), without the n × n J."""
    from marketpower.simulate.demand import ROW_BLOCK, market_elasticity, own_elasticity

    rng = np.random.default_rng(5)
    n = ROW_BLOCK * 2 + 7  # several row blocks
    s = rng.uniform(0.5, 1.5, n)
    s = s / s.sum() * 0.6
    p = rng.uniform(5, 15, n)
    demand = Logit(-0.3, np.log(s / 0.4), p)
    assert market_elasticity(demand, p) == pytest.approx(-0.3 * (s @ p) * 0.4 / 0.6, rel=1e-12)
    assert own_elasticity(demand, p, 3) == pytest.approx(-0.3 * p[3] * (1 - s[3]), rel=1e-12)


def test_nested_logit_entries_equal_the_dense_jacobian() -> None:
    from marketpower.simulate import NestedLogit

    rng = np.random.default_rng(11)
    n = 9
    nests = rng.integers(0, 3, n)
    rho = np.array([0.2, 0.5, 0.7])[nests]
    p = rng.uniform(1, 5, n)
    demand = NestedLogit(-0.8, rho, nests, rng.normal(0, 1, n), p)
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    np.testing.assert_allclose(demand.jacobian_at(p, rows, cols), demand.jacobian(p), rtol=1e-12, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(1.0, 1.3))
def test_capacity_equilibrium_satisfies_kkt(seed: int, slack: float) -> None:
    """Random logit markets, capacities between the observed quantity and 30% above it: after a merger every
    quantity is within capacity, shadow costs are ≥ 0 and positive only at capacity, and the FOCs hold at c + λ."""
    rng = np.random.default_rng(seed)
    n = 5
    s = rng.uniform(0.5, 1.5, n)
    s = s / s.sum() * 0.8
    firms = [f"f{j}" for j in rng.integers(0, 4, n)]
    post = [firms[0] if f == firms[1] else f for f in firms]
    caps = s * 1000 * rng.uniform(1.0001, slack + 0.0001, n)
    case = {
        "prices": rng.uniform(5, 15, n).tolist(),
        "shares": s.tolist(),
        "margins": [0.35] + [None] * (n - 1),
        "owner_pre": firms,
        "owner_post": post,
        "insize": 1000,
        "capacities": caps.tolist(),
    }
    out = simulate_case(case)
    assert np.all(out.quantities_post <= caps * (1 + 1e-8))
    shadow = np.zeros(n)
    for label, value in out.diagnostics["capacity"]["shadow_cost_post"].items():
        shadow[out.labels.index(label)] = value
    assert np.all(shadow >= 0)
    np.testing.assert_allclose(out.quantities_post[shadow > 0], caps[shadow > 0], rtol=1e-8)
    demand = Logit(out.parameters["alpha"], np.log(s / 0.2), np.asarray(case["prices"]))
    owner = Ownership.from_firms(post)
    effective = markups(demand, out.prices_post, owner)
    np.testing.assert_allclose(out.prices_post - out.costs_post - shadow, effective, rtol=1e-7, atol=1e-9)


def test_table_output_of_a_large_case_shows_the_merging_products_first(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_big_case(400)))
    table = runner.invoke(app, ["simulate", str(path)])
    assert table.exit_code == 0, table.output
    assert "50 of 400 products" in table.output
    assert " P1 " in table.output and " P2 " in table.output  # the merging pair


def test_capacity_in_the_table_output(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(ISSUE_CASE | {"capacities": [400, 400, 210]}))
    table = runner.invoke(app, ["simulate", str(path)])
    assert table.exit_code == 0, table.output
    assert "at capacity after the merger: P3 (shadow cost 0.6054)" in table.output
    path.write_text(json.dumps(ISSUE_CASE | {"capacities": [300, 250, 150]}))
    refused = runner.invoke(app, ["simulate", str(path)])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
