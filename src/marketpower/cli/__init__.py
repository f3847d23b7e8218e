"""The ``marketpower`` command: one Typer app; each domain registers its commands from its own module."""

from __future__ import annotations

import sys

import typer

from ..errors import MarketpowerError
from . import compute, core, finance, flows, ingest_markets, measures, politics, publish, simulate
from .common import report_error

app = typer.Typer(
    name="marketpower",
    help="Measure, simulate and map market power in the AI stack. Every command has --help.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
ingest_app = typer.Typer(help="Turn public data sets into the package schema or the store.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

core.register(app)
publish.register(app)
# Domain command modules register below, one line each.
ingest_markets.register(ingest_app)
finance.register(app, ingest_app)
flows.register(app, ingest_app)
compute.register(app)
simulate.register(app)
politics.register(app)
measures.register(app)


def main() -> None:
    """Entry point: run the app; marketpower errors print cleanly (no traceback) and exit non-zero."""
    try:
        app()
    except MarketpowerError as error:
        try:
            report_error(error)
        except typer.Exit as stop:
            sys.exit(stop.exit_code)
