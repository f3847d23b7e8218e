"""Compute commands: ``compute`` (power <-> accelerators <-> FLOP/s <-> energy <-> capex, with the printed
chain of assumptions) and ``compute-share`` (who holds the AI compute, with HHI ranges)."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import typer
from rich.text import Text

from .. import api
from ..errors import InvalidInputError
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, open_store

#: Market of the chip-ownership shares (H100e) derived from Epoch AI's chip-owner estimates.
CHIP_OWNERSHIP_MARKET = api.CHIP_OWNERSHIP_MARKET


def register(app: typer.Typer) -> None:
    app.command()(compute)
    app.command("compute-share")(compute_share)


def _num(value: Any) -> Any:
    """Six significant digits for tables (JSON keeps full precision)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        size = abs(value)
        if size >= 1e15 or 0 < size < 1e-3:
            return f"{value:.6g}"
        return f"{value:,.0f}" if size >= 1e5 else f"{value:,.6g}"
    return value


def _table(frame: pd.DataFrame, title: str, columns: list[str]) -> None:
    records = [{c: _num(r[c]) for c in columns} for r in frame.to_dict("records")]
    emit(records, False, title=title, columns=columns)


def compute(
    power_gw: Annotated[float | None, typer.Option("--power-gw", help="Facility power in GW.")] = None,
    power_mw: Annotated[float | None, typer.Option("--power-mw", help="Facility power in MW.")] = None,
    accelerators: Annotated[
        float | None, typer.Option("--accelerators", help="Number of accelerators (e.g. 4.5e6).")
    ] = None,
    accelerator: Annotated[
        str | None, typer.Option("--accelerator", help="Accelerator id or short name (e.g. gb200, h100, tpu-v7).")
    ] = None,
    pue: Annotated[float | None, typer.Option("--pue", help="Override the PUE range with one value (>= 1).")] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="With a power: accelerator counts for every model (worked example).")
    ] = False,
    as_json: JsonOpt = False,
    package: PackageOpt = None,
    db: DbOpt = None,
) -> None:
    """Convert facility power <-> accelerators -> FLOP/s, annual TWh, share of US electricity and capex.

    Prints every step (formula, low / central / high, source) and a one-at-a-time sensitivity sweep.
    """
    given = [
        name
        for name, v in (("--power-gw", power_gw), ("--power-mw", power_mw), ("--accelerators", accelerators))
        if v is not None
    ]
    if len(given) != 1:
        raise InvalidInputError(
            "give exactly one of --power-gw, --power-mw or --accelerators"
            + (f" (got {', '.join(given)})" if given else "")
        )
    facility_mw = None
    if power_gw is not None:
        facility_mw = api.check_positive(power_gw, "--power-gw", "e.g. --power-gw 10") * 1_000.0
    elif power_mw is not None:
        facility_mw = api.check_positive(power_mw, "--power-mw", "e.g. --power-mw 300")
    store = open_store(package, db, read_only=db is not None)
    if compare:
        if facility_mw is None:
            raise InvalidInputError("--compare needs a power (--power-gw or --power-mw)")
        fed = api.accelerators_for_power(store, facility_mw, pue)
        table = fed.rows
        if as_json:
            emit(fed.to_dict(), True)
            return
        _table(
            table,
            f"Accelerators fed by {facility_mw:,.6g} MW (PUE {fed.pue['low']:g}-"
            f"{fed.pue['high']:g}); target 4-5 million",
            [
                "accelerator",
                "year",
                "status",
                "power_basis",
                "chip_tdp_w",
                "system_power_w",
                "tdp_only_count",
                "count_low",
                "count_central",
                "count_high",
                "verdict",
            ],
        )
        return
    if accelerator is None:
        raise InvalidInputError(
            "--accelerator is required (e.g. --accelerator gb200); see `marketpower compute "
            "--power-gw 10 --compare` for every model"
        )
    conversion = api.compute_conversion(store, accelerator, facility_mw, accelerators, pue)
    chain, output, tornado = conversion.chain, conversion.output, conversion.sensitivity
    if as_json:
        emit(conversion.to_dict(), True)
        return
    _table(chain.to_frame(), chain.title, ["key", "formula", "unit", "low", "central", "high", "source"])
    console.print(
        Text(
            "low/high: interval arithmetic on the steps above: low(a×b) = low(a)×low(b), low(a/b) = low(a)/high(b).",
            style="dim",
        )
    )
    _table(
        tornado,
        f"Sensitivity of {output} (one assumption at a time at its low / high, others central)",
        ["assumption", "unit", "value_low", "value_high", "output_at_low", "output_at_high", "swing"],
    )


def compute_share(
    by: Annotated[str, typer.Option("--by", help="Group by `holder` or `country`.")] = "holder",
    status: Annotated[
        str, typer.Option("--status", help="`installed`, `announced` or `all` (installed + announced).")
    ] = "all",
    source: Annotated[
        str, typer.Option("--source", help="`chips` (Epoch chip-owner shares), `facilities`, or `both`.")
    ] = "chips",
    market: Annotated[str, typer.Option("--market", help="Market id of the chip-ownership shares.")] = (
        CHIP_OWNERSHIP_MARKET
    ),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Facilities as of this date (a site is installed once online); later periods left out."
        ),
    ] = None,
    as_json: JsonOpt = False,
    package: PackageOpt = None,
    db: DbOpt = None,
) -> None:
    """Share of AI compute (H100-equivalents) by holder or country, HHI with its range, change per period."""
    store = open_store(package, db, read_only=db is not None)
    answer = api.compute_share(store, by, status, source, market, as_of)
    table, hhi = answer.shares, answer.concentration
    basis_column = ["basis"] if "basis" in table.columns else []
    if as_json:
        emit(answer.to_dict(), True)
        return
    _table(
        table,
        f"Share of AI compute (H100e) by {by}",
        [
            *basis_column,
            *("period", by, "h100e", "h100e_low", "h100e_high", "share", "share_low", "share_high", "share_change"),
        ],
    )
    _table(
        hhi,
        "Concentration (HHI 0-10,000): central with `others` fragmented / as one firm, range over holders' uncertainty",
        [
            *basis_column,
            "period",
            "holders",
            "total_h100e",
            "others_share",
            "hhi",
            "hhi_others_as_one",
            "hhi_low",
            "hhi_high",
            "hhi_change",
            "top",
            "top_share",
        ],
    )
