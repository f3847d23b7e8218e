"""Who depends on whom, and who sits at the centre of the deal web.

Dependence: for each firm and direction (``pays`` = its suppliers and investees, ``receives`` = its customers
and funders), its counterparties ranked by committed US dollars, each one's share of the firm's total, and the
concentration of those shares, HHI = 10,000 · Σ s_k² (0-10,000 scale; 10,000 = a single counterparty).
Deals without a published amount are counted in ``deals`` but add no dollars.

Centrality (networkx), on the money edges of the deals in force:

- ``degree_usd``: weighted degree, Σ of amounts paid and received (USD);
- ``betweenness``: share of shortest directed payer -> payee paths (hop count) through the firm (Brandes 2001,
  normalised to 0-1);
- ``eigenvector``: eigenvector centrality of the undirected graph weighted by the USD between each pair
  (principal eigenvector of each connected component, scaled to unit Euclidean norm within it).
"""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
import numpy as np
import pandas as pd

from ..measures.concentration import hhi

CENTRALITY_METHODS = {
    "degree_usd": "weighted degree: sum of USD paid and received over deals in force",
    "betweenness": "betweenness centrality (Brandes), directed, unweighted hops, normalised (networkx)",
    "eigenvector": "eigenvector centrality, undirected, weighted by USD between each pair, per connected component "
    "(networkx, numpy)",
}


def counterparties(edges: pd.DataFrame) -> pd.DataFrame:
    """Long table: entity_id, direction (pays | receives), counterparty_id, amount_usd, public_private_usd (the
    part of amount_usd in deals flagged ``public_private``, 0 without the flag), deals, share, rank."""
    if edges.empty:
        return pd.DataFrame(
            columns=[
                "entity_id", "direction", "counterparty_id", "amount_usd", "public_private_usd", "deals", "share",
                "rank",
            ]
        )
    pays = edges.assign(entity_id=edges["payer_id"], counterparty_id=edges["payee_id"], direction="pays")
    receives = edges.assign(entity_id=edges["payee_id"], counterparty_id=edges["payer_id"], direction="receives")
    both = pd.concat([pays, receives], ignore_index=True)
    if "public_private" not in both:
        both = both.assign(public_private=False)
    both = both.assign(public_usd=both["amount_usd"].where(both["public_private"].astype(bool), 0.0).fillna(0.0))
    grouped = both.groupby(["entity_id", "direction", "counterparty_id"], as_index=False).agg(
        amount_usd=("amount_usd", "sum"),  # 0 when no deal of the pair has a published amount
        public_private_usd=("public_usd", "sum"),
        deals=("deal_id", "count"),
    )
    total = grouped.groupby(["entity_id", "direction"])["amount_usd"].transform("sum")
    grouped["share"] = np.where(total > 0, grouped["amount_usd"] / total.where(total > 0, 1.0), np.nan)
    grouped = grouped.sort_values(["entity_id", "direction", "amount_usd"], ascending=[True, True, False])
    grouped["rank"] = grouped.groupby(["entity_id", "direction"]).cumcount() + 1
    return grouped.reset_index(drop=True)


