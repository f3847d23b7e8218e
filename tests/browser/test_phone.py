"""Each page type in Chromium at 1280 px and at phone width (390 px): nothing scrolls sideways
(document scrollWidth <= viewport), no raw JSON error, and a figure shown equals its JSON twin."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium")]
pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")

#: One page of each type and the CSS selector of a cell whose data-value the twin's figure must equal.
PAGES = {
    "/": None,
    "/markets": None,
    "/layers/memory": None,
    "/layers/models": None,
    "/markets/hbm": None,
    "/entities": None,
    "/entities/nvidia": None,
    "/deals": None,
    "/compute": ("#chain-table tr[data-key='utilisation'] td.num", ("chain", "steps")),
    "/winners": None,
    "/politics": None,
    "/sources": None,
    "/network": None,
    "/network?rollup=0": None,
    "/deals/nvidia-openai-loi-2025": None,
    "/scenarios": None,
    "/scenarios/block-nvidia-openai": None,
    "/simulate": None,
}


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
    config = uvicorn.Config(create_app(Store.open(), warm=False), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(6000):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("width", [1280, 390])
def test_no_sideways_scroll_and_figures_equal_the_twin(browser: object, server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    tab = context.new_page()
    try:
        for path, check in PAGES.items():
            answer = tab.goto(server + path, wait_until="load")
            assert answer is not None and answer.status == 200, path
            body = tab.inner_text("body")
            assert not body.lstrip().startswith('{"error"'), path
            scroll = tab.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} at {width} px is {scroll} px wide"
            if check:
                selector, keys = check
                with urllib.request.urlopen(server + (path + ".json"), timeout=30) as reply:
                    data = json.load(reply)
                steps = {s["key"]: s for s in data[keys[0]][keys[1]]}
                shown = [float(v) for v in tab.eval_on_selector_all(selector, "els => els.map(e => e.dataset.value)")]
                expected = [steps["utilisation"][k] for k in ("low", "central", "high")]
                assert shown == pytest.approx(expected, rel=1e-12), path
                cells = tab.eval_on_selector_all(selector, "els => els.map(e => e.textContent.trim())")
                assert cells == ["38%", "40%", "43%"]
    finally:
        context.close()


def test_charts_on_a_phone_are_drawn_to_their_box_not_scaled_down(browser: object, server: str) -> None:
    """At 390 px, a single-view Vega-Lite chart is laid out at its box's width (the SVG's own width equals the
    width it is shown at), so its labels keep their font size; a tile map (usermeta.fixed_width) and a chart in
    panels keep their layout and are scaled by CSS, as before."""
    context = browser.new_context(viewport={"width": 390, "height": 800})  # type: ignore[attr-defined]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    tab = context.new_page()
    measure = """() => Array.from(document.querySelectorAll('[data-vega-spec]')).map(el => {
        const spec = JSON.parse(document.getElementById(el.dataset.vegaSpec).textContent);
        const svg = el.querySelector('svg');
        return {title: String(spec.title), fixed: !!(spec.usermeta && spec.usermeta.fixed_width),
                panels: !!(spec.encoding && spec.encoding.column), lite: /vega-lite/.test(spec.$schema),
                drawn: svg ? Number(svg.getAttribute('width')) : null,
                shown: svg ? svg.getBoundingClientRect().width : null, box: el.clientWidth};
    })"""
    try:
        fitted = 0
        for path in ("/winners", "/compute", "/", "/markets/hbm", "/politics"):
            tab.goto(server + path, wait_until="load")
            tab.wait_for_function("() => document.querySelectorAll('[data-vega-spec] svg').length === "
                                  "document.querySelectorAll('[data-vega-spec]').length")  # fmt: skip
            for chart in tab.evaluate(measure):
                assert chart["shown"] <= chart["box"] + 1, (path, chart)
                if chart["lite"] and not chart["fixed"] and not chart["panels"]:
                    assert chart["drawn"] == pytest.approx(chart["box"], abs=1), (path, chart)  # pixels
                    fitted += 1
        assert fitted >= 8  # /winners 2, /compute 5, / 1 ...
    finally:
        context.close()
