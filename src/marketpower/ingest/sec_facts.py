"""SEC XBRL "company facts" files (``companyfacts`` JSON, one per filer: ``facts -> taxonomy -> concept ->
units -> [facts]``) -> rows of the ``financials`` table.

Concept chosen for each metric, first one present wins (US GAAP filers, then IFRS filers of 20-F/40-F):

=================== ===========================================================================================
metric              concepts, in order of preference
=================== ===========================================================================================
revenue             us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax, us-gaap:Revenues,
                    us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax, us-gaap:SalesRevenueNet,
                    ifrs-full:Revenue
operating_income    us-gaap:OperatingIncomeLoss, ifrs-full:ProfitLossFromOperatingActivities
capex               us-gaap:PaymentsToAcquirePropertyPlantAndEquipment, us-gaap:PaymentsToAcquireProductiveAssets,
                    ifrs-full:PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities
=================== ===========================================================================================

Data-center segment revenue is not in company facts (segments are XBRL dimensions, which the file leaves out),
so it is never ingested from here.

Facts kept: durations of 350-380 days (fiscal years, labelled ``FY`` + the year of ``end - 7 days``) and
80-100 days (quarters, labelled ``<fiscal year>Q<n>`` counted from the start of the fiscal year that holds them;
a quarter outside every fiscal year of the file cannot be labelled and is reported as a gap). Year-to-date
durations (six or nine months) are dropped. When a period is reported in several filings, the value of the
latest filing wins (restatements). A file lacking every concept of a metric gives an explicit gap, never a 0;
amounts in another currency than USD need a rate (``fx_rates``) or become a gap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataPackageError, InvalidInputError, Problem
from .safeload import finite_number

CONCEPTS: dict[str, tuple[tuple[str, str], ...]] = {
    "revenue": (
        ("us-gaap", "RevenueFromContractWithCustomerExcludingAssessedTax"),
        ("us-gaap", "Revenues"),
        ("us-gaap", "RevenueFromContractWithCustomerIncludingAssessedTax"),
        ("us-gaap", "SalesRevenueNet"),
        ("ifrs-full", "Revenue"),
    ),
    "operating_income": (
        ("us-gaap", "OperatingIncomeLoss"),
        ("ifrs-full", "ProfitLossFromOperatingActivities"),
    ),
    "capex": (
        ("us-gaap", "PaymentsToAcquirePropertyPlantAndEquipment"),
        ("us-gaap", "PaymentsToAcquireProductiveAssets"),
        ("ifrs-full", "PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities"),
    ),
}
ANNUAL_DAYS = (350, 380)
QUARTER_DAYS = (80, 100)
SEC_PUBLISHER = "US Securities and Exchange Commission"
FINANCIAL_COLUMNS = [
    "entity_id",
    "period",
    "period_end",
    "metric",
    "amount",
    "currency",
    "fx_rate_to_usd",
    "amount_usd",
    "source_id",
    "note",
]


@dataclass
class SecFacts:
    """What one or more companyfacts files gave: ``financials`` rows, ``sources`` and ``entities`` rows for them,
    and ``gaps`` (entity_id, metric, reason) for every metric or period that could not be read."""

    financials: pd.DataFrame
    sources: pd.DataFrame
    entities: pd.DataFrame
    gaps: list[dict[str, str]] = field(default_factory=list)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"


def _day(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    """A JSON value as it was written (``true``, ``NaN``, ``"abc"``), at most 60 characters."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class _Findings:
    """Bad values of one file: refused (``problems``), or with ``skip`` recorded as ``skipped`` gaps."""

    file: str
    entity: str
    skip: bool
    problems: list[Problem] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def bad(self, path: str, metric: str, message: str) -> None:
        if self.skip:
            self.skipped.append({"entity_id": self.entity, "metric": metric, "reason": f"skipped {path}: {message}"})
        else:
            self.problems.append(Problem(self.file, None, path, message))


