"""The dashboard's safety: HEAD on every GET route, typed errors mapped to statuses by one table, a clear 400
for screening the unattributed rest, zero market caps left out with a note (no crash), security headers on every
answer, relative redirects that never reflect the Host header, and every page built at start-up."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from marketpower.datasets import AISTACK
from marketpower.errors import (
    ConvergenceError,
    DataPackageError,
    InvalidInputError,
    MarketpowerError,
    NotFoundError,
    Problem,
)
from marketpower.measures.value_capture import market_value_change
from marketpower.publish.briefing import build_briefing, render_briefing
from marketpower.publish.web import ERROR_STATUS, create_app, error_status, relative_location
from marketpower.store import Store

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


@pytest.fixture(scope="module")
def bundled(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def mini(mini_package: Path) -> TestClient:
    return TestClient(create_app(Store.open(package=mini_package)), raise_server_exceptions=False)


def _example_urls(client: TestClient, aistack: Store) -> list[str]:
    """One URL per GET route of the app (path parameters filled with ids of the bundled data)."""
    deal = str(aistack.table("deals")["id"].iloc[0])
    keys = {
        "/markets": "hbm",
        "/layers": "memory",
        "/entities": "nvidia",
        "/deals": deal,
        "/scenarios": "block-nvidia-openai",
    }
    queries = {
        "/screen": "?a=sk-hynix&b=samsung",
        "/search": "?q=nvidia",
        "/scenarios/compare": "?a=block-nvidia-openai&b=merge-amazon-anthropic",
        "/scenarios/deal": f"?id={deal}",
    }
    urls = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute):
            continue
        assert route.methods == {"GET"}, route.path
        path = route.path
        if "{key}" in path:
            prefix = path.split("/{key}")[0]
            assert prefix in keys, f"no example id for {path}: add one to this test"
            path = path.replace("{key}", keys[prefix])
        path += next((q for part, q in queries.items() if part in path), "")
        urls.append(path)
    return [*urls, "/static/style.css", "/openapi.json", "/markets/nope", "/no-such-page", "/docs"]


def test_head_is_answered_on_every_get_route(bundled: TestClient, aistack: Store) -> None:
    urls = _example_urls(bundled, aistack)
    assert len(urls) > 25
    for url in urls:
        got, head = bundled.get(url), bundled.head(url)
        assert head.status_code == got.status_code, url
        assert got.status_code in (200, 404), url
        assert head.content == b"", url
        assert head.headers.get("content-type") == got.headers.get("content-type"), url
        assert head.headers.get("content-length") == got.headers.get("content-length"), url


def test_only_get_and_head(mini: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        answer = mini.request(method, "/")
        assert answer.status_code == 405 and "read-only" in answer.json()["error"]


def test_screening_the_unattributed_rest_is_a_clear_400(mini: TestClient) -> None:
    for query in ("a=alpha&b=others", "a=others&b=alpha"):
        for suffix in (".json", ""):
            answer = mini.get(f"/markets/gadgets/screen{suffix}?{query}")
            assert answer.status_code == 400, (query, suffix)
            assert "'others' is the unattributed rest of market 'gadgets'" in answer.json()["error"]


def test_typed_errors_map_to_statuses_by_kind_not_by_message(mini_package: Path) -> None:
    assert [kind for kind, _ in ERROR_STATUS] == [NotFoundError, InvalidInputError, ConvergenceError, DataPackageError]

    class Unlisted(MarketpowerError):
        pass

    errors: dict[str, MarketpowerError] = {
        "not-found": NotFoundError("no market called 'x'"),  # no "unknown" prefix: the kind decides
        "invalid": InvalidInputError("unknown is not a year"),  # an "unknown" prefix does not make it a 404
        "convergence": ConvergenceError("Bertrand prices did not converge", {"iterations": 500}),
        "package": DataPackageError([Problem("shares.csv", 2, "share", "not a number")]),
        "unlisted": Unlisted("something else"),
    }
    app = create_app(Store.open(package=mini_package))

    def boom(kind: str) -> None:
        raise errors[kind]

    app.add_api_route("/boom/{kind}", boom, methods=["GET"])
    client = TestClient(app, raise_server_exceptions=False)
    expected = {"not-found": 404, "invalid": 400, "convergence": 422, "package": 500, "unlisted": 500}
    for kind, status in expected.items():
        answer = client.get(f"/boom/{kind}")
        assert answer.status_code == status == error_status(errors[kind]), kind
        assert answer.json() == {"error": str(errors[kind])}
        assert "Traceback" not in answer.text


def test_unknown_ids_are_404_through_not_found_error(mini: TestClient) -> None:
    for path in ("/markets/nope", "/markets/nope.json", "/entities/nope", "/deals/nope.json", "/layers/nope"):
        answer = mini.get(path)
        assert answer.status_code == 404, path
        assert "unknown" in answer.json()["error"], path


# --- a market cap of 0 ------------------------------------------------------------------------------------------


def test_zero_start_cap_is_left_out_with_a_note() -> None:
    valuations = pd.DataFrame(
        {
            "entity_id": ["a", "a", "b", "b"],
            "date": ["2022-11-30", "2024-11-30", "2022-11-30", "2024-11-30"],
            "kind": ["market_cap"] * 4,
            "amount_usd": [0.0, 5e9, 2e9, 3e9],
            "source_id": ["s"] * 4,
        }
    )
    layers = pd.DataFrame({"entity_id": ["a", "b"], "layer": ["chips", "chips"]})
    out = market_value_change(valuations, layers, "2022-11-30").set_index("entity_id")
    assert out.at["b", "status"] == "ok" and out.at["b", "ratio"] == pytest.approx(1.5, rel=1e-12)
    assert out.at["a", "status"].startswith("market cap on 2022-11-30 is 0 USD, not positive")
    assert pd.isna(out.at["a", "change_usd"]) and pd.isna(out.at["a", "ratio"])


@pytest.fixture(scope="module")
def zero_cap(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The bundled package with Oracle's market cap on ChatGPT's release day (228.00 B USD) set to 0."""
    pkg = tmp_path_factory.mktemp("zero-cap") / "aistack"
    shutil.copytree(AISTACK, pkg)
    path = pkg / "data" / "valuations.csv"
    text = path.read_text()
    row = "oracle,2022-11-30,market_cap,228000000000,"
    assert text.count(row) == 1
    path.write_text(text.replace(row, "oracle,2022-11-30,market_cap,0,"))
    return Store.open(package=pkg)


