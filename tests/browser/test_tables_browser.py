"""The tables' tools in Chromium: a click on a header sorts the rows (the hashed inline script runs under the
page's CSP), the filter form lands on the permalink of its view, and the open tools block does not make the page
scroll sideways at phone width."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium")]
pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from marketpower.publish.web import create_app
    from marketpower.store import Store

    port = _free_port()
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


def _hhi(tab: object, bound: str) -> list[float]:
    """The HHI column's ``low`` or ``high`` bound, row by row as shown."""
    cells = tab.eval_on_selector_all(  # type: ignore[attr-defined]
        "#markets-table tbody td.hhi", f"els => els.map(e => parseFloat(e.dataset.{bound}))"
    )
    return [float(v) for v in cells]


def test_header_click_sorts_and_form_gives_the_permalink(browser: object, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    try:
        tab.goto(server + "/markets", wait_until="load")
        header = tab.locator("#markets-table thead th").nth(7)  # HHI "1,681–5,162": sorts on its first number
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        ascending = _hhi(tab, "low")
        assert ascending == sorted(ascending)
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        assert _hhi(tab, "low") == sorted(ascending, reverse=True)
        assert not [p for p in problems if "Content Security Policy" in p], problems
        # the filter form: layer = memory, sorted by hhi_high descending -> the view's permalink
        tab.locator("#tables summary").click()
        form = tab.locator("#table-markets form")
        form.locator("select[name=_filter_column]").select_option("layer")
        form.locator("input[name=_filter_value]").fill("memory")
        form.locator("select[name=_sort_column]").select_option("hhi_high")
        form.locator("select[name=_sort_dir]").select_option("desc")
        form.locator("button[type=submit]").click()
        tab.wait_for_load_state("load")
        assert tab.url.endswith("/markets?layer=memory&_sort_desc=hhi_high&lang=en")
        shown = _hhi(tab, "high")  # the server sorted by hhi_high
        assert shown == sorted(shown, reverse=True) and len(shown) >= 2
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/markets?layer=memory&_sort_desc=hhi_high", "/winners?_table=by_firm&_sort=ratio"])
def test_open_tools_fit_a_phone(browser: object, server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        answer = tab.goto(server + path, wait_until="load")
        assert answer is not None and answer.status == 200
        assert tab.locator("#tables").get_attribute("open") is not None  # a view is active: the block is open
        scroll = tab.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"{path} at 390 px is {scroll} px wide"
    finally:
        context.close()
