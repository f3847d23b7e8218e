"""Tables of the finance domain: reported financials, market and private valuations, and the layer of the
AI stack each firm is counted in (declared with :mod:`marketpower.schema.core`).

Cross-row rules (each reports every offending row, never only the first):

* a non-USD amount needs ``fx_rate_to_usd`` (USD per unit of the currency); a USD amount must not carry a rate
  other than 1; ``amount_usd`` must equal ``amount * fx_rate_to_usd`` (0.5 % rounding tolerance);
* two periods of the same length (two fiscal years, or two quarters) of one entity and metric must not overlap:
  their end dates must lie at least the period length apart, less two weeks for 52/53-week fiscal calendars;
* a valuation needs a date (declared required, so the field validation reports it row by row).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .core import Field, Table
from .market import DATE_HELP, source_ref

if TYPE_CHECKING:  # pandas loads when a check runs, not to read the schema's definitions
    import pandas as pd

METRICS = ("revenue", "operating_income", "capex", "datacenter_revenue")
VALUATION_KINDS = ("market_cap", "post_money", "secondary")
#: Layers of the AI stack a firm can be counted in (one primary layer per firm, so layer totals add up).
LAYERS = (
    "accelerators",
    "memory",
    "foundry",
    "equipment",
    "servers",
    "networking",
    "cloud",
    "datacenters",
    "power",
    "models",
)

ANNUAL_PATTERN = r"^FY\d{4}$"
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
PERIOD_PATTERN = r"^(FY\d{4}|\d{4}Q[1-4])$"
#: Nominal length of a period kind in days, and the slack allowed for 52/53-week fiscal calendars.
PERIOD_DAYS = {"annual": 365, "quarter": 91}
CALENDAR_SLACK_DAYS = 14
FX_TOLERANCE = 0.005


def _file(table: str) -> str:
    return f"data/{table}.csv"


def _line(index: Any) -> int:
    """1-based CSV line of a DataFrame row read in file order (header is line 1)."""
    return int(index) + 2


def _number(value: Any) -> float | None:
    import pandas as pd
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(out) else out


def check_currency(tables: Mapping[str, Any]) -> list[Problem]:
    """Non-USD amounts need a rate; USD amounts take none (or 1); ``amount_usd = amount * fx_rate_to_usd``."""
    frame = tables.get("financials")
    if frame is None:
        return []
    problems: list[Problem] = []
    for index, row in frame.iterrows():
        currency = str(row.get("currency", "")).strip()
        amount, amount_usd = _number(row.get("amount")), _number(row.get("amount_usd"))
        rate = _number(row.get("fx_rate_to_usd"))
        where = f"{row.get('entity_id')} {row.get('period')} {row.get('metric')}"
        if currency == "USD":
            if rate is not None and rate != 1:
                problems.append(
                    Problem(
                        _file("financials"),
                        _line(index),
                        "fx_rate_to_usd",
                        f"{where}: a USD amount takes no rate (or 1), got {rate:g}; leave it empty.",
                    )
                )
            rate = 1.0
        elif currency and rate is None:
            problems.append(
                Problem(
                    _file("financials"),
                    _line(index),
                    "fx_rate_to_usd",
                    f"{where}: amount is in {currency} but no rate to USD is given; add the rate used "
                    "(USD per 1 unit) and cite where it comes from in `note`.",
                )
            )
            continue
        if amount is None or amount_usd is None or rate is None:
            continue
        expected = amount * rate
        if abs(amount_usd - expected) > FX_TOLERANCE * max(abs(expected), 1.0):
            problems.append(
                Problem(
                    _file("financials"),
                    _line(index),
                    "amount_usd",
                    f"{where}: amount_usd {amount_usd:,.0f} differs from amount x rate = {expected:,.0f}; "
                    "fix the amount, the rate or the conversion.",
                )
            )
    return problems


def period_kind(period: str) -> str | None:
    """``annual`` for ``FY2024``, ``quarter`` for ``2025Q3``, None for anything else."""
    if re.match(ANNUAL_PATTERN, period):
        return "annual"
    if re.match(QUARTER_PATTERN, period):
        return "quarter"
    return None


def check_overlaps(tables: Mapping[str, Any]) -> list[Problem]:
    """Two periods of one kind, entity and metric overlap when their ends are closer than the period length
    (365 or 91 days) less 14 days of slack for 52/53-week fiscal calendars."""
    import pandas as pd
    frame = tables.get("financials")
    if frame is None or frame.empty:
        return []
    rows: list[tuple[str, str, str, pd.Timestamp, str, Any]] = []
    for index, row in frame.iterrows():
        kind = period_kind(str(row.get("period", "")))
        end = pd.to_datetime(row.get("period_end"), errors="coerce")
        if kind is None or pd.isna(end):
            continue
        rows.append((str(row.get("entity_id")), str(row.get("metric")), kind, end, str(row.get("period")), index))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    problems: list[Problem] = []
    for before, after in itertools.pairwise(rows):
        if before[:3] != after[:3]:
            continue
        gap_days = (after[3] - before[3]).days
        if gap_days < PERIOD_DAYS[after[2]] - CALENDAR_SLACK_DAYS:
            problems.append(
                Problem(
                    _file("financials"),
                    _line(after[5]),
                    "period_end",
                    f"{after[0]} {after[1]}: {after[4]} (ending {after[3].date()}) overlaps {before[4]} (ending "
                    f"{before[3].date()}, line {_line(before[5])}); keep one figure per fiscal period.",
                )
            )
    return problems


FINANCIALS = Table(
    name="financials",
    description=(
        "Reported figures by firm and fiscal period: revenue, operating income, capital expenditure and "
        "data-center segment revenue where the firm reports one. Amounts are in the reporting currency, with the "
        "USD conversion and the rate used."
    ),
    fields=(
        Field("entity_id", "string", "Reporting entity.", required=True, references="entities.id"),
        Field(
            "period",
            "string",
            "Fiscal period as the firm labels it: `FY2024` (fiscal year) or `2025Q3` (third quarter of fiscal 2025).",
            required=True,
            pattern=PERIOD_PATTERN,
        ),
        Field("period_end", "date", f"Last day of the fiscal period, {DATE_HELP}.", required=True),
        Field("metric", "string", "What the amount measures.", required=True, enum=METRICS),
        Field("amount", "number", "Amount in `currency`, as reported (units, not millions).", required=True),
        Field("currency", "string", "ISO 4217 code of `amount`.", required=True, pattern=r"^[A-Z]{3}$"),
        Field(
            "fx_rate_to_usd",
            "number",
            "USD per one unit of `currency` used for `amount_usd`; required when `currency` is not USD.",
            minimum=0,
        ),
        Field("amount_usd", "number", "Amount in US dollars (`amount * fx_rate_to_usd`).", required=True),
        source_ref(),
        Field(
            "note", "string", "How the figure was read (segment name, restatement, conversion source).", multiline=True
        ),
    ),
    primary_key=("entity_id", "period", "metric"),
    checks=(check_currency, check_overlaps),
)

VALUATIONS = Table(
    name="valuations",
    description=(
        "What a firm is worth on a date: stock-market capitalisation for listed firms, post-money valuation of a "
        "funding round (or the price of a secondary share sale) for private firms, in US dollars."
    ),
    fields=(
        Field("entity_id", "string", "Valued entity.", required=True, references="entities.id"),
        Field(
            "date",
            "date",
            f"Date the value refers to (close of trading, or round announcement), {DATE_HELP}.",
            required=True,
        ),
        Field(
            "kind",
            "string",
            "`market_cap` (listed), `post_money` (funding round), `secondary` (share sale).",
            required=True,
            enum=VALUATION_KINDS,
        ),
        Field("amount_usd", "number", "Value in US dollars.", required=True, minimum=0),
        source_ref(),
        Field(
            "note",
            "string",
            "What exactly was valued (share classes, round name, reported vs. derived).",
            multiline=True,
        ),
    ),
    primary_key=("entity_id", "date", "kind"),
)

ENTITY_LAYERS = Table(
    name="entity_layers",
    description=(
        "The one layer of the AI stack each firm is counted in for value-capture totals (a firm is in one layer "
        "only, so layer sums never double-count). A classification by us: `note` says why when it is debatable."
    ),
    fields=(
        Field("entity_id", "string", "Classified entity.", required=True, references="entities.id"),
        Field("layer", "string", "Layer of the AI stack.", required=True, enum=LAYERS),
        Field(
            "source_id", "string", "Source describing the firm's business, when one is cited.", references="sources.id"
        ),
        Field("note", "string", "Why this layer (main AI business, segment share).", multiline=True),
    ),
    primary_key=("entity_id",),
)


#: What a reported segment's share of its firm is measured in.
SEGMENT_METRICS = ("revenue", "operating_income")


def check_segment_shares(tables: Mapping[str, Any]) -> list[Problem]:
    """A segment's amount lies between 0 and its firm's total (a share of the firm from 0 to 1), and the
    segments of one firm, period and metric add up to no more than the firm's total (0.5 % rounding)."""
    frame = tables.get("segments")
    if frame is None or frame.empty:
        return []
    problems: list[Problem] = []
    for index, row in frame.iterrows():
        part, whole = _number(row.get("segment_amount")), _number(row.get("firm_amount"))
        if part is None or whole is None:
            continue
        if whole <= 0 or not 0 <= part <= whole * (1 + FX_TOLERANCE):
            problems.append(
                Problem(
                    _file("segments"),
                    _line(index),
                    "segment_amount",
                    f"{row.get('entity_id')} {row.get('period')} {row.get('segment')}: {part:,.0f} is not a share "
                    f"of the firm's {whole:,.0f} (0 to the whole); use revenue where a segment or the firm lost "
                    "money.",
                )
            )
    keys = ["entity_id", "period", "metric"]
    for key, group in frame.groupby(keys, sort=True):
        wholes = {_number(v) for v in group["firm_amount"]}
        total = sum(_number(v) or 0.0 for v in group["segment_amount"])
        whole = max((w for w in wholes if w is not None), default=None)
        if len(wholes) > 1 or (whole is not None and total > whole * (1 + FX_TOLERANCE)):
            problems.append(
                Problem(
                    _file("segments"),
                    _line(group.index[0]),
                    "firm_amount",
                    f"{' '.join(str(k) for k in key)}: the segments add up to {total:,.0f}, more than the firm's "
                    f"total, or their firm totals differ ({', '.join(f'{w:,.0f}' for w in wholes if w)}); give "
                    "one firm total per period and metric.",
                )
            )
    return problems


