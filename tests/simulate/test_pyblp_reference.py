"""Reproduce pyblp 1.3.0's Nevo-cereal merger (firm 2 folded into firm 1) in all 94 markets, from the reference
outputs in ../shared/reference/pyblp (README there). Costs are recovered by our code from observed prices and shares
and the estimated parameters in summary.json; post-merger prices, HHI and consumer surplus are compared."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from marketpower.simulate import (
    Logit,
    NestedLogit,
    Ownership,
    RandomCoefficientsLogit,
    markups,
    simulate_case,
    solve_meanval,
    solve_prices,
)
from marketpower.simulate.groups import group_sum
from marketpower.simulate.result import firm_hhi

N_MARKETS, N_PRODUCTS, N_AGENTS = 94, 24, 20


def _load(shared_dir: Path, model: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    ref = shared_dir / "reference" / "pyblp"
    summary = json.loads((ref / "summary.json").read_text())
    return (
        pd.read_csv(ref / f"{model}_products.csv"),
        pd.read_csv(ref / f"{model}_markets.csv"),
        summary["models"][model]["parameters"],
    )


def _grid(df: pd.DataFrame, column: str) -> np.ndarray:
    return df[column].to_numpy().reshape(N_MARKETS, N_PRODUCTS)


def _demand(shared_dir: Path, model: str, df: pd.DataFrame, par: dict):
    p, s = _grid(df, "prices"), _grid(df, "shares")
    alpha = np.float64(par["alpha"])
    outside = np.log1p(-s.sum(axis=1, keepdims=True))
    if model == "logit":
        return Logit(alpha, np.log(s) - outside, p)
    if model.startswith("nl"):
        nests = _grid(df, "nesting_ids").astype(np.int64)
        rho = np.full(p.shape, par["rho_scalar"])
        within = s / group_sum(s, nests)
        return NestedLogit(alpha, rho, nests, np.log(s) - outside - rho * np.log(within), p)
    agents = pd.read_csv(shared_dir / "reference" / "pyblp" / "blp_agents.csv")
    nodes = agents[[f"nodes{i}" for i in range(4)]].to_numpy().reshape(N_MARKETS, N_AGENTS, 4)
    demo = agents[["income", "income_squared", "age", "child"]].to_numpy().reshape(N_MARKETS, N_AGENTS, 4)
    weights = agents["weights"].to_numpy().reshape(N_MARKETS, N_AGENTS)
    x2 = np.stack([np.ones(p.shape), p, _grid(df, "sugar"), _grid(df, "mushy")], axis=-1)
    sigma, pi = np.array(par["sigma"]), np.array(par["pi"])
    base = RandomCoefficientsLogit(float(alpha), np.zeros(p.shape), p, x2, sigma, pi, nodes, demo, weights, 1)
    meanval, info = solve_meanval(base, p, s)
    assert info["converged"]
    assert np.abs(meanval - _grid(df, "delta")).max() < 1e-10  # our contraction gives pyblp's delta
    return RandomCoefficientsLogit(float(alpha), meanval, p, x2, sigma, pi, nodes, demo, weights, 1)


@pytest.mark.parametrize("model", ["logit", "nl_single", "nl_mushy", "blp"])
def test_nevo_merger_matches_pyblp(shared_dir: Path, model: str) -> None:
    """Costs to 1e-12, post-merger prices to 1e-8 relative, HHI pre/post and CS change to 1e-8, all 94 markets."""
    df, markets, par = _load(shared_dir, model)
    markets = markets.set_index("market_ids").loc[df["market_ids"].unique()]  # products file order
    demand = _demand(shared_dir, model, df, par)
    p = _grid(df, "prices")
    pre, post = Ownership.from_firms(_grid(df, "firm_ids")), Ownership.from_firms(_grid(df, "merger_ids"))
    costs = p - markups(demand, p, pre)
    assert np.abs(costs - _grid(df, "costs")).max() < 1e-12
    post_prices, diag = solve_prices(demand, costs, post, p)
    assert diag.converged and diag.max_foc_residual < 1e-10
    assert np.abs(post_prices / _grid(df, "post_prices") - 1.0).max() < 1e-8
    post_shares = demand.quantities(post_prices)
    assert np.abs(post_shares / _grid(df, "post_shares") - 1.0).max() < 1e-8
    firms, mergers = _grid(df, "firm_ids").astype(str), _grid(df, "merger_ids").astype(str)
    hhi_pre = [firm_hhi(demand.quantities(p)[m], list(firms[m])) for m in range(N_MARKETS)]
    hhi_post = [firm_hhi(post_shares[m], list(mergers[m])) for m in range(N_MARKETS)]
    np.testing.assert_allclose(hhi_pre, markets["hhi_pre"], rtol=1e-8)
    np.testing.assert_allclose(hhi_post, markets["hhi_post"], rtol=1e-8)
    cs_change = demand.consumer_surplus(post_prices) - demand.consumer_surplus(p)
    np.testing.assert_allclose(cs_change, markets["cs_change"], rtol=1e-8, atol=1e-14)


def test_calibration_case_c01q1_through_case_format(shared_dir: Path) -> None:
    """The README's estimation-free case (market C01Q1, logit): alpha, prices, shares -> pyblp's post prices,
    HHI and CS, through simulate_case (the public case format)."""
    ref = json.loads((shared_dir / "reference" / "pyblp" / "calibration_logit_C01Q1.json").read_text())
    case = {
        "demand": "logit",
        "labels": ref["product_ids"],
        "prices": ref["prices"],
        "shares": ref["shares"],
        "owner_pre": [str(f) for f in ref["firm_ids"]],
        "owner_post": [str(f) for f in ref["merger_ids"]],
        "parameters": {"alpha": ref["alpha"]},
    }
    out = simulate_case(case).to_dict()
    np.testing.assert_allclose(list(out["costs"].values()), ref["costs"], rtol=1e-12)
    np.testing.assert_allclose(list(out["prices_post"].values()), ref["expected_post_prices"], rtol=1e-8)
    np.testing.assert_allclose(list(out["shares_post"].values()), ref["expected_post_shares"], rtol=1e-8)
    assert out["hhi_pre"] == pytest.approx(ref["expected_hhi_pre"], rel=1e-10)
    assert out["hhi_post"] == pytest.approx(ref["expected_hhi_post"], rel=1e-8)
    assert out["cv"] == pytest.approx(ref["expected_cs_pre"] - ref["expected_cs_post"], rel=1e-8)
    merging = [label for label, firm in zip(ref["product_ids"], ref["firm_ids"], strict=True) if firm in (1, 2)]
    mean_change = np.mean([out["price_change_pct"]["products"][k] for k in merging])
    assert mean_change == pytest.approx(ref["expected_mean_pct_price_change_merging"], rel=1e-8)
    assert out["diagnostics"]["post_merger_prices"]["converged"] is True
