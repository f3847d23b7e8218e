"""The briefing writes data inertly: hostile names and URLs in a valid package stay text once the Markdown is
rendered (CommonMark, raw HTML allowed, as most renderers do) and in the HTML briefing; links only to http(s)."""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import markdown_it
import pytest

from marketpower.publish.briefing import build_briefing, markdown_text, render_briefing, safe_url
from marketpower.store import Store

HOSTILE_NAME = "<script>alert(1)</script> [x](javascript:alert(2)) **b** _i_ `c` <img src=x onerror=alert(3)> | ~s~"
#: Valid for the schema (``^https?://\S+$``) yet built to close a Markdown link and an HTML attribute early.
HOSTILE_URL = 'https://example.org/a)[y](javascript:alert(4))"onmouseover="alert(5)<script>'
HOSTILE_PUBLISHER = 'Example" onclick="alert(6)'


def _replace_cell(path: Path, column: str, row_id: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0].keys())
    hit = [r for r in rows if r["id"] == row_id]
    assert len(hit) == 1
    hit[0][column] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile(mini_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The mini package (widgets: HHI 3,000 → 3,800, led by Alpha) with a hostile leader name, market name,
    source URL and publisher."""
    pkg = tmp_path_factory.mktemp("hostile") / "mini"
    shutil.copytree(mini_package, pkg)
    data = pkg / "data"
    _replace_cell(data / "entities.csv", "name", "alpha", HOSTILE_NAME)
    _replace_cell(data / "markets.csv", "name", "widgets", f"Widgets {HOSTILE_NAME}")
    _replace_cell(data / "sources.csv", "url", "src-a", HOSTILE_URL)
    _replace_cell(data / "sources.csv", "publisher", "src-a", HOSTILE_PUBLISHER)
    return Store.open(package=pkg)


def _rendered(markdown: str) -> str:
    return markdown_it.MarkdownIt("commonmark").render(markdown)


def _assert_inert(page: str) -> None:
    """No element or attribute the data could have made live: only the template's tags, links only http(s)."""
    assert "<script" not in page and "<img" not in page
    tags = re.findall(r"<([a-z0-9]+)([^>]*)>", page)
    for name, attributes in tags:
        outside_values = re.sub(r'"[^"]*"', '""', attributes)
        assert not re.search(r"\son[a-z]+\s*=", outside_values), (name, attributes)
    template_tags = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "em", "ul", "li", "strong"}
    assert {name for name, _ in tags} <= template_tags | {"a", "code"}, tags
    hrefs = re.findall(r'<a href="([^"]*)"', page)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    assert all("(" not in h and ")" not in h and "<" not in h for h in hrefs), hrefs


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_markdown_briefing_is_inert_once_rendered(hostile: Store, lang: str) -> None:
    markdown = render_briefing(build_briefing(hostile, lang), "md")
    page = _rendered(markdown)
    _assert_inert(page)
    shown = _visible_text(page)
    assert shown.count(HOSTILE_NAME) == 2  # the market's name and the leader's, each shown literally
    assert len(re.findall(r"<a href=", page)) == 3  # the three sourced figures: HHI 2023, HHI 2024, the share


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_html_briefing_is_inert(hostile: Store, lang: str) -> None:
    page = render_briefing(build_briefing(hostile, lang), "html")
    _assert_inert(page)
    assert _visible_text(page).count(HOSTILE_NAME) == 2
    assert 'title="Example&#34; onclick=&#34;alert(6)' in page  # Jinja's autoescape writes " as &#34;


def test_source_links_keep_their_target_percent_encoded(hostile: Store) -> None:
    page = _rendered(render_briefing(build_briefing(hostile, "en"), "md"))
    hrefs = set(re.findall(r'<a href="([^"]*)"', page))
    assert hrefs == {
        "https://example.org/a%29%5By%5D%28javascript:alert%284%29%29%22onmouseover=%22alert%285%29%3Cscript%3E"
    }


def test_markdown_text_is_literal() -> None:
    cases = {
        "Alpha Corp": "Alpha Corp",
        "up_to": "up_to",  # inside a word, `_` is never emphasis: left as is
        "_i_": "\\_i\\_",
        "**b**": "\\*\\*b\\*\\*",
        "[x](javascript:alert(1))": "\\[x\\](javascript:alert(1))",
        "<b>&amp;": "&lt;b&gt;&amp;amp;",
        "line\n# heading\r\n- item": "line # heading - item",
        'say "hi" | `c` ~s~ \\': 'say \\"hi\\" \\| \\`c\\` \\~s\\~ \\\\',
    }
    for raw, escaped in cases.items():
        assert markdown_text(raw) == escaped, raw
        rendered = _rendered(markdown_text(raw))
        assert _visible_text(rendered).strip() == " ".join(raw.split()).strip() or "\n" in raw, raw


def test_only_http_links() -> None:
    assert safe_url("https://example.org/a b") == "https://example.org/a%20b"
    assert safe_url("http://example.org/é?q=1&r=2#f") == "http://example.org/%C3%A9?q=1&r=2#f"
    for bad in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/relative",
        "https://",
        "https://ok.org/\nx",
        None,
        3,
    ):
        assert safe_url(bad) is None, bad


def test_a_source_without_a_safe_url_is_text_without_a_link(mini_package: Path) -> None:
    source = {"id": "s", "url": "javascript:alert(1)", "publisher": "P", "title": "T", "published": "2025-01-15"}
    data = build_briefing(Store.open(package=mini_package), "en")
    data["bills"] = {
        "qualifier": "exact",
        "value": 1065,
        "source": source,
        "year": 2025,
        "tracker": "VAILL",
        "as_of": "2025-08-11",
    }
    for fmt in ("md", "html"):
        out = render_briefing(data, fmt)
        assert "javascript" not in out and "1,065 AI bills" in out, fmt
