"""The loop finder on hand-built graphs whose loops are known, against networkx, and loop tables."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.flows.loops import find_cycles, loops_table


def edge_sets(
    src: list[int], dst: list[int], days: list[int], max_len: int = 6, window: int | None = None
) -> list[tuple[int, ...]]:
    cycles = find_cycles(np.array(src), np.array(dst), np.array(days), max_len, window)
    return sorted(tuple(sorted(cycles[c])) for c in range(len(cycles)))


def test_triangle_has_one_loop_in_flow_order() -> None:
    cycles = find_cycles(np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([0, 0, 0]))
    assert len(cycles) == 1
    legs = cycles[0]
    # each leg's payee is the next leg's payer
    src, dst = [0, 1, 2], [1, 2, 0]
    assert all(dst[legs[i]] == src[legs[(i + 1) % 3]] for i in range(3))


def test_parallel_deals_make_distinct_loops() -> None:
    # a->b twice, b->a once: two 2-leg loops
    assert edge_sets([0, 0, 1], [1, 1, 0], [0, 1, 2]) == [(0, 2), (1, 2)]


def test_length_bound_and_self_loops() -> None:
    ring = list(range(5))
    src, dst = ring, [(i + 1) % 5 for i in ring]
    assert edge_sets(src, dst, [0] * 5, max_len=4) == []
    assert edge_sets(src, dst, [0] * 5, max_len=5) == [(0, 1, 2, 3, 4)]
    assert edge_sets([0, 0], [0, 1], [0, 0]) == []  # a self-loop is not a money loop


def test_time_window_spans_all_legs() -> None:
    # legs dated 0, 300, 700: span 700 days
    args = ([0, 1, 2], [1, 2, 0], [0, 300, 700])
    assert edge_sets(*args, window=699) == []
    assert edge_sets(*args, window=700) == [(0, 1, 2)]
    # legs need not be in date order
    assert edge_sets([0, 1, 2], [1, 2, 0], [700, 0, 300], window=700) == [(0, 1, 2)]


def test_two_loops_sharing_a_firm() -> None:
    # 0->1->0 and 0->2->3->0
    src, dst = [0, 1, 0, 2, 3], [1, 0, 2, 3, 0]
    assert edge_sets(src, dst, [0] * 5) == [(0, 1), (2, 3, 4)]


def test_complete_digraph_count_is_known() -> None:
    # K4 (both directions): cycles of length 2: 6, of length 3: 8, of length 4: 6
    pairs = [(a, b) for a in range(4) for b in range(4) if a != b]
    cycles = find_cycles(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]), np.zeros(12, np.int64))
    assert np.bincount(cycles.lengths()).tolist() == [0, 0, 6, 8, 6]


@pytest.mark.parametrize("seed", range(30))
def test_matches_networkx_on_random_multigraphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 8)), int(rng.integers(5, 20))
    src, dst, days = rng.integers(0, n, m), rng.integers(0, n, m), rng.integers(0, 50, m)
    max_len, window = int(rng.integers(2, 6)), (None if seed % 2 else int(rng.integers(0, 40)))
    graph = nx.DiGraph([(int(a), int(b)) for a, b in zip(src, dst, strict=True) if a != b])
    expected = []
    for nodes in nx.simple_cycles(graph, length_bound=max_len):
        legs = [
            [e for e in range(m) if src[e] == nodes[i] and dst[e] == nodes[(i + 1) % len(nodes)]]
            for i in range(len(nodes))
        ]
        for combo in itertools.product(*legs):
            span = max(days[list(combo)]) - min(days[list(combo)])
            if window is None or span <= window:
                expected.append(tuple(sorted(combo)))
    assert edge_sets(src.tolist(), dst.tolist(), days.tolist(), max_len, window) == sorted(expected)


def test_bad_arguments_raise() -> None:
    with pytest.raises(InvalidInputError, match="max_len"):
        find_cycles(np.array([0]), np.array([1]), np.array([0]), max_len=0)
    with pytest.raises(InvalidInputError, match="same length"):
        find_cycles(np.array([0]), np.array([1, 2]), np.array([0]))


def money(rows: list[tuple[str, str, str, float | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "deal_id": f"d{i}",
                "payer_id": p,
                "payee_id": q,
                "kind": "equity_investment",
                "amount_usd": a,
                "amount_basis": basis,
                "announced": pd.Timestamp(f"2025-0{i + 1}-01").date(),
                "status": "announced",
                "capacity_gw": None,
                "source_id": "s",
            }
            for i, (p, q, _, a, basis) in enumerate(rows)
        ]
    )


def test_loop_table_round_trip_and_commitment_shares() -> None:
    # n invests 100 in o; o buys 40 from c; c buys 30 from n; x pays o 60 outside any loop
    edges = money(
        [
            ("n", "o", "", 100.0, "up_to"),
            ("o", "c", "", 40.0, "point"),
            ("c", "n", "", 30.0, "point"),
            ("x", "o", "", 60.0, "point"),
        ]
    )
    table = loops_table(edges)
    assert len(table) == 1
    row = table.iloc[0]
    cycle = ["n", "o", "c"]
    assert row["firms"][:-1] in [cycle[i:] + cycle[:i] for i in range(3)] and row["firms"][-1] == row["firms"][0]
    assert row["round_trip_usd"] == pytest.approx(30.0) and row["upper_bound"]
    # shares of money announced to each firm: o receives 160, c 40, n 30
    assert row["share_of_commitments"] == pytest.approx({"n": 1.0, "o": 30 / 160, "c": 30 / 40})
    assert sorted(leg["deal_id"] for leg in row["legs"]) == ["d0", "d1", "d2"]
    assert [leg["payer_id"] for leg in row["legs"]] == row["firms"][:-1]


def test_loops_rank_by_round_trip_and_unknown_amounts_last() -> None:
    edges = money(
        [
            ("a", "b", "", 10.0, "point"),
            ("b", "a", "", 5.0, "point"),
            ("c", "d", "", None, "unknown"),
            ("d", "c", "", 50.0, "point"),
            ("e", "f", "", 8.0, "point"),
            ("f", "e", "", 9.0, "point"),
        ]
    )
    table = loops_table(edges)
    assert table["round_trip_usd"].tolist()[:2] == pytest.approx([8.0, 5.0])
    assert np.isnan(table["round_trip_usd"].iloc[2]) and table["smallest_known_leg_usd"].iloc[2] == pytest.approx(50.0)
    assert loops_table(edges, min_usd=6.0)["round_trip_usd"].tolist() == pytest.approx([8.0])
