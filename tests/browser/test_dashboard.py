"""The dashboard in a real browser: Debian's Chromium driven by Playwright against a real uvicorn server on a
free loopback port. Open the overview, follow links to a layer, an entity and a deal, use the screening tool,
and check that the figures shown equal the JSON twins. Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# the `chromium` fixture (tests/conftest.py) skips every test here, with the reason, where Chromium cannot run
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium")]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from marketpower.publish.web import create_app
    from marketpower.store import Store

    port = free_port()
    config = uvicorn.Config(create_app(Store.open()), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(6000):  # up to 5 minutes: the app builds every page before it accepts a connection
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield base
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(chromium: Path, server: str) -> Iterator[object]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # loopback only: any other request is refused, so the pages must work with no network
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort()
        )
        tab = context.new_page()
        yield tab
        context.close()
        browser.close()


def twin(server: str, path: str) -> object:
    with urllib.request.urlopen(server + path, timeout=10) as answer:
        return json.loads(answer.read())


def shot(tab: object, name: str) -> None:
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_overview_layer_entity_deal_and_screening(server: str, page: object) -> None:
    tab = page
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))  # type: ignore[attr-defined]
    tab.goto(server + "/")  # type: ignore[attr-defined]
    tab.wait_for_selector("#layers-table tbody tr")  # type: ignore[attr-defined]
    overview = twin(server, "/index.json")
    rows = tab.locator("#layers-table tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == len(overview["layers"])  # type: ignore[index]
    for i, layer in enumerate(overview["layers"]):  # type: ignore[index]
        row = rows.nth(i)
        assert row.get_attribute("data-layer") == layer["layer"]
        hhi = row.locator("td.hhi")
        assert float(hhi.get_attribute("data-low")) == pytest.approx(layer["hhi_low"], rel=1e-12)
        assert float(hhi.get_attribute("data-high")) == pytest.approx(layer["hhi_high"], rel=1e-12)
        share = row.locator("td.leader-share").get_attribute("data-value")
        assert (float(share) if share else None) == layer["leader_share"]
    tab.wait_for_selector("figure.chart svg", timeout=15_000)  # the vendored Vega-Lite drew the chart
    shot(tab, "overview")

    # a layer whose latest market has at least two firms with point shares, so the screening tool has a pair
    first = next(
        layer
        for layer in overview["layers"]  # type: ignore[index]
        if len(twin(server, f"/markets/{layer['market_id']}.json")["screening"]["firms"]) >= 2
    )
    tab.click(f'#layers-table tr[data-layer="{first["layer"]}"] td:first-child a')
    tab.wait_for_url(f"**/layers/{first['layer']}")
    layer_twin = twin(server, f"/layers/{first['layer']}.json")
    shown = tab.locator("#layer-latest tbody tr")
    assert shown.count() == len(layer_twin["latest"])  # type: ignore[index]
    shot(tab, "layer")

    market_id = first["market_id"]
    tab.click(f'#layer-latest tr[data-market="{market_id}"] td:first-child a')
    tab.wait_for_url(f"**/markets/{market_id}")
    market = twin(server, f"/markets/{market_id}.json")
    firms = market["screening"]["firms"]  # type: ignore[index]
    shown_shares = tab.locator("#shares-table tbody tr")
    assert shown_shares.count() == len(market["shares"])  # type: ignore[index]
    for i, row in enumerate(market["shares"]):  # type: ignore[index]
        value = shown_shares.nth(i).locator("td.num").get_attribute("data-value")
        assert (float(value) if value else None) == row["share"]
    tab.select_option("#screen-a", firms[0]["id"])
    tab.select_option("#screen-b", firms[1]["id"])
    tab.click("#screen-go")
    tab.wait_for_selector("#screen-result")
    query = tab.url.split("?", 1)[1]
    result = twin(server, f"/markets/{market_id}/screen.json?{query}")
    delta = tab.locator("#screen-result td.delta-hhi").get_attribute("data-value")
    assert float(delta) == pytest.approx(result["delta_hhi"])  # type: ignore[index]
    verdicts = tab.locator("#screen-verdicts tbody tr")
    assert verdicts.count() == len(result["screens"])  # type: ignore[index]
    shot(tab, "screening")

    tab.goto(server + "/entities")
    tab.click('#entities-table tr[data-entity="nvidia"] a')
    tab.wait_for_url("**/entities/nvidia")
    entity = twin(server, "/entities/nvidia.json")
    assert tab.locator("h1").inner_text() == entity["entity"]["name"]  # type: ignore[index]
    assert tab.locator("#entity-deals tbody tr").count() == len(entity["deals"])  # type: ignore[index]
    shot(tab, "entity")

    deal = entity["deals"][0]  # type: ignore[index]
    tab.click(f'#entity-deals tr[data-deal="{deal["id"]}"] td:first-child a')
    tab.wait_for_url(f"**/deals/{deal['id']}")
    amount = tab.locator("#deal-terms td.amount").get_attribute("data-value")
    assert (float(amount) if amount else None) == twin(server, f"/deals/{deal['id']}.json")["deal"]["amount"]
    shot(tab, "deal")

    tab.fill("header form.search input[name=q]", "nvid")
    tab.press("header form.search input[name=q]", "Enter")
    tab.wait_for_selector("#search-results li")
    assert tab.locator("#search-results li").count() == len(twin(server, "/search.json?q=nvid")["results"])
    assert not errors, errors
