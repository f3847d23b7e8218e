"""The markets page and `marketpower markets` show each market-year's coverage: the share named, the market's
flag (not a real antitrust market) and why no leader or headline is drawn (HBM 2024: only Samsung's 41% is
sourced; DRAM 2023-2024 lack Micron)."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from marketpower import api
from marketpower.publish.web import create_app
from marketpower.store import Store


def _row(rows: list[dict], market_id: str, year: int) -> dict:
    return next(r for r in rows if r["market_id"] == market_id and r["year"] == year)


def test_cli_markets_json_carries_coverage_and_flag(cli) -> None:
    rows = json.loads(cli("markets", "--json").out)
    hbm = _row(rows, "hbm", 2024)
    assert hbm["named_share"] == pytest.approx(0.41, abs=1e-12)
    assert hbm["leader"] is None and hbm["flag"] is None
    assert hbm["headline_note"].startswith("coverage break: no share for SK hynix (")
    assert _row(rows, "hyperscale-dc-capacity", 2024)["flag"] == "aggregate"
    assert _row(rows, "gpu-cloud-listed-neoclouds", 2024)["flag"] == "partial_list"
    for year in (2023, 2024):
        assert _row(rows, "dram", year)["headline_note"].startswith("coverage break: no share for Micron Technology (")


def test_cli_markets_table_prints_the_coverage_note(cli, monkeypatch: pytest.MonkeyPatch, aistack: Store) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    table = api.markets(aistack, year=2024, layer="memory")
    out = cli("markets", "--year", "2024", "--layer", "memory").out
    assert "named share" in out and "headline note" in out
    # the last column, its wrapped lines joined: DRAM's note, then HBM's
    notes = " ".join(" ".join(line.split("│")[-2].split()) for line in out.splitlines() if line.count("│") > 2)
    assert all(note in notes for note in table["headline_note"])
    assert "coverage break: no share for Micron" in notes and "coverage break: no share for SK hynix" in notes


def test_markets_page_shows_coverage_notes(aistack: Store) -> None:
    client = TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)
    page = client.get("/markets", headers={"accept": "text/html"}).text
    rows = re.findall(r"<tr><td><a href=\"/markets/([^\"]+)\">.*?</tr>", page, re.S)
    assert len(rows) == len(client.get("/markets.json").json())
    text = html.unescape(page)
    assert "Share named" in text and "Coverage" in text
    memory = api.markets(aistack, year=2024, layer="memory")
    assert all(note in text for note in memory["headline_note"])
    assert "coverage break: no share for SK hynix" in text
    assert re.search(r'data-value="0\.41">41(\.0)?\s?%</td>', page)  # HBM 2024: only Samsung's 41% is named
    assert "several firms in one row" in text  # hyperscale capacity's flag, translated
    french = html.unescape(client.get("/markets?lang=fr", headers={"accept": "text/html"}).text)
    assert "Part nommée" in french and "plusieurs entreprises en une ligne" in french
