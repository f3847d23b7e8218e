"""Scenario commands: ``scenario run FILE`` (baseline vs scenario) and ``scenario compare A B`` (side by side)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..api.scenarios import compare_scenarios, run_scenario
from .common import DbOpt, JsonOpt, PackageOpt, emit, open_store

AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Date of the analysis (YYYY-MM-DD); default: the file's.")]


def register(app: typer.Typer) -> None:
    scenario_app = typer.Typer(
        help="What-if overlays on the store: block, allow, merge, cap (docs/scenarios.md).", no_args_is_help=True
    )
    scenario_app.command("run")(run)
    scenario_app.command("compare")(compare)
    app.add_typer(scenario_app, name="scenario")


def run(
    file: Annotated[
        Path, typer.Argument(help="Scenario file (.yaml), e.g. examples/scenarios/block-nvidia-openai.yaml")
    ],
    as_of: AsOfOpt = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Baseline (the store as it is) against the scenario: markets, vertical effects, deal web, compute, verdict."""
    result = run_scenario(open_store(package, db, read_only=db is not None), file, as_of)
    if as_json:
        emit(result.to_dict(), True)
        return
    emit(result.verdict_frame(), False, title=f"{result.scenario['title']} (as of {result.scenario['as_of']})")
    if result.markets:
        emit(result.markets_frame(), False, title="Markets touched")


def compare(
    first: Annotated[Path, typer.Argument(help="First scenario file.")],
    second: Annotated[Path, typer.Argument(help="Second scenario file.")],
    as_of: AsOfOpt = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Two scenarios against the same baseline, side by side."""
    result = compare_scenarios(open_store(package, db, read_only=db is not None), first, second, as_of)
    if as_json:
        emit(result, True)
        return
    emit(result["side_by_side"], False, title=f"{first.stem} (a) vs {second.stem} (b)")
