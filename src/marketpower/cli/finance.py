"""Finance commands: who captures the value (`winners`, `finance-growth`, `capex-flows`, `private-value`) and
`ingest sec-facts` for SEC XBRL company-facts files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from .. import api
from ..errors import InvalidInputError
from ..ingest.datapackage import write_package
from ..ingest.sec_facts import read_sec_facts
from ..schema import TABLES
from ..schema.finance import METRICS
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, input_path, open_store, output_path

FIRM_COLUMNS = ["entity_id", "layer", "start_date", "start_usd", "end_date", "end_usd", "change_usd", "ratio", "status"]
LAYER_COLUMNS = ["layer", "firms", "gaps", "start_usd", "end_usd", "change_usd", "growth", "share_of_gain", "covers"]


def register(app: typer.Typer, ingest_app: typer.Typer) -> None:
    app.command()(winners)
    app.command("finance-growth")(finance_growth)
    app.command("capex-flows")(capex_flows)
    app.command("private-value")(private_value)
    ingest_app.command("sec-facts")(sec_facts)


def winners(
    since: Annotated[
        str, typer.Option("--since", help="Start date, YYYY-MM-DD (ChatGPT's release).")
    ] = api.CHATGPT_RELEASE,
    until: Annotated[
        str | None,
        typer.Option("--until", help="End date (default: the one date near which most firms have a value)."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="`layer` or `firm`.")] = "layer",
    tolerance: Annotated[int, typer.Option("--tolerance", help="Days a market cap may lie from a date.")] = (
        api.DEFAULT_TOLERANCE_DAYS
    ),
    segments: Annotated[
        str,
        typer.Option(
            "--segments",
            help="Split conglomerates across layers by reported segment `revenue` or `operating_income`, or `none`.",
        ),
    ] = api.DEFAULT_SEGMENT_BASIS,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Market value gained over one window for every firm (start near ChatGPT's release, one end date), by layer
    of the AI stack (each layer's share of the stack's gain and which firms, or which part of them, it covers)
    or by firm, with the dates and sources of both values; firms without a value near a date are listed as gaps."""
    answer = api.winners(open_store(package, db), since, until, by, tolerance, segments)
    changes = answer.changes
    if by == "firm":
        emit(
            changes.sort_values("change_usd", ascending=False, na_position="last"),
            as_json,
            f"Market value change since {since}",
            None if as_json else FIRM_COLUMNS,
        )
        return
    layers, gaps = answer.layers, answer.gaps
    if as_json:
        emit(answer.to_dict(), True)
        return
    emit(layers, False, f"Market value change by layer, {since} to {answer.until}", LAYER_COLUMNS)
    console.print(answer.window["note"])
    if len(gaps):
        emit(gaps, False, "Left out (no value near a date)")


def finance_growth(
    metric: Annotated[str, typer.Option("--metric", help=f"One of {', '.join(METRICS)}.")] = "revenue",
    from_year: Annotated[int, typer.Option("--from", help="First calendar year.")] = 2022,
    to_year: Annotated[int, typer.Option("--to", help="Last calendar year.")] = 2024,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Growth of revenue, operating income or capex by layer between two calendar years (firms reporting both)."""
    table = api.finance_growth(open_store(package, db), metric, from_year, to_year)
    emit(table, as_json, f"{metric} growth by layer, {from_year}-{to_year}")


def capex_flows(
    years: Annotated[str, typer.Option("--years", help="Calendar years, e.g. 2022-2024 or 2023,2024.")] = "2022-2024",
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The largest buyers' capex (cloud layer) against their suppliers' revenue (data-center revenue where
    reported), year by year; then the purchase deals of the deal web that carry that money down the stack
    (model makers -> clouds -> chip and server makers), summed by year with "up to" and unknown amounts apart."""
    answer = api.capex_flows(open_store(package, db), _years(years))
    table, by_year = answer.capex_vs_supplier_revenue, answer.deal_flows_by_year
    if as_json:
        emit(answer.to_dict(), True)
        return
    emit(table, False, "Buyers' capex vs suppliers' revenue")
    emit(by_year, False, "Purchase deals carrying that money down the stack (deal web)")


def private_value(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date, YYYY-MM-DD (default: latest).")] = None,
    segments: Annotated[
        str, typer.Option("--segments", help="Split conglomerates by segment `revenue`, `operating_income` or `none`.")
    ] = api.DEFAULT_SEGMENT_BASIS,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Private model makers' latest valuations (post-money or secondary, dated and sourced) next to the market
    value of each listed layer (conglomerates split by reported segment); a layer adding values of different
    dates says so in `note`."""
    answer = api.private_value(open_store(package, db), as_of, segments)
    emit(answer.table, as_json, "Private valuations and listed layers")


def sec_facts(
    folder: Annotated[
        Path, input_path(None, "Folder of SEC companyfacts JSON files (CIK##########.json).", folder=True)
    ],
    out: Annotated[Path | None, output_path("--out", "Write a data package here (new folder).", folder=True)] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="CIK=entity_id, repeatable.")] = None,
    fx: Annotated[list[str] | None, typer.Option("--fx", help="CUR=USD per unit, e.g. TWD=0.031; repeatable.")] = None,
    skip_bad_facts: Annotated[
        bool, typer.Option("--skip-bad-facts", help="Leave out facts with a bad value or date, listed as gaps.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read SEC XBRL company-facts files into `financials` rows (revenue, operating income, capex; the concept
    used is in each row's note). Missing concepts and unconverted currencies are listed as gaps, never zeros;
    a fact whose value is not a finite number (or whose dates are not dates) is refused with its JSON path."""
    rates = {k: _rate(k, v) for k, v in _pairs(fx, "--fx").items()}
    facts = read_sec_facts(folder, _pairs(entity, "--entity"), rates, skip_bad_facts=skip_bad_facts)
    written = None
    if out is not None:
        tables = {name: pd.DataFrame(columns=t.field_names) for name, t in TABLES.items() if t.required_resource}
        tables.update({"entities": facts.entities, "sources": facts.sources, "financials": facts.financials})
        write_package(out, name=out.name, title=f"SEC company facts from {folder}", tables=tables)
        written = str(out)
    summary: dict[str, Any] = {
        "rows": len(facts.financials),
        "entities": list(facts.entities["id"]),
        "written": written,
        "gaps": facts.gaps,
    }
    if as_json:
        emit({**summary, "financials": facts.financials}, True)
        return
    emit(facts.financials, False, "financials from SEC company facts")
    if facts.gaps:
        emit(facts.gaps, False, "Gaps (not ingested)")
    if written:
        console.print(f"written: {written}")


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs = {}
    for value in values or []:
        key, sep, item = value.partition("=")
        if not sep or not key or not item:
            raise InvalidInputError(f"{option} {value!r}: write KEY=VALUE")
        pairs[key.strip()] = item.strip()
    return pairs


def _rate(currency: str, text: str) -> float:
    try:
        rate = float(text)
    except ValueError as error:
        raise InvalidInputError(f"--fx {currency}={text}: the rate must be a number (USD per {currency})") from error
    if not math.isfinite(rate) or rate <= 0:
        raise InvalidInputError(f"--fx {currency}={text}: the rate must be a positive number")
    return rate


def _years(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(x) for x in text.split(",")]
    except ValueError as error:
        raise InvalidInputError(f"--years {text!r}: write 2022-2024 or 2023,2024") from error
