"""The deal web as a graph: money edges from the ``deals`` table, ownership edges from ``stakes``, nodes from
``entities`` (with their layer of the AI stack), and exports for Gephi and the dashboard.

Built on networkx: its MultiDiGraph keeps parallel deals between two firms apart, and its GraphML/GEXF
writers open directly in Gephi. (The loop finder works on plain arrays, see :mod:`.loops`.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pandas as pd

from ..errors import InvalidInputError
from ..schema.deals import deal_amounts, positions_as_of, stake_point
from .asof import deal_intervals, deals_as_of, facilities_as_of, stake_intervals
from .rollup import rollup_edges

#: Characters XML 1.0 cannot hold, not even escaped: C0 controls other than tab/LF/CR, surrogates, U+FFFE/U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ExportFormat = Literal["graphml", "gexf", "json"]
EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json")
EDGE_COLUMNS = [
    "deal_id",
    "payer_id",
    "payee_id",
    "kind",
    "amount_usd",
    "amount_basis",
    "announced",
    "status",
    "capacity_gw",
    "source_id",
]


def money_edges(deals: pd.DataFrame, since: date | str | None = None, until: date | str | None = None) -> pd.DataFrame:
    """Money edges payer -> payee of the deals in force on ``until`` (latest revision announced by then of each
    deal, cancelled ones dropped: :func:`marketpower.flows.asof.deals_as_of`), announced on or after ``since``
    (:func:`deal_edges`)."""
    frame = deals_as_of(deals, until)
    if since is not None and not frame.empty:
        frame = frame[pd.to_datetime(frame["announced"]) >= pd.Timestamp(since)]
    return deal_edges(frame)


def deal_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """One money edge payer -> payee per row of ``frame`` (deals rows), by announcement date. ``amount_usd``
    and ``amount_basis`` are the headline amount and how it is published
    (:func:`marketpower.schema.deals.deal_amounts`)."""
    if frame.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    amounts = deal_amounts(frame)
    out = pd.DataFrame(
        {
            "deal_id": frame["id"],
            "payer_id": frame["payer_id"],
            "payee_id": frame["payee_id"],
            "kind": frame["kind"],
            "amount_usd": amounts["amount_usd"],
            "amount_basis": amounts["amount_basis"],
            "announced": pd.to_datetime(frame["announced"]).dt.date,
            "status": frame["status"],
            "capacity_gw": frame["capacity_gw"].astype(float),
            "source_id": frame["source_id"],
        }
    )
    return out.sort_values(["announced", "deal_id"]).reset_index(drop=True)


def stake_edges(stakes: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Ownership edges owner -> target in force at ``when`` (see :func:`positions_as_of`), with the point
    equity fraction (midpoint of a published range, or the cap of a warrant) and the voting fraction."""
    held = positions_as_of(stakes, when)
    if held.empty:
        return pd.DataFrame(
            columns=["owner_id", "target_id", "as_of", "instrument", "equity_fraction", "voting_fraction", "source_id"]
        )
    return pd.DataFrame(
        {
            "owner_id": held["owner_id"],
            "target_id": held["target_id"],
            "as_of": pd.to_datetime(held["as_of"]).dt.date,
            "instrument": held["instrument"],
            "equity_fraction": stake_point(held),
            "voting_fraction": held["voting_fraction"].astype(float),
            "source_id": held["source_id"],
        }
    ).reset_index(drop=True)