def _durations(
    facts: Any, where: str, metric: str, findings: _Findings
) -> dict[tuple[date, date], tuple[float, str, str]]:
    """(start, end) -> (value, filed, form) for the duration facts at JSON path ``where``, the latest filing
    winning. Every fact is checked: ``val`` a finite number (not a boolean), ``start`` <= ``end`` and ``filed``
    ISO dates; a fact failing a check is reported at its JSON path and never used."""
    chosen: dict[tuple[date, date], tuple[float, str, str]] = {}
    if not isinstance(facts, list):
        findings.bad(where, metric, f"expected a list of facts, found {_shown(facts)}")
        return chosen
    for number, fact in enumerate(facts):
        path = f"{where}[{number}]"
        if not isinstance(fact, dict):
            findings.bad(path, metric, f"expected a fact object, found {_shown(fact)}")
            continue
        start, end, filed = _day(fact.get("start")), _day(fact.get("end")), _day(fact.get("filed"))
        value = finite_number(fact.get("val"))
        checks = (
            ("val", value is None, "is not a finite number"),
            ("start", start is None, "is not a YYYY-MM-DD date"),
            ("end", end is None, "is not a YYYY-MM-DD date"),
            ("filed", filed is None, "is not a YYYY-MM-DD date"),
        )
        failed = [(name, why) for name, is_bad, why in checks if is_bad]
        for name, why in failed:
            findings.bad(f"{path}.{name}", metric, f"{_shown(fact.get(name))} {why}")
        if failed or start is None or end is None or filed is None or value is None:
            continue
        if end < start:
            findings.bad(f"{path}.end", metric, f"ends ({end}) before it starts ({start})")
            continue
        key = (start, end)
        if key not in chosen or filed.isoformat() >= chosen[key][1]:
            chosen[key] = (value, filed.isoformat(), str(fact.get("form", "")))
    return chosen


def fiscal_year_label(end: date) -> str:
    """``FY`` + the year of ``end - 7 days`` (a 52/53-week year ending in the first days of January belongs to
    the year before)."""
    return f"FY{(end - timedelta(days=7)).year}"


def _quarter_label(start: date, end: date, years: list[tuple[date, date]]) -> str | None:
    for year_start, year_end in years:
        if year_start - timedelta(days=7) <= start and end <= year_end + timedelta(days=7):
            number = round((end - year_start).days / 91.3)
            if 1 <= number <= 4:
                return f"{fiscal_year_label(year_end)[2:]}Q{number}"
    return None


def _check_rates(fx_rates: Mapping[str, float] | None) -> dict[str, float]:
    rates = {"USD": 1.0}
    for currency, rate in (fx_rates or {}).items():
        if finite_number(rate) is None or rate <= 0:
            raise InvalidInputError(f"fx rate {currency}={rate!r}: give a positive number of USD per {currency}")
        rates[currency] = float(rate)
    return rates


def parse_company_facts(
    document: Mapping[str, Any],
    file: str,
    entity_id: str | None = None,
    fx_rates: Mapping[str, float] | None = None,
    skip_bad_facts: bool = False,
) -> SecFacts:
    """Read one companyfacts document (already parsed JSON). ``entity_id`` defaults to a slug of
    ``entityName``; ``fx_rates`` maps a currency code to USD per unit (positive).

    Every fact of the concepts read is checked (see :func:`_durations`); a bad one raises
    :class:`DataPackageError` naming the file and the fact's JSON path, so nothing of the file is used, unless
    ``skip_bad_facts``: then each bad fact is left out and listed in ``gaps`` with its path."""
    rates = _check_rates(fx_rates)
    if not isinstance(document, Mapping):
        raise DataPackageError([Problem(file, None, None, f"not a companyfacts file: the JSON is {_shown(document)}")])
    facts = document.get("facts")
    cik = document.get("cik")
    name = document.get("entityName")
    cik_ok = (isinstance(cik, int) and not isinstance(cik, bool) and 0 <= cik < 10**10) or (
        isinstance(cik, str) and cik.isascii() and cik.isdigit() and len(cik) <= 10
    )
    if not isinstance(facts, Mapping) or not cik_ok or not isinstance(name, str) or not name.strip():
        raise DataPackageError(
            [
                Problem(
                    file,
                    None,
                    None,
                    "not a companyfacts file: expected 'cik' (up to 10 digits), a non-empty 'entityName' and "
                    "'facts' (download from the SEC's XBRL companyfacts API)",
                )
            ]
        )
    cik_text = f"{int(str(cik)):010d}"
    entity = entity_id or _slug(name)
    findings = _Findings(file, entity, skip_bad_facts)
    source_id = f"sec-cik{cik_text}"
    rows: list[dict[str, Any]] = []
    gaps: list[dict[str, str]] = []
    latest_filed = ""
    for metric, concepts in CONCEPTS.items():
        found = next(((t, c) for t, c in concepts if isinstance(facts.get(t), Mapping) and c in facts[t]), None)
        if found is None:
            tried = ", ".join(f"{t}:{c}" for t, c in concepts)
            gaps.append({"entity_id": entity, "metric": metric, "reason": f"no concept of {tried} in {file}"})
            continue
        taxonomy, concept = found
        units = facts[taxonomy][concept].get("units") if isinstance(facts[taxonomy][concept], Mapping) else None
        if not isinstance(units, Mapping):
            findings.bad(f"facts.{taxonomy}.{concept}.units", metric, "expected an object of units")
            continue
        for currency, unit_facts in units.items():
            if not re.fullmatch(r"[A-Z]{3}", currency):
                gaps.append(
                    {
                        "entity_id": entity,
                        "metric": metric,
                        "reason": f"{taxonomy}:{concept} unit {currency!r} is not a currency",
                    }
                )
                continue
            durations = _durations(unit_facts, f"facts.{taxonomy}.{concept}.units.{currency}", metric, findings)
            years = sorted(k for k in durations if ANNUAL_DAYS[0] <= (k[1] - k[0]).days <= ANNUAL_DAYS[1])
            quarters = sorted(k for k in durations if QUARTER_DAYS[0] <= (k[1] - k[0]).days <= QUARTER_DAYS[1])
            rate = rates.get(currency)
            if rate is None and (years or quarters):
                gaps.append(
                    {
                        "entity_id": entity,
                        "metric": metric,
                        "reason": f"{taxonomy}:{concept} is in {currency}; give its rate to USD "
                        f"(--fx {currency}=<USD per {currency}>)",
                    }
                )
                continue
            for start, end in years + quarters:
                period = fiscal_year_label(end) if (start, end) in years else _quarter_label(start, end, years)
                if period is None:
                    gaps.append(
                        {
                            "entity_id": entity,
                            "metric": metric,
                            "reason": f"quarter {start}..{end} lies in no fiscal year of the file",
                        }
                    )
                    continue
                value, filed, form = durations[(start, end)]
                latest_filed = max(latest_filed, filed)
                rows.append(
                    {
                        "entity_id": entity,
                        "period": period,
                        "period_end": end,
                        "metric": metric,
                        "amount": value,
                        "currency": currency,
                        "fx_rate_to_usd": None if currency == "USD" else rate,
                        "amount_usd": value * rate if rate is not None else None,
                        "source_id": source_id,
                        "note": f"{taxonomy}:{concept}, {form} filed {filed}",
                    }
                )
    financials = pd.DataFrame.from_records(rows, columns=FINANCIAL_COLUMNS)
    financials = financials.drop_duplicates(["entity_id", "period", "metric"], keep="last").reset_index(drop=True)
    sources = pd.DataFrame(
        [
            {
                "id": source_id,
                "publisher": SEC_PUBLISHER,
                "title": f"XBRL company facts of {name} (CIK {cik_text})",
                "url": f"https://data.sec.gov/api/xbrl/companyfacts/CIK{cik_text}.json",
                "published": _day(latest_filed) or date.today(),
                "accessed": date.today(),
            }
        ]
    )
    entities = pd.DataFrame(
        [{"id": entity, "name": name, "kind": "company", "country": None, "ticker": None, "parent_id": None}]
    )
    if findings.problems:
        raise DataPackageError(findings.problems)
    return SecFacts(financials, sources, entities, gaps + findings.skipped)


