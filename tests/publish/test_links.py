"""Every link resolves: crawl the whole dashboard (TestClient, every internal href and src reached from /) and
the whole built report folder; zero broken links. Pages a browser asks for answer HTML errors, twins JSON."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlparse

import pytest
from fastapi.testclient import TestClient

from marketpower.publish.report import build_report
from marketpower.publish.web import create_app
from marketpower.store import Store

HTML = {"accept": "text/html,application/xhtml+xml"}


class Links(HTMLParser):
    """The href of every <a> and <link>, the src of every <script> and <img>; and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        wanted = {"a": "href", "link": "href", "script": "src", "img": "src", "form": None}.get(tag)
        if wanted and values.get(wanted):
            self.links.append(str(values[wanted]))


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def internal(url: str) -> bool:
    parsed = urlparse(url)
    return not parsed.scheme and not parsed.netloc and not url.startswith(("mailto:", "javascript:"))


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


#: Links that differ only in their query values (one scenario page per deal, the deal web on each day it changes,
#: a screen per pair...) are one page type: the crawl follows this many of each, every plain path in full.
#: Every deal's block-or-allow answer is still checked in full by tests/publish/test_deal_scenarios.py.
VARIANTS_PER_PAGE = 12


def _page_type(url: str) -> tuple[str, frozenset[str]] | None:
    """(path, query keys) of a link with a query string, None for a plain path."""
    parsed = urlparse(url)
    if not parsed.query:
        return None
    return parsed.path, frozenset(key for key, _ in parse_qsl(parsed.query, keep_blank_values=True))


def test_every_dashboard_link_resolves(client: TestClient) -> None:
    seen: dict[str, int] = {}
    broken: list[str] = []
    variants: Counter[tuple[str, frozenset[str]]] = Counter()
    queue = ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        kind = _page_type(url)
        if kind is not None:
            if variants[kind] >= VARIANTS_PER_PAGE:
                continue
            variants[kind] += 1
        answer = client.get(url, headers=HTML)
        seen[url] = answer.status_code
        if answer.status_code != 200:
            broken.append(f"{url}: {answer.status_code}")
            continue
        if not answer.headers["content-type"].startswith("text/html"):
            continue
        found = parse(answer.text)
        for link in found.links:
            target = urldefrag(urljoin(url, link)).url
            # the language switch (?lang=) gives every page again in the other language: checked below, once
            if internal(target) and target.startswith("/") and target not in seen and "lang=" not in target:
                queue.append(target)
    assert not broken, broken
    assert len(seen) > 100  # the crawl reached the entity, deal, market and layer pages
    for layer in ("models", "equipment", "power"):
        assert seen.get(f"/layers/{layer}") == 200
    french = client.get("/layers/models?lang=fr", headers=HTML)
    assert french.status_code == 200 and '<html lang="fr">' in french.text and 'href="?lang=en"' in french.text


def test_html_pages_get_html_errors_and_twins_json(client: TestClient) -> None:
    page = client.get("/layers/nope", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "unknown layer" in page.text and '{"error"' not in page.text
    twin = client.get("/layers/nope.json", headers=HTML)
    assert twin.status_code == 404 and "unknown layer" in twin.json()["error"]
    form = client.get("/markets/hbm/screen?a=samsung&b=samsung", headers=HTML)
    assert form.status_code == 400 and form.headers["content-type"].startswith("text/html")
    assert "two different firms" in form.text
    assert client.get("/no/such/page", headers=HTML).headers["content-type"].startswith("text/html")


def test_every_report_link_resolves(aistack: Store, tmp_path: Path) -> None:
    out = tmp_path / "report"
    build_report(aistack, out)
    broken = []
    pages = sorted(out.glob("*.html"))
    ids = {p.name: parse(p.read_text(encoding="utf-8")).ids for p in pages}
    for page in pages:
        for link in parse(page.read_text(encoding="utf-8")).links:
            if not internal(link):
                continue
            target, fragment = urldefrag(link)
            file = (page.parent / unquote(target)).resolve() if target else page
            if not file.is_file():
                broken.append(f"{page.name}: {link}")
            elif fragment and file.suffix == ".html" and fragment not in ids.get(file.name, set()):
                broken.append(f"{page.name}: {link} (no such anchor)")
    assert not broken, broken[:20]
    assert {f"layer-{name}.html" for name in ("models", "equipment", "power")} <= {p.name for p in pages}
    assert re.search(r"layer-models\.html", (out / "entity-openai.html").read_text(encoding="utf-8"))