SEGMENTS = Table(
    name="segments",
    description=(
        "A conglomerate's reported segments and the layer of the AI stack each belongs to (empty: outside the "
        "stack), with the segment's revenue or operating income and the firm's total for the same period, so "
        "that a share of the firm's market value can be attributed to a layer (AWS is Amazon's cloud, not its "
        "shops). A firm without rows here counts whole in its `entity_layers` layer."
    ),
    fields=(
        Field("entity_id", "string", "The reporting firm.", required=True, references="entities.id"),
        Field(
            "period",
            "string",
            "Fiscal period of the figures: `FY2024` or `2024Q4` (as the firm labels it).",
            required=True,
            pattern=PERIOD_PATTERN,
        ),
        Field("period_end", "date", f"Last day of the fiscal period, {DATE_HELP}.", required=True),
        Field("segment", "string", "Segment name as reported (`AWS`, `Google Cloud`, `DS division`).", required=True),
        Field("layer", "string", "Layer of the AI stack of the segment; empty when outside the stack.", enum=LAYERS),
        Field("metric", "string", "What both amounts measure.", required=True, enum=SEGMENT_METRICS),
        Field("segment_amount", "number", "The segment's amount, in `currency`.", required=True, minimum=0),
        Field("firm_amount", "number", "The whole firm's amount for the same period, in `currency`.", required=True),
        Field("currency", "string", "ISO 4217 code of both amounts.", required=True, pattern=r"^[A-Z]{3}$"),
        source_ref(),
        Field("note", "string", "How the figures were read (segment scope, rounding).", multiline=True),
    ),
    primary_key=("entity_id", "period", "segment", "metric"),
    checks=(check_segment_shares,),
)

