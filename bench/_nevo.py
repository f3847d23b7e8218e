"""Load pyblp's Nevo reference (../shared/reference/pyblp) into our demand objects, for the benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from marketpower.simulate import Logit, NestedLogit, Ownership, RandomCoefficientsLogit, solve_meanval
from marketpower.simulate.groups import group_sum

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "pyblp"
N_MARKETS, N_PRODUCTS, N_AGENTS = 94, 24, 20


def grid(df: pd.DataFrame, column: str) -> np.ndarray:
    return df[column].to_numpy().reshape(N_MARKETS, N_PRODUCTS)


def parameters(model: str) -> dict:
    return json.loads((REFERENCE / "summary.json").read_text())["models"][model]["parameters"]


def load(model: str) -> tuple[object, pd.DataFrame, Ownership, Ownership]:
    """(demand, products frame, pre-merger ownership, post-merger ownership) with δ rebuilt from shares."""
    df = pd.read_csv(REFERENCE / f"{model}_products.csv")
    par = parameters(model)
    p, s = grid(df, "prices"), grid(df, "shares")
    alpha = np.float64(par["alpha"])
    outside = np.log1p(-s.sum(axis=1, keepdims=True))
    if model == "logit":
        demand: object = Logit(alpha, np.log(s) - outside, p)
    elif model.startswith("nl"):
        nests = grid(df, "nesting_ids").astype(np.int64)
        rho = np.full(p.shape, par["rho_scalar"])
        demand = NestedLogit(alpha, rho, nests, np.log(s) - outside - rho * np.log(s / group_sum(s, nests)), p)
    else:
        agents = pd.read_csv(REFERENCE / "blp_agents.csv")
        nodes = agents[[f"nodes{i}" for i in range(4)]].to_numpy().reshape(N_MARKETS, N_AGENTS, 4)
        demo = agents[["income", "income_squared", "age", "child"]].to_numpy().reshape(N_MARKETS, N_AGENTS, 4)
        weights = agents["weights"].to_numpy().reshape(N_MARKETS, N_AGENTS)
        x2 = np.stack([np.ones(p.shape), p, grid(df, "sugar"), grid(df, "mushy")], axis=-1)
        sigma, pi = np.array(par["sigma"]), np.array(par["pi"])
        base = RandomCoefficientsLogit(float(alpha), np.zeros(p.shape), p, x2, sigma, pi, nodes, demo, weights, 1)
        meanval, _ = solve_meanval(base, p, s)
        demand = RandomCoefficientsLogit(float(alpha), meanval, p, x2, sigma, pi, nodes, demo, weights, 1)
    return demand, df, Ownership.from_firms(grid(df, "firm_ids")), Ownership.from_firms(grid(df, "merger_ids"))
