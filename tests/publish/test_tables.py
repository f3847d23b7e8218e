"""Every table of the dashboard sorts, filters and downloads as CSV and Parquet (Datasette's conventions), on the
bundled data: the view equals the JSON twin filtered and sorted here by hand, downloads round-trip to it, and a
column the table lacks is a 400 page naming it."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from marketpower import api
from marketpower.errors import InvalidInputError
from marketpower.publish import tables
from marketpower.publish.web import create_app
from marketpower.store import Store

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


def _text(value: Any) -> str:
    """How the CSV writes a JSON value (the rule stated in marketpower.publish.tables)."""
    if value is None:
        return ""
    if isinstance(value, list | dict | bool):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def test_filter_equals_the_application_layer(client: TestClient, aistack: Store) -> None:
    view = client.get("/markets.json?layer=memory").json()
    everything = client.get("/markets.json").json()
    assert view == [row for row in everything if row["layer"] == "memory"]
    # the application layer's own filter gives the same market-years
    expected = api.markets(aistack, layer="memory")
    assert [(r["market_id"], r["year"], r["series"]) for r in view] == [
        (m, int(y), s if isinstance(s, str) else None)
        for m, y, s in zip(expected["market_id"], expected["year"], expected["series"], strict=True)
    ]
    assert {r["market_id"] for r in view} == {"dram", "hbm"}  # the memory markets of markets.csv


def test_sorted_order_descending_numbers_then_empty(client: TestClient) -> None:
    rows = client.get("/markets.json?_sort_desc=hhi_high").json()
    values = [r["hhi_high"] for r in rows if r["hhi_high"] is not None]
    assert values == sorted(values, reverse=True)
    assert len(rows) == len(client.get("/markets.json").json())
    # ascending on a text column, case-insensitive, ties in the page's order
    by_name = client.get("/markets.json?_sort=market").json()
    names = [r["market"].casefold() for r in by_name]
    assert names == sorted(names)


def test_contains_and_comparisons(client: TestClient) -> None:
    everything = client.get("/markets.json").json()
    memory = client.get("/markets.json?market__contains=MEMORY").json()
    assert memory == [r for r in everything if "memory" in r["market"].casefold()]
    high = client.get("/markets.json?hhi_low__gte=5000&year=2024").json()
    assert high == [r for r in everything if r["hhi_low"] is not None and r["hhi_low"] >= 5000 and r["year"] == 2024]
    assert high, "2024 has markets with an HHI of at least 5,000 (merchant GPUs: 8,610)"
    # a list cell matches `exact` when one of its items does
    hbm_source = "mkt-koreaherald-counterpoint-memory-q2-2025"
    cited = client.get(f"/markets.json?source_ids={hbm_source}").json()
    assert cited and all(hbm_source in r["source_ids"] for r in cited)


def test_csv_round_trip_equals_the_json_twin(client: TestClient) -> None:
    twin = client.get("/markets.json?layer=memory&_sort=year").json()
    answer = client.get("/markets.csv?layer=memory&_sort=year")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="markets.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == len(twin)
    for got, want in zip(rows, twin, strict=True):
        assert got == {k: _text(v) for k, v in want.items()}


def test_parquet_round_trip_equals_the_json_twin(client: TestClient) -> None:
    twin = client.get("/winners.json?_table=by_firm&_sort_desc=change_usd").json()["by_firm"]
    answer = client.get("/winners.parquet?_table=by_firm&_sort_desc=change_usd")
    assert answer.status_code == 200
    table = pq.read_table(io.BytesIO(answer.content))
    got = table.to_pylist()
    assert len(got) == len(twin) > 0
    for row, want in zip(got, twin, strict=True):
        for column, value in want.items():
            if isinstance(value, list | dict):
                assert json.loads(row[column]) == value
            elif isinstance(value, float):
                assert row[column] == pytest.approx(value, rel=1e-12)
            else:
                assert row[column] == value, column
    changes = [r["change_usd"] for r in got if r["change_usd"] is not None]
    assert changes == sorted(changes, reverse=True)


def test_suffix_and_format_parameter_agree(client: TestClient) -> None:
    by_suffix = client.get("/markets/hbm.csv?_table=trend").content
    by_parameter = client.get("/markets/hbm?_table=trend&_format=csv").content
    assert by_suffix == by_parameter
    trend = client.get("/markets/hbm.json").json()["trend"]
    assert len(list(csv.DictReader(io.StringIO(by_suffix.decode())))) == len(trend)


def test_unknown_column_is_an_html_400_naming_it(client: TestClient) -> None:
    page = client.get("/markets?hhi_typo=1", headers=HTML)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "no column &#39;hhi_typo&#39;" in page.text and "hhi_high" in page.text
    twin = client.get("/markets.json?_sort=nope")
    assert twin.status_code == 400 and "no column 'nope'" in twin.json()["error"]
    assert client.get("/winners.json?_table=nope").status_code == 400
    assert client.get("/markets.json?_sort=year&_sort_desc=year").status_code == 400
    assert client.get("/markets.json?_shape=array").status_code == 400
    assert client.get("/markets.json?year__between=1").status_code == 400
    assert client.get("/markets?_format=xlsx", headers=HTML).status_code == 400


def test_html_page_shows_the_view_and_its_permalink(client: TestClient) -> None:
    page = client.get("/markets?layer=memory&_sort_desc=hhi_high", headers=HTML)
    body = re.search(r'<table class="data" id="markets-table">.*?<tbody>(.*?)</tbody>', page.text, re.S)
    assert body is not None, page.text[:3000]
    shown = len(client.get("/markets.json?layer=memory").json())
    assert body.group(1).count("<tr>") == shown
    assert 'class="permalink" href="/markets?layer=memory&amp;_sort_desc=hhi_high"' in page.text
    assert 'href="/markets.parquet?layer=memory&amp;_sort_desc=hhi_high"' in page.text
    assert 'class="twin" href="/markets.json?layer=memory&amp;_sort_desc=hhi_high"' in page.text


def test_filter_form_redirects_to_the_permalink(client: TestClient) -> None:
    answer = client.get(
        "/markets?_filter_column=layer&_filter_op=exact&_filter_value=memory&_sort_column=year&_sort_dir=desc",
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/markets?layer=memory&_sort_desc=year"


def test_every_page_lists_its_tables_with_working_downloads(client: TestClient) -> None:
    page = client.get("/entities/nvidia", headers=HTML)
    links = re.findall(r'href="(/entities/nvidia\.(?:csv|parquet)[^"]*)"', page.text)
    assert len(links) >= 2 * 5  # shares, stakes, deals, loops, valuations, sources...
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_view_rules_on_hand_made_rows() -> None:
    rows = [{"n": 9, "s": "b"}, {"n": None, "s": "a"}, {"n": 10, "s": "B"}, {"n": 9.5, "s": None}]
    up = tables.view(rows, tables.TableQuery(sort="n"), "t")
    assert [r["n"] for r in up] == [9, 9.5, 10, None]  # numbers as numbers, empty last
    down = tables.view(rows, tables.TableQuery(sort="n", descending=True), "t")
    assert [r["n"] for r in down] == [10, 9.5, 9, None]  # empty last in both directions
    text = tables.view(rows, tables.TableQuery(sort="s"), "t")
    assert [r["s"] for r in text] == ["a", "b", "B", None]  # case-insensitive, ties keep their order
    kept = tables.view(rows, tables.parse_query([("n__gt", "9")]), "t")
    assert [r["n"] for r in kept] == [10, 9.5]
    assert tables.view(rows, tables.parse_query([("n", "9.0")]), "t") == [rows[0]]  # 9 == 9.0 as numbers
    with pytest.raises(InvalidInputError, match="no column 'x'"):
        tables.view(rows, tables.parse_query([("x", "1")]), "t")