def test_a_zero_market_cap_breaks_no_page_and_is_excluded(zero_cap: Store, bundled: TestClient) -> None:
    client = TestClient(create_app(zero_cap), raise_server_exceptions=False)
    for path in ("/", "/index.json", "/winners", "/entities/oracle"):
        assert client.get(path).status_code == 200, path
    before, after = bundled.get("/winners.json").json(), client.get("/winners.json").json()
    oracle = next(f for f in before["by_firm"] if f["entity_id"] == "oracle")
    assert oracle["start_usd"] == pytest.approx(228e9)
    assert "oracle" not in {f["entity_id"] for f in after["by_firm"]}
    gap = next(g for g in after["gaps"] if g["entity_id"] == "oracle")
    assert "is 0 USD, not positive" in gap["status"]
    assert after["firms"] == before["firms"] - 1
    assert after["total_change_usd"] == pytest.approx(before["total_change_usd"] - oracle["change_usd"], rel=1e-12)


def test_a_zero_market_cap_breaks_neither_briefing(zero_cap: Store) -> None:
    for lang in ("en", "fr"):
        data = build_briefing(zero_cap, lang)
        assert "Oracle" not in {f["name"] for f in data["winners"]["firms"]}
        assert render_briefing(data, "md") and render_briefing(data, "html")


# --- headers, redirects, warm-up -------------------------------------------------------------------------------


def test_security_headers_on_every_kind_of_answer(mini: TestClient) -> None:
    answers = {
        "page": mini.get("/"),
        "twin": mini.get("/index.json"),
        "static": mini.get("/static/style.css"),
        "not found": mini.get("/entities/nope"),
        "no route": mini.get("/nowhere"),
        "refused method": mini.post("/"),
        "too large": mini.get("/search.json?" + "&".join(f"p{i}=1" for i in range(600))),
        "redirect": mini.get("/markets/", follow_redirects=False),
        "head": mini.head("/"),
    }
    for name, answer in answers.items():
        for header in SECURITY_HEADERS:
            assert header in answer.headers, (name, header)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"


