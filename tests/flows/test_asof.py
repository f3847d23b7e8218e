"""The deal web as of a date: a deal revised and then cancelled later, stakes and facilities on a date."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from deals_package import mini_package

from marketpower import api
from marketpower.flows.asof import deals_as_of, facilities_as_of
from marketpower.store import Store

# d1: a invests 100 in b (Jan); b buys 80 from a (Feb); d1 cut to 50 in June, cancelled in September.
DEALS = (
    "d1,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s1,\n"
    "back,2025-02-01,cloud_contract,b,a,80,,,,,,announced,,,s1,\n"
    "d1-cut,2025-06-01,equity_investment,a,b,50,,,,,,revised,d1,,s1,\n"
    "d1-off,2025-09-01,equity_investment,a,b,,,,,,,cancelled,d1-cut,,s1,\n"
)
STAKES = "a,b,2025-01-01,common,0.2,,,,s1,\na,b,2025-07-01,common,0.1,,,,s1,\n"


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(package=mini_package(tmp_path, DEALS, STAKES))


def test_deals_read_with_their_status_history(store: Store) -> None:
    deals = store.table("deals")
    assert set(deals_as_of(deals, "2025-01-15")["id"]) == {"d1"}
    assert set(deals_as_of(deals, "2025-03-01")["id"]) == {"d1", "back"}
    assert set(deals_as_of(deals, "2025-07-01")["id"]) == {"d1-cut", "back"}
    assert set(deals_as_of(deals, "2025-10-01")["id"]) == {"back"}
    assert set(deals_as_of(deals)["id"]) == {"back"}


def test_loops_and_dependence_as_of_a_date(store: Store) -> None:
    march = api.loops(store, as_of="2025-03-01", rewirings=5).table
    assert march["round_trip_usd"].tolist() == pytest.approx([80.0], rel=1e-12)
    july = api.loops(store, as_of="2025-07-01", rewirings=5).table
    assert july["round_trip_usd"].tolist() == pytest.approx([50.0], rel=1e-12)  # the revised amount
    assert {leg["deal_id"] for leg in july["legs"].iloc[0]} == {"d1-cut", "back"}
    assert api.loops(store, rewirings=5).table.empty  # cancelled in September: no loop today
    pays = api.dependence(store, "a", as_of="2025-03-01").summary.set_index("direction")
    assert pays.loc["pays", "total_usd"] == pytest.approx(100.0, rel=1e-12)
    assert api.dependence(store, "a", as_of="2025-07-01").summary.set_index("direction").loc[
        "pays", "total_usd"
    ] == pytest.approx(50.0, rel=1e-12)


def test_stakes_and_the_web_as_of_a_date(store: Store) -> None:
    owners = api.owners(store, "b", as_of="2025-03-01").owners
    assert owners["effective_fraction"].tolist() == pytest.approx([0.2], abs=1e-12)
    later = api.owners(store, "b", as_of="2025-08-01").owners
    assert later["effective_fraction"].tolist() == pytest.approx([0.1], abs=1e-12)
    web = api.deal_web(store, as_of="2025-07-01").edges
    money = web[web["relation"] == "money"]
    assert set(money["deal_id"]) == {"d1-cut", "back"}


def test_facilities_as_of_a_year() -> None:
    sites = pd.DataFrame(
        {"id": ["old", "new", "undated"], "status": ["operational", "operational", "planned"],
         "year_online": [2020, 2026, None]}
    )
    on = facilities_as_of(sites, "2025-06-30").set_index("id")["status_as_of"]
    assert on.to_dict() == {"old": "operational", "new": "not_online", "undated": "planned"}
    assert facilities_as_of(sites).set_index("id")["status_as_of"].to_dict()["new"] == "operational"
