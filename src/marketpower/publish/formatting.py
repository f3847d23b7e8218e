"""Numbers, money and dates written for a reader, with Babel's locale data (no hand-made separators).

>>> money(100e9, "fr"), money(100e9, "en")
('100 milliards de dollars', '$100 billion')
>>> compact(4.5e6, "fr"), compact(4.5e6, "en")
('4,5 millions', '4.5 million')
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_currency, format_compact_decimal, format_decimal, format_percent

from .i18n import check_language

LOCALES = {"en": "en_US", "fr": "fr_FR"}
#: From this size on, numbers are written with a word ("4,5 millions", "100 billion").
COMPACT_FROM = 1e6
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Words per minute used for reading-time estimates (a common figure for adult silent reading of prose).
WORDS_PER_MINUTE = 230


def _locale(lang: str) -> str:
    return LOCALES[check_language(lang)]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, lang: str, digits: int = 0) -> str:
    """A plain number with the locale's separators ("1 234" in French, "1,234" in English)."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(value: Any, lang: str, digits: int = 1) -> str:
    """A fraction (0-1) as a percentage ("92,3 %" / "92.3%")."""
    if _missing(value):
        return "–"
    locale = _locale(lang)
    # "#,##0%" (en), "#,##0\xa0%" (fr: CLDR's no-break space before the sign)
    pattern = Locale.parse(locale).percent_formats[None].pattern
    pattern = pattern.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""), 1)
    return format_percent(value, format=pattern, locale=locale)


def compact(value: Any, lang: str, digits: int = 1) -> str:
    """Large numbers with a word ("4,5 millions", "4.5 million"); below a million, a plain number."""
    if _missing(value):
        return "–"
    if abs(float(value)) < COMPACT_FROM:
        return number(value, lang, digits)
    if abs(float(value)) >= 1e15:  # beyond the locale's largest word (trillion): a power of ten
        exponent = math.floor(math.log10(abs(float(value))))
        mantissa = significant(float(value) / 10.0**exponent, lang, digits + 1)
        return f"{mantissa}×10{str(exponent).translate(SUPERSCRIPTS)}"
    return format_compact_decimal(value, format_type="long", locale=_locale(lang), fraction_digits=digits)


def money(amount_usd: Any, lang: str, digits: int = 1) -> str:
    """US dollars for a reader: "100 milliards de dollars" / "$100 billion"; "950 000 dollars" / "$950,000"."""
    if _missing(amount_usd):
        return "–"
    words = compact(amount_usd, lang, digits)
    if lang == "fr":
        big = abs(float(amount_usd)) >= COMPACT_FROM
        return f"{words} de dollars" if big else f"{words} dollars"
    return f"-${words[1:]}" if words.startswith("-") else f"${words}"


def significant(value: Any, lang: str, digits: int = 3) -> str:
    """A number to ``digits`` significant digits, trailing zeros dropped ("1.58", "0.317", "1 234")."""
    if _missing(value):
        return "–"
    x = float(value)
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return number(round(x, decimals), lang, decimals)


def scientific(value: Any, lang: str, digits: int = 3) -> str:
    """A number to ``digits`` significant digits in C's ``%g`` form, for residuals and tolerances ("5.55e-17",
    "5,55e-17" in French)."""
    if _missing(value):
        return "–"
    text = f"{float(value):.{digits}g}"
    return text.replace(".", ",") if check_language(lang) == "fr" else text


#: The space between a number and a unit symbol: a narrow no-break space in French typography.
_UNIT_SPACE = {"en": " ", "fr": "\u202f"}


#: SI prefixes for engineering notation (powers of 1,000).
SI_PREFIXES = {-2: "µ", -1: "m", 0: "", 1: "k", 2: "M", 3: "G", 4: "T", 5: "P", 6: "E", 7: "Z", 8: "Y"}


def engineering(value: Any, unit: str, lang: str, digits: int = 3) -> str:
    """``value`` in ``unit`` with an SI prefix and ``digits`` significant digits ("4.2 ZFLOP/s", "1.79 kW")."""
    if _missing(value):
        return "–"
    x = float(value)
    power = 0 if x == 0 else max(-2, min(8, math.floor(math.log10(abs(x)) / 3)))
    scaled = x / 1000.0**power
    if round(abs(scaled), max(0, digits - 1 - math.floor(math.log10(abs(scaled) or 1)))) >= 1000 and power < 8:
        power, scaled = power + 1, scaled / 1000.0  # 999.96 rounds up to the next prefix
    text = significant(scaled, lang, digits)
    symbol = SI_PREFIXES[power] + unit
    return f"{text}{_UNIT_SPACE[lang]}{symbol}" if symbol else text


def money_compact(amount_usd: Any, lang: str, digits: int = 1) -> str:
    """US dollars in compact form: "$4.5B" / "4,5 Md $US"; below a thousand, whole dollars."""
    if _missing(amount_usd):
        return "–"
    return format_compact_currency(amount_usd, "USD", locale=_locale(lang), fraction_digits=digits)


def year(value: Any) -> str:
    """A year, never with a thousands separator ("2024")."""
    if _missing(value) or value == "":
        return "–"
    return str(int(float(value))) if not isinstance(value, str) else value