def _policy(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def test_csp_allows_only_the_templates_inline_scripts(mini: TestClient) -> None:
    policy = _policy(mini.get("/").headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    script = policy["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script
    allowed = {s for s in script if s.startswith("'sha256-")}
    for path in ("/", "/markets/widgets", "/network", "/compute", "/winners", "/politics", "/search?q=a"):
        html = mini.get(path).text
        inline = re.findall(r"<script>(.*?)</script>", html, re.S)
        assert inline, path
        for body in inline:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, path
        # every other script is an external file of the app or a JSON data block, which CSP does not run
        for tag in re.findall(r"<script ([^>]*)>", html):
            assert tag.startswith('src="/static/') or tag.startswith('type="application/json"'), (path, tag)


def test_redirects_are_relative_and_ignore_the_host_header(mini: TestClient) -> None:
    for host in ("evil.example", "evil.example:8080", "127.0.0.1"):
        answer = mini.get("/markets/widgets/?lang=fr", headers={"host": host}, follow_redirects=False)
        assert answer.status_code == 307
        assert answer.headers["location"] == "/markets/widgets?lang=fr"
    assert relative_location("//evil.example/", b"") == "/evil.example"
    assert relative_location("/\\evil.example/", b"") == "/evil.example"
    assert relative_location("/a\\b//", b"x=1") == "/a%5Cb?x=1"
    assert relative_location("/entités/", b"") == "/entit%C3%A9s"


def test_pages_are_built_at_start_up(mini_package: Path) -> None:
    app = create_app(Store.open(package=mini_package))
    assert len(app.state.response_cache) == 0
    with TestClient(app) as client:  # runs the lifespan, as uvicorn does before accepting a connection
        warmed = len(app.state.response_cache)
        # HTML (in the app's language) and JSON of every list page and of the pages of the 2 markets, 2 layers
        # and 5 entities; per market its default screen: the form's query (HTML and JSON) and the bare pair
        assert warmed >= 2 * 9 + 2 * (2 + 2 + 5) + 2 * 3
        for path in (
            "/",
            "/sources.json",
            "/winners",
            "/winners.json",
            "/markets/widgets",
            "/entities/beta-sub.json",
            "/layers/software",
            "/markets/widgets/screen.json?a=alpha&b=beta",
            "/markets/widgets/screen?a=alpha&b=beta&year=2024&period=&series=",
            "/markets/gadgets/screen.json?a=alpha&b=beta&year=2024&period=&series=",
        ):
            assert client.get(path).status_code == 200, path
        assert len(app.state.response_cache) == warmed  # all were already built
        client.get("/markets/widgets/screen.json?a=beta&b=gamma")
        assert len(app.state.response_cache) == warmed + 1


# --- in a real browser: the charts draw under the policy ---------------------------------------------------------


def _serve(store: Store, warm: bool) -> Iterator[str]:
    """A real uvicorn server of ``store`` on a free loopback port (after the app's start-up)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(store, warm=warm), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(6000):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(mini_package: Path) -> Iterator[str]:
    yield from _serve(Store.open(package=mini_package), warm=True)


@pytest.fixture(scope="module")
def served_bundled(aistack: Store) -> Iterator[str]:
    yield from _serve(aistack, warm=False)


CSP_PROBE = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.mark.browser
def test_the_deal_web_and_the_bundled_charts_draw_under_the_policy(chromium: Path, served_bundled: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        tab = browser.new_page()
        tab.add_init_script(CSP_PROBE)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        for path, drawn in (
            ("/network", "g.mark-symbol.role-mark path"),
            ("/compute", "figure.chart svg .mark-rect"),
            ("/politics", "figure.chart svg .mark-symbol, figure.chart svg .mark-rect"),
        ):
            tab.goto(served_bundled + path)
            tab.wait_for_selector(drawn, timeout=30_000)
            assert tab.evaluate("() => window.__csp") == [], path
        browser.close()
    assert errors == []


@pytest.mark.browser
def test_charts_draw_under_the_policy_in_chromium(chromium: Path, served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        tab = browser.new_page()
        tab.add_init_script(CSP_PROBE)
        problems: list[str] = []
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        for path in ("/", "/markets/widgets", "/layers/hardware"):
            tab.goto(served + path)
            tab.wait_for_selector("figure.chart svg .mark-rect, figure.chart svg .mark-symbol", timeout=15_000)
            assert tab.evaluate("() => window.__csp") == [], path
        browser.close()
    script_problems = [p for p in problems if "script" in p.lower() or "eval" in p.lower()]
    assert script_problems == [], script_problems


def test_a_page_asked_for_by_many_requests_at_once_is_built_once() -> None:
    import threading
    import time

    from marketpower.publish.web import _ResponseCache

    cache = _ResponseCache()
    builds = []

    def build() -> tuple[bytes, str]:
        builds.append(1)
        time.sleep(0.2)
        return b"page", "text/plain"

    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get_or_build(("p",), build).body)) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [b"page"] * 8 and len(builds) == 1
