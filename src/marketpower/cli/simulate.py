"""Simulation commands: ``simulate`` (one merger case from a JSON/YAML file) and ``screen-all`` (every pairwise
merger of a market or case, ranked by predicted consumer harm)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from .. import api
from ..api.serialize import dump
from ..errors import InvalidInputError
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, open_store

#: Products printed in the table output (every product is in --json).
TABLE_ROWS = 50


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
    app.command("screen-all")(screen_all)
    app.command("vguppi")(vguppi)


def simulate(
    case: Annotated[Path, typer.Argument(help="Case file (.json or .yaml): prices, shares, margins, owners, model.")],
    draws: Annotated[int | None, typer.Option("--draws", help="Re-run over N draws of the case's 'ranges'.")] = None,
    matrices: Annotated[
        str,
        typer.Option(
            "--matrices",
            help="Elasticity and diversion matrices in --json: 'merging' (rows of the merging products, default), "
            "'all' (n x n, up to 4 million cells) or 'none'.",
        ),
    ] = "merging",
    as_json: JsonOpt = False,
) -> None:
    """Simulate a merger: pre/post prices, shares, HHI, consumer harm (CV), UPP/GUPPI, CMCR, diagnostics and
    plausibility flags."""
    if matrices not in api.MATRIX_CHOICES:
        raise InvalidInputError(f"--matrices = {matrices!r}: expected one of {', '.join(api.MATRIX_CHOICES)}")
    result = api.simulate(case, draws)
    if as_json:
        dump(result.to_dict(matrices), sys.stdout)  # streamed in chunks, not one string
        sys.stdout.write("\n")
        return
    out = result.to_dict("none")  # the tables select from the JSON twin: no DataFrame (nor pandas) to print them
    rows = product_rows(out)
    title = f"{out['model']['demand']} demand, {out['model']['supply']} supply"
    if len(rows) > TABLE_ROWS:  # the merging products first, then the largest price changes
        merging = np.zeros(len(rows), dtype=bool)
        merging[result.merging_indices()] = True
        changes = np.array([row["price_change_pct"] for row in rows])
        order = np.lexsort((-np.abs(changes), ~merging))[:TABLE_ROWS]
        title += f": {TABLE_ROWS} of {len(rows):,} products (merging first, then largest price changes; --json: all)"
        rows = [rows[j] for j in np.sort(order)]
    emit(rows, False, title=title)
    emit(result.summary_figures(), False, title="Market")
    screens = [{"product": k, **v, "cmcr": out["cmcr"].get(k)} for k, v in out["upp"].items()]
    if screens:
        emit(screens, False, title="Merging products: UPP (money/unit), GUPPI and CMCR (fractions)")
    diag = out["diagnostics"]
    solve = diag.get("post_merger_prices") or diag.get("post_merger_quantities")
    console.print(f"solve: {solve}\ncalibration: {diag['calibration']['method']}")
    if "capacity" in diag:
        shadow = diag["capacity"]["shadow_cost_post"]
        at_cap = ", ".join(f"{k} (shadow cost {v:.4g})" for k, v in shadow.items()) or "none"
        console.print(f"capacity: at capacity after the merger: {at_cap}", markup=False, highlight=False)
    if "vertical" in out:
        chain = out["vertical"]
        upstream, downstream = chain["upstream"], chain["downstream"]
        rows = [{"product": k, "supplier_post": upstream["owner_post"][j], "wholesale_pre": upstream["prices_pre"][k],
                 "wholesale_post": upstream["prices_post"][k], "wholesale_change_pct": upstream["price_change_pct"][k],
                 "upstream_margin_pre": upstream["margins_pre"][k], "upstream_margin_post": upstream["margins_post"][k],
                 "retail_margin_pre": downstream["margins_pre"][k], "retail_margin_post": downstream["margins_post"][k]}
                for j, k in enumerate(out["labels"])]
        emit(rows, False, title="Upstream level: wholesale prices and both levels' margins (fractions)")
        console.print(f"bargaining weight of the retailers λ = {chain['bargpower']:.6g} ({chain['bargpower_source']}); "
                      f"merger: {', '.join(chain['merger']) or 'none'}", markup=False, highlight=False)
        if chain["vguppi"]["pairs"]:
            emit(chain["vguppi"]["pairs"], False, title="Moresi–Salop vGUPPI beside the bargaining model's % changes")
        else:
            console.print(f"vGUPPI: {chain['vguppi']['note']}", markup=False, highlight=False)
    if "uncertainty" in out:
        emit(out["uncertainty"], False, title="Uncertainty (5th, 50th, 95th percentiles)")
    if "market_definition" in out:
        hmt = out["market_definition"]
        rows = [{"candidate": " + ".join(c["products"]), "largest_merging_rise_pct": c["largest_merging_rise_pct"]}
                for c in hmt["candidates"]]
        emit(rows, False, title=f"Hypothetical monopolist test from {hmt['product']} (other prices held)")
        for ssnip, market in hmt["smallest_market"].items():
            found = " + ".join(market) if market else "none: even all products together fail"
            console.print(f"SSNIP {float(ssnip):.0%}: smallest market {found}", markup=False, highlight=False)
    if "efficiencies" in out:
        rows = [{"product": k, **v} for k, v in out["efficiencies"]["products"].items()]
        emit(rows, False, title="Efficiencies: price-neutral (CMCR) and CV-neutral cost cuts (fractions, money/unit)")
    for warning in diag.get("warnings", []):
        console.print(f"warning: {warning}", markup=False, highlight=False)
    if out["flags"]:
        emit(
            [{"flag": f["code"], "message": f["message"]} for f in out["flags"]],
            False,
            title="IMPLAUSIBLE RESULT: plausibility flags (the solve converged, but check the inputs)",
        )


def product_rows(out: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per product of a simulation's ``to_dict()``: owner after the merger, prices, % price change,
    shares and cost (what :meth:`SimulationResult.products` holds, selected for the table)."""
    change = out["price_change_pct"]["products"]
    return [
        {
            "product": label,
            "owner_post": owner,
            "price_pre": out["prices_pre"][label],
            "price_post": out["prices_post"][label],
            "price_change_pct": change[label],
            "share_pre": out["shares_pre"][label],
            "share_post": out["shares_post"][label],
            "cost": out["costs"][label],
        }
        for label, owner in zip(out["labels"], out["owner_post"], strict=True)
    ]


