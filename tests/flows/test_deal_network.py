"""Money edges, the exported graph, dependence (counterparty HHI) and centrality, on hand-made deals."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.flows.dependence import CENTRALITY_METHODS, centrality, counterparties, dependence
from marketpower.flows.network import build_graph, export_network, money_edges, network_frames


def deals(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {
        "kind": "cloud_contract",
        "amount_usd": None,
        "amount_usd_low": None,
        "amount_usd_high": None,
        "capacity_gw": None,
        "status": "announced",
        "supersedes": None,
        "source_id": "s",
    }
    return pd.DataFrame([{**base, **row} for row in rows])


DEALS = deals(
    [
        {"id": "d1", "announced": "2025-01-01", "payer_id": "a", "payee_id": "b", "amount_usd": 60.0},
        {"id": "d2", "announced": "2025-02-01", "payer_id": "a", "payee_id": "c", "amount_usd_high": 40.0},
        {"id": "d3", "announced": "2025-03-01", "payer_id": "b", "payee_id": "c", "amount_usd_low": 10.0},
        {"id": "d4", "announced": "2025-04-01", "payer_id": "c", "payee_id": "a"},
        {
            "id": "d5",
            "announced": "2025-05-01",
            "payer_id": "b",
            "payee_id": "c",
            "amount_usd": 20.0,
            "supersedes": "d3",
            "status": "closed",
        },
        {
            "id": "d6",
            "announced": "2025-06-01",
            "payer_id": "c",
            "payee_id": "b",
            "amount_usd": 5.0,
            "status": "cancelled",
        },
    ]
)


def test_money_edges_use_the_latest_revision_and_mark_the_amount_basis() -> None:
    edges = money_edges(DEALS)
    assert edges["deal_id"].tolist() == ["d1", "d2", "d4", "d5"]
    assert edges["amount_basis"].tolist() == ["point", "up_to", "unknown", "point"]
    assert edges["amount_usd"].tolist()[:2] == pytest.approx([60.0, 40.0])
    assert money_edges(DEALS, since="2025-03-15")["deal_id"].tolist() == ["d4", "d5"]


def test_dependence_hhi_by_hand() -> None:
    table = dependence(money_edges(DEALS)).set_index(["entity_id", "direction"])
    # a pays b 60 and c 40: HHI = 10,000 * (0.6^2 + 0.4^2) = 5,200
    assert table.loc[("a", "pays"), "hhi"] == pytest.approx(5200.0)
    assert table.loc[("a", "pays"), "top_counterparty"] == "b"
    # c receives 40 from a and 20 from b: 10,000 * ((2/3)^2 + (1/3)^2)
    assert table.loc[("c", "receives"), "hhi"] == pytest.approx(10_000 * 5 / 9)
    # a receives only a deal without amount: counted, but no dollars
    assert table.loc[("a", "receives"), "deals"] == 1 and pd.isna(table.loc[("a", "receives"), "hhi"])
    ranks = counterparties(money_edges(DEALS))
    assert ranks[(ranks["entity_id"] == "a") & (ranks["direction"] == "pays")]["rank"].tolist() == [1, 2]


def test_centrality_of_a_star() -> None:
    edges = money_edges(
        deals(
            [
                {"id": f"d{i}", "announced": "2025-01-01", "payer_id": leaf, "payee_id": "hub", "amount_usd": 1.0}
                for i, leaf in enumerate("wxyz")
            ]
            + [{"id": "out", "announced": "2025-01-01", "payer_id": "hub", "payee_id": "v", "amount_usd": 1.0}]
        )
    )
    table = centrality(edges).set_index("entity_id")
    assert table.loc["hub", "degree_usd"] == pytest.approx(5.0)
    # every leaf -> v path goes through the hub: 4 of the 5 * 4 ordered pairs
    assert table.loc["hub", "betweenness"] == pytest.approx(4 / 20)
    assert table["eigenvector"].idxmax() == "hub"
    assert set(centrality(edges).attrs["methods"]) == set(CENTRALITY_METHODS)


def test_graph_exports_open_again(tmp_path: Path) -> None:
    entities = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "kind": ["company"] * 3,
            "country": ["US"] * 3,
            "ticker": [None] * 3,
            "parent_id": [None] * 3,
        }
    )
    layers = pd.DataFrame({"entity_id": ["a"], "layer": ["cloud"], "source_id": [None], "note": [None]})
    stakes = pd.DataFrame(
        {
            "owner_id": ["a"],
            "target_id": ["b"],
            "as_of": ["2024-01-01"],
            "instrument": ["common"],
            "equity_fraction": [0.3],
            "equity_fraction_low": [None],
            "equity_fraction_high": [None],
            "voting_fraction": [None],
            "source_id": ["s"],
        }
    )
    nodes, edges = network_frames(DEALS, stakes, entities, layers)
    assert dict(zip(nodes["id"], nodes["layer"], strict=True)) == {"a": "cloud", "b": "other", "c": "other"}
    assert edges["relation"].value_counts().to_dict() == {"money": 4, "ownership": 1}
    graph = build_graph(nodes, edges)
    back = nx.read_graphml(export_network(graph, "graphml", tmp_path / "g.graphml"))
    assert back.number_of_edges() == 5 and back.nodes["a"]["layer"] == "cloud"
    assert nx.read_gexf(export_network(graph, "gexf", tmp_path / "g.gexf")).number_of_nodes() == 3
    data = json.loads(export_network(graph, "json", tmp_path / "g.json").read_text())
    assert {link["key"] for link in data["links"] if link.get("relation") == "money"} == {"d1", "d2", "d4", "d5"}
    with pytest.raises(InvalidInputError, match="--format"):
        export_network(graph, "dot", tmp_path / "g.dot")


def test_eigenvector_centrality_is_the_perron_vector_and_the_same_on_every_run() -> None:
    """A path a - b - c of equal weights: the principal eigenvector of [[0,1,0],[1,0,1],[0,1,0]] is
    (1/2, 1/√2, 1/2); two runs (and a run after another graph's) give the same bits."""
    edges = pd.DataFrame(
        {
            "deal_id": ["d1", "d2"],
            "payer_id": ["a", "b"],
            "payee_id": ["b", "c"],
            "amount_usd": [5e9, 5e9],
        }
    )
    first = centrality(edges).set_index("entity_id")["eigenvector"]
    assert first.to_dict() == pytest.approx({"a": 0.5, "b": 2**-0.5, "c": 0.5}, abs=1e-12)
    other = edges.assign(payee_id=["c", "a"], amount_usd=[1e9, 7e9])
    centrality(other)
    again = centrality(edges).set_index("entity_id")["eigenvector"]
    assert again.to_numpy().tobytes() == first.to_numpy().tobytes()
