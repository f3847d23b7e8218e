"""The /scenarios pages and their JSON twins render the application layer's results."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marketpower import api
from marketpower.api.scenarios import run_scenario, shipped_scenarios
from marketpower.publish.web import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(api.open_store(), warm=False))


def test_list_compare_and_block_links(client: TestClient) -> None:
    listing = client.get("/scenarios.json").json()
    assert {s["id"] for s in listing["scenarios"]} == set(shipped_scenarios())
    page = client.get("/scenarios")
    assert page.status_code == 200 and 'id="compare-form"' in page.text
    deal = client.get("/deals/nvidia-openai-loi-2025")
    assert "/scenarios/deal?id=nvidia-openai-loi-2025" in deal.text


def test_scenario_twin_is_the_api_result(client: TestClient) -> None:
    twin = client.get("/scenarios/unwind-microsoft-openai.json").json()
    direct = run_scenario(api.open_store(), shipped_scenarios()["unwind-microsoft-openai"]).to_dict()
    assert [r["what"] for r in twin["verdict"]] == [r["what"] for r in direct["verdict"]]
    for got, want in zip(twin["verdict"], direct["verdict"], strict=True):
        assert got["change"] == pytest.approx(want["change"], rel=1e-9, abs=1e-9)
    assert twin["sources"] and client.get("/scenarios/unwind-microsoft-openai").status_code == 200


def test_block_or_allow_a_deal_and_compare(client: TestClient) -> None:
    blocked = client.get("/scenarios/deal.json", params={"id": "nvidia-openai-loi-2025"}).json()
    assert blocked["web"]["loops_broken"]
    side = client.get(
        "/scenarios/compare.json", params={"a": "google-anthropic-no-votes", "b": "google-anthropic-votes"}
    ).json()
    row = next(r for r in side["rows"] if r["what"].startswith("ΔMHHI") and r["where"] == "ai-assistants-web")
    assert row["b"] > row["a"]
    assert client.get("/scenarios/nope").status_code == 400


def test_report_section_and_briefing_paragraph() -> None:
    from marketpower.api import Context
    from marketpower.api.scenarios import regulate_or_encourage
    from marketpower.publish.briefing import build_briefing, render_briefing

    store = api.open_store()
    section = regulate_or_encourage(Context(store))
    assert {s["id"] for s in section["scenarios"]} == set(shipped_scenarios()) and not section["skipped"]
    for row in section["rows"]:
        for cell in row["cells"].values():
            assert cell["sources"], row  # every number of the section has a source
    assert [p["scenario"] for p in section["points"]][:2] == ["block-nvidia-openai", "unwind-microsoft-openai"]
    text = render_briefing(build_briefing(store, "en"), "md")
    line = next(x for x in text.splitlines() if "Regulate or encourage?" in x)
    assert "](http" in line and "blocking Nvidia's investment in OpenAI" in line


def test_blocking_a_deal_of_a_supplier_with_a_negative_margin_says_what_the_vertical_screen_needs(
    client: TestClient,
) -> None:
    """SK hynix's operating margin in the data is negative (-23.6%): it cannot stand for a price-cost margin, so the
    vertical GUPPI of its HBM deal with Nvidia is reported as needing that input, and the page still answers."""
    answer = client.get("/scenarios/deal.json?id=nvidia-skhynix-hbm3-2022")
    assert answer.status_code == 200
    pair = next(v for v in answer.json()["vertical"] if v["upstream"] == "sk-hynix")
    assert pair["status"] == "needs inputs"
    assert any("sk-hynix" in need and "is not positive" in need for need in pair["needs"])
