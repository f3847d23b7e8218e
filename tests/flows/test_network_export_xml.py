"""GraphML and GEXF exports are well-formed XML whatever the names hold (control characters, markup, any script).

A data package cannot hold control characters (the schema refuses them), but a graph can be built from any
frame, so the exporters make sure of it themselves."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.flows.network import build_graph, export_network

HOSTILE = "A\x00B\x01\x08\x0b\x0c\x1b\x1f\x7f\ufffe\uffffC"
#: What XML 1.0 allows of HOSTILE: everything but NUL, C0 controls other than tab/LF/CR, U+FFFE/U+FFFF.
CLEANED = "A\ufffdB\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\x7f\ufffd\ufffdC"
FRIENDLY = "Bêta & <Gamma> \"株式会社\" 🚀\ttab"


def graph() -> nx.MultiDiGraph:
    nodes = pd.DataFrame(
        {
            "id": ["a", "b\x00x"],
            "name": [HOSTILE, FRIENDLY],
            "kind": ["company", "company"],
            "country": ["US", None],
            "parent_id": [None, None],
            "layer": ["cloud", "other"],
        }
    )
    edges = pd.DataFrame(
        {
            "source": ["a"],
            "target": ["b\x00x"],
            "relation": ["money"],
            "deal_id": ["d\x1b1"],
            "kind": [HOSTILE],
            "amount_usd": [1.5e9],
        }
    )
    return build_graph(nodes, edges)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_is_well_formed_xml_with_control_characters_replaced(tmp_path: Path, fmt: str) -> None:
    path = export_network(graph(), fmt, tmp_path / f"web.{fmt}")
    root = ET.parse(path).getroot()  # raises ParseError on malformed XML
    texts = [element.text for element in root.iter() if element.text] + [
        value for element in root.iter() for value in element.attrib.values()
    ]
    assert CLEANED in texts
    assert FRIENDLY in texts
    assert "b\ufffdx" in texts
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert set(back.nodes) == {"a", "b\ufffdx"}


def test_json_export_keeps_the_text_escaped(tmp_path: Path) -> None:
    import json

    data = json.loads(export_network(graph(), "json", tmp_path / "web.json").read_text(encoding="utf-8"))
    assert {node["name"] for node in data["nodes"]} == {HOSTILE, FRIENDLY}


def test_ids_that_would_merge_once_cleaned_are_refused(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    g.add_node("a\x00")
    g.add_node("a\x01")
    with pytest.raises(InvalidInputError, match="control characters"):
        export_network(g, "graphml", tmp_path / "web.graphml")
    g = nx.MultiDiGraph()
    g.add_edge("a", "b", key="d\x00")
    g.add_edge("a", "b", key="d\x01")
    with pytest.raises(InvalidInputError, match="control characters"):
        export_network(g, "gexf", tmp_path / "web.gexf")
    assert not (tmp_path / "web.graphml").exists() and not (tmp_path / "web.gexf").exists()
