"""The speed work changes no figure: every shipped scenario gives the same result with the optimised functions
as with the row-by-row versions they replaced (kept in the tests as references), and a scenario run never
scores loops against the null model (random rewirings)."""

from __future__ import annotations

import math
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import marketpower.flows.nullmodel as nullmodel
import marketpower.scenario.analysis as analysis
import marketpower.scenario.overlay as overlay
from marketpower import api
from marketpower.api.scenarios import run_scenario, scenario_tables
from marketpower.measures.concentration import hhi_range
from marketpower.schema.deals import positions_as_of

from .test_terms_same import reference_stake_weights, reference_with_deal_terms

SCENARIOS = sorted((Path(__file__).parents[2] / "examples" / "scenarios").glob("*.yaml"))


def reference_mhhi_range(
    weighted: pd.DataFrame, firms: list[str], shares: np.ndarray, cache: dict[Any, Any]
) -> dict[str, Any]:
    """`_mhhi_range` before the speed work: each corner of the range on a copied DataFrame (no cache)."""
    weighted = positions_as_of(analysis._connected(weighted.dropna(subset=["beta"]), firms))
    if weighted.empty:
        plain = hhi_range(shares, 0.0)[0]
        return {
            "mhhi": plain,
            "mhhi_low": plain,
            "mhhi_high": plain,
            "weights": np.eye(len(firms)),
            "uncertain_stakes": [],
        }
    central, weights = analysis._weights_matrix(analysis._variant(weighted, "beta", "gamma"), firms, shares)
    near = weighted["target_id"].isin(firms) | weighted["owner_id"].isin(firms)
    uncertain = weighted[
        near & ((weighted["beta_low"] != weighted["beta_high"]) | (weighted["gamma_low"] != weighted["gamma_high"]))
    ].dropna(subset=["beta"])
    params = [
        (i, w)
        for i in uncertain.index
        for w in ("beta", "gamma")
        if uncertain.loc[i, f"{w}_low"] != uncertain.loc[i, f"{w}_high"]
    ]
    values = [central]
    if params:
        corners = (
            list(product(("low", "high"), repeat=len(params)))
            if len(params) <= analysis.MAX_CORNERS
            else [tuple([e] * len(params)) for e in ("low", "high")]
            + [
                tuple("low" if w == "beta" else "high" for _, w in params),
                tuple("high" if w == "beta" else "low" for _, w in params),
            ]
        )
        for corner in corners:
            frame = weighted.copy()
            for (i, w), end in zip(params, corner, strict=True):
                frame.loc[i, w] = frame.loc[i, f"{w}_{end}"]
            values.append(analysis._weights_matrix(analysis._variant(frame, "beta", "gamma"), firms, shares)[0])
    return {
        "mhhi": central,
        "mhhi_low": min(values),
        "mhhi_high": max(values),
        "weights": weights,
        "uncertain_stakes": [f"{r.owner_id} in {r.target_id}" for r in uncertain.itertuples()],
    }


def same(a: Any, b: Any, where: str = "") -> None:
    """Equal values, floats to a relative 1e-12 (NaN equals NaN), containers element by element."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and sorted(map(str, a)) == sorted(map(str, b)), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool) and isinstance(b, (int, float)):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12), where
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    return api.open_store()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_same_as_row_by_row(store, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    tables = scenario_tables(store)
    ours = run_scenario(store, path, tables=tables).to_dict()
    monkeypatch.setattr(overlay, "with_deal_terms", reference_with_deal_terms)
    monkeypatch.setattr(overlay, "stake_weights", reference_stake_weights)
    monkeypatch.setattr(analysis, "_mhhi_range", reference_mhhi_range)
    same(ours, run_scenario(store, path, tables=tables).to_dict(), path.stem)


def test_scenario_run_never_scores_loops_against_the_null_model(store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scenario run scored loops against random rewirings")

    for name in ("null_model", "rewire"):
        monkeypatch.setattr(nullmodel, name, refuse)
    result = run_scenario(store, SCENARIOS[0])
    assert result.web["loops_baseline"] > 10
