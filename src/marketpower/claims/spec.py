"""Structured claims: what a text asserts, in a form the data can answer (metric, entity or market, value,
unit, date, quoted text), read from a YAML file and validated in full before anything is checked.

A file holds a ``document`` (title, language, where it comes from) and a list of ``claims``::

    claims:
      - id: dell-market-cap
        metric: market_cap            # see METRICS
        entity: dell                  # entity id of the data package
        value: 90e9                   # or value_low / value_high for a range
        qualifier: about              # exactly | about | nearly | at_least | up_to | range
        unit: USD                     # see UNITS
        date: 2025-09-23              # the day (or year) the claim speaks of
        quote: "$DELL pèse aujourd'hui 90 milliards de valorisation"
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from ..ingest.safeload import load_document

#: Each metric, the unit family it is measured in and the fields it needs besides value/unit/quote.
METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "market_cap": ("money", ("entity", "date")),
    "valuation_ratio": ("ratio", ("entity", "since", "date")),
    "deal_amount": ("money", ("entity", "counterparty")),
    "deal_capacity": ("power", ("entity", "counterparty")),
    "accelerators_for_power": ("count", ("power_gw",)),
    "market_share": ("fraction", ("entity", "market", "year")),
    "hhi": ("hhi", ("market", "year")),
    "bill_count": ("count", ("year",)),
    "committee_money": ("money", ("entity",)),
}
#: Unit -> (family, factor to the family's base unit: USD, GW, count, ratio, fraction, HHI points).
UNITS: dict[str, tuple[str, float]] = {
    "USD": ("money", 1.0),
    "EUR": ("money_eur", 1.0),
    "GW": ("power", 1.0),
    "MW": ("power", 1e-3),
    "count": ("count", 1.0),
    "bills": ("count", 1.0),
    "GPUs": ("count", 1.0),
    "accelerators": ("count", 1.0),
    "ratio": ("ratio", 1.0),
    "fraction": ("fraction", 1.0),
    "percent": ("fraction", 0.01),
    "HHI": ("hhi", 1.0),
}
QUALIFIERS = ("exactly", "about", "nearly", "at_least", "up_to", "range")
KNOWN_FIELDS = {
    "id",
    "metric",
    "entity",
    "counterparty",
    "market",
    "value",
    "value_low",
    "value_high",
    "qualifier",
    "unit",
    "date",
    "since",
    "year",
    "power_gw",
    "accelerators",
    "tolerance",
    "date_window_days",
    "quote",
    "note",
}


@dataclass(frozen=True)
class Claim:
    """One claim. ``value_low``/``value_high`` equal ``value`` unless a range is claimed; amounts are in
    ``unit`` as written (converted to the family's base unit by :meth:`base`)."""

    id: str
    metric: str
    quote: str
    unit: str
    qualifier: str
    value_low: float
    value_high: float
    entity: str | None = None
    counterparty: str | None = None
    market: str | None = None
    date: str | None = None
    since: str | None = None
    year: int | None = None
    power_gw: float | None = None
    accelerators: tuple[str, ...] = ()
    tolerance: float | None = None
    date_window_days: int | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return UNITS[self.unit][0]

    def base(self) -> tuple[float, float]:
        """(low, high) of the claimed value in the family's base unit (USD, GW, count, ...)."""
        factor = UNITS[self.unit][1]
        return self.value_low * factor, self.value_high * factor

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if v not in (None, (), {})}
        out["accelerators"] = list(self.accelerators)
        return out


@dataclass(frozen=True)
class ClaimsFile:
    """A parsed claims file: the document the claims come from, and the claims."""

    path: Path
    document: dict[str, Any]
    claims: tuple[Claim, ...]


