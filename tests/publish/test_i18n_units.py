"""French in full, the units and the application's own texts: a French page writes "TWh/an" and French money
words (never "TWh/year" or "$4.5 billion"), names the facilities whose name is a description in French
(translations/facilities_fr.csv), and shows in French the merger screens' verdicts (measures.guidelines), the
scenario diagnostics (scenario.analysis) and the simulation's calibration method, while English pages, the JSON
twins and the CLI keep the English text."""

from __future__ import annotations

import csv
import html
import itertools
import re

import pytest
from fastapi.testclient import TestClient

from marketpower.measures.guidelines import screen_eu2004, screen_us2010, screen_us2023
from marketpower.publish.formatting import money, money_compact, quantity, scientific, unit_name
from marketpower.publish.i18n import TRANSLATIONS, app_text_fr, data_text
from marketpower.publish.web import create_app
from marketpower.store import Store

#: A deal whose page converts its capacity to compute and energy (the chain's annual energy in TWh/year).
CAPACITY_DEAL = "openai-broadcom-2025"
#: English money in compact or word form ("$4.5B", "$100 billion"): never on a French page.
ENGLISH_MONEY = re.compile(r"\$\s?\d[\d.,]*\s?(?:[BMKT]\b|million|billion|trillion)")


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


def _text(client: TestClient, path: str) -> str:
    """The visible text of a page less its footnotes (sources' own titles, in their language), entities unescaped,
    whitespace collapsed."""
    page = client.get(path, headers={"accept": "text/html"})
    assert page.status_code == 200, path
    body = re.sub(
        r'<script\b.*?</script>|<style\b.*?</style>|<section class="footnotes">.*?</section>',
        " ",
        page.text,
        flags=re.S,
    )
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))  # no-break spaces kept


# units and money


@pytest.mark.parametrize(
    ("value", "unit", "en", "fr"),
    [
        (64.41176, "TWh/year", "64.4 TWh/year", "64,4\u202fTWh/an"),
        (4322.0, "TWh/year", "4,322 TWh/year", "4\u202f322\u202fTWh/an"),
        (800.0, "TWh", "800 TWh", "800\u202fTWh"),
        (10_601_890.5, "accelerators", "10,601,890 accelerators", "10\u202f601\u202f890 accélérateurs"),
        (10_000, "MW", "10 GW", "10\u202fGW"),
    ],
)
def test_a_unit_follows_the_page_language(value: float, unit: str, en: str, fr: str) -> None:
    assert quantity(value, unit, "en") == en
    assert quantity(value, unit, "fr") == fr


def test_unit_names_and_residuals_in_each_language() -> None:
    assert unit_name("TWh/year", "fr") == "TWh/an" and unit_name("TWh/year", "en") == "TWh/year"
    assert unit_name("12-inch wafers per month", "fr") == "plaquettes de 12 pouces par mois"
    assert unit_name("USD/MW", "fr") == "USD/MW"  # a symbol: the same in both languages
    assert scientific(5.551115123125783e-17, "en") == "5.55e-17"
    assert scientific(5.551115123125783e-17, "fr") == "5,55e-17"


def test_money_words_are_french_under_fr() -> None:
    """French writes "milliard(s)"/"Md", "million(s)"/"M", "k"; 10^12 is "billion" in French (a trillion)."""
    assert money(3e9, "fr") == "3 milliards de dollars" and money(3e9, "en") == "$3 billion"
    assert money(4.5e6, "fr") == "4,5 millions de dollars" and money(4.5e6, "en") == "$4.5 million"
    assert money(1.1e12, "fr") == "1,1 billion de dollars" and money(1.1e12, "en") == "$1.1 trillion"
    assert money_compact(4.5e9, "fr") == "4,5\u00a0Md\u00a0$US" and money_compact(4.5e9, "en") == "$4.5B"
    assert money_compact(4.5e6, "fr") == "4,5\u00a0M\u00a0$US"
    assert money_compact(4.5e3, "fr") == "4,5\u00a0k\u00a0$US"


