"""French in full: under ``?lang=fr`` (and ``--lang fr``) market names and descriptions, deal kinds, statuses,
layers and every chart's titles, axis and legend titles are French; no known English label is left on a page.
The translations (publish/translations/markets_fr.csv, i18n.VALUE_LABELS_FR, i18n.CHART_LABELS_FR) cover every
market and coded value of the bundled package."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from spec_rows import spec_rows

from marketpower.publish import charts
from marketpower.publish.i18n import (
    CHART_LABELS_FR,
    TOOLTIP_TITLES,
    TRANSLATIONS,
    VALUE_LABELS_FR,
    market_translations,
)
from marketpower.publish.web import create_app
from marketpower.store import Store

SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
SPEC = re.compile(r'<script type="application/json" id="spec-[^"]+">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack), raise_server_exceptions=False)


#: What is English by nature on a French page: the sources' titles (footnotes), names of firms (entity links)
#: and the column names of the tables' download tools (the data's own field names).
NAMED = re.compile(
    r'<section class="footnotes">.*?</section>|<a href="/entities/[^"]*">[^<]*</a>|'
    r'<details class="table-tools".*?</details>',
    re.S,
)


def _visible_text(page: str) -> str:
    """The text a reader sees, less what stays English by nature (:data:`NAMED`): no scripts (chart specs),
    no tags, no attribute values."""
    return html.unescape(re.sub(r"<[^>]+>", " ", NAMED.sub(" ", SCRIPT.sub(" ", page))))


def _english_labels(aistack: Store, tooltips: bool = True) -> set[str]:
    """Labels that only an untranslated page shows: the English market names, deal kinds, deal and facility
    statuses and the fixed chart texts (those whose French differs); without ``tooltips``, less the tooltip
    titles (single words such as "Group" that firm names hold too, checked in the specs instead)."""
    names = {str(m["name"]) for m in aistack.table("markets").to_dict("records")}
    names = {n for n in names if n not in {r["name"] for r in market_translations().values()}}  # DRAM is DRAM
    coded = {
        str(v).replace("_", " ")
        for table, column in (("deals", "kind"), ("deals", "status"), ("facilities", "status"))
        for v in aistack.table(table)[column].dropna().unique()
    }
    coded = {c for c in coded if VALUE_LABELS_FR.get(c.replace(" ", "_"), c) != c}
    fixed = {en for en, fr in CHART_LABELS_FR.items() if en != fr and len(en) > 4}
    if not tooltips:
        fixed -= set(TOOLTIP_TITLES.values())
    return names | coded | fixed


def test_every_bundled_market_and_coded_value_is_translated(aistack: Store) -> None:
    markets = aistack.table("markets")
    rows = market_translations()
    assert set(markets["id"]) <= set(rows), "markets without a French name: add them to translations/markets_fr.csv"
    for market in markets.to_dict("records"):
        row = rows[market["id"]]
        assert row["name_en"] == market["name"], f"{market['id']}: renamed in English, update its translation"
        assert row["name"] and row["description"], market["id"]
        assert row["name"] != market["name"] or market["name"] == "DRAM", market["id"]  # DRAM is DRAM in French
    for table, column in (("deals", "kind"), ("deals", "status"), ("facilities", "status"), ("entities", "kind")):
        missing = set(aistack.table(table)[column].dropna()) - set(VALUE_LABELS_FR)
        assert not missing, f"{table}.{column}: no French label for {sorted(missing)}"
    for layer in set(aistack.table("markets")["layer"]):
        assert layer in VALUE_LABELS_FR


def test_the_translation_file_is_well_formed() -> None:
    with (TRANSLATIONS / "markets_fr.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["id", "name_en", "name", "description"]
        ids = [row["id"] for row in reader]
    assert len(ids) == len(set(ids))


PAGES = ["/", "/markets", "/markets/hbm", "/markets/foundry", "/layers/foundry", "/layers/memory", "/deals", "/winners"]


@pytest.mark.parametrize("path", PAGES)
def test_a_french_page_has_no_english_label(path: str, client: TestClient, aistack: Store) -> None:
    page = client.get(path, params={"lang": "fr"})
    assert page.status_code == 200
    text = _visible_text(page.text)
    shown = [label for label in _english_labels(aistack, False) if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]
    left = sorted(shown)
    assert not left, f"{path}?lang=fr still shows {left}"
    # and its charts: titles, axis and legend titles and the market names they draw
    english = _english_labels(aistack)
    for spec_text in SPEC.findall(page.text):
        spec = json.loads(html.unescape(spec_text))
        titles = list(_titles(spec))
        assert not [t for t in titles if t in english], (path, titles)
        shown = [r.get("market") for r in spec_rows(spec)]
        assert not [m for m in shown if m in english], (path, shown)


def test_the_same_page_in_english_keeps_english(client: TestClient) -> None:
    text = _visible_text(client.get("/markets/hbm").text)
    assert "High-bandwidth memory (HBM)" in text and "Mémoire à large bande passante" not in text
    text = _visible_text(client.get("/markets/hbm", params={"lang": "fr"}).text)
    assert "Mémoire à large bande passante (HBM)" in text
    assert "DRAM empilée (HBM2e, HBM3, HBM3E, HBM4)" in text  # the description


def test_deal_kinds_and_statuses_in_french(client: TestClient, aistack: Store) -> None:
    deal = aistack.table("deals").query("kind == 'chip_purchase' and status == 'letter_of_intent'")
    if deal.empty:
        deal = aistack.table("deals").query("kind == 'chip_purchase'")
    row = deal.iloc[0]
    text = _visible_text(client.get(f"/deals/{row['id']}", params={"lang": "fr"}).text)
    assert "achat de puces" in text and VALUE_LABELS_FR[row["status"]] in text
    assert "chip purchase" not in text


def test_localize_translates_titles_and_shown_names_only() -> None:
    spec = {
        "$schema": charts.VEGA_LITE_SCHEMA,
        "title": "High-bandwidth memory (HBM)",
        "data": {"values": [{"market": "DRAM", "layer": "memory", "record": "pledge", "bound": "low bound"}]},
        "transform": [{"filter": "datum.record === 'pledge'"}],
        "mark": "point",
        "encoding": {
            "x": {"field": "market", "type": "nominal", "title": "Market"},
            "shape": {"field": "record", "type": "nominal", "title": "Record"},
        },
    }
    fr = charts.localize(spec, "fr")
    assert fr["title"] == "Mémoire à large bande passante (HBM)"
    assert fr["encoding"]["x"]["title"] == "Marché" and fr["encoding"]["shape"]["title"] == "Nature du montant"
    assert fr["data"]["values"] == [{"market": "DRAM", "layer": "mémoire", "record": "pledge", "bound": "borne basse"}]
    assert fr["transform"] == spec["transform"]  # a coded value the spec filters on keeps its code...
    assert '"pledge": "promesse"' in fr["encoding"]["shape"]["legend"]["labelExpr"]  # ...and a French legend
    assert charts.localize(spec, "en") is spec


def _titles(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                yield value
            else:
                yield from _titles(value)
    elif isinstance(node, list):
        for value in node:
            yield from _titles(value)



def test_a_report_in_two_languages_links_each_page_to_its_twin_language(
    tmp_path: Path, mini_package: Path, cli: Any
) -> None:
    out = tmp_path / "report"
    result = cli("report", "--package", str(mini_package), "--out", str(out), "--lang", "fr,en", "--all-chart-images")
    assert result.code == 0, result.err
    pages_fr = sorted(p.name for p in out.glob("*.html"))
    assert pages_fr and pages_fr == sorted(p.name for p in (out / "en").glob("*.html"))
    for name in pages_fr:
        french, english = (out / name).read_text(encoding="utf-8"), (out / "en" / name).read_text(encoding="utf-8")
        assert '<html lang="fr">' in french and '<html lang="en">' in english
        assert f'<a href="en/{name}" hreflang="en" lang="en">English</a>' in french
        assert f'<a href="../{name}" hreflang="fr" lang="fr">Français</a>' in english
    for page in (out / "en").glob("*.html"):  # the English report is whole: its assets and chart images resolve
        text = page.read_text(encoding="utf-8")
        for src in re.findall(r'(?:src|href)="((?:assets|charts)/[^"]+)"', text):
            assert (out / "en" / src).is_file(), (page.name, src)
        # --all-chart-images: every chart of every page has its static image
        assert text.count("data-vega-spec=") == text.count('<img class="chart-image"'), page.name
    # the briefing is in the report in each language (page and Markdown), switched like the pages, linked from
    # every page's navigation, and says the same thing as `marketpower briefing --lang`
    for folder, lang in ((out, "fr"), (out / "en", "en")):
        assert (folder / "briefing.md").is_file() and "briefing.html" in pages_fr
        assert f'<a href="briefing.html">{"Le point" if lang == "fr" else "Briefing"}</a>' in (
            folder / "index.html"
        ).read_text(encoding="utf-8")
        briefing = cli("briefing", "--package", str(mini_package), "--lang", lang)
        written = (folder / "briefing.md").read_text(encoding="utf-8")
        assert briefing.code == 0 and briefing.out.strip() == written.strip()
    bad = cli("report", "--package", str(mini_package), "--out", str(tmp_path / "x"), "--lang", "fr,de")
    assert bad.code == 2 and "--lang 'de'" in bad.err and not (tmp_path / "x").exists()
