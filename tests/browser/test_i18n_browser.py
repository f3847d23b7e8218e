"""French pages in Chromium: each page type of the phone test at 1280 px and 390 px scrolls nothing sideways and
shows no raw JSON error, and the language switch, clicked, keeps the page's state (a table view's query, the
/simulate case)."""

from __future__ import annotations

import pytest
from test_phone import PAGES, server  # noqa: F401  (the fixture: one server per module)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium")]


def _french(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=fr"


@pytest.mark.parametrize("width", [1280, 390])
def test_french_pages_do_not_scroll_sideways(browser: object, server: str, width: int) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    tab = context.new_page()
    try:
        for path in [*PAGES, "/scenarios/deal?id=msft-openai-2019"]:
            answer = tab.goto(server + _french(path), wait_until="load")
            assert answer is not None and answer.status == 200, path
            assert tab.get_attribute("html", "lang") == "fr", path
            assert not tab.inner_text("body").lstrip().startswith('{"error"'), path
            scroll = tab.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path}?lang=fr at {width} px is {scroll} px wide"
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/markets?layer=memory&_sort_desc=hhi_high", "layer=memory&_sort_desc=hhi_high"),
        ("/network?as_of=2025-06-01&rollup=0", "as_of=2025-06-01&rollup=0"),
        ("/simulate?labels=a,b&prices=10,12&shares=0.3,0.25&margins=0.4,&owner_pre=a,b&owner_post=a,a",
         "labels=a%2Cb&prices=10%2C12&shares=0.3%2C0.25&margins=0.4%2C&owner_pre=a%2Cb&owner_post=a%2Ca"),
    ],
)  # fmt: skip
def test_the_switch_keeps_the_page_state(browser: object, server: str, path: str, kept: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        tab.goto(server + _french(path), wait_until="load")
        tab.locator("a[data-lang-switch]").click()
        tab.wait_for_load_state("load")
        assert tab.get_attribute("html", "lang") == "en"
        assert tab.url == f"{server}{path.split('?')[0]}?{kept}&lang=en"
        if path.startswith("/simulate"):
            assert tab.locator("input[name=prices]").input_value() == "10,12"
            assert tab.locator("#simulate-products").count() == 1
    finally:
        context.close()


def test_french_charts_write_french_dates(browser: object, server: str) -> None:  # noqa: F811
    """The money timeline's date axis, drawn in the browser, names months in French (vega-embed gets the French
    time locale the page carries), with no script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))  # a script that failed (the embed call)
    try:
        tab.goto(server + "/politics?lang=fr", wait_until="load")
        chart = tab.locator("[data-vega-spec='spec-money-timeline'] svg")
        chart.wait_for(timeout=20_000)
        labels = set(chart.evaluate("svg => Array.from(svg.querySelectorAll('text'), t => t.textContent)"))
        french = {"janvier", "février", "avril", "juillet", "août", "septembre", "octobre", "décembre", "janv.",
                  "févr.", "avr.", "juil.", "sept.", "oct.", "nov.", "déc."}
        english = {"January", "February", "April", "July", "August", "September", "October", "December", "Jan",
                   "Feb", "Apr", "Jul", "Aug", "Sep", "Oct", "Dec"}
        assert labels & french, sorted(str(label) for label in labels)
        assert not labels & english, sorted(labels & english)
        assert not problems, problems
    finally:
        context.close()
