"""The static report's tables in Chromium, opened from disk (file://, no server, no network): the filter box keeps
exactly the rows holding every word typed, a header click sorts, the permalink (the address's fragment) restores
the same rows in the same order in a new tab, a phone-width page does not scroll sideways with the tools shown,
and without scripts the tables are plain and whole."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium")]
pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")

TABLE = "#report-layers"  # the stack at a glance: one row per market, leader's share in column 5


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from marketpower.publish.report import build_report
    from marketpower.store import Store

    out = tmp_path_factory.mktemp("report-browser") / "site"
    build_report(Store.open(), out)
    return out


def _rows(tab: object) -> list[str]:
    """The text of the rows shown, in their order."""
    return list(
        tab.eval_on_selector_all(  # type: ignore[attr-defined]
            f"{TABLE} tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.textContent)"
        )
    )


def _shares(tab: object) -> list[float]:
    values = tab.eval_on_selector_all(  # type: ignore[attr-defined]
        f"{TABLE} tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.cells[4].dataset.value)"
    )
    return [float(v) for v in values if v != ""]


def test_filter_sort_and_permalink(browser: object, report: Path) -> None:
    page_url = (report / "report.html").as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("request", lambda r: problems.append(r.url) if not r.url.startswith("file://") else None)
    try:
        tab.goto(page_url, wait_until="load")
        everything = _rows(tab)
        assert len(everything) >= 10
        box = tab.locator(f".table-filter:has(+ {TABLE}) input[type=search]")
        box.fill("tsmc  2025")  # every word must be in the row (case-insensitive): foundry and packaging
        both = [row for row in everything if "tsmc" in row.lower() and "2025" in row]
        assert _rows(tab) == both and len(both) == 2
        box.fill("2025")
        kept = [row for row in everything if "2025" in row]
        assert 1 < len(kept) < len(everything)
        assert _rows(tab) == kept
        counter = tab.locator(f".table-filter:has(+ {TABLE}) .count").text_content()
        assert counter is not None and counter.startswith(f"{len(kept)} / {len(everything)} ")
        header = tab.locator(f"{TABLE} thead th").nth(4)
        header.click()
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        shown, shares = _rows(tab), _shares(tab)
        assert shares == sorted(shares, reverse=True) and len(shares) >= 2
        link = tab.locator(f".table-filter:has(+ {TABLE}) a.permalink").get_attribute("href")
        assert link == "#_table=report-layers&_search=2025&_sort_desc=5"
        assert tab.evaluate("window.location.hash") == link  # the address bar holds the view too
        # a new tab opened on the permalink shows the same rows in the same order
        again = context.new_page()
        again.goto(page_url + link, wait_until="load")
        assert _rows(again) == shown
        assert again.locator(f".table-filter:has(+ {TABLE}) input").input_value() == "2025"
        assert again.locator(f"{TABLE} thead th").nth(4).get_attribute("aria-sort") == "descending"
        # a permalink with no sort gives the page's own order back, filtered
        again.evaluate("window.location.hash = '#_table=report-layers&_search=2025'")
        again.wait_for_function("document.querySelector('#report-layers th:nth-child(5)').ariaSort == 'none'")
        assert _rows(again) == kept
        assert not problems, problems  # no script error, nothing fetched from outside the report folder
    finally:
        context.close()


@pytest.mark.parametrize("name", ["report.html", "index.html", "markets.html"])
def test_phone_width_with_the_tools_does_not_scroll_sideways(browser: object, report: Path, name: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        tab.goto((report / name).as_uri(), wait_until="load")
        assert tab.locator(".table-filter").count() >= 1
        tab.locator("#tables summary").click()  # the list of the page's CSV and Parquet files, open
        scroll = tab.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"{name} at 390 px is {scroll} px wide"
    finally:
        context.close()


def test_without_scripts_tables_are_plain_and_whole(browser: object, report: Path) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        tab.goto((report / "report.html").as_uri(), wait_until="load")
        assert tab.locator(".table-filter").count() == 0
        rows = tab.locator(f"{TABLE} tbody tr")
        assert rows.count() >= 10 and tab.locator(f"{TABLE} tbody tr[hidden]").count() == 0
        csv_link = tab.locator("#tables a", has_text="CSV").first.get_attribute("href")
        assert csv_link is not None and (report / csv_link).is_file()
    finally:
        context.close()
