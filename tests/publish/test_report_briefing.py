"""The static report (self-contained, every page with its JSON twin, PDF) and the briefing in French and English."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from marketpower.publish.briefing import build_briefing, render_briefing
from marketpower.store import Store


@pytest.fixture(scope="module")
def bundled_report(tmp_path_factory: pytest.TempPathFactory, aistack: Store) -> Path:
    from marketpower.publish.report import build_report

    out = tmp_path_factory.mktemp("report")
    build_report(aistack, out, lang="fr")
    return out


def test_report_is_self_contained_with_twins(bundled_report: Path) -> None:
    html_files = sorted(bundled_report.glob("*.html"))
    assert {"index.html", "report.html", "network.html", "compute.html", "politics.html"} <= {
        p.name for p in html_files
    }
    for page in html_files:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', text), f"{page.name} loads from the network"
        json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        assert (bundled_report / "assets/vendor" / script).is_file()


def test_report_sections_and_footnotes(bundled_report: Path) -> None:
    text = (bundled_report / "report.html").read_text(encoding="utf-8")
    for section in ("glance", "concentration", "ownership", "loops", "compute", "politics", "seed-deals"):
        assert f'<section id="{section}">' in text
    data = json.loads((bundled_report / "report.json").read_text(encoding="utf-8"))
    numbered = {s["id"]: i for i, s in enumerate(data["sources"], start=1)}
    # every footnote mark points at a numbered source that is listed with its link and date
    marks = re.findall(r'<a class="src" href="#src-([^"]+)"[^>]*>\[(\d+)\]</a>', text)
    assert marks and all(numbered[sid] == int(n) for sid, n in marks)
    for src in data["sources"]:
        assert f'<li id="src-{src["id"]}">' in text and src["url"].replace("&", "&amp;") in text
    # the worked example: 10 GW as accelerators, rows from the compute model
    rows = data["compute"]["worked_example"]["rows"]
    assert rows and all(r["count_low"] <= r["count_central"] <= r["count_high"] for r in rows)
    assert "Lignes directrices" in text or "lignes directrices" in text


def test_report_pdf(tmp_path: Path, cli, mini_package: Path) -> None:
    try:  # without pango WeasyPrint's import raises OSError, which importorskip would let through
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"the pdf extra (WeasyPrint + pango) is not usable here: {type(error).__name__}: {error}")
    pdf = tmp_path / "report.pdf"
    result = cli("report", "--package", str(mini_package), "--out", str(tmp_path / "r"), "--pdf", str(pdf))
    assert result.code == 0, result.err
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_report_pdf_without_weasyprint_is_a_clear_error(
    tmp_path: Path, cli, mini_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    out = tmp_path / "r"
    result = cli("report", "--package", str(mini_package), "--out", str(out), "--pdf", str(tmp_path / "x.pdf"))
    assert result.code == 2 and "--pdf needs WeasyPrint" in result.err and "Traceback" not in result.err
    assert not out.exists()  # nothing half-written


LINK = re.compile(r'\[([^\]]+)\]\((https?://[^ )]+)(?: "[^"]*")?\)')
MONTHS = (
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|January|February|"
    "March|April|May|June|July|August|September|October|November|December"
)
#: Text that may hold digits without being a figure: dates, years, quarters, "N points", "10 GW", "3 min".
NOT_FIGURES = re.compile(
    rf"\d{{1,2}} ({MONTHS}) \d{{4}}|({MONTHS}) \d{{1,2}}, \d{{4}}|\b(19|20)\d\d\b|\bQ[1-4]\b|"
    r"[\d\u202f\u00a0,.]+ (points|GW|min)|\b[A-Z]+[\w-]*\d+\w*"
)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_briefing_every_number_has_a_source(lang: str, aistack: Store) -> None:
    data = build_briefing(aistack, lang)
    text = render_briefing(data, "md")
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 4
    for line in bullets:
        without_links = LINK.sub("", line)
        # digits left outside links may only be years, dates, periods or counts of points/GW named in the text
        assert LINK.search(line), line
        stray = re.findall(r"\d[\d\u202f\u00a0,.]*", NOT_FIGURES.sub("", without_links))
        assert not [s for s in stray if s.strip(" ,.")], (line, stray)
    assert data["reading_minutes"] >= 1
    heading = {"fr": "## L'essentiel", "en": "## Key points"}[lang]
    assert heading in text and f"{data['reading_minutes']} min" in text


def test_briefing_locale_numbers(aistack: Store) -> None:
    store = aistack
    fr = re.sub(r"\]\([^)]*\)", "]", render_briefing(build_briefing(store, "fr"), "md"))  # text without URLs
    en = re.sub(r"\]\([^)]*\)", "]", render_briefing(build_briefing(store, "en"), "md"))
    # French long scale: 10^12 is "un billion de dollars"; the English "billion" (10^9) never appears
    assert "milliards de dollars" in fr and "billion" not in re.sub(r"billions? de dollars", "", fr)
    assert "$" in en and "billion" in en and "milliard" not in en
    html = render_briefing(build_briefing(store, "fr"), "html")
    assert html.startswith("<!doctype html>") and '<ul class="key-points">' in html and '<a href="http' in html


def test_briefing_cli(cli, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    assert cli("briefing", "--lang", "fr", "--format", "html", "--out", str(out)).code == 0
    assert "L&#39;essentiel" in out.read_text(encoding="utf-8")
    bad = cli("briefing", "--lang", "de")
    assert bad.code == 2 and "--lang 'de'" in bad.err
    assert json.loads(cli("briefing", "--lang", "en", "--json").out)["lang"] == "en"