#: The 9-character CUSIP of a US-listed security: 6 for the issuer, 2 for the issue, 1 check digit.
CUSIP_PATTERN = r"^[0-9A-Z]{9}$"


def cusip_check_digit(first_eight: str) -> int:
    """The ninth character of a CUSIP from its first eight (the CUSIP standard's modulus 10 "double add double"):
    digits count as themselves and letters A-Z as 10-35, every second character is doubled, the digits of the
    results are summed, and the check digit is ``(10 - sum % 10) % 10``."""
    total = 0
    for position, character in enumerate(first_eight):
        value = int(character) if character.isdigit() else ord(character) - ord("A") + 10
        value *= 2 if position % 2 else 1
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def check_cusip_digits(tables: Mapping[str, Any]) -> list[Problem]:
    """Each well-formed CUSIP ends in its check digit (a mistyped one would map no 13F holding, or another's)."""
    frame = tables.get("cusips")
    if frame is None or frame.empty:
        return []
    problems: list[Problem] = []
    for index, cusip in frame["cusip"].items():
        if not isinstance(cusip, str) or not re.fullmatch(CUSIP_PATTERN, cusip):
            continue  # the pattern's own problem
        expected = cusip_check_digit(cusip[:8])
        if cusip[8] != str(expected):
            problems.append(
                Problem(
                    _file("cusips"),
                    _line(index),
                    "cusip",
                    f"{cusip}: check digit {cusip[8]}, the first eight characters give {expected}; "
                    "copy the CUSIP again from the source",
                )
            )
    return problems


CUSIPS = Table(
    name="cusips",
    description=(
        "The CUSIP of each listed security of an AI-stack firm, as SEC 13F filings report its holdings: the "
        "map the 13F pipelines (`kappa`, `kappa-series`) use when no `--cusips` file is given. One row per "
        "security (a firm with two listed share classes has two rows)."
    ),
    fields=(
        Field("cusip", "string", "CUSIP, 9 characters (upper case).", required=True, pattern=CUSIP_PATTERN),
        Field("firm", "string", "Entity id of the issuer.", required=True, references="entities.id"),
        Field("security", "string", "Class of the security (common stock, class A, ADS), as the source states it."),
        source_ref(),
        Field("note", "string", "How the CUSIP was read from the source (e.g. from the ISIN).", multiline=True),
    ),
    primary_key=("cusip",),
    checks=(check_cusip_digits,),
)

TABLES: tuple[Table, ...] = (FINANCIALS, VALUATIONS, ENTITY_LAYERS, SEGMENTS, CUSIPS)
