"""The dashboard's deal web as of a date (``?as_of=``), public-private deals counted apart, and the tier beside
each source."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marketpower.publish.web import create_app
from marketpower.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
from deals_package import mini_package

DEALS = (
    "d1,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s1,\n"
    "back,2025-02-01,cloud_contract,b,a,80,,,,,,announced,,,s1,\n"
    "ca,2025-01-10,chip_purchase,c,a,5,,,,,,announced,,,s1,\n"
    "d1-cut,2025-06-01,equity_investment,a,b,50,,,,,,revised,d1,,s1,\n"
    "grant,2025-07-01,grant,gov,c,30,,,,,,definitive,,,s1,\n"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = mini_package(tmp_path_factory.mktemp("web-as-of"), DEALS)
    (folder / "data" / "entities.csv").write_text(
        "id,name,kind,country,ticker,parent_id\na,A,company,US,,\nb,B,company,US,,\nc,C,company,US,,\n"
        "gov,Gov,agency,US,,\n"
    )
    (folder / "data" / "sources.csv").write_text(
        "id,publisher,title,url,published,accessed,tier\ns1,Pub,Title,https://example.org/a,2025-01-01,,secondary\n"
    )
    return TestClient(create_app(Store.open(package=folder), warm=False), raise_server_exceptions=False)


def test_the_web_as_of_a_date(client: TestClient) -> None:
    march = client.get("/network.json", params={"as_of": "2025-03-01"}).json()
    assert march["as_of"] == "2025-03-01"
    assert {e["deal_id"] for e in march["edges"] if e["relation"] == "money"} == {"d1", "back", "ca"}
    assert [lp["round_trip_usd"] for lp in march["loops"]] == pytest.approx([80.0], rel=1e-12)
    today = client.get("/network.json").json()
    assert {e["deal_id"] for e in today["edges"] if e["relation"] == "money"} == {"d1-cut", "back", "ca", "grant"}
    assert [lp["round_trip_usd"] for lp in today["loops"]] == pytest.approx([50.0], rel=1e-12)
    assert client.get("/network", params={"as_of": "2025-03-01"}).status_code == 200
    bad = client.get("/network.json", params={"as_of": "March"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_public_private_deals_are_counted_apart(client: TestClient) -> None:
    split = client.get("/network.json").json()["public_private"]
    assert split["deals"] == 1 and split["usd"] == pytest.approx(30.0, rel=1e-12)
    assert split["private_deals"] == 3 and split["private_usd"] == pytest.approx(135.0, rel=1e-12)
    assert 'id="public-private"' in client.get("/network").text


def test_the_tier_is_shown_beside_each_source(client: TestClient) -> None:
    page = client.get("/sources").text
    assert 'class="tier tier-secondary"' in page and "secondary source" in page
    edges = client.get("/network.json").json()["edges"]
    assert {e["source_tier"] for e in edges} == {"secondary"}
    web = client.get("/network").text
    assert web.count('<a class="src-url" href="https://example.org/a">↗</a> <span class="tier tier-secondary">') == len(
        edges
    )


def test_the_loops_table_shows_the_null_model(client: TestClient) -> None:
    page = client.get("/network").text
    assert "Share of rewired webs with this loop" in page
    loop = client.get("/network.json").json()["loops"][0]
    assert 0 <= loop["null_fraction"] <= 1 and loop["public_private"] is False


def test_the_web_is_rolled_up_unless_asked(tmp_path: Path) -> None:
    folder = mini_package(tmp_path, DEALS)
    (folder / "data" / "entities.csv").write_text(
        "id,name,kind,country,ticker,parent_id\na,A,company,US,,\nb,B,company,US,,\nc,C,company,US,,a\n"
        "gov,Gov,agency,US,,\n"
    )
    client = TestClient(create_app(Store.open(package=folder), warm=False), raise_server_exceptions=False)
    rolled = client.get("/network.json").json()
    assert rolled["rollup"] is True and {n["id"] for n in rolled["nodes"]} == {"a", "b", "gov"}
    assert all(e.get("deal_id") != "ca" for e in rolled["edges"])  # c pays a: inside one group, dropped
    grant = next(e for e in rolled["edges"] if e.get("deal_id") == "grant")
    assert (grant["target"], grant["target_legal_id"], grant["target_legal_name"]) == ("a", "c", "C")
    legal = client.get("/network.json", params={"rollup": "0"}).json()
    assert legal["rollup"] is False and {n["id"] for n in legal["nodes"]} == {"a", "b", "c", "gov"}
    page = client.get("/network").text
    assert 'href="/network?rollup=0"' in page
    assert 'href="/network"' in client.get("/network", params={"rollup": "0"}).text
    assert client.get("/network", params={"rollup": "2"}).status_code in (400, 422)


def test_the_graph_has_a_time_slider_and_filters(client: TestClient) -> None:
    spec = client.get("/network.json", params={"as_of": "2025-03-01"}).json()["charts"]["network"]
    signals = {s["name"]: s for s in spec["signals"]}
    dates = signals["dates"]["value"]
    assert dates == ["2025-01-02", "2025-01-10", "2025-02-01", "2025-06-01", "2025-07-01"]
    slider = signals["as_of_step"]
    assert slider["bind"]["input"] == "range" and slider["bind"]["max"] == len(dates) - 1
    assert dates[slider["value"]] == "2025-02-01"  # the page's date: the last change on or before it
    assert signals["kind_filter"]["bind"]["options"] == [
        "all", "chip_purchase", "cloud_contract", "equity_investment", "grant"
    ]
    assert signals["public_filter"]["bind"]["options"] == ["all", "public_private", "private"]
    links = {lk["deal_id"]: lk for d in spec["data"] if d["name"] == "link-data" for lk in d["values"]}
    assert (links["d1"]["from"], links["d1"]["until"]) == ("2025-01-02", "2025-06-01")  # cut in June
    assert (links["d1-cut"]["from"], links["d1-cut"]["until"]) == ("2025-06-01", None)
    assert links["grant"]["public_private"] is True and links["back"]["public_private"] is False
    marks = {m.get("name") for m in spec["marks"]}
    assert {"nodes", "links", "arrows", "labels"} <= marks
    labels = next(m for m in spec["marks"] if m.get("name") == "labels")
    assert labels["transform"][0]["type"] == "label"  # Vega places labels so that none overlaps another
