"""Each deal page links to what the data says about it: the compute its capacity buys, the merger screens of
its parties, the money loops it is a leg of, and the deal web on the day it was announced."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marketpower import api
from marketpower.publish.web import create_app
from marketpower.store import Store


@pytest.fixture(scope="module")
def store() -> Store:
    return Store.open()


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(create_app(store, warm=False), raise_server_exceptions=False)


def test_a_capacity_deal_shows_the_compute_it_buys(store: Store, client: TestClient) -> None:
    deals = store.table("deals")
    deal = deals[deals["capacity_gw"].notna() & (deals["capacity_gw"] > 0)].iloc[0]
    page = client.get(f"/deals/{deal['id']}.json").json()
    compute = page["compute"]
    steps = {s["key"]: s for s in compute["steps"]}
    assert steps["facility_power_mw"]["central"] == pytest.approx(float(deal["capacity_gw"]) * 1_000, rel=1e-12)
    chain = api.compute_conversion(store, compute["accelerator"], facility_power_mw=float(deal["capacity_gw"]) * 1e3)
    expected = {s["key"]: s for s in chain.chain.to_dict()["steps"]}
    for key in ("accelerators", "h100e", "annual_energy_twh", "capex_usd"):
        assert steps[key]["central"] == pytest.approx(expected[key]["central"], rel=1e-9)
    html = client.get(f"/deals/{deal['id']}").text
    assert 'id="deal-compute-table"' in html and 'href="#deal-compute"' in html


def test_screens_and_the_web_on_the_day_resolve(store: Store, client: TestClient) -> None:
    shares = store.table("shares")
    parents = api.controlling_parents(store)
    listed = 0
    for deal_id in store.table("deals")["id"].head(80):
        page = client.get(f"/deals/{deal_id}.json").json()
        deal = page["deal"]
        for screen in page["screens"]:
            firms = set(shares.loc[shares["market_id"] == screen["market_id"], "entity_id"])
            assert {screen["a"], screen["b"]} <= firms
            assert screen["a"] in {deal["payer_id"], parents[deal["payer_id"]]}
            assert screen["b"] in {deal["payee_id"], parents[deal["payee_id"]]}
            answer = client.get(f"/markets/{screen['market_id']}/screen", params={"a": screen["a"], "b": screen["b"]})
            assert answer.status_code == 200
            listed += 1
        html = client.get(f"/deals/{deal_id}").text
        assert f'href="/network?as_of={str(deal["announced"])[:10]}"' in html
    assert listed > 0


def test_a_deal_on_a_loop_lists_the_loop(store: Store, client: TestClient) -> None:
    loop = api.loops(store, rewirings=2).table.iloc[0]
    deal_id = loop["legs"][0]["deal_id"]
    page = client.get(f"/deals/{deal_id}.json").json()
    assert int(loop["rank"]) in [lp["rank"] for lp in page["loops"]]
    assert 'href="#loops"' in client.get(f"/deals/{deal_id}").text
