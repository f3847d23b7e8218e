"""Jinja2 rendering shared by the web app and the static report: escaping on, locale-aware numbers, links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .i18n import translator

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
LOCALES = {"en": "en_US", "fr": "fr_FR"}

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def web_link(page: str, key: str | None = None) -> str:
    """Dashboard URL of a page: ``/``, ``/markets``, ``/markets/<id>``, ``/<page>/<key>``."""
    if page == "overview":
        return "/"
    if page == "market":
        return f"/markets/{key}"
    return f"/{page}" + (f"/{key}" if key else "")


def static_link(page: str, key: str | None = None) -> str:
    """Report file of a page, relative to the report folder (flat layout so links work from disk)."""
    if page == "overview":
        return "index.html"
    if page == "market":
        return f"market-{key}.html"
    return f"{page}" + (f"-{key}" if key else "") + ".html"


def render(template: str, data: Any, *, lang: str, link: Callable[..., str], asset: Callable[[str], str],
           package_name: str, json_twin: str | None = None) -> str:
    """Render one page; every value from the data is HTML-escaped by Jinja's autoescape."""
    locale = LOCALES[lang]
    return _env.get_template(template).render(
        data=data,
        lang=lang,
        t=translator(lang),
        link=link,
        asset=asset,
        package_name=package_name,
        json_twin=json_twin,
        fmt_pct=lambda v: format_percent(v, format="#,##0.0%", locale=locale),
        fmt_num=lambda v: format_decimal(v, format="#,##0", locale=locale),
    )
