"""Deal-web commands: `loops`, `owners`, `network`, `dependence`, `centrality`, and `ingest epoch-hub`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from .. import api
from ..files import write_csv
from ..ingest.epoch_hub import read_epoch_data_centers
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, input_path, open_store, output_path

SinceOpt = Annotated[str | None, typer.Option("--since", help="Only deals announced on or after this date.")]
WhenOpt = Annotated[str | None, typer.Option("--as-of", help="State of the web on this date (default: latest).")]
RollupOpt = Annotated[
    bool,
    typer.Option(
        "--rollup/--no-rollup",
        help="Count each firm at its ultimate controlling parent (AWS -> Amazon), or keep the legal entities.",
    ),
]


def register(app: typer.Typer, ingest_app: typer.Typer) -> None:
    app.command()(loops)
    app.command()(owners)
    app.command()(network)
    app.command()(dependence)
    app.command()(centrality)
    ingest_app.command("epoch-hub")(epoch_hub)


def loops(
    since: SinceOpt = None,
    min_usd: Annotated[
        float | None, typer.Option("--min-usd", help="Drop loops whose round trip is smaller (or unknown).")
    ] = None,
    max_len: Annotated[int, typer.Option("--max-len", help="Longest loop, in legs.")] = api.DEFAULT_MAX_LEN,
    window_days: Annotated[
        int | None, typer.Option("--window-days", help="All legs announced within this many days of each other.")
    ] = None,
    as_of: WhenOpt = None,
    rollup: RollupOpt = True,
    rewirings: Annotated[
        int, typer.Option("--rewirings", help="Degree-preserving random rewirings to score the loops against.")
    ] = api.DEFAULT_REWIRINGS,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the rewirings.")] = api.DEFAULT_SEED,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Circular money flows: every cycle of money (investment or credit that comes back as purchases) up to
    --max-len legs, ranked by round-trip amount (the smallest leg), with each firm's share of its announced
    commitments and every leg's amount, date, status and source."""
    answer = api.loops(open_store(package, db), since, max_len, window_days, min_usd, as_of, rollup, rewirings, seed)
    table = answer.table
    if as_json:
        emit(answer.to_dict(), True)
        return
    if table.empty:
        console.print("No money loops.")
        return
    view = table.assign(
        firms=table["firms"].map(" -> ".join),
        round_trip_usd=table["round_trip_usd"],
        shares=table["share_of_commitments"].map(lambda d: ", ".join(f"{k} {v:.1%}" for k, v in d.items())),
    )
    emit(
        view,
        False,
        "Money loops (round trip = smallest leg; NaN = a leg without published amount)",
        [
            "rank", "length", "firms", "round_trip_usd", "smallest_known_leg_usd", "upper_bound", "public_private",
            "null_fraction", "null_z", "shares",
        ],
    )
    emit(answer.by_length, False, "Loops by length against the rewired webs (z = (observed - mean) / sd)")
    summary = answer.summary
    console.print(
        Text(
            f"{summary['loops']} loops, {summary['public_private_loops']} with a public party (counted apart); "
            f"null model: {summary['null_model']}; null_fraction = share of rewired webs with the same cycle "
            "of firms",
            style="dim",
        )
    )


def owners(
    entity: Annotated[str, typer.Argument(help="Entity id whose owners to list (e.g. openai).")],
    as_of: WhenOpt = None,
    include_warrants: Annotated[
        bool, typer.Option("--include-warrants", help="Count unvested warrants at their cap.")
    ] = False,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who owns ENTITY: every chain of stakes ending at it (product of fractions, weakest-link control) and each
    owner's effective economic interest summed over all chains, (I - A)^-1 - I."""
    answer = api.owners(open_store(package, db), entity, as_of, include_warrants)
    interest, chains = answer.owners, answer.chains
    if as_json:
        emit(answer.to_dict(), True)
        return
    emit(interest, False, f"Effective economic interest in {entity}")
    emit(chains.assign(path=chains["path"].map(" -> ".join)), False, f"Chains of stakes ending at {entity}")


def network(
    fmt: Annotated[str, typer.Option("--format", help=f"One of {', '.join(api.EXPORT_FORMATS)}.")] = "graphml",
    out: Annotated[Path, output_path("--out", "File to write (opens in Gephi for graphml/gexf).")] = Path(
        "aistack-network.graphml"
    ),
    as_of: WhenOpt = None,
    rollup: RollupOpt = True,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the deal web: firms (with layer) linked by money edges (kind = deal kind), ownership edges and
    site edges (facility host -> user, kind = the site's status on --as-of), at the controlling parents unless
    --no-rollup."""
    emit(api.export_deal_web(open_store(package, db), fmt, out, as_of, rollup), as_json, "Network export")


def dependence(
    entity: Annotated[str | None, typer.Argument(help="Show this firm's counterparties (default: all firms).")] = None,
    since: SinceOpt = None,
    as_of: WhenOpt = None,
    rollup: RollupOpt = True,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who depends on whom: counterparties ranked by committed USD and their concentration (HHI over partners,
    0-10,000), for money paid and money received."""
    answer = api.dependence(open_store(package, db), entity, since, as_of, rollup)
    if entity is None:
        emit(answer.summary, as_json, "Counterparty concentration (HHI over partners, 0-10,000)")
        return
    if as_json:
        emit(answer.to_dict(), True)
        return
    summary, table = answer.summary, answer.counterparties
    emit(summary, False, f"{entity}: concentration of counterparties")
    emit(table, False, f"{entity}: counterparties by committed USD")


def centrality(
    since: SinceOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many firms to show.")] = 20,
    as_of: WhenOpt = None,
    rollup: RollupOpt = True,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which firms sit at the centre of the web: weighted degree (USD), betweenness and eigenvector centrality,
    with the method of each named in the output."""
    answer = api.centrality(open_store(package, db), since, top, as_of, rollup)
    table, methods = answer.firms, answer.methods
    if as_json:
        emit(answer.to_dict(), True)
        return
    emit(table, False, "Centrality in the deal web")
    for column, method in methods.items():
        console.print(Text(f"{column}: {method}", style="dim"))


def epoch_hub(
    folder: Annotated[Path, input_path(None, "Folder with Epoch AI's data_centers.csv (and timelines).", folder=True)],
    out: Annotated[Path | None, output_path("--out", "Write the facilities rows to this CSV file.")] = None,
    exported: Annotated[
        str | None, typer.Option("--exported", help="Export date, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read an Epoch AI data-hub download (CC BY 4.0) into `facilities` rows; cite source
    deals-epoch-data-centers-2025 (or your own) in sources.csv."""
    when = date.fromisoformat(api.iso_date(exported, "--exported") or date.today().isoformat())
    rows = read_epoch_data_centers(folder, when)
    if out is not None:
        write_csv(rows, out)
    if as_json:
        emit(rows.to_dict("records"), True)
        return
    emit(rows.drop(columns=["note", "source_id"]), False, f"{len(rows)} facilities from {folder}")
    if out is not None:
        console.print(f"written: {out}")
