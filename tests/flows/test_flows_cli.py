"""The deal-web commands on the bundled deals data: JSON output, exports and clean errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from deals_package import copy_deals_package

from marketpower.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The deals-domain tables of the bundled package loaded once into a DuckDB file."""
    folder = copy_deals_package(tmp_path_factory.mktemp("pkg"))
    path = tmp_path_factory.mktemp("store") / "deals.duckdb"
    Store.open(package=folder, db=path).close()
    return str(path)


def run_json(cli: Callable[..., Any], db: str, *args: str) -> Any:
    result = cli(*args, "--db", db, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_loops_json(cli: Callable[..., Any], db: str) -> None:
    loops = run_json(cli, db, "loops", "--min-usd", "1e9")
    assert loops and all(row["round_trip_usd"] >= 1e9 for row in loops)
    assert loops[0]["rank"] == 1 and loops[0]["legs"][0]["source_id"].startswith("deals-")
    assert run_json(cli, db, "loops", "--max-len", "2", "--since", "2025-01-01")
    assert all(row["length"] <= 2 for row in run_json(cli, db, "loops", "--max-len", "2"))


def test_owners_json(cli: Callable[..., Any], db: str) -> None:
    data = run_json(cli, db, "owners", "stargate")
    owners = {row["owner_id"]: row["effective_fraction"] for row in data["owners"]}
    assert owners["softbank"] == pytest.approx(0.444)
    assert any(chain["path"] == ["microsoft", "openai", "stargate"] for chain in data["chains"])


def test_network_export_opens_in_networkx(cli: Callable[..., Any], db: str, tmp_path: Path) -> None:
    out = tmp_path / "web.gexf"
    summary = run_json(cli, db, "network", "--format", "gexf", "--out", str(out))
    assert summary["money_edges"] >= 50 and summary["ownership_edges"] >= 15
    assert nx.read_gexf(out).number_of_edges() == summary["edges"]


def test_dependence_and_centrality_json(cli: Callable[..., Any], db: str) -> None:
    oracle = run_json(cli, db, "dependence", "oracle")
    assert oracle["summary"][0]["entity_id"] == "oracle"
    central = run_json(cli, db, "centrality", "--top", "5")
    assert set(central["methods"]) == {"degree_usd", "betweenness", "eigenvector"}
    assert central["firms"][0]["entity_id"] == "openai"


def test_clean_errors(cli: Callable[..., Any], db: str) -> None:
    bad = cli("owners", "no-such-firm", "--db", db)
    assert bad.code != 0 and "no-such-firm" in bad.err and "Traceback" not in bad.err
    bad_date = cli("loops", "--since", "yesterday", "--db", db)
    assert bad_date.code != 0 and "--since" in bad_date.err
    bad_format = cli("network", "--format", "dot", "--db", db)
    assert bad_format.code != 0 and "--format" in bad_format.err


def test_ingest_epoch_hub(cli: Callable[..., Any], shared_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "facilities.csv"
    result = cli(
        "ingest",
        "epoch-hub",
        str(shared_dir / "data" / "epoch-data-hub-2025-12"),
        "--out",
        str(out),
        "--exported",
        "2025-12-01",
        "--json",
    )
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == 16 and out.read_text().startswith("id,name,owner_id")
