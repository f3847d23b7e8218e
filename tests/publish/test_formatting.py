"""Locale formatting of numbers, money, percentages and dates (Babel), in French and English."""

from __future__ import annotations

import datetime as dt

import pytest

from marketpower.errors import InvalidInputError
from marketpower.publish import formatting as f


@pytest.mark.parametrize(
    ("amount", "fr", "en"),
    [
        (100e9, "100 milliards de dollars", "$100 billion"),
        (1e9, "1 milliard de dollars", "$1 billion"),
        (4.5e6, "4,5 millions de dollars", "$4.5 million"),
        (1.5e12, "1,5 billion de dollars", "$1.5 trillion"),  # French long scale: 10^12 is "un billion"
        (950_000, "950\u202f000 dollars", "$950,000"),
    ],
)
def test_money(amount: float, fr: str, en: str) -> None:
    assert f.money(amount, "fr") == fr
    assert f.money(amount, "en") == en


def test_compact_counts_and_plain_numbers() -> None:
    assert f.compact(4.5e6, "fr") == "4,5 millions"
    assert f.compact(4.5e6, "en") == "4.5 million"
    assert f.compact(1065, "fr") == "1\u202f065"
    assert f.number(1234567, "en") == "1,234,567"
    assert f.number(None, "en") == "–"


def test_percent_uses_the_locale_pattern() -> None:
    assert f.percent(0.646, "en") == "64.6%"
    assert f.percent(0.646, "fr") == "64,6\u00a0%"
    assert f.percent(float("nan"), "fr") == "–"


def test_dates_and_reading_time() -> None:
    assert f.date("2025-09-22", "fr") == "22 septembre 2025"
    assert f.date(dt.date(2025, 9, 22), "en") == "September 22, 2025"
    assert f.reading_minutes("word " * 230) == 1
    assert f.reading_minutes("word " * 231) == 2
    assert f.reading_minutes("") == 1


def test_unknown_language() -> None:
    with pytest.raises(InvalidInputError, match="--lang 'de'"):
        f.money(1e9, "de")


def test_source_dates_say_when_a_page_is_undated() -> None:
    from marketpower.publish.formatting import source_date

    assert source_date("2025-09-24", None, "en") == "September 24, 2025"
    assert source_date("2025-09-24", "stated", "fr") == "24 septembre 2025"
    assert source_date("2023-01-01", "not-before", "en") == "undated, not before January 1, 2023"
    assert source_date("2023-01-01", "not-before", "fr") == "non daté, pas avant le 1er janvier 2023"
    assert source_date("2024-12-31", "as-of", "en") == "undated, figures as of December 31, 2024"
    assert source_date("2025-06-30", "inferred", "fr") == "30 juin 2025 (date déduite du texte)"