@pytest.mark.parametrize("path", ["/compute", f"/deals/{CAPACITY_DEAL}"])
def test_a_french_page_writes_twh_per_year_in_french(path: str, client: TestClient) -> None:
    french = _text(client, path + "?lang=fr")
    english = _text(client, path)
    assert "TWh/an" in french and "TWh/year" not in french
    assert "TWh/year" in english and "TWh/an" not in english
    assert not ENGLISH_MONEY.search(french), ENGLISH_MONEY.search(french)


def test_french_deal_lists_write_money_in_french_words(client: TestClient) -> None:
    french = _text(client, "/deals?lang=fr")
    assert "milliards de dollars" in french and "millions de dollars" in french
    assert not ENGLISH_MONEY.search(french), ENGLISH_MONEY.search(french)


# facility names


def _facility_rows() -> list[dict[str, str]]:
    with (TRANSLATIONS / "facilities_fr.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["id", "name_en", "name"]
        return list(reader)


def test_every_facility_translation_is_made_for_the_present_english_name(aistack: Store) -> None:
    names = dict(zip(aistack.table("facilities")["id"], aistack.table("facilities")["name"], strict=True))
    rows = _facility_rows()
    assert len({r["id"] for r in rows}) == len(rows) > 40
    for row in rows:
        assert names.get(row["id"]) == row["name_en"], f"{row['id']}: English name changed, update the French"
        assert row["name"] and row["name"] != row["name_en"], row["id"]
        lost = set(re.findall(r"\d+", row["name_en"])) - set(re.findall(r"\d+", row["name"]))
        assert not lost, f"{row['id']}: {sorted(lost)} of the English name are not in the French"


def test_the_compute_page_names_descriptive_facilities_in_french(client: TestClient) -> None:
    french = _text(client, "/compute?lang=fr")
    english = _text(client, "/compute")
    assert "Campus d'AWS, comté de Richmond" in french and "AWS campus, Richmond County" not in french
    assert "Centre de données HUMAIN de Riyad" in french
    assert "xAI Colossus 2" in french  # a proper name stays as published
    assert "AWS campus, Richmond County" in english and "comté de Richmond" not in english


def test_a_reworded_facility_name_shows_in_english_never_a_stale_translation() -> None:
    key = "amazon-richmond-county-north-carolina"
    assert (
        data_text("facilities", key, "name", "AWS campus, Richmond County", "fr") == "Campus d'AWS, comté de Richmond"
    )
    assert data_text("facilities", key, "name", "AWS Richmond County campus", "fr") == "AWS Richmond County campus"
    assert data_text("facilities", key, "name", "AWS campus, Richmond County", "en") == "AWS campus, Richmond County"


# merger screens


def _every_screen_text() -> set[str]:
    """Every outcome, consequence and test the three screens write, over a grid of HHIs, ΔHHIs and shares that
    reaches each branch (the US 2010 "exactly 100" case, the EU ¶17 note, both ¶20 levels)."""
    texts: set[str] = set()
    grid = itertools.product((500, 1_200, 1_600, 2_200, 3_000, 5_098), (50, 100, 120, 180, 240, 924), (0.2, 0.43, 0.6))
    for post, delta, share in grid:
        for screen in (screen_us2023, screen_us2010, screen_eu2004):
            result = screen(post, delta, share)
            texts |= {result.outcome, result.consequence, *(t.test for t in result.thresholds)}
    return texts


def test_every_screen_text_has_its_french_with_the_same_figures() -> None:
    texts = _every_screen_text()
    assert len(texts) > 30
    for text in texts:
        french = app_text_fr(text)
        assert french != text, f"no French for {text!r}"
        english_figures = {g.replace(",", "") for g in re.findall(r"\d[\d,]*\d|\d", text)}
        french_figures = {g.replace("\u202f", "") for g in re.findall(r"\d[\d\u202f]*\d|\d", french)}
        assert english_figures <= french_figures, (text, french)


def test_the_screen_page_gives_the_guidelines_verdicts_in_french(client: TestClient) -> None:
    path = "/markets/hbm/screen?a=samsung&b=micron"
    french = _text(client, path + "&lang=fr")
    english = _text(client, path)
    # EU: outside the safe harbours, no presumption either way (post-merger HHI, ΔHHI and share of the page)
    assert "Hors des zones de sécurité : la part combinée de 43\u202f% dépasse 25\u202f% (considérant 32)" in french
    assert "aucune présomption, dans un sens ou dans l'autre" in french and "(point 21)" in french
    assert "Outside the safe harbours" in english and "Hors des zones" not in english
    # US 2023: the structural presumption, its quote marked as our translation
    assert "selon la ligne directrice 1, elle est présumée « réduire substantiellement la concurrence" in french
    assert "IHH après l'opération > 1\u202f800" in french and "post-merger HHI" not in french
    assert "au-delà des indicateurs initiaux" in french and "présomption" in french
    assert "entreprises nommées seulement" in french
    twin = client.get("/markets/hbm/screen.json?a=samsung&b=micron&lang=fr")
    assert twin.status_code == 200 and "Outside the safe harbours" in twin.text  # the JSON twin keeps the English


# scenario diagnostics and the calibration message


def test_the_scenario_pages_give_their_diagnostics_in_french(client: TestClient) -> None:
    verdict = _text(client, "/scenarios/block-nvidia-openai?lang=fr")
    assert "marge opérationnelle comptable prise comme marge de Lerner" in verdict
    assert "used as the Lerner margin" not in verdict
    deal = _text(client, "/scenarios/deal?id=msft-openai-2019&lang=fr")
    assert "ligne directrice 1 (IHH modifié > 1\u202f800 et Δ > 100) : pas de présomption → pas de présomption" in deal
    assert "pas des ventes : une simulation de prix demande des parts en chiffre d'affaires ou en unités" in deal
    assert "la marge d'openai en aval (`kind: margin, entity: openai`)" in deal
    assert "le prix de l'intrant en part du prix d'openai (`kind: input_cost_share, upstream: microsoft" in deal
    english = _text(client, "/scenarios/deal?id=msft-openai-2019")
    assert "the margin of openai downstream" in english and "a price simulation needs revenue or unit shares" in english
    twin = client.get("/scenarios/block-nvidia-openai.json?lang=fr")
    assert twin.status_code == 200 and "accounting operating margin used as the Lerner margin" in twin.text


SIMULATE = "labels=a,b,c&prices=10,12,9&shares=0.3,0.25,0.2&margins=0.4,,&owner_pre=a,b,c&owner_post=a,a,c"


def test_the_simulation_calibration_message_is_french_on_the_page_only(client: TestClient) -> None:
    french = _text(client, f"/simulate?{SIMULATE}&lang=fr")
    calibration = r"Calibrage : exact : α tiré de la seule marge connue ; plus grand écart de marge [\d,e+-]+\."
    assert re.search(calibration, french)
    assert "from the one known margin" not in french
    twin = client.get(f"/simulate.json?{SIMULATE}&lang=fr")
    assert twin.status_code == 200 and "exact: α from the one known margin" in twin.text


def test_why_a_market_is_not_simulated_names_its_measure_in_french() -> None:
    """Every non-sales measure of the schema (the scenario's reason for not simulating prices) reads in French."""
    from marketpower.scenario.analysis import PRICE_MEASURES
    from marketpower.schema.market import MARKET_MEASURES

    french = {"usage": "l'usage", "capacity": "la capacité"}
    for measure in sorted(set(MARKET_MEASURES) - set(PRICE_MEASURES)):
        reason = f"shares measure {measure}, not sales: a price simulation needs revenue or unit shares"
        assert app_text_fr(reason).startswith(f"les parts mesurent {french[measure]}, pas des ventes")


def test_de_is_elided_before_a_name_that_starts_with_a_vowel() -> None:
    margin = "the margin of openai on the input (`kind: margin, entity: openai`)"
    assert app_text_fr(margin).startswith("la marge d'openai sur l'intrant")
    assert app_text_fr("a rival of nvidia with a share in hbm") == "un concurrent de nvidia ayant une part dans hbm"
