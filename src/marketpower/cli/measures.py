"""Concentration and deal-screening commands: `hhi`, `screen`, `mhhi`, `kappa`, `kappa-series`, `cusips suggest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from .. import api
from ..errors import InvalidInputError
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, input_path, open_store, output_path


def register(app: typer.Typer) -> None:
    app.command()(hhi)
    app.command()(screen)
    app.command()(mhhi)
    app.command()(kappa)
    app.command("kappa-series")(kappa_series)
    cusips_app = typer.Typer(help="CUSIP maps of the 13F commands (`--cusips`): suggest them from your 13F data.",
                             no_args_is_help=True)  # fmt: skip
    cusips_app.command("suggest")(cusips_suggest)
    app.add_typer(cusips_app, name="cusips")


EngineOpt = Annotated[
    str | None,
    typer.Option("--engine", help="Run the relational work on `duckdb` (in-process) or `spark` (see --spark-master)."),
]
SparkMasterOpt = Annotated[
    str,
    typer.Option("--spark-master", help="With --engine spark: local[*], local[N], spark://HOST:PORT, yarn, k8s://..."),
]


def _parse_shares(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInputError(
            f"--shares {text!r}: give fractions separated by commas, e.g. 0.3,0.3,0.2,0.2"
        ) from None


def hhi(
    shares: Annotated[str, typer.Option("--shares", help="Market shares as fractions, comma-separated.")],
    as_json: JsonOpt = False,
) -> None:
    """HHI (0-10,000; a range when shares sum below 1), CR1, CR4 and the US 2023 / 2010 classes."""
    emit(api.concentration(_parse_shares(shares)), as_json, "Concentration")


def _print_screens(result: api.MergerScreen) -> None:
    for s in result.screens:
        basis = "" if s.hhi_basis == "exact" else f" [{s.hhi_basis} of the HHI]"
        console.print(Text.assemble((s.title, "bold"), basis, ": ", (s.outcome, "bold")))
        console.print(f"  {s.hit_label}: {', '.join(s.hit) or 'none'}", highlight=False, markup=False)
        console.print(f"  {s.consequence}", highlight=False, markup=False)
        console.print(f"  {s.citation.document}, {s.citation.section}: {s.citation.url}", highlight=False, markup=False)


def screen(
    market_id: Annotated[
        str,
        typer.Argument(help="Market id of the bundled data (see `marketpower markets`), or a label for --shares FILE."),
    ],
    merge: Annotated[str, typer.Option("--merge", help="Merging firms (entity ids), comma-separated, e.g. A,B.")],
    year: Annotated[int | None, typer.Option("--year", help="Year of the shares (default: latest).")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Q1-Q4, H1, H2 (default: full year).")] = None,
    series: Annotated[str | None, typer.Option("--series", help="Estimate series when several exist.")] = None,
    shares: Annotated[
        Path | None, input_path("--shares", "Your own market: CSV with columns firm,share (fractions).")
    ] = None,
    guidelines: Annotated[
        str, typer.Option("--guidelines", help=f"Which screens, comma-separated ({', '.join(api.GUIDELINE_IDS)}).")
    ] = ",".join(api.GUIDELINE_IDS),
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Would this merger be presumed anticompetitive? ΔHHI, post-merger HHI and merged share screened under the
    US 2023 Merger Guidelines, the US 2010 Horizontal Merger Guidelines and the EU 2004 Horizontal Merger
    Guidelines, each with the thresholds hit and the guideline's stated consequence, cited."""
    chosen = api.parse_guidelines(guidelines.split(","))
    merging = [m.strip() for m in merge.split(",") if m.strip()]
    store = None if shares is not None else open_store(package, db)
    answer = api.merger_screen(store, market_id, merging, year, period, series, chosen, shares_file=shares)
    meta, result = answer.about, answer.screen
    if as_json:
        emit(answer.to_dict(), True)
        return
    emit(
        {**meta, "merging": ", ".join(result.merging), "merged_share": result.merged_share,
         "others_share": result.others_share, "pre_hhi": _span(result.pre_hhi_low, result.pre_hhi_high),
         "post_hhi": _span(result.post_hhi_low, result.post_hhi_high), "delta_hhi": result.delta_hhi},
        False, f"Merger of {', '.join(result.merging)} in {market_id}",
    )  # fmt: skip
    _print_screens(result)


