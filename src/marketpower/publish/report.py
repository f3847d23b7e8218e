"""The static report: a folder of HTML pages that opens from disk (chart library copied beside it), each page
with its JSON twin, and optionally a PDF of the report's sections (WeasyPrint)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from ..store import Store
from . import pages
from .context import Context
from .i18n import check_language
from .render import STATIC, render, static_link


def build_report(store: Store, out: Path | str, lang: str = "en", pdf: Path | str | None = None) -> Path:
    """Write the report into ``out`` (created if needed; its pages are replaced) and return the index path.

    ``pdf``: also print the report's sections to this PDF file (needs the ``pdf`` extra: WeasyPrint and pango).
    """
    check_language(lang)
    write_pdf = _pdf_writer() if pdf is not None else None  # fail before writing anything
    ctx = Context(store)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    assets = out / "assets"
    if assets.exists():
        shutil.rmtree(assets)
    shutil.copytree(STATIC, assets)

    def write(page: str, key: str | None, template: str, data: Any) -> None:
        filename = static_link(page, key)
        twin = static_link(page, key, ".json")
        html = render(
            template,
            data,
            lang=lang,
            link=static_link,
            asset=lambda p: f"assets/{p}",
            package_name=ctx.package_name,
            json_twin=twin,
            mode="static",
            here=(page, key),
        )
        (out / filename).write_text(html, encoding="utf-8")
        (out / twin).write_text(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")

    write("overview", None, "overview.html", pages.overview_page(ctx))
    report = pages.report_page(ctx)
    write("report", None, "report.html", report)
    for page in ("markets", "entities", "deals", "network", "compute", "winners", "politics", "sources"):
        builder = getattr(pages, f"{page}_page")
        write(page, None, f"{page}.html", builder(ctx))
    for market_id in ctx.table("markets")["id"]:
        write("market", market_id, "market.html", pages.market_page(ctx, market_id))
    for layer in sorted(set(ctx.table("markets")["layer"])):
        write("layer", layer, "layer.html", pages.layer_page(ctx, layer))
    for entity_id in ctx.table("entities")["id"]:
        write("entity", entity_id, "entity.html", pages.entity_page(ctx, entity_id))
    for deal_id in ctx.table("deals")["id"]:
        write("deal", deal_id, "deal.html", pages.deal_page(ctx, deal_id))
    if write_pdf is not None:
        write_pdf(out / static_link("report"), Path(pdf))  # type: ignore[arg-type]
    return out / "index.html"


def _pdf_writer() -> Any:
    """WeasyPrint's HTML-to-PDF, or a clear error naming what to install."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise InvalidInputError(
            f"--pdf needs WeasyPrint and the pango library ({type(error).__name__}: {error}). Install them with "
            "`pip install 'marketpower[pdf]'` and, on Debian/Ubuntu, `apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0` (scripts/ensure-browser.sh does both for the tests)"
        ) from None

    def write(html_file: Path, pdf_file: Path) -> None:
        pdf_file.parent.mkdir(parents=True, exist_ok=True)
        HTML(filename=str(html_file)).write_pdf(str(pdf_file))

    return write
