"""`dependence` reads each firm's counterparties from array slices, not one pandas group at a time; it must give
the table of the group-by-group version it replaced (kept here as the reference) on the bundled deal web and on
random webs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marketpower import api
from marketpower.flows.dependence import counterparties, dependence
from marketpower.flows.network import money_edges
from marketpower.measures.concentration import hhi


def reference_counterparties(edges: pd.DataFrame) -> pd.DataFrame:
    pays = edges.assign(entity_id=edges["payer_id"], counterparty_id=edges["payee_id"], direction="pays")
    receives = edges.assign(entity_id=edges["payee_id"], counterparty_id=edges["payer_id"], direction="receives")
    both = pd.concat([pays, receives], ignore_index=True)
    if "public_private" not in both:
        both = both.assign(public_private=False)
    both = both.assign(public_usd=both["amount_usd"].where(both["public_private"].astype(bool), 0.0).fillna(0.0))
    grouped = both.groupby(["entity_id", "direction", "counterparty_id"], as_index=False).agg(
        amount_usd=("amount_usd", lambda s: float(s.sum(min_count=1)) if s.notna().any() else 0.0),
        public_private_usd=("public_usd", "sum"),
        deals=("deal_id", "count"),
    )
    total = grouped.groupby(["entity_id", "direction"])["amount_usd"].transform("sum")
    grouped["share"] = np.where(total > 0, grouped["amount_usd"] / total.where(total > 0, 1.0), np.nan)
    grouped = grouped.sort_values(["entity_id", "direction", "amount_usd"], ascending=[True, True, False])
    grouped["rank"] = grouped.groupby(["entity_id", "direction"]).cumcount() + 1
    return grouped.reset_index(drop=True)


def reference_dependence(edges: pd.DataFrame) -> pd.DataFrame:
    table = reference_counterparties(edges)
    rows = []
    for (entity, direction), group in table.groupby(["entity_id", "direction"]):
        total = float(group["amount_usd"].sum())
        top = group.iloc[0]
        rows.append(
            {
                "entity_id": entity,
                "direction": direction,
                "total_usd": total,
                "public_private_usd": float(group["public_private_usd"].sum()),
                "counterparties": len(group),
                "deals": int(group["deals"].sum()),
                "hhi": hhi(group["amount_usd"] / total) if total > 0 else float("nan"),
                "top_counterparty": top["counterparty_id"] if total > 0 else None,
                "top_share": float(top["share"]) if total > 0 else float("nan"),
            }
        )
    columns = [
        "entity_id", "direction", "total_usd", "public_private_usd", "counterparties", "deals", "hhi",
        "top_counterparty", "top_share",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["hhi", "total_usd"], ascending=[False, False], na_position="last").reset_index(drop=True)


def assert_same(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    """Same rows in the same order; sums to a relative 1e-12 (group sums may add in another order)."""
    pd.testing.assert_frame_equal(ours, ref, check_exact=False, rtol=1e-12, atol=0.0)


def random_edges(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_firms, n_edges = int(rng.integers(2, 10)), int(rng.integers(1, 60))
    payer = rng.integers(0, n_firms, n_edges)
    payee = (payer + rng.integers(1, n_firms, n_edges)) % n_firms if n_firms > 1 else payer
    amounts = np.round(rng.uniform(1e6, 5e10, n_edges), -6)
    amounts[rng.random(n_edges) < 0.35] = np.nan
    return pd.DataFrame(
        {
            "deal_id": [f"deal-{e}" for e in range(n_edges)],
            "payer_id": [f"firm-{i}" for i in payer],
            "payee_id": [f"firm-{i}" for i in payee],
            "amount_usd": amounts,
            "public_private": rng.random(n_edges) < 0.2,
        }
    )


def test_bundled_web_same_as_group_by_group() -> None:
    edges = money_edges(api.open_store().table("deals"))
    ref = reference_dependence(edges)
    assert len(ref) > 20
    assert_same(dependence(edges), ref)
    pd.testing.assert_frame_equal(counterparties(edges), reference_counterparties(edges), rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("seed", range(25))
def test_random_webs_same_as_group_by_group(seed: int) -> None:
    edges = random_edges(seed)
    assert_same(dependence(edges), reference_dependence(edges))
    assert_same(
        dependence(edges.drop(columns="public_private")), reference_dependence(edges.drop(columns="public_private"))
    )