def nodes_frame(entities: pd.DataFrame, entity_layers: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """One row per entity in ``ids``: id, name, kind, country, parent_id and layer (first listed; else
    ``other``)."""
    first = entity_layers.drop_duplicates("entity_id")
    layers: dict[str, str] = dict(zip(first["entity_id"], first["layer"], strict=True))
    known = entities.set_index("id")
    unknown = sorted(set(ids) - set(known.index))
    if unknown:
        raise InvalidInputError(f"entities missing from the entities table: {', '.join(unknown)}")
    rows = known.loc[ids]
    return pd.DataFrame(
        {
            "id": ids,
            "name": rows["name"].to_numpy(),
            "kind": rows["kind"].to_numpy(),
            "country": rows["country"].to_numpy(),
            "parent_id": rows["parent_id"].to_numpy(),
            "layer": [layers.get(i, "other") for i in ids],
        }
    )


def facility_edges(facilities: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Site edges host -> user of the facilities table on ``when``: from the site's owner (its operator when no
    owner is recorded) to its main tenant (its operator when no tenant is recorded), when the two differ. Each
    carries the site's ``status_as_of`` on ``when`` (:func:`marketpower.flows.asof.facilities_as_of`) as
    ``kind``, its ``facility_id``, ``power_mw``, ``year_online`` and ``source_id``."""
    columns = ["facility_id", "source", "target", "kind", "power_mw", "year_online", "source_id"]
    if facilities is None or facilities.empty:
        return pd.DataFrame(columns=columns)
    sites = facilities_as_of(facilities, when)
    host = sites["owner_id"].fillna(sites["operator_id"])
    user = sites["main_tenant_id"].fillna(sites["operator_id"])
    keep = host.notna() & user.notna() & (host != user)
    return pd.DataFrame(
        {
            "facility_id": sites.loc[keep, "id"],
            "source": host[keep],
            "target": user[keep],
            "kind": sites.loc[keep, "status_as_of"],
            "power_mw": pd.to_numeric(sites.loc[keep, "power_mw"], errors="coerce"),
            "year_online": pd.to_numeric(sites.loc[keep, "year_online"], errors="coerce"),
            "source_id": sites.loc[keep, "source_id"],
        },
        columns=columns,
    ).reset_index(drop=True)


def network_frames(
    deals: pd.DataFrame,
    stakes: pd.DataFrame,
    entities: pd.DataFrame,
    entity_layers: pd.DataFrame,
    when: date | str | None = None,
    *,
    facilities: pd.DataFrame | None = None,
    parents: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) of the deal web on ``when`` for publishing: edges hold money edges (``relation = money``,
    ``kind`` = deal kind), ownership edges (``relation = ownership``, ``kind`` = instrument) and, with
    ``facilities``, site edges (``relation = facility``, ``kind`` = the site's status on ``when``:
    :func:`facility_edges`), with ``source``/``target``. With ``parents`` (entity -> ultimate controlling parent,
    :func:`marketpower.flows.rollup.ultimate_parents`) both ends are rolled up, the legal ids kept in
    ``source_legal_id``/``target_legal_id``, and edges inside one group (Alphabet's stake in Google) dropped."""
    money = money_edges(deals, until=when).rename(columns={"payer_id": "source", "payee_id": "target"})
    money.insert(0, "relation", "money")
    owned = stake_edges(stakes, when).rename(
        columns={"owner_id": "source", "target_id": "target", "instrument": "kind", "as_of": "announced"}
    )
    owned.insert(0, "relation", "ownership")
    frames = [money, owned]
    if facilities is not None:
        sites = facility_edges(facilities, when)
        sites.insert(0, "relation", "facility")
        frames.append(sites)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    filled = [f for f in frames if len(f)]
    edges = pd.concat(filled, ignore_index=True).reindex(columns=columns) if filled else pd.DataFrame(columns=columns)
    if parents is not None:
        edges = rollup_edges(edges, parents, ("source", "target"))
    ids = sorted(set(edges["source"]) | set(edges["target"]))
    return nodes_frame(entities, entity_layers, ids), edges


def web_history(deals: pd.DataFrame, stakes: pd.DataFrame) -> pd.DataFrame:
    """Every money and ownership edge that is in force at some date (columns of :func:`network_frames`), with
    ``in_force_from`` and ``in_force_until`` (exclusive; NaT while in force): deal rows by
    :func:`marketpower.flows.asof.deal_intervals`, stake rows by :func:`marketpower.flows.asof.stake_intervals`.
    The edges of ``network_frames`` on a date t are exactly those with from <= t < until."""
    spans = deal_intervals(deals)
    kept = deals.loc[spans.index]
    money = deal_edges(kept)
    by_id = spans.set_axis(kept["id"]) if len(kept) else spans
    money = money.join(by_id, on="deal_id").rename(columns={"payer_id": "source", "payee_id": "target"})
    money.insert(0, "relation", "money")
    held = stakes.join(stake_intervals(stakes))
    owned = pd.DataFrame(
        {
            "relation": "ownership",
            "source": held["owner_id"],
            "target": held["target_id"],
            "kind": held["instrument"],
            "announced": pd.to_datetime(held["as_of"]).dt.date,
            "equity_fraction": stake_point(held),
            "in_force_from": held["in_force_from"],
            "in_force_until": held["in_force_until"],
            "source_id": held["source_id"],
        },
        index=held.index,
    )
    frames = [f for f in (money, owned) if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*money.columns, "equity_fraction"])
    return pd.concat(frames, ignore_index=True)


def build_graph(nodes: pd.DataFrame, edges: pd.DataFrame) -> nx.MultiDiGraph:
    """MultiDiGraph of :func:`network_frames` output; empty attribute values are left out (GraphML needs it)."""
    graph = nx.MultiDiGraph()
    for record in nodes.to_dict("records"):
        graph.add_node(record["id"], **_clean({str(k): v for k, v in record.items() if k != "id"}))
    for record in edges.to_dict("records"):
        attrs = _clean({str(k): v for k, v in record.items() if k not in ("source", "target")})
        key = record.get("deal_id") if isinstance(record.get("deal_id"), str) else None
        graph.add_edge(record["source"], record["target"], key=key, **attrs)
    return graph


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out


def export_network(graph: nx.MultiDiGraph, fmt: str, path: Path | str) -> Path:
    """Write the graph as GraphML, GEXF (both open in Gephi) or node-link JSON; returns the path written."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(f"--format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    target = Path(path)
    if fmt == "graphml":
        nx.write_graphml(_xml_graph(graph), target)
    elif fmt == "gexf":
        nx.write_gexf(_xml_graph(graph), target)
    else:
        target.write_text(json.dumps(nx.node_link_data(graph, edges="links"), indent=1, default=str))
    return target


def _xml_text(value: Any) -> Any:
    """``value`` with each character XML 1.0 cannot hold replaced by U+FFFD (other values unchanged)."""
    return XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def _xml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` (ids, keys, attribute names and values) that GraphML and GEXF can write as well-formed
    XML. Two node ids (or parallel edge keys) that only differ by such characters would merge, so they are
    refused."""
    out = nx.MultiDiGraph(**{str(_xml_text(k)): _xml_text(v) for k, v in graph.graph.items()})
    for node, attrs in graph.nodes(data=True):
        out.add_node(_xml_text(node), **{str(_xml_text(k)): _xml_text(v) for k, v in attrs.items()})
    if out.number_of_nodes() != graph.number_of_nodes():
        raise InvalidInputError("node ids differ only by control characters, which XML cannot hold: clean the ids")
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(_xml_text(u), _xml_text(v), key=_xml_text(key),
                     **{str(_xml_text(k)): _xml_text(a) for k, a in attrs.items()})
    if out.number_of_edges() != graph.number_of_edges():
        raise InvalidInputError("deal ids differ only by control characters, which XML cannot hold: clean the ids")
    return out
