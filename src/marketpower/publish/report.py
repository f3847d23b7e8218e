"""The static report: a folder of HTML pages that opens from disk, with the chart library copied beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..store import Store
from . import pages
from .i18n import check_language
from .render import STATIC, render, static_link


def build_report(store: Store, out: Path | str, lang: str = "en") -> Path:
    """Write the report into ``out`` (created if needed; its pages are replaced) and return the index path."""
    check_language(lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    assets = out / "assets"
    if assets.exists():
        shutil.rmtree(assets)
    shutil.copytree(STATIC, assets)
    name = store.package_name or "package"

    def write(filename: str, template: str, data: object) -> None:
        html = render(template, data, lang=lang, link=static_link, asset=lambda p: f"assets/{p}",
                      package_name=name, json_twin=filename.replace(".html", ".json"))
        (out / filename).write_text(html, encoding="utf-8")
        (out / filename.replace(".html", ".json")).write_text(
            json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"
        )

    write("index.html", "overview.html", pages.overview_page(store))
    write("markets.html", "markets.html", pages.markets_page(store))
    write("sources.html", "sources.html", pages.sources_page(store))
    for market_id in store.table("markets")["id"]:
        write(static_link("market", market_id), "market.html", pages.market_page(store, market_id))
    return out / "index.html"
