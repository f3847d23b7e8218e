"""French in full, the rest of it: chart tooltips, the deal web's controls (time slider, filters, date line, edge
tooltips), table headers made from field names, the deal descriptions (publish/translations/deals_fr.csv), the
templates' own text, and a language switch on every page that keeps the page's state (the /simulate form)."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from spec_rows import spec_rows

from marketpower.publish import charts
from marketpower.publish.i18n import (
    CHART_LABELS_FR,
    COLUMN_LABELS_FR,
    TOOLTIP_TITLES,
    TRANSLATIONS,
    VALUE_LABELS_FR,
    data_translations,
    deal_translations,
)
from marketpower.publish.render import TEMPLATES
from marketpower.publish.web import create_app
from marketpower.store import Store

SPEC = re.compile(r'<script type="application/json" id="spec-[^"]+">(.*?)</script>', re.S)
SWITCH = re.compile(r'<a href="([^"]*)" hreflang="(\w+)" lang="\w+" data-lang-switch>([^<]*)</a>')
DATA = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "datasets" / "aistack" / "data"


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


def _specs(page: str) -> list[dict[str, Any]]:
    return [json.loads(html.unescape(text)) for text in SPEC.findall(page)]


def _tooltips(node: Any) -> Any:
    """Every tooltip entry of a Vega-Lite spec (lists under an encoding's ``tooltip``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "tooltip" and isinstance(value, list):
                yield from value
            else:
                yield from _tooltips(value)
    elif isinstance(node, list):
        for value in node:
            yield from _tooltips(value)


def test_every_tooltip_title_has_its_french() -> None:
    assert not {title for title in TOOLTIP_TITLES.values() if title not in CHART_LABELS_FR and title != "HHI"}
    assert CHART_LABELS_FR["HHI"] == "IHH"


CHART_PAGES = ["/", "/markets/hbm", "/layers/memory", "/winners", "/politics", "/compute"]


@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_tooltips_are_titled_and_french(path: str, client: TestClient) -> None:
    english = {t for t in TOOLTIP_TITLES.values() if CHART_LABELS_FR.get(t, t) != t}
    en_specs, fr_specs = _specs(client.get(path).text), _specs(client.get(path, params={"lang": "fr"}).text)
    en_tips, fr_tips = [t for s in en_specs for t in _tooltips(s)], [t for s in fr_specs for t in _tooltips(s)]
    assert en_tips and len(en_tips) == len(fr_tips), path
    assert all(t.get("title") for t in en_tips), [t for t in en_tips if not t.get("title")]  # never a raw field name
    assert not [t["title"] for t in fr_tips if t["title"] in english], path
    assert {t["title"] for t in en_tips} <= set(TOOLTIP_TITLES.values()) | {"#", "Election day"}


def test_french_chart_dates_use_the_french_time_locale(client: TestClient) -> None:
    """A French page gives its charts the d3 French time locale (month names for axes and tooltips) and its
    tooltips' dates the French order ("14 mai 2025"); English pages keep Vega's defaults."""
    french = client.get("/politics", params={"lang": "fr"}).text
    locales = [json.loads(html.unescape(m)) for m in re.findall(r"data-vega-time-locale='([^']*)'", french)]
    assert locales and {loc["months"][4] for loc in locales} == {"mai"}
    dates = [t for s in _specs(french) for t in _tooltips(s) if t.get("type") == "temporal"]
    assert dates and all(t["format"] == "%-d %B %Y" for t in dates)
    english = client.get("/politics").text
    assert "data-vega-time-locale" not in english
    assert not [t for s in _specs(english) for t in _tooltips(s) if t.get("type") == "temporal" and "format" in t]


@pytest.mark.parametrize("path", [*CHART_PAGES, "/layers/foundry", "/markets/foundry"])
def test_every_chart_title_is_translated(path: str, client: TestClient) -> None:
    """Each chart's title on the French page differs from the English one (no title, however it was built, is
    left in English), except names that are the same in both languages."""
    same = {"DRAM"}
    english = [s.get("title") for s in _specs(client.get(path).text)]
    french = [s.get("title") for s in _specs(client.get(path, params={"lang": "fr"}).text)]
    assert len(english) == len(french)
    left = [en for en, fr in zip(english, french, strict=True) if en and en == fr and en not in same]
    assert not left, (path, left)


def test_a_coded_tooltip_value_shows_its_french_label_and_the_filter_keeps_the_code(client: TestClient) -> None:
    spec = client.get("/politics.json").json()["timeline"]["chart"]
    pledges = charts.localize(spec, "fr")["layer"][0]
    assert pledges["transform"][0] == {"filter": "datum.record === 'pledge'"}  # the code, as in English
    assert {"field": "record_label", "type": "nominal", "title": "Nature du montant"} in pledges["encoding"]["tooltip"]
    label = pledges["transform"][-1]
    assert label["as"] == "record_label" and json.loads(label["calculate"].split("[datum")[0])["pledge"] == "promesse"



def _vega_items(scenegraph: Any, name: str) -> list[dict[str, Any]]:
    if isinstance(scenegraph, dict):
        if scenegraph.get("name") == name and "items" in scenegraph:
            return list(scenegraph["items"])
        found = [_vega_items(v, name) for v in scenegraph.values()]
    elif isinstance(scenegraph, list):
        found = [_vega_items(v, name) for v in scenegraph]
    else:
        return []
    return next((f for f in found if f), [])


def test_the_deal_web_controls_are_french_and_its_kind_filter_still_works(client: TestClient) -> None:
    """Under French the edges' kinds are French labels: the filter compares their codes (``kind_code``), so picking
    a kind in the French select shows that kind's edges (drawn by Vega, offline, at the last day of the slider)."""
    vl_convert = pytest.importorskip("vl_convert")
    spec = charts.localize(client.get("/network.json").json()["charts"]["network"], "fr")
    signals = {s["name"]: s for s in spec["signals"]}
    assert signals["as_of_step"]["bind"]["name"] == "Au (parcourir les jours où le réseau change) "
    assert signals["as_of_text"]["value"] == "Au "
    kind = signals["kind_filter"]["bind"]
    assert kind["name"] == "Type d'accord " and kind["labels"][0] == "tous les types"
    assert "achat de puces" in kind["labels"] and "chip purchase" not in kind["labels"]
    assert signals["public_filter"]["bind"]["name"] == "Public-privé "
    assert signals["public_filter"]["bind"]["labels"] == [
        "tous les accords", "avec une partie publique", "entre entreprises seulement"
    ]  # fmt: skip
    assert signals["loop"]["bind"]["labels"][0] == "toutes les boucles"
    links = next(d for d in spec["data"] if d["name"] == "link-data")["values"]
    assert {lk["kind_code"] for lk in links} == set(kind["options"][1:])
    dates = signals["dates"]["value"]
    day = dates[-1]
    expected = [
        lk for lk in links
        if lk["kind_code"] == "chip_purchase" and (lk["from"] is None or lk["from"] <= day)
        and (lk["until"] is None or lk["until"] > day)
    ]  # fmt: skip
    assert expected
    chosen = {"kind_filter": "chip_purchase", "as_of_step": len(dates) - 1}
    drawn = charts._without_label_layout(
        {**spec, "signals": [{**s, "value": chosen[s["name"]]} if s["name"] in chosen else s for s in spec["signals"]]}
    )
    edges = next(m for m in drawn["marks"] if m.get("name") == "links")
    edges["encode"]["update"]["description"] = edges["encode"]["update"]["tooltip"]  # the tooltip, evaluated
    items = _vega_items(vl_convert.vega_to_scenegraph(drawn), "links")
    shown = [item for item in items if item.get("strokeWidth", 0) > 0]
    assert len(shown) == len(expected)
    assert all(item["description"].endswith(": achat de puces") and " → " in item["description"] for item in shown)


def test_field_name_headers_are_french(client: TestClient, aistack: Store) -> None:
    for path in ("/politics", "/network"):
        page = client.get(path, params={"lang": "fr"}).text
        headers = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<th\b[^>]*>(.*?)</th>", page)]
        assert headers, path
        assert not [h for h in headers if "_" in h or h in {"degree usd", "amount usd", "betweenness", "year"}], path
    page = client.get("/network", params={"lang": "fr"}).text
    relations = re.findall(r'data-relation="(\w+)"><td>([^<]*)</td>', page)
    assert relations and all(shown == VALUE_LABELS_FR[code] for code, shown in relations)
    assert "participation" in {shown for _, shown in relations}


def test_the_report_section_columns_have_french_headers(aistack: Store, client: TestClient) -> None:
    from marketpower.api import Context
    from marketpower.publish import pages

    columns: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("columns"), list) and all(isinstance(c, str) for c in node["columns"]):
                columns.update(node["columns"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    ctx = Context(aistack)
    visit(pages.report_page(ctx))
    visit(pages.politics_page(ctx))
    columns.update(client.get("/network.json").json()["centrality"][0])
    assert columns
    assert not sorted(c for c in columns if c not in COLUMN_LABELS_FR and c not in VALUE_LABELS_FR)


def test_the_compute_chain_reads_in_french(client: TestClient) -> None:
    """Every step and assumption of the compute chain, the worked example's verdicts and the sensitivity
    outputs have a French label on the French page (the English page keeps the application's English)."""
    from marketpower.publish.i18n import value_label

    model = client.get("/compute.json").json()
    french = html.unescape(client.get("/compute", params={"lang": "fr"}).text)
    english = html.unescape(client.get("/compute").text)
    texts = [s["label"] for s in model["chain"]["steps"]] + [model["chain"]["title"]]
    example = model["worked_example"]
    texts += [a["name"] for a in example["assumptions"]] + [r["verdict"] for r in example["rows"]]
    for text in texts:
        assert value_label(text, "fr") != text, text
        assert value_label(text, "fr") in french and text in english, text
    assert "10\u202f000 MW de puissance de site" in french  # a count in a title gets French thousands


# the deal descriptions

def test_the_deal_translation_file_is_well_formed() -> None:
    with (TRANSLATIONS / "deals_fr.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["id", "description_en", "description", "note_en", "note"]
        rows = list(reader)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        for field in ("description", "note"):
            assert bool(row[field].strip()) == bool(row[f"{field}_en"].strip()), (row["id"], field)
            assert not row[field] or row[field] != row[f"{field}_en"], (row["id"], field)


def _digit_groups(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


@pytest.mark.parametrize("table", ["deals", "stakes", "facilities"])
@pytest.mark.parametrize("field", ["description", "note"])
def test_every_described_item_has_a_faithful_french_text(table: str, field: str) -> None:
    """Every deal, stake and facility with a description in the bundled data (stakes and facilities have none
    today: the check holds for them as soon as they do) has its French one, made for its present English text,
    with the same figures: every group of digits of the English (10, 2026, 87 and 20 of "$87.20") is in the
    French. The same for the deals' notes (the "Note" row of a deal page); stakes' and facilities' notes are on
    no page and stay English."""
    frame = pd.read_csv(DATA / f"{table}.csv", dtype=str)
    if field not in frame.columns or (field == "note" and table != "deals"):
        assert table != "deals"
        return
    described = frame.dropna(subset=[field])
    assert table != "deals" or len(described) > 280
    rows = deal_translations()
    missing = sorted(set(described["id"]) - {k for k, row in rows.items() if row[field]})
    assert not missing, f"{table} without a French {field}: add them to translations/deals_fr.csv: {missing}"
    for item in described.to_dict("records"):
        row = rows[item["id"]]
        assert row[f"{field}_en"] == item[field], f"{item['id']}: English {field} changed, update the French"
        lost = _digit_groups(item[field]) - _digit_groups(row[field])
        assert not lost, f"{item['id']}: {sorted(lost)} of the English {field} are not in the French"


@pytest.mark.parametrize("field", ["title", "outcome"])
def test_every_policy_event_has_its_french_text_with_the_same_figures(field: str, client: TestClient) -> None:
    with (TRANSLATIONS / "policy_events_fr.csv").open(encoding="utf-8", newline="") as handle:
        assert csv.DictReader(handle).fieldnames == ["id", "title_en", "title", "outcome_en", "outcome"]
    events = pd.read_csv(DATA / "policy_events.csv", dtype=str).dropna(subset=[field])
    rows = data_translations("policy_events")
    assert not sorted(set(events["id"]) - set(rows)), "add the new events to translations/policy_events_fr.csv"
    answer = client.get("/politics", params={"lang": "fr"}).text
    page = html.unescape(re.sub(r"<script\b.*?</script>", " ", answer, flags=re.S))
    drawn = [r for spec in _specs(answer) for r in spec_rows(spec) if "jurisdiction" in r]  # the timeline's events
    assert drawn and {r["title"] for r in drawn} <= {row["title"] for row in rows.values()}
    for event in events.to_dict("records"):
        row = rows[event["id"]]
        assert row[f"{field}_en"] == event[field], f"{event['id']}: English {field} changed, update the French"
        assert not _digit_groups(event[field]) - _digit_groups(row[field]), event["id"]
        assert row[field] in page and event[field] not in page, event["id"]


def test_the_scenario_pages_read_in_french(client: TestClient) -> None:
    """The shipped scenarios' titles and descriptions (translations/scenarios_fr.csv) and the vocabulary of their
    verdict rows (figure, place, rule) are French on the French pages."""
    listed = client.get("/scenarios.json").json()["scenarios"]
    rows = data_translations("scenarios")
    assert {s["id"] for s in listed} <= set(rows), "add the new scenarios to translations/scenarios_fr.csv"
    page = html.unescape(client.get("/scenarios", params={"lang": "fr"}).text)
    for scenario in listed:
        row = rows[scenario["id"]]
        for field in ("title", "description"):
            assert row[f"{field}_en"].strip() == scenario[field].strip(), (scenario["id"], field)
            assert not _digit_groups(scenario[field]) - _digit_groups(row[field]), (scenario["id"], field)
            assert row[field] in page and scenario[field].strip() not in page, (scenario["id"], field)
    one = html.unescape(client.get("/scenarios/block-nvidia-openai", params={"lang": "fr"}).text)
    assert "<h1>" + rows["block-nvidia-openai"]["title"] + "</h1>" in one
    verdict = client.get("/scenarios/block-nvidia-openai.json").json()["verdict"]
    cells = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", one)
    assert {r["what"] for r in verdict} and not {r["what"] for r in verdict} & {what for what, _ in cells}
    assert "boucles d'argent (nombre)" in {what for what, _ in cells}


def test_coverage_notes_read_in_french_with_their_figures(client: TestClient) -> None:
    """The /markets coverage column: every note of the twin is French on the French page, written from the row's
    ``headline_reasons``, with the same figures in French typography (1,681 -> 1 681, 69% -> 69 %)."""
    from marketpower.publish.notes import coverage_note

    rows = [r for r in client.get("/markets.json").json() if r.get("headline_note")]
    assert rows and all(r["headline_reasons"] for r in rows)
    page = html.unescape(client.get("/markets", params={"lang": "fr"}).text)
    for row in rows:
        note, french = row["headline_note"], coverage_note(row["headline_reasons"], "fr")
        assert coverage_note(row["headline_reasons"], "en") == note
        assert french in page and note not in page, note
        assert "coverage" not in french and "points wide" not in french and "% in" not in french, french
        assert _digit_groups(french.replace("\u202f", "")) == _digit_groups(note.replace(",", "")), note
    example = [
        {"code": "coverage_break", "missing": [{"entity_id": "google", "name": "Google", "share": 0.22, "year": 2026}]},
        {"code": "hhi_range_too_wide", "hhi_low": 891.0, "hhi_high": 4232.0, "width": 3341.0, "limit": 2000.0},
    ]
    assert coverage_note(example, "en") == (
        "coverage break: no share for Google (22% in 2026); HHI range 891-4,232 is 3,341 points wide (limit 2,000)"
    )
    assert coverage_note(example, "fr") == (
        "rupture de couverture : aucune part pour Google (22\u202f% en 2026) ; fourchette d'IHH 891-4\u202f232 large "
        "de 3\u202f341 points (limite 2\u202f000)"
    )
    leader = {"code": "unattributed_may_be_larger", "named_share": 0.42, "others_share": 0.58,
              "leader_id": "nvidia", "leader_name": "Nvidia", "leader_share": 0.22}  # fmt: skip
    assert coverage_note(leader, "en") == (
        "named firms hold 42%; the unattributed 58% could hold a firm larger than Nvidia's 22%"
    )
    assert coverage_note(leader, "fr") == (
        "les entreprises nommées détiennent 42\u202f% ; les 58\u202f% non attribués pourraient cacher une entreprise "
        "plus grande que Nvidia (22\u202f%)"
    )
    assert coverage_note([], "fr") == coverage_note(None, "fr") == ""


def _page(template: str, data: Any, lang: str) -> str:
    from marketpower.publish.render import render, web_link

    return html.unescape(render(template, data, lang=lang, link=web_link, asset=str, package_name="aistack"))


def test_a_french_page_writes_its_notes_from_the_structured_reasons(client: TestClient) -> None:
    """The French coverage and winners-window notes are written from the structured form, not from the English
    note: a row whose reasons are hand-written (and whose English note is left as it was) shows the French of
    those reasons; the English page shows the English of the same reasons."""
    rows = client.get("/markets.json").json()
    row = next(r for r in rows if r.get("headline_note"))
    reasons = [{"code": "hhi_range_too_wide", "hhi_low": 1234.0, "hhi_high": 5678.0, "width": 4444.0, "limit": 2000.0}]
    french = _page("markets.html", [{**row, "headline_reasons": reasons}], "fr")
    assert "fourchette d'IHH 1\u202f234-5\u202f678 large de 4\u202f444 points (limite 2\u202f000)" in french
    assert "aucune part pour" not in french and row["headline_note"] not in french
    english = _page("markets.html", [{**row, "headline_reasons": reasons}], "en")
    assert "HHI range 1,234-5,678 is 4,444 points wide (limit 2,000)" in english and row["headline_note"] not in english
    model = client.get("/winners.json").json()
    window = {**model["window"], "since": "2023-03-01", "until": "2025-06-02", "end_chosen": False}
    window.update(tolerance_days=30, firms_compared=1234, firms_left_out=0, segments="operating_income")
    french = _page("winners.html", {**model, "window": window}, "fr")
    assert (
        "toutes les entreprises du 1er mars 2023 au 2 juin 2025 (capitalisations à moins de 30 jours des deux dates) : "
        "1\u202f234 entreprises comparées, 0 écartées. Les conglomérats sont répartis selon le résultat "
        "d'exploitation de leurs segments publiés ; « hors de la pile IA »"
    ) in french
    assert model["window"]["note"] not in french
    english = _page("winners.html", {**model, "window": window}, "en")
    assert (
        "Every firm from 2023-03-01 to 2025-06-02 (market caps within 30 days of both dates): 1234 firms compared, "
        "0 left out. Conglomerates split by reported segment operating income;"
    ) in english


def test_the_epoch_share_notes_read_in_french(client: TestClient, aistack: Store) -> None:
    """The derived share rows of the Epoch AI market carry one templated note each: French on the French market
    page, every figure kept (thousands and decimals in French typography)."""
    from marketpower.publish.i18n import epoch_note_fr

    shares = aistack.table("shares")
    notes = [n for n in shares[shares["basis"] == "derived"]["note"].dropna() if str(n).startswith("Epoch AI median")]
    assert len(notes) > 20
    page = html.unescape(client.get("/markets/epoch-h100e-by-owner", params={"lang": "fr"}).text)
    for note in notes:
        french = epoch_note_fr(note)
        assert not re.search(r"\b(the|owner|owners|percentile|since|kept)\b", french), french
        assert _digit_groups(french.replace("\u202f", "").replace(",", "")) == _digit_groups(
            note.replace(",", "").replace(".", "")
        ), note
    shown = [n for n in notes if epoch_note_fr(n) in page]
    assert shown and not [n for n in notes if n in page]


def test_every_derived_share_note_reads_in_french(client: TestClient, aistack: Store) -> None:
    """Each derived share row's note (the remainder and derivation notes of the market pages) is French on the
    French page: Epoch's templated notes by rule, the others from translations/share_notes_fr.csv, with every group
    of digits of the English."""
    from marketpower.publish.i18n import epoch_note_fr, share_notes_fr

    shares = aistack.table("shares")
    derived = shares[shares["basis"] == "derived"].dropna(subset=["note"])
    notes = {str(n) for n in derived["note"] if not str(n).startswith("Epoch AI median")}
    missing = sorted(n[:60] for n in notes - set(share_notes_fr()))
    assert not missing, f"add these notes to translations/share_notes_fr.csv: {missing}"
    for note in notes:
        assert not _digit_groups(note) - _digit_groups(share_notes_fr()[note]), note
    for market_id in sorted(set(derived["market_id"]))[:6]:
        page = html.unescape(client.get(f"/markets/{market_id}", params={"lang": "fr"}).text)
        for note in derived[derived["market_id"] == market_id]["note"]:
            french = share_notes_fr().get(note) or epoch_note_fr(note)
            assert note not in page and (french in page or french.replace("\u202f", " ") in page), (market_id, note)


def test_the_winners_notes_read_in_french(client: TestClient) -> None:
    from marketpower.publish.formatting import date
    from marketpower.publish.i18n import ISO_DATE, winners_note_fr
    from marketpower.publish.notes import winners_window_note

    model = client.get("/winners.json").json()
    assert winners_window_note(model["window"], "en") == model["window"]["note"]
    notes = [(model["window"]["note"], winners_window_note(model["window"], "fr"))]
    notes += [(text, winners_note_fr(text)) for text in (lay["covers"] for lay in model["layers"])]
    notes += [(text, winners_note_fr(text)) for text in (gap["status"] for gap in model["gaps"])]
    page = html.unescape(client.get("/winners", params={"lang": "fr"}).text)
    for note, french in notes:
        assert french != note and french in page and note not in page, note
        assert not re.search(r"\b(whole firm|rest of the firm|revenue|market cap|firms compared)\b", french), french
        assert not re.search(r"\d{4}-\d{2}-\d{2}", french), french  # dates written out in French prose
        long_dates = ISO_DATE.sub(lambda found: date(found.group(0), "fr"), note)  # 2022-11-30 -> 30 novembre 2022
        assert _digit_groups(french) == _digit_groups(long_dates), note  # 87.7% -> 87,7 %: the same digits
    assert winners_note_fr("amd (whole firm), tsmc (rest of the firm: 12.5% of FY2024 revenue)") == (
        "amd (toute l'entreprise), tsmc (reste de l'entreprise : 12,5\u202f% du chiffre d'affaires FY2024)"
    )


def test_bill_topics_are_french(client: TestClient, aistack: Store) -> None:
    page = html.unescape(client.get("/politics", params={"lang": "fr"}).text)
    topics = set(aistack.table("bill_topic_counts")["topic"])
    assert topics and all(VALUE_LABELS_FR[topic] for topic in topics)
    assert "modèle de pointe ou de fondation" in page and "frontier or foundation model" not in page


def test_a_deal_page_shows_its_description_in_the_page_language(client: TestClient, aistack: Store) -> None:
    deal = aistack.table("deals").set_index("id").loc["nvidia-coreweave-2026"]
    french = html.unescape(client.get("/deals/nvidia-coreweave-2026", params={"lang": "fr"}).text)
    english = html.unescape(client.get("/deals/nvidia-coreweave-2026").text)
    assert deal_translations()["nvidia-coreweave-2026"]["description"] in french
    assert deal["description"] not in french and deal["description"] in english
    assert "87,20 $" in french and "$87.20" in english
    note = aistack.table("deals").set_index("id").loc["nvidia-coreweave-capacity-2025", "note"]
    french = html.unescape(client.get("/deals/nvidia-coreweave-capacity-2025", params={"lang": "fr"}).text)
    assert "commande d'au moins 6,3 Md$" in french and note not in french and "Remarque" in french


def test_a_deal_page_names_the_markets_it_screens_in_french(client: TestClient, aistack: Store) -> None:
    names = {str(m["name"]) for m in aistack.table("markets").to_dict("records")} - {"DRAM"}
    screens = client.get("/deals/msft-openai-2019.json").json()["screens"]
    assert screens
    french = html.unescape(client.get("/deals/msft-openai-2019", params={"lang": "fr"}).text)
    shown = " ".join(re.findall(r'<li class="deal-screen">(.*?)</li>', french))
    assert "Filtrage de concentration" in shown and not [n for n in names if n in shown], shown


def test_a_report_deal_page_names_the_markets_it_screens_in_french(aistack: Store) -> None:
    """The report's deal page (no server: each screen names its market and links to the market's page)."""
    from marketpower.api import Context
    from marketpower.publish import pages
    from marketpower.publish.render import render, static_link

    names = {str(m["name"]) for m in aistack.table("markets").to_dict("records")} - {"DRAM"}
    ctx = Context(aistack)
    page = html.unescape(render("deal.html", pages.deal_page(ctx, "google-anthropic-2023-05"), lang="fr",
                                link=static_link, asset=lambda p: p, package_name="aistack", mode="static"))
    shown = " ".join(re.findall(r'<li class="deal-screen">(.*?)</li>', page))
    assert "Filtrage de concentration" in shown and not [n for n in names if n in shown], shown


def test_a_changed_english_text_shows_in_english_never_a_stale_translation(aistack: Store) -> None:
    from marketpower.publish.i18n import deal_text

    row = deal_translations()["nvidia-coreweave-2026"]
    assert deal_text("nvidia-coreweave-2026", "description", row["description_en"], "fr") == row["description"]
    assert deal_text("nvidia-coreweave-2026", "description", "Reworded in English", "fr") == "Reworded in English"
    assert deal_text("no-such-deal", "note", "Only English", "fr") == "Only English"
    assert deal_text("nvidia-coreweave-2026", "description", row["description_en"], "en") == row["description_en"]


def test_search_results_name_markets_and_describe_deals_in_french(client: TestClient) -> None:
    page = html.unescape(client.get("/search", params={"q": "hbm", "lang": "fr"}).text)
    assert "Mémoire à large bande passante (HBM)</a> — <span class=\"note\">mémoire</span>" in page
    assert deal_translations()["nvidia-micron-hbm4-2026"]["description"] in page


# the templates' own text

#: What a template may write outside ``t()``: units, acronyms, file formats, the product's name, the language
#: names and literal commands.
LITERALS_ALLOWED = {
    "GW,", "MW", "CSV", "Parquet", "JSON", "· marketpower", "marketpower", "English", "Français", "min ·", "&amp;",
    "@foundry", "marketpower simulate case.json", "UPP", "GUPPI", "CMCR", "vGUPPI U", "vGUPPI D",
}  # fmt: skip


def test_templates_hold_no_english_of_their_own() -> None:
    """Text written in the HTML templates outside ``{{ }}`` and ``{% %}`` (and their placeholder, aria-label,
    title and alt attributes) is only what :data:`LITERALS_ALLOWED` lists: the rest goes through ``t()``."""
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|\{#.*?#\}", " ", template.read_text(), flags=re.S)
        for number, line in enumerate(text.splitlines(), 1):
            bare = re.sub(r"<[^>]*>", "\0", re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "\0", line))
            pieces = [p.strip() for p in bare.split("\0") if re.search(r"[A-Za-z]{2,}", p)]
            pieces += ["@" + a for a in re.findall(r'(?:placeholder|aria-label|title|alt)="([^"{]*[A-Za-z]{2,}[^"{]*)"',
                                                   line)]
            found += [f"{template.name}:{number}: {p}" for p in pieces if p not in LITERALS_ALLOWED]
    assert not found, found


# the language switch

PAGE_TYPES = [
    "/", "/markets", "/markets/hbm", "/markets/hbm/screen?a=samsung&b=micron", "/layers/memory", "/entities",
    "/entities/nvidia", "/deals", "/deals/msft-openai-2019", "/network?as_of=2025-06-01", "/compute", "/winners",
    "/politics", "/search?q=nvidia", "/sources", "/simulate", "/scenarios", "/scenarios/deal?id=msft-openai-2019",
    "/markets?layer=memory&_sort_desc=hhi_high", "/no-such-page",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_has_a_switch_to_the_other_language(path: str, client: TestClient) -> None:
    for lang, other in (("en", "fr"), ("fr", "en")):
        page = client.get(path, params={"lang": lang}, headers={"accept": "text/html"})
        assert f'<html lang="{lang}">' in page.text, (path, lang)
        switches = SWITCH.findall(page.text)
        assert len(switches) == 1, (path, lang)
        href, hreflang, name = switches[0]
        assert hreflang == other and name == {"en": "English", "fr": "Français"}[other]
        assert dict(parse_qsl(urlsplit(html.unescape(href)).query))["lang"] == other


def test_the_not_found_page_speaks_french(client: TestClient) -> None:
    page = client.get("/no-such-page", params={"lang": "fr"}, headers={"accept": "text/html"})
    assert page.status_code == 404 and "page introuvable" in page.text and "no such page" not in page.text
    assert "no such page" in client.get("/no-such-page", headers={"accept": "text/html"}).text


SIMULATE_CASE = {
    "labels": "a,b,c",
    "prices": "10,12,9",
    "shares": "0.3,0.25,0.2",
    "margins": "0.4,,",
    "owner_pre": "a,b,c",
    "owner_post": "a,a,c",
    "efficiencies": "on",
}


def _form_values(page: str) -> dict[str, str]:
    inputs = re.findall(r'<input name="(\w+)"[^>]*value="([^"]*)"', page)
    values = {name: html.unescape(value) for name, value in inputs}
    if re.search(r'name="efficiencies" value="on" checked', page):
        values["efficiencies"] = "on"
    return {k: v for k, v in values.items() if v}


@pytest.mark.parametrize("case", [SIMULATE_CASE, {**SIMULATE_CASE, "prices": "10,x,9"}], ids=["result", "error"])
def test_switching_language_on_simulate_keeps_the_case(case: dict[str, str], client: TestClient) -> None:
    french = client.get("/simulate", params={**case, "lang": "fr"})
    assert _form_values(french.text) == case
    (href, hreflang, _), = SWITCH.findall(french.text)
    assert hreflang == "en" and href.startswith("?")
    english = client.get("/simulate" + html.unescape(href))
    assert english.status_code == french.status_code
    assert '<html lang="en">' in english.text and _form_values(english.text) == case
    assert ('id="simulate-products"' in english.text) == ('id="simulate-products"' in french.text)
    (back, _, _), = SWITCH.findall(english.text)
    assert dict(parse_qsl(urlsplit(html.unescape(back)).query, keep_blank_values=True)) == {**case, "lang": "fr"}


def test_the_briefing_exists_in_both_languages(aistack: Store) -> None:
    from marketpower.publish.briefing import build_briefing, render_briefing

    english_names = {str(n) for n in aistack.table("markets")["name"]} - {"DRAM"}
    for lang, heading in (("en", "Key points"), ("fr", "L'essentiel")):
        data = build_briefing(aistack, lang)
        page = html.unescape(render_briefing(data, "html"))
        assert f'<html lang="{lang}">' in page and heading in page
        text = render_briefing(data, "md")
        assert heading in text
        if lang == "fr":  # market names in French, the list of fragile sources included
            assert not [n for n in english_names if n in text.replace("\\", "")], text