def _span(low: float, high: float) -> str:
    return f"{low:,.0f}" if abs(high - low) < 0.5 else f"{low:,.0f} to {high:,.0f}"


def mhhi(
    case: Annotated[
        Path,
        input_path(
            None,
            "JSON case: shares (one per firm), ownership (owners × firms), "
            "optional control, control_mode, silent, firms, owners.",
        ),
    ],
    stakes: Annotated[
        bool, typer.Option("--stakes", help="Build ownership and control from the bundled stakes table instead.")
    ] = False,
    when: Annotated[str | None, typer.Option("--when", help="With --stakes: date of the stakes (YYYY-MM-DD).")] = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """MHHI and ΔMHHI (O'Brien & Salop 2000) of a market with partial ownership: ``ownership[i][j]`` is the
    fraction of firm j's profits owned by owner i; control defaults to proportional to ownership
    (``control_mode: largest`` gives the largest holder full control; ``silent: [[i, j], ...]`` marks stakes
    without control). Prints hhi, mhhi and mhhi_delta (MHHI − HHI)."""
    result = api.modified_hhi(case, open_store(package, db) if stakes else None, when)
    out = result.to_dict()
    if as_json:
        emit(out, True)
        return
    emit({k: out[k] for k in ("hhi", "mhhi", "mhhi_delta")}, False, f"MHHI of {case.name}")
    import pandas as pd  # here, not at the top: `hhi` and `screen` need no pandas

    weights = pd.DataFrame(result.weights, index=list(result.firms), columns=list(result.firms))
    console.print("Profit weights w[j, k] (row j's weight on k's profit):", markup=False)
    console.print(weights.round(4).to_string())


def kappa(
    holdings: Annotated[
        Path,
        input_path(
            "--holdings",
            "CSV investor,firm,fraction, or a folder with the "
            "SEC 13F data set (INFOTABLE.tsv, COVERPAGE.tsv[, SUMMARYPAGE.tsv]).",
            folder=None,
        ),
    ],
    firms: Annotated[str, typer.Option("--firms", help="Firm ids, comma-separated, e.g. NVDA,AMD,INTC.")],
    quarter: Annotated[str | None, typer.Option("--quarter", help="13F report quarter, e.g. 2025Q3.")] = None,
    cusips: Annotated[
        Path | None,
        input_path("--cusips", "13F: CSV cusip,firm mapping CUSIPs to firms; default: the bundled AI-stack map."),
    ] = None,
    shares_outstanding: Annotated[
        Path | None, input_path("--shares-outstanding", "13F: CSV firm,shares_outstanding.")
    ] = None,
    control: Annotated[
        str, typer.Option("--control", help="γ: `ownership` (γ = β) or `voting` (13F sole + shared voting).")
    ] = "ownership",
    market_shares: Annotated[
        Path | None, input_path("--market-shares", "CSV market_id,firm,share: add HHI, MHHI, ΔMHHI per market.")
    ] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = "local[*]",
    as_json: JsonOpt = False,
) -> None:
    """Common-ownership profit weights κ_fg = Σ_i γ_fi β_gi / Σ_i γ_fi β_fi among the given firms, from
    institutional holdings (γ = β by default), and optionally each market's MHHI delta. Without --engine a 13F
    folder is read by the one-file reader (problems located by line); with it, every data set under the folder."""
    wanted = [f.strip() for f in firms.split(",") if f.strip()]
    answer = api.common_ownership(holdings, wanted, quarter, cusips, shares_outstanding, control, market_shares,
                                  engine, spark_master)  # fmt: skip
    weights, markets = answer.kappa, answer.markets
    if as_json:
        emit(answer.to_dict(), True)
        return
    emit(weights.reset_index(names="firm").round(4), False, "κ: row firm's weight on column firm's profit")
    if markets is not None:
        emit(markets, False, "MHHI by market")


def kappa_series(
    folder: Annotated[
        Path,
        input_path(None, "Folder of SEC 13F data sets (sub-folders with INFOTABLE and COVERPAGE, .tsv or .parquet).",
                   folder=True),
    ],
    shares_outstanding: Annotated[
        Path, input_path("--shares-outstanding", "CSV firm,shares_outstanding[,quarter] (per quarter when given).")
    ],
    cusips: Annotated[
        Path | None,
        input_path("--cusips", "CSV cusip,firm mapping CUSIPs to firms; default: the bundled AI-stack map."),
    ] = None,
    firms: Annotated[
        str | None, typer.Option("--firms", help="Firm ids, comma-separated (default: every firm of --cusips).")
    ] = None,
    control: Annotated[
        str, typer.Option("--control", help="γ: `ownership` (γ = β) or `voting` (13F sole + shared voting).")
    ] = "ownership",
    market_shares: Annotated[
        Path | None,
        input_path("--market-shares", "CSV market_id,firm,share[,quarter]: HHI, MHHI, ΔMHHI per market and quarter."),
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="`duckdb` (in-process, default) or `spark`.")] = "duckdb",
    spark_master: SparkMasterOpt = "local[*]",
    out: Annotated[Path | None, typer.Option("--out", help="Write the κ table to this .csv or .parquet file.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Common ownership per quarter: κ_fg of every pair of firms from all 13F data sets under FOLDER, the
    relational work on DuckDB or Spark, κ itself on the driver. With --db the series is kept in the store, where
    the dashboard and report show it."""
    wanted = [f.strip() for f in firms.split(",") if f.strip()] if firms else None
    store = open_store(None, db) if db is not None else None
    answer = api.kappa_series(folder, cusips, shares_outstanding, wanted, control, market_shares, engine,
                              spark_master, out, store)  # fmt: skip
    if as_json:
        emit(answer.to_dict(), True)
        return
    table = answer.kappa.pivot_table(index=["firm", "other_firm"], columns="quarter", values="kappa")
    emit(table.round(4).reset_index(), False, f"κ per quarter ({answer.engine}): row firm's weight on other firm")
    if answer.markets is not None:
        emit(answer.markets, False, "MHHI by market and quarter")


def cusips_suggest(
    folder: Annotated[
        Path,
        input_path(
            None,
            "Folder of SEC 13F data sets (sub-folders with INFOTABLE and COVERPAGE, .tsv or .parquet).",
            folder=True,
        ),
    ],
    firms: Annotated[
        str | None,
        typer.Option("--firms", help="Entity ids, comma-separated (default: listed firms without a bundled CUSIP)."),
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="`duckdb` (in-process, default) or `spark`.")] = "duckdb",
    spark_master: SparkMasterOpt = "local[*]",
    write: Annotated[
        Path | None,
        output_path("--write", "Write a cusip,firm CSV for --cusips: the bundled map plus the valid candidates."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="With --write: replace an existing file.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """CUSIPs for firms the bundled map lacks, from your own 13F data: each CUSIP whose NAMEOFISSUER matches the
    firm's name (upper case, punctuation, legal-form and class words removed; docs/scale.md), with the names and
    classes filed, filings, quarters, total VALUE and whether its check digit is valid. A suggestion to review:
    κ never matches names; pass the reviewed file to `kappa-series --cusips`."""
    wanted = [f.strip() for f in firms.split(",") if f.strip()] if firms else None
    answer = api.cusip_candidates(folder, wanted, engine, spark_master, write, force)
    if as_json:
        emit(answer.to_dict(), True)
        return
    table = answer.candidates.assign(
        several=["several: review" if n > 1 else "" for n in answer.candidates["candidates"]],
        check_digit=["valid" if ok else "WRONG" for ok in answer.candidates["check_digit_ok"]],
        bundled=["bundled" if b else "" for b in answer.candidates["bundled"]],
        issuer_names=["; ".join(v) for v in answer.candidates["issuer_names"]],
        titles=["; ".join(v) for v in answer.candidates["titles"]],
        other_firms=[", ".join(v) for v in answer.candidates["other_firms"]],
    )[["firm", "cusip", "several", "check_digit", "bundled", "issuer_names", "titles", "filings", "quarters",
       "first_quarter", "last_quarter", "value", "other_firms"]]  # fmt: skip
    emit(table, False, answer.title())
    if answer.without_candidate:
        console.print(f"No candidate for: {', '.join(answer.without_candidate)}", markup=False, highlight=False)
    if answer.written:
        console.print(f"Wrote {answer.written}: review it, then pass it as --cusips", markup=False, highlight=False)