def dependence(edges: pd.DataFrame) -> pd.DataFrame:
    """One row per (entity, direction): total_usd, public_private_usd (counted apart), counterparties, deals,
    hhi (0-10,000; NaN without dollars), top counterparty and its share. Sorted by HHI, most dependent first."""
    table = counterparties(edges)  # sorted by entity and direction, largest counterparty first
    bounds = [*np.flatnonzero(~table.duplicated(["entity_id", "direction"]).to_numpy()).tolist(), len(table)]
    amounts, public = (table[c].to_numpy(dtype=float) for c in ("amount_usd", "public_private_usd"))
    deals, shares = table["deals"].to_numpy(), table["share"].to_numpy(dtype=float)
    entities, directions, names = (table[c].tolist() for c in ("entity_id", "direction", "counterparty_id"))
    rows = []
    for a, b in pairwise(bounds):
        total = float(amounts[a:b].sum())
        rows.append(
            {
                "entity_id": entities[a],
                "direction": directions[a],
                "total_usd": total,
                "public_private_usd": float(public[a:b].sum()),
                "counterparties": b - a,
                "deals": int(deals[a:b].sum()),
                "hhi": hhi(amounts[a:b] / total) if total > 0 else float("nan"),
                "top_counterparty": names[a] if total > 0 else None,
                "top_share": float(shares[a]) if total > 0 else float("nan"),
            }
        )
    columns = [
        "entity_id", "direction", "total_usd", "public_private_usd", "counterparties", "deals", "hhi",
        "top_counterparty", "top_share",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["hhi", "total_usd"], ascending=[False, False], na_position="last").reset_index(drop=True)


def centrality(edges: pd.DataFrame) -> pd.DataFrame:
    """entity_id, degree_usd, deals, betweenness, eigenvector (see module docstring; methods in
    :data:`CENTRALITY_METHODS`), sorted by weighted degree."""
    columns = ["entity_id", "degree_usd", "deals", "betweenness", "eigenvector"]
    if edges.empty:
        return pd.DataFrame(columns=columns)
    amounts = edges["amount_usd"].fillna(0.0)
    directed = nx.DiGraph()
    directed.add_edges_from(zip(edges["payer_id"], edges["payee_id"], strict=True))
    undirected = nx.Graph()
    for payer, payee, amount in zip(edges["payer_id"], edges["payee_id"], amounts, strict=True):
        previous = undirected.get_edge_data(payer, payee, {"weight": 0.0})["weight"]
        undirected.add_edge(payer, payee, weight=previous + float(amount))
    between = nx.betweenness_centrality(directed, normalized=True)
    eigen = _eigenvector(undirected)
    degree = (
        pd.concat(
            [
                pd.DataFrame({"entity_id": edges["payer_id"], "usd": amounts}),
                pd.DataFrame({"entity_id": edges["payee_id"], "usd": amounts}),
            ]
        )
        .groupby("entity_id")["usd"]
        .agg(["sum", "count"])
    )
    frame = pd.DataFrame(
        {
            "entity_id": degree.index,
            "degree_usd": degree["sum"].to_numpy(),
            "deals": degree["count"].to_numpy(),
            "betweenness": [between.get(e, 0.0) for e in degree.index],
            "eigenvector": [eigen.get(e, 0.0) for e in degree.index],
        }
    )
    frame.attrs["methods"] = CENTRALITY_METHODS
    return frame.sort_values("degree_usd", ascending=False).reset_index(drop=True)


def _eigenvector(graph: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality within each connected component (unit norm per component; the principal
    eigenvector of a disconnected graph is not unique), weights scaled to billions for conditioning. A
    component of two firms gives each 1/√2, a lone firm 0."""
    scaled = nx.Graph()
    scaled.add_nodes_from(graph.nodes)
    scaled.add_weighted_edges_from((u, v, d["weight"] / 1e9 + 1e-9) for u, v, d in graph.edges(data=True))
    out: dict[str, float] = {}
    for component in nx.connected_components(scaled):
        if len(component) <= 2:
            out.update(dict.fromkeys(component, 0.0 if len(component) == 1 else 2**-0.5))
            continue
        # the principal eigenvector of the symmetric weighted adjacency matrix, by LAPACK's dense solver over the
        # firms in sorted order: the same figures on every run (ARPACK's iterative solver starts from a random
        # vector, so its last digits changed between runs)
        nodes = sorted(component)
        adjacency = nx.to_numpy_array(scaled.subgraph(component), nodelist=nodes, weight="weight")
        vector = np.abs(np.linalg.eigh(adjacency)[1][:, -1])
        out.update({node: float(value) for node, value in zip(nodes, vector / np.linalg.norm(vector), strict=True)})
    return out
