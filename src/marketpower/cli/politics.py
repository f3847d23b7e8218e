"""Commands of the politics domain: ``fec ingest``, ``politics committees|money|link``, ``bills ingest|summary``."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from .. import api
from ..ingest.fec import ENCODING, IngestReport, ingest_fec
from ..ingest.openstates import ingest_bills
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, fail, input_path, open_store
from .measures import EngineOpt, SparkMasterOpt

DirArg = Annotated[Path, input_path(None, "Folder holding the files (searched recursively).", folder=True)]


def _ingest_on_spark(engine: str, spark_master: str, *args: Any, **options: Any) -> IngestReport:
    """``fec ingest --engine spark`` (PySpark imported only then); another engine name is refused."""
    if engine != "spark":
        fail(f"--engine {engine!r}: use duckdb or spark")
    from ..engines.fec_ingest import ingest_fec_spark

    return ingest_fec_spark(*args, spark_master=spark_master, **options)


def register(app: typer.Typer) -> None:
    fec_app = typer.Typer(help="FEC bulk data: ingest into the store.", no_args_is_help=True)
    politics_app = typer.Typer(help="AI-industry political committees and their money.", no_args_is_help=True)
    bills_app = typer.Typer(help="State AI bills: ingest and summaries.", no_args_is_help=True)
    app.add_typer(fec_app, name="fec")
    app.add_typer(politics_app, name="politics")
    app.add_typer(bills_app, name="bills")

    @fec_app.command("ingest")
    def fec_ingest(
        directory: DirArg,
        cycle: Annotated[
            int | None,
            typer.Option(
                "--cycle", help="Election cycle of the files (e.g. 2026); default: read from file or folder names."
            ),
        ] = None,
        skip_bad_rows: Annotated[
            bool,
            typer.Option(
                "--skip-bad-rows",
                help="Load the good rows and list the bad ones; without it any bad row stops the load.",
            ),
        ] = False,
        encoding: Annotated[
            str,
            typer.Option(
                "--encoding",
                help="Text encoding of the files: utf-8 (default; the FEC's files are ASCII), latin-1 or cp1252. "
                "With utf-8, a byte that is not UTF-8 is a bad row.",
            ),
        ] = ENCODING,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="Load even when a kind-cycle would keep fewer than half of its stored rows (e.g. an "
                "emptied file); without it such a load is refused and nothing changes.",
            ),
        ] = False,
        engine: Annotated[
            str,
            typer.Option("--engine", help="Parse and check the files on `duckdb` (this machine, the default) or "
                         "`spark` (its executors; see --spark-master): same rules, bad-row report and output."),
        ] = "duckdb",
        spark_master: SparkMasterOpt = "local[*]",
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Stream FEC bulk files (cm, cn, ccl, itcont, itoth, itpas2, webk, independent expenditures) into the
        store (Parquet files in <db file name>.fec/ behind views): restartable, re-runs never duplicate rows, bad rows
        reported with file, line and field."""
        if db is None:
            fail("--db FILE is required: the ingested tables are kept in that DuckDB file")
        store = open_store(package, db)
        total = sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file()) if directory.is_dir() else 0
        with Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
            transient=True,
        ) as progress:
            task = progress.add_task("FEC ingest", total=total)
            run = ingest_fec if engine == "duckdb" else partial(_ingest_on_spark, engine, spark_master)
            report = run(
                store.connection,
                directory,
                cycle=cycle,
                skip_bad_rows=skip_bad_rows,
                encoding=encoding,
                replace=replace,
                progress=lambda label, done: progress.update(task, advance=done, description=label),
            )
        if as_json:
            emit(report.to_dict(), True)
            return
        emit(
            [k.to_dict() for k in report.kinds],
            False,
            title="FEC ingest",
            columns=["kind", "cycle", "status", "rows_loaded", "rows_skipped", "files"],
        )
        for problem in report.problems[:50]:
            console.print(f"  skipped: {problem}", highlight=False, markup=False)
        if len(report.problems) > 50:
            console.print(f"  ... {len(report.problems) - 50} more (table fec_rejects)")

    @politics_app.command("committees")
    def committees(package: PackageOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """AI-industry committees of the 2026 cycle: sponsor, network, stance, pledged vs reported money."""
        answer = api.committees(open_store(package, db, read_only=db is not None))
        emit(
            answer.table,
            as_json,
            title="AI political committees (pledges kept apart from reported money)",
            columns=[
                "id",
                "name",
                "committee_kind",
                "sponsor_id",
                "stance",
                "commitment_usd",
                "receipts_usd",
                "network_commitment_usd",
                "network_receipts_usd",
                "pledge_unquantified",
            ],
        )

    @fec_app.command("query")
    def fec_query(
        query: Annotated[str, typer.Argument(help="One of: " + ", ".join(api.FEC_QUERIES) + ".")],
        committee: Annotated[
            list[str] | None, typer.Option("--committee", help="FEC committee id (repeat for timeline).")
        ] = None,
        parquet: Annotated[
            list[str] | None,
            typer.Option("--parquet", help="The FEC ingest's Parquet (file, folder or URL the engine reads); "
                         "default: the --db store's."),
        ] = None,
        engine: EngineOpt = "duckdb",
        spark_master: SparkMasterOpt = "local[*]",
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """FEC receipts by donor, by employer and month, distinct employers, the committees' monthly timeline, or
        independent expenditures by race, on DuckDB or Spark over the ingest's Parquet."""
        source = open_store(package, db, read_only=True) if db is not None else None
        answer = api.fec_query(query, committee or [], parquet, source, engine or "duckdb", spark_master)
        emit(answer.to_dict() if as_json else answer.rows, as_json, title=answer.title())

    @politics_app.command("money")
    def money(
        committee: Annotated[str, typer.Argument(help="Committee id (see `politics committees`).")],
        engine: EngineOpt = None,
        spark_master: SparkMasterOpt = "local[*]",
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Money into one committee by donor and over time: bundled pledges and filings, plus FEC itemised
        receipts and independent expenditures when the store holds ingested FEC data for its FEC id (with
        --engine, computed by DuckDB or Spark over the ingested Parquet, plus receipts per month)."""
        answer = api.money(open_store(package, db, read_only=db is not None), committee, engine, spark_master)
        rows, result = answer.bundled, answer.payload()
        if as_json:
            emit(result, True)
            return
        emit(
            rows,
            False,
            title=f"{committee}: pledges (is_pledge) and reported money",
            columns=[
                "kind",
                "scope",
                "donor_id",
                "period_end",
                "amount_usd",
                "qualifier",
                "is_pledge",
                "basis",
                "source_id",
            ],
        )
        for key in ("fec_receipts_by_donor", "fec_spending_by_race", "fec_receipts_by_month"):
            if key in result:
                emit(result[key], False, title=key)

    @politics_app.command("races")
    def races(
        state: Annotated[str | None, typer.Option("--state", help="Only races in this state (two letters).")] = None,
        committee: Annotated[
            str | None, typer.Option("--committee", help="Only this committee's spending (see `politics committees`).")
        ] = None,
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Every race where an AI committee spent: for and against each candidate per committee, the result once
        known, and the source of each figure."""
        answer = api.races(open_store(package, db, read_only=db is not None), state, committee)
        if as_json:
            emit(answer.to_dict(), True)
            return
        emit(
            answer.spending,
            False,
            title="Races where AI committees spent (USD; pledges never included)",
            columns=[
                "election_date",
                "state",
                "office",
                "district",
                "election",
                "candidate",
                "party",
                "committee_id",
                "support_usd",
                "oppose_usd",
                "qualifiers",
                "result",
                "vote_share",
                "spending_sources",
                "result_source",
            ],
        )
        if len(answer.field):
            emit(answer.field, False, title="Other candidates of those races")

    @politics_app.command("states")
    def states(
        year: Annotated[
            int | None, typer.Option("--year", help="Bills of this year only (default: all years).")
        ] = None,
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The state grid: AI bills introduced and enacted per state (our classifier on the DU-CAID export, with
        its version and precision) next to AI-committee spending in that state."""
        answer = api.state_grid(open_store(package, db, read_only=db is not None), year)
        emit(answer.to_dict() if as_json else answer.grid, as_json, title="AI bills and AI-committee money by state")

    @politics_app.command("firm")
    def firm(
        entity: Annotated[str, typer.Argument(help="Entity id of the firm (e.g. meta, google, openai).")],
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """A firm's political money in one place: its PAC and other committees, what it and its people gave or
        pledged, lobbying by year and quarter, and the races its committees spent in."""
        answer = api.firm(open_store(package, db, read_only=db is not None), entity)
        if as_json:
            emit(answer.to_dict(), True)
            return
        for name, frame in answer.frames().items():
            emit(frame, False, title=f"{entity}: {name}")

    @bills_app.command("ingest")
    def bills_ingest(directory: DirArg, package: PackageOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Load Open States bulk CSVs (bills, actions, subjects) or the DU-CAID tracker JSON, classify AI bills
        (with the reasons) and store them (replacing earlier bills)."""
        if db is None:
            fail("--db FILE is required: the bills are kept in that DuckDB file")
        store = open_store(package, db)
        emit(ingest_bills(store.connection, directory), as_json, title="bills ingest")

    @bills_app.command("summary")
    def bills_summary(
        year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
        state: Annotated[str | None, typer.Option("--state", help="Only this state (two letters).")] = None,
        package: PackageOpt = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """AI bills introduced and enacted per state and year (ingested bills, classified), next to the
        published counts of the trackers (bundled `bill_counts`)."""
        answer = api.bills_summary(open_store(package, db, read_only=db is not None), year, state)
        published, result = answer.published_counts, answer.payload()
        if as_json:
            emit(result, True)
            return
        if "ingested" in result:
            emit(result["ingested"], False, title="AI bills in the store (classified by title/subjects)")
        else:
            console.print(Text("no bills in the store: run `marketpower bills ingest DIR --db FILE`", style="dim"))
        emit(
            published,
            False,
            title="Published tracker counts (each tracker apart)",
            columns=[
                "tracker",
                "state",
                "year",
                "as_of",
                "introduced",
                "introduced_qualifier",
                "enacted",
                "enacted_qualifier",
                "source_id",
            ],
        )