#: French names of the units the data writes in English (compute steps, parameters, market units); symbols
#: (``MW``, ``FLOP/s``, ``USD/MW``, ``H100e``) are the same in both languages.
UNIT_NAMES_FR = {
    "TWh/year": "TWh/an",
    "accelerators": "accélérateurs",
    "chips": "puces",
    "units": "unités",
    "visits": "visites",
    "racks": "baies",
    "cards": "cartes",
    "12-inch wafers per month": "plaquettes de 12 pouces par mois",
}


def unit_name(unit: str | None, lang: str) -> str:
    """A unit as the page's language writes it ("TWh/year" in English, "TWh/an" in French); a unit with no
    French name, or any unit in English, is written as the data has it."""
    text = (unit or "").strip()
    return UNIT_NAMES_FR.get(text, text) if check_language(lang) == "fr" else text


#: Units in which a value is written with an SI prefix, and the base they are converted to first.
SI_UNITS = {"FLOP/s": ("FLOP/s", 1.0), "W": ("W", 1.0), "kW": ("W", 1e3), "MW": ("W", 1e6), "GW": ("W", 1e9)}


def quantity(value: Any, unit: str | None, lang: str) -> str:
    """One rule per unit, as every page, table and briefing writes it:

    - ``fraction`` (0-1): a percentage with 2-3 significant digits ("1.5%", "38%");
    - ``ratio`` (and unknown units): 3 significant digits ("1.58", "0.317");
    - ``FLOP/s``, ``W``/``kW``/``MW``/``GW``: engineering notation with an SI prefix ("4.2 ZFLOP/s", "10 GW");
    - ``TWh``, ``TWh/year``: terawatt-hours, 3 significant digits ("64.4 TWh/year", "64,4 TWh/an");
    - ``USD`` and ``USD/<unit>``: compact money ("$500B", "$50M/MW");
    - ``count``, ``H100e``, accelerators: whole numbers with thousands separators ("10,601,891");
    - ``year``: no separator ("2024").

    A unit written after the number is in the page's language (:func:`unit_name`), after a narrow no-break
    space in French as the SI symbols are.
    """
    if _missing(value):
        return "–"
    unit = (unit or "").strip()
    if unit == "fraction":
        x = float(value) * 100
        decimals = 0 if x == 0 else max(0, 2 - math.floor(math.log10(abs(x))) - 1)
        return percent(value, lang, min(decimals, 2))
    if unit == "year":
        return year(value)
    if unit in SI_UNITS:
        base, factor = SI_UNITS[unit]
        return engineering(float(value) * factor, base, lang)
    if unit.startswith("TWh"):
        return f"{significant(value, lang)}{_UNIT_SPACE[lang]}{unit_name(unit, lang)}"
    if unit == "USD" or unit.startswith("USD/"):
        text = money_compact(value, lang, 1 if abs(float(value)) >= 1e3 else 0)
        return text + unit[3:]
    if unit in ("count", "H100e", "accelerators", "chips", "GPUs"):
        text = number(round(float(value)), lang)
        return text if unit == "count" else f"{text} {unit_name(unit, lang)}"
    return significant(value, lang) + (f" {unit_name(unit, lang)}" if unit and unit != "ratio" else "")


def date(value: Any, lang: str) -> str:
    """A date in the locale's long form ("22 septembre 2025", "1er mars 2023" / "September 22, 2025"); text kept
    as is."""
    if _missing(value) or value == "":
        return "–"
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    text = format_date(day, format="long", locale=_locale(lang))
    return "1er" + text[1:] if lang == "fr" and day.day == 1 else text  # French writes the first day as an ordinal


#: How an undated page's date is shown: the template gets the formatted date.
DATE_BASIS_LABELS = {
    "inferred": {"en": "{date} (date inferred from the text)", "fr": "{date} (date déduite du texte)"},
    "not-before": {"en": "undated, not before {date}", "fr": "non daté, pas avant le {date}"},
    "as-of": {"en": "undated, figures as of {date}", "fr": "non daté, données au {date}"},
}


def source_date(published: Any, date_basis: Any, lang: str) -> str:
    """A source's publication date as a reader should take it: the date itself when the page states it,
    otherwise the date with what it means (``date_basis``: inferred, not-before, as-of)."""
    shown = date(published, lang)
    labels = DATE_BASIS_LABELS.get(str(date_basis)) if not _missing(date_basis) else None
    return labels[lang].format(date=shown) if labels else shown


def reading_minutes(text: str) -> int:
    """Reading time in whole minutes (at least 1) at :data:`WORDS_PER_MINUTE`."""
    words = len(text.split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def formatters(lang: str) -> dict[str, Any]:
    """The formatting functions bound to ``lang``, as the templates call them."""
    return {
        "fmt_num": lambda v, digits=0: number(v, lang, digits),
        "fmt_pct": lambda v, digits=1: percent(v, lang, digits),
        "fmt_compact": lambda v, digits=1: compact(v, lang, digits),
        "fmt_unit": lambda v, unit: quantity(v, unit, lang),
        "fmt_unit_name": lambda unit: unit_name(unit, lang),
        "fmt_sig": lambda v, digits=3: significant(v, lang, digits),
        "fmt_sci": lambda v, digits=3: scientific(v, lang, digits),
        "fmt_year": year,
        "fmt_money": lambda v, digits=1: money(v, lang, digits),
        "fmt_date": lambda v: date(v, lang),
        "fmt_source_date": lambda src: source_date(src.get("published"), src.get("date_basis"), lang),
    }
