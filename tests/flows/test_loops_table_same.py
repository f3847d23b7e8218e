"""`loops_table` assembles its rows from arrays; it must give exactly the table of the row-by-row assembly it
replaced (kept here as the reference) on the bundled deal web and on random webs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from marketpower import api
from marketpower.flows.loops import DEFAULT_MAX_LEN, _empty_loops, find_cycles, loops_table
from marketpower.flows.network import money_edges
from marketpower.schema.deals import CEILING_BASES


def reference_loops_table(
    edges: pd.DataFrame, max_len: int = DEFAULT_MAX_LEN, window_days: int | None = None, min_usd: float | None = None
) -> pd.DataFrame:
    """The assembly before the speed work (one DataFrame slice and iterrows per loop)."""
    if edges.empty:
        return _empty_loops()
    nodes = pd.Index(pd.unique(pd.concat([edges["payer_id"], edges["payee_id"]])))
    src = nodes.get_indexer(edges["payer_id"]).astype(np.int64)
    dst = nodes.get_indexer(edges["payee_id"]).astype(np.int64)
    days = (pd.to_datetime(edges["announced"]) - pd.Timestamp("1970-01-01")).dt.days.to_numpy().astype(np.int64)
    cycles = find_cycles(src, dst, days, max_len, window_days)
    received = edges.groupby("payee_id")["amount_usd"].sum(min_count=1)
    records = edges.reset_index(drop=True)
    rows = []
    for c in range(len(cycles)):
        legs = records.iloc[cycles[c]]
        amounts = legs["amount_usd"].to_numpy(dtype=float)
        known = amounts[~np.isnan(amounts)]
        round_trip = float(amounts.min()) if len(known) == len(amounts) else float("nan")
        firms = [*legs["payer_id"], legs["payer_id"].iloc[0]]
        shares = {
            f: (
                round_trip / float(received[f]) if f in received and pd.notna(received[f]) and received[f] > 0 else None
            )
            for f in legs["payer_id"]
        }
        rows.append(
            {
                "loop": c,
                "length": len(legs),
                "firms": firms,
                "round_trip_usd": round_trip,
                "smallest_known_leg_usd": float(known.min()) if len(known) else float("nan"),
                "upper_bound": bool(legs["amount_basis"].isin(CEILING_BASES).any()),
                "first_announced": str(pd.to_datetime(legs["announced"]).min().date()),
                "last_announced": str(pd.to_datetime(legs["announced"]).max().date()),
                "share_of_commitments": {f: v for f, v in shares.items() if v is not None and not np.isnan(v)},
                "legs": [_reference_leg(row) for _, row in legs.iterrows()],
            }
        )
    table = pd.DataFrame(rows) if rows else _empty_loops()
    if min_usd is not None:
        table = table[table["round_trip_usd"] >= min_usd]
    table = table.sort_values(["round_trip_usd", "smallest_known_leg_usd"], ascending=False, na_position="last")
    return table.reset_index(drop=True).assign(rank=lambda t: np.arange(1, len(t) + 1))


def _reference_leg(row: pd.Series) -> dict[str, object]:
    amount = row["amount_usd"]
    legal = {k: row[k] for k in ("payer_legal_id", "payee_legal_id") if k in row.index}
    return {
        "deal_id": row["deal_id"],
        "payer_id": row["payer_id"],
        "payee_id": row["payee_id"],
        **legal,
        "kind": row["kind"],
        "amount_usd": None if pd.isna(amount) else float(amount),
        "amount_basis": row["amount_basis"],
        "announced": str(pd.Timestamp(row["announced"]).date()),
        "status": row["status"],
        "source_id": row["source_id"],
    }


def same(a: Any, b: Any) -> bool:
    """Equal values, floats to a relative 1e-12 (NaN equals NaN), containers element by element, key order
    of dicts included."""
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool):
            return False
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=0.0)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def assert_same_table(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert list(ours.columns) == list(ref.columns)
    assert len(ours) == len(ref)
    for col in ref.columns:
        for i, (x, y) in enumerate(zip(ours[col].tolist(), ref[col].tolist(), strict=True)):
            assert same(x, y), f"row {i}, column {col}: {x!r} != {y!r}"


def test_bundled_web_same_as_row_by_row() -> None:
    edges = money_edges(api.open_store().table("deals"))
    ref = reference_loops_table(edges)
    assert len(ref) > 10  # the bundled web has dozens of loops
    assert_same_table(loops_table(edges), ref)
    assert_same_table(
        loops_table(edges, max_len=4, window_days=730, min_usd=1e9),
        reference_loops_table(edges, max_len=4, window_days=730, min_usd=1e9),
    )


def random_edges(seed: int, legal: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_firms, n_edges = int(rng.integers(3, 9)), int(rng.integers(1, 30))
    firms = [f"firm-{i}" for i in range(n_firms)]
    payer = rng.integers(0, n_firms, n_edges)
    payee = (payer + rng.integers(1, n_firms, n_edges)) % n_firms
    amounts = np.round(rng.uniform(1e6, 5e10, n_edges), -6)
    amounts[rng.random(n_edges) < 0.3] = np.nan
    frame = pd.DataFrame(
        {
            "deal_id": [f"deal-{seed}-{e}" for e in range(n_edges)],
            "payer_id": [firms[i] for i in payer],
            "payee_id": [firms[i] for i in payee],
            "kind": rng.choice(["equity_investment", "cloud_purchase", "chip_purchase"], n_edges),
            "amount_usd": amounts,
            "amount_basis": rng.choice(["point", "range", "up_to", "unknown"], n_edges),
            "announced": [
                (pd.Timestamp("2019-01-01") + pd.Timedelta(days=int(d))).date() for d in rng.integers(0, 2500, n_edges)
            ],
            "status": rng.choice(["announced", "definitive"], n_edges),
            "capacity_gw": np.nan,
            "source_id": [f"src-{int(k)}" for k in rng.integers(0, 5, n_edges)],
        }
    )
    if legal:
        frame["payer_legal_id"] = frame["payer_id"] + "-inc"
        frame["payee_legal_id"] = frame["payee_id"] + "-llc"
    return frame.sort_values(["announced", "deal_id"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(30))
def test_random_webs_same_as_row_by_row(seed: int) -> None:
    edges = random_edges(seed, legal=seed % 3 == 0)
    window = None if seed % 2 else 900
    ref = reference_loops_table(edges, max_len=5, window_days=window)
    assert_same_table(loops_table(edges, max_len=5, window_days=window), ref)
    assert_same_table(loops_table(edges, min_usd=5e9), reference_loops_table(edges, min_usd=5e9))
