"""One formatting rule per unit (publish/formatting.quantity), checked against hand-written expected strings,
and the compute page that used to round PUE 1.1/1.2/1.58 to "1 / 1 / 2" and utilisation to "0"."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from marketpower.publish.formatting import compact, engineering, quantity, significant, year
from marketpower.publish.web import create_app
from marketpower.store import Store


@pytest.mark.parametrize(
    ("value", "unit", "en", "fr"),
    [
        (1.1, "ratio", "1.1", "1,1"),
        (1.58, "ratio", "1.58", "1,58"),
        (0.36597, "ratio", "0.366", "0,366"),
        (0.38, "fraction", "38%", "38\u00a0%"),
        (0.014903, "fraction", "1.5%", "1,5\u00a0%"),
        (7.966716827476e18, "FLOP/s", "7.97 EFLOP/s", "7,97\u202fEFLOP/s"),
        (989.4e12, "FLOP/s", "989 TFLOP/s", "989\u202fTFLOP/s"),
        (1787.5, "W", "1.79 kW", "1,79\u202fkW"),
        (10_000, "MW", "10 GW", "10\u202fGW"),
        (64.41176, "TWh/year", "64.4 TWh/year", "64,4\u202fTWh/an"),
        (4.5e9, "USD", "$4.5B", "4,5\u00a0Md\u00a0$US"),
        (5e7, "USD/MW", "$50M/MW", "50\u00a0M\u00a0$US/MW"),
        (10_601_890.5, "H100e", "10,601,890 H100e", "10\u202f601\u202f890 H100e"),
        (2024, "year", "2024", "2024"),
    ],
)
def test_one_rule_per_unit(value: float, unit: str, en: str, fr: str) -> None:
    assert quantity(value, unit, "en") == en
    assert quantity(value, unit, "fr") == fr


def test_helpers_round_to_significant_digits_and_carry_prefixes() -> None:
    assert significant(0.0012345, "en") == "0.00123"
    assert significant(123456, "en") == "123,456"
    assert engineering(999_960, "W", "en") == "1 MW"  # 999.96 kW rounds up to the next prefix
    assert year(2025.0) == "2025" and year("2025") == "2025"
    assert quantity(None, "ratio", "en") == "–"


def test_compact_keeps_decimals_below_a_million_and_powers_of_ten_beyond_trillions() -> None:
    assert compact(1.58, "en", 3) == "1.58"
    assert compact(4.6e6, "en", 1) == "4.6 million"
    assert compact(7.966716827476e18, "en", 3) == "7.967×10¹⁸"


@pytest.fixture(scope="module")
def compute_html(aistack: Store) -> str:
    return TestClient(create_app(aistack)).get("/compute").text


def test_compute_page_keeps_pue_and_fractions(compute_html: str) -> None:
    assert "1.1–1.58 (central 1.2)" in compute_html
    row = re.search(r'<tr data-key="utilisation">.*?</tr>', compute_html, re.S)
    assert row is not None and "38%" in row.group(0) and "43%" in row.group(0)
    share = re.search(r'<tr data-key="share_of_us_electricity">.*?</tr>', compute_html, re.S)
    assert share is not None and "1.5%" in share.group(0)
    assert "trillion" not in compute_html.split('id="chain-table"')[1].split("</table>")[0]
    assert "ZFLOP/s" in compute_html