def read_sec_facts(
    folder: Path | str,
    entity_ids: Mapping[str, str] | None = None,
    fx_rates: Mapping[str, float] | None = None,
    skip_bad_facts: bool = False,
) -> SecFacts:
    """Read every ``*.json`` companyfacts file of ``folder``. ``entity_ids`` maps a CIK (digits, leading zeros
    optional) to the entity id to use. Unreadable files and bad facts are all reported at once
    (DataPackageError) and nothing is returned; ``skip_bad_facts`` leaves bad facts out and lists them as gaps."""
    folder = Path(folder)
    paths = sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []
    if not paths:
        raise DataPackageError([Problem(str(folder), None, None, "no companyfacts *.json file in this folder")])
    by_cik = {}
    for key, value in (entity_ids or {}).items():
        if not (key.isascii() and key.isdigit() and len(key) <= 10):
            raise InvalidInputError(f"entity id for CIK {key!r}: a CIK is up to 10 digits")
        by_cik[f"{int(key):010d}"] = value
    rates = _check_rates(fx_rates)
    parts: list[SecFacts] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(Problem(str(path), getattr(error, "lineno", None), None, f"not UTF-8 JSON: {error}"))
            continue
        except RecursionError:
            problems.append(Problem(str(path), None, None, "JSON nested too deeply to be a companyfacts file"))
            continue
        except OSError as error:
            problems.append(Problem(str(path), None, None, f"cannot read the file: {error.strerror}"))
            continue
        cik = document.get("cik") if isinstance(document, dict) else None
        entity = by_cik.get(f"{int(cik):010d}") if isinstance(cik, int | str) and str(cik).isdigit() else None
        try:
            parts.append(parse_company_facts(document, str(path), entity, rates, skip_bad_facts))
        except DataPackageError as error:
            problems += error.problems
    if problems:
        raise DataPackageError(problems)
    return SecFacts(
        financials=pd.concat([p.financials for p in parts], ignore_index=True),
        sources=pd.concat([p.sources for p in parts], ignore_index=True),
        entities=pd.concat([p.entities for p in parts], ignore_index=True).drop_duplicates("id"),
        gaps=[g for p in parts for g in p.gaps],
    )