def screen_all(
    target: Annotated[str, typer.Argument(help="A case file (.json/.yaml) or a market id in the store.")],
    margin: Annotated[
        float | None, typer.Option("--margin", help="Market id: assumed Lerner margin of the largest firm (fraction).")
    ] = None,
    market_elasticity: Annotated[
        float | None,
        typer.Option(
            "--market-elasticity", help="Market id: market elasticity (negative); else 'others' is the outside good."
        ),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Market id: year of the shares (default: latest).")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Market id: period ('' for the full year).")] = None,
    series: Annotated[str | None, typer.Option("--series", help="Market id: series of the shares.")] = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every pairwise merger among the firms of a market, ranked by predicted consumer harm (CV). A market is
    screened in the same snapshot as `screen` (stated in each row); hhi_delta_static is the guidelines' ΔHHI
    (what `screen` reports), hhi_delta the change on simulated post-merger shares."""
    store = None if api.is_case_file(target) or margin is None else open_store(package, db, read_only=True)
    frame = api.screen_all(target, store, margin, market_elasticity, year, period, series).table
    emit(frame, as_json, title="Pairwise mergers ranked by consumer harm (CV)")


def vguppi(
    upstream_margin: Annotated[float, typer.Option(help="Supplier's margin on the input, fraction of its price.")],
    input_price: Annotated[float, typer.Option(help="Price of the input sold to the downstream rival.")],
    downstream_margin: Annotated[float, typer.Option(help="Downstream firm's margin, fraction of its price.")],
    downstream_price: Annotated[float, typer.Option(help="Downstream firm's price.")],
    diversion_rival_to_merging: Annotated[
        float, typer.Option(help="Share of the rival's lost sales won by the downstream merging firm.")
    ],
    diversion_merging_to_rival: Annotated[
        float, typer.Option(help="Share of the downstream firm's lost sales won by the rival.")
    ],
    stake_up: Annotated[
        float, typer.Option(help="Supplier's share of the downstream firm's profits (1 = full merger).")
    ] = 1.0,
    stake_down: Annotated[
        float, typer.Option(help="Downstream firm's share of the supplier's profits (1 = full merger).")
    ] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Vertical GUPPIs (Moresi & Salop 2013) for a supplier taking a stake in, or merging with, a customer.

    vGUPPI_U = stake_up · D(rival→merging) · m_D · p_D / w (raising the rival's input price);
    vGUPPI_D = stake_down · D(merging→rival) · m_U · w / p_D (the downstream firm's own price).
    """
    result = api.vertical_guppi(
        upstream_margin,
        input_price,
        downstream_margin,
        downstream_price,
        diversion_rival_to_merging,
        diversion_merging_to_rival,
        stake_up,
        stake_down,
    )
    emit(result, as_json, "Vertical GUPPIs (fractions of the price they apply to)")
