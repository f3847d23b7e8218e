"""Parent roll-up: hand-made webs whose loops are known before and after rolling units up to their parents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from deals_package import mini_package

from marketpower import api
from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.flows import dependence as dep
from marketpower.flows.loops import loops_table
from marketpower.flows.nullmodel import canonical_cycle
from marketpower.flows.rollup import rollup_edges, ultimate_parents
from marketpower.ingest.datapackage import read_package
from marketpower.store import Store

ENTITIES = pd.DataFrame(
    {
        "id": ["alphabet", "google", "google-cloud", "amazon", "aws", "lab", "pac", "foundation", "openai"],
        "kind": ["company", "company", "company", "company", "company", "company", "committee", "nonprofit",
                 "company"],
        "parent_id": [None, "alphabet", "google", None, "amazon", None, "amazon", None, "foundation"],
    }
)


def edges(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": [r[0] for r in rows],
            "payer_id": [r[1] for r in rows],
            "payee_id": [r[2] for r in rows],
            "kind": "equity_investment",
            "amount_usd": [r[3] for r in rows],
            "amount_basis": "point",
            "announced": pd.Timestamp("2025-01-01").date(),
            "status": "announced",
            "source_id": "s1",
        }
    )


def test_units_map_to_the_top_of_their_corporate_chain() -> None:
    top = ultimate_parents(ENTITIES)
    assert top["google-cloud"] == "alphabet" and top["google"] == "alphabet" and top["aws"] == "amazon"
    assert top["amazon"] == "amazon" and top["lab"] == "lab"
    # a committee's sponsor and a non-profit parent are not corporate control
    assert top["pac"] == "pac" and top["openai"] == "openai"


def test_round_trips_through_a_lab_appear_only_after_rollup() -> None:
    web = edges(
        [
            ("amazon-lab", "amazon", "lab", 8.0),
            ("lab-aws", "lab", "aws", 5.0),
            ("alphabet-lab", "alphabet", "lab", 3.0),
            ("lab-gcloud", "lab", "google-cloud", 2.0),
            ("gcloud-google", "google-cloud", "google", 1.0),  # inside the Alphabet group
        ]
    )
    assert loops_table(web).empty  # legal entities: money never comes back to the same firm
    rolled = rollup_edges(web, ultimate_parents(ENTITIES))
    assert "gcloud-google" not in set(rolled["deal_id"])  # intra-group edge dropped
    table = loops_table(rolled)
    found = {canonical_cycle(f[:-1]): rt for f, rt in zip(table["firms"], table["round_trip_usd"], strict=True)}
    assert set(found) == {("amazon", "lab"), ("alphabet", "lab")}
    assert found[("amazon", "lab")] == pytest.approx(5.0, rel=1e-12)  # smallest leg
    assert found[("alphabet", "lab")] == pytest.approx(2.0, rel=1e-12)
    legs = {leg["deal_id"]: leg for legs in table["legs"] for leg in legs}
    assert legs["lab-aws"]["payee_id"] == "amazon" and legs["lab-aws"]["payee_legal_id"] == "aws"
    assert legs["lab-gcloud"]["payee_legal_id"] == "google-cloud"


def test_a_parent_cycle_is_refused_naming_the_rows(tmp_path: Path) -> None:
    cyclic = pd.DataFrame({"id": ["a", "b", "c"], "kind": "company", "parent_id": ["b", "a", None]})
    with pytest.raises(InvalidInputError, match=r"parent cycle a -> b -> a \(rows 2, 3\)"):
        ultimate_parents(cyclic)
    folder = mini_package(tmp_path)
    (folder / "data" / "entities.csv").write_text(
        "id,name,kind,country,ticker,parent_id\na,A,company,US,,b\nb,B,company,US,,a\nc,C,company,US,,\n"
    )
    with pytest.raises(DataPackageError) as caught:
        read_package(folder)
    problems = [p for p in caught.value.problems if p.field == "parent_id"]
    assert len(problems) == 1 and problems[0].file.endswith("entities.csv") and problems[0].line == 2
    assert "rows 2, 3" in problems[0].message


def test_cli_options_reach_the_application_layer(tmp_path: Path) -> None:
    deals = (
        "ab,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s1,\n"
        "bc,2025-01-03,cloud_contract,b,c,60,,,,,,announced,,,s1,\n"
    )
    folder = mini_package(tmp_path, deals)
    (folder / "data" / "entities.csv").write_text(
        "id,name,kind,country,ticker,parent_id\na,A,company,US,,\nb,B,company,US,,\nc,C unit of A,company,US,,a\n"
    )
    store = Store.open(package=folder)
    assert api.loops(store, rollup=False).table.empty
    rolled = api.loops(store)
    assert [canonical_cycle(f[:-1]) for f in rolled.table["firms"]] == [("a", "b")]
    assert rolled.table["round_trip_usd"].iloc[0] == pytest.approx(60.0, rel=1e-12)
    assert set(api.dependence(store).summary["entity_id"]) == {"a", "b"}
    assert set(api.dependence(store, rollup=False).summary["entity_id"]) == {"a", "b", "c"}
    pays = api.dependence(store, "a").counterparties
    assert pays.loc[pays["direction"] == "receives", "amount_usd"].sum() == pytest.approx(60.0, rel=1e-12)


def test_centrality_of_a_web_in_two_pieces() -> None:
    # a triangle of equal weights and a separate pair: eigenvector centrality within each piece
    web = edges([("ab", "a", "b", 1e9), ("bc", "b", "c", 1e9), ("ca", "c", "a", 1e9), ("xy", "x", "y", 2e9)])
    table = dep.centrality(web).set_index("entity_id")["eigenvector"]
    assert table[["a", "b", "c"]].to_numpy() == pytest.approx([3**-0.5] * 3, abs=1e-9)
    assert table[["x", "y"]].to_numpy() == pytest.approx([2**-0.5] * 2, abs=1e-12)