def _number(value: Any) -> float | None:
    """A finite number from a YAML number or a text such as ``90e9`` / ``1_000`` (None otherwise)."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.replace("_", ""))
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _shown(value: Any) -> str:
    """``repr(value)`` cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(value: Any) -> int | None:
    """An integer (not a bool, not a float with a fraction), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return None
    return text


def parse_claim(raw: Any, where: str) -> tuple[Claim | None, list[str]]:
    """One claim from its YAML mapping, or the list of problems found in it (each naming field and fix)."""
    if not isinstance(raw, dict):
        return None, [f"{where}: a claim is a mapping of fields (metric, value, unit, quote, ...)"]
    problems: list[str] = []
    raw_id = raw.get("id")
    if (raw_id is not None and not isinstance(raw_id, str | int)) or isinstance(raw_id, bool):
        problems.append(f"{where}, field 'id': {_shown(raw_id)} is not an id (give a short text)")
        raw_id = None
    cid = str(raw_id or where)
    where = f"claim {cid!r}"
    for key in sorted(set(raw) - KNOWN_FIELDS, key=str):
        problems.append(f"{where}: unknown field {_shown(key)} (known: {', '.join(sorted(KNOWN_FIELDS))})")
    metric = raw.get("metric")
    if not isinstance(metric, str) or metric not in METRICS:
        problems.append(f"{where}, field 'metric': {_shown(metric)} is not one of {', '.join(METRICS)}")
    unit = raw.get("unit")
    if not isinstance(unit, str) or unit not in UNITS:
        problems.append(f"{where}, field 'unit': {_shown(unit)} is not one of {', '.join(UNITS)}")
    if not isinstance(raw.get("quote"), str) or not raw["quote"].strip():
        problems.append(f"{where}, field 'quote': give the claim's words as quoted in the text")
    qualifier = raw.get("qualifier", "exactly")
    if not isinstance(qualifier, str) or qualifier not in QUALIFIERS:
        problems.append(f"{where}, field 'qualifier': {_shown(qualifier)} is not one of {', '.join(QUALIFIERS)}")
    for key in ("entity", "counterparty", "market", "note"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            problems.append(f"{where}, field {key!r}: {_shown(raw[key])} is not a text (give an id or words)")
    for key in ("year", "date_window_days"):
        if raw.get(key) is not None and (_whole(raw[key]) is None or (_whole(raw[key]) or 0) < 0):
            problems.append(f"{where}, field {key!r}: {_shown(raw[key])} is not a whole non-negative number")
    value, low, high = (_number(raw.get(k)) for k in ("value", "value_low", "value_high"))
    for key in ("value", "value_low", "value_high"):
        if raw.get(key) is not None and _number(raw[key]) is None:
            problems.append(f"{where}, field {key!r}: {_shown(raw[key])} is not a number (write 90e9 for 90 billion)")
    if qualifier == "range":
        if low is None or high is None or low > high:
            problems.append(f"{where}: a range claim needs value_low <= value_high")
    elif value is None:
        problems.append(f"{where}, field 'value': the claimed number is missing")
    if isinstance(metric, str) and metric in METRICS:
        for needed in METRICS[metric][1]:
            if raw.get(needed) in (None, ""):
                problems.append(f"{where}, field {needed!r}: metric {metric} needs it")
    for key in ("date", "since"):
        if raw.get(key) is not None and _date_text(raw[key]) is None:
            problems.append(f"{where}, field {key!r}: {_shown(raw[key])} is not a date (YYYY-MM-DD)")
    accelerators = raw.get("accelerators") or []
    if not isinstance(accelerators, list) or not all(isinstance(a, str) for a in accelerators):
        problems.append(f"{where}, field 'accelerators': give a list of accelerator ids")
        accelerators = []
    for key in ("tolerance", "power_gw"):
        if raw.get(key) is not None and (_number(raw[key]) is None or (_number(raw[key]) or 0) <= 0):
            problems.append(f"{where}, field {key!r}: give a positive number")
    if problems:
        return None, problems
    claim = Claim(
        id=cid,
        metric=str(metric),
        quote=str(raw["quote"]).strip(),
        unit=str(unit),
        qualifier=str(qualifier),
        value_low=float(low if qualifier == "range" else value),  # type: ignore[arg-type]
        value_high=float(high if qualifier == "range" else value),  # type: ignore[arg-type]
        entity=raw.get("entity"),
        counterparty=raw.get("counterparty"),
        market=raw.get("market"),
        date=_date_text(raw.get("date")),
        since=_date_text(raw.get("since")),
        year=_whole(raw.get("year")),
        power_gw=_number(raw.get("power_gw")),
        accelerators=tuple(accelerators),
        tolerance=_number(raw.get("tolerance")),
        date_window_days=_whole(raw.get("date_window_days")),
        note=raw.get("note"),
    )
    return claim, []


def load_claims(path: Path | str) -> ClaimsFile:
    """Read and validate a claims YAML file; every problem of every claim is reported at once."""
    path = Path(path)
    raw = load_document(path, "claims file")
    if not isinstance(raw, dict) or not isinstance(raw.get("claims"), list) or not raw["claims"]:
        raise InvalidInputError(f"{path}: expected a mapping with a non-empty `claims:` list")
    claims: list[Claim] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(raw["claims"], start=1):
        claim, found = parse_claim(item, f"claim #{i}")
        problems += found
        if claim is not None:
            if claim.id in seen:
                problems.append(f"claim {claim.id!r}: id used twice; give each claim its own id")
            seen.add(claim.id)
            claims.append(claim)
    if problems:
        raise InvalidInputError(f"{path}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    document: dict[str, Any] = raw["document"] if isinstance(raw.get("document"), dict) else {}
    return ClaimsFile(path=path, document=document, claims=tuple(claims))
