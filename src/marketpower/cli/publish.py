"""Publishing commands: ``report`` (static site, optional PDF), ``serve`` (dashboard), ``briefing`` (newsletter
digest in French or English) and ``check`` (a claims file checked against the data and models)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ..errors import InvalidInputError
from .common import DbOpt, JsonOpt, PackageOpt, console, emit, input_path, open_store, output_path

LangOpt = Annotated[str, typer.Option("--lang", help="Language: en or fr.")]


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(serve)
    app.command()(briefing)
    app.command()(check)


def report(
    out: Annotated[Path, output_path("--out", "Folder to write the static HTML report into.", folder=True)],
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Language: en or fr; several separated by commas (fr,en) for the report in each: the first in "
            "--out, the others in its subfolders en/ or fr/, every page with a language switch.",
        ),
    ] = "en",
    pdf: Annotated[
        Path | None, output_path("--pdf", "Also print the report's sections to this PDF (needs the pdf extra).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty folder that is not a previous report; what it holds is moved to a "
            "folder beside it (never deleted).",
        ),
    ] = False,
    all_images: Annotated[
        bool,
        typer.Option(
            "--all-chart-images",
            help="Draw every page's charts as static images too (by default only report.html's, which the PDF "
            "prints; the other pages draw theirs in the browser).",
        ),
    ] = False,
    package: PackageOpt = None,
    db: DbOpt = None,
) -> None:
    """Build the self-contained static HTML report (opens from disk, no network); each page has a JSON twin.
    The report replaces a previous report in one step; any other non-empty folder is refused without --force."""
    from ..publish.i18n import check_language
    from ..publish.report import build_report

    first, *others = [check_language(part.strip()) for part in lang.split(",")]
    store = open_store(package, db)
    written = build_report(store, out, lang=first, pdf=pdf, force=force, also=tuple(others), all_images=all_images)
    console.print(f"report written: {written.index}" + (f" and {pdf}" if pdf else ""), markup=False)
    for chart in written.missing_images:
        console.print(f"warning: no static image for {chart} (the page keeps the interactive chart)", markup=False)
    if written.moved_aside is not None:
        console.print(f"what {out} held before is now in {written.moved_aside}", markup=False)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    lang: LangOpt = "en",
    package: PackageOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the dashboard (HTML pages, each with a JSON twin at the same path + .json), read-only."""
    import uvicorn

    from ..publish.web import create_app

    store = open_store(package, db, read_only=db is not None and package is None)
    app = create_app(store, lang=lang)
    console.print(f"serving on http://{host}:{port} once every page is built (some seconds)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def briefing(
    lang: LangOpt = "en",
    fmt: Annotated[str, typer.Option("--format", help="md (Markdown) or html.")] = "md",
    out: Annotated[Path | None, output_path("--out", "Write to this file instead of printing.")] = None,
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A short newsletter digest: key points built from the data, reading time, a source on every number."""
    from ..publish.briefing import build_briefing, render_briefing

    if fmt not in ("md", "html"):
        raise InvalidInputError(f"--format {fmt!r}: use md or html")
    store = open_store(package, db)
    data = build_briefing(store, lang)
    if as_json:
        emit(data, True)
        return
    text = render_briefing(data, fmt)
    if out is None:
        typer.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"briefing written: {out}")


def check(
    claims: Annotated[Path, input_path(None, "YAML file of structured claims (see examples/seed-claims.yaml).")],
    package: PackageOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check each claim against the data and models: supported, contradicted, implausible unit or no data,
    with the evidence and its sources."""
    from ..claims import check_claims, load_claims

    parsed = load_claims(claims)
    store = open_store(package, db)
    results = check_claims(store, parsed)
    if as_json:
        emit({"file": str(claims), "results": [r.to_dict() for r in results]}, True)
        return
    colours = {"supported": "green", "contradicted": "red", "implausible unit": "magenta", "no data": "yellow"}
    for result in results:
        row = result.summary()
        console.print(
            Text.assemble(
                (result.verdict, f"bold {colours[result.verdict]}"),
                " ",
                (str(row["id"]), "bold"),
                f": claimed {row['claimed']}" + (f", found {row['found']}" if row["found"] else ""),
            )
        )
        console.print(f"  {result.claim.quote}", style="dim", highlight=False, markup=False)
        for line in [result.reason, *result.found.evidence]:
            console.print(f"  - {line}", highlight=False, markup=False)
        for src in result.sources:
            console.print(
                f"  [{src['id']}] {src['publisher']}, {src['title']}, {src['published']}: {src['url']}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
