"""Jinja2 rendering shared by the web app, the static report and the briefing: escaping on, locale-aware
numbers (Babel), one link scheme per medium."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from . import notes
from .charts import FORMAT_LOCALES, TIME_FORMAT_LOCALES, localize
from .formatting import formatters, source_date
from .i18n import chart_label, data_text, deal_text, market_description, market_name, translator, value_label
from .tables import LABELS as TABLE_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
#: Markdown templates (the briefing): no HTML escaping, but values are still only inserted, never evaluated.
_text_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=False,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

for _environment in (_env, _text_env):
    # `{{ d.kind | label }}`: a coded value (deal kind, status, layer) as a label in the page's language
    _environment.filters["label"] = pass_context(lambda context, value: value_label(value, context["lang"]))

#: Pages of the dashboard that are lists (no key) and those that show one item (a key).
LIST_PAGES = ("markets", "entities", "deals", "network", "compute", "winners", "politics", "search", "sources")
ITEM_PAGES = {"market": "markets", "layer": "layers", "entity": "entities", "deal": "deals"}


def web_link(page: str, key: str | None = None, suffix: str = "") -> str:
    """Dashboard URL of a page: ``/``, ``/markets``, ``/markets/<id>``, ``/markets/<id>/screen``, ...; ``suffix``
    ``.json`` gives the JSON twin."""
    if page == "overview":
        return "/index.json" if suffix else "/"
    if page == "screen":
        return f"/markets/{quote(str(key), safe='')}/screen{suffix}"
    if page in ITEM_PAGES:
        return f"/{ITEM_PAGES[page]}/{quote(str(key), safe='')}{suffix}"
    return f"/{page}" + (f"/{quote(str(key), safe='')}" if key else "") + suffix


@functools.lru_cache(maxsize=1 << 14)
def static_link(page: str, key: str | None = None, suffix: str = ".html") -> str:
    """Report file of a page, relative to the report folder (flat layout so links work from disk); remembered,
    as a report links the same deals and firms from many pages."""
    if page == "overview":
        return "index" + suffix
    if page == "report":
        return "report" + suffix
    return page + (f"-{quote(str(key), safe='')}" if key else "") + suffix


def render(
    template: str,
    data: Any,
    *,
    lang: str,
    link: Callable[..., str],
    asset: Callable[[str], str],
    package_name: str,
    json_twin: str | None = None,
    mode: str = "web",
    here: tuple[str, str | None] = ("overview", None),
    **extra: Any,
) -> str:
    """Render one HTML page; every value from the data is HTML-escaped by Jinja's autoescape.

    ``mode`` is ``web`` (the dashboard: forms and search work) or ``static`` (the report: no server). Footnote
    numbers follow the order of ``data["sources"]``."""
    sources = data.get("sources", []) if isinstance(data, dict) else []
    numbers = {src["id"]: i for i, src in enumerate(sources, start=1)}
    titles = {
        src["id"]: f"{src['publisher']}, {src['title']}, "
        + _source_date(src.get("published"), src.get("date_basis"), lang)
        for src in sources
    }
    return _env.get_template(template).render(
        data=data,
        lang=lang,
        t=translator(lang),
        **labels(lang),
        chart_image=extra.pop("chart_image", _no_image),
        table_labels=TABLE_LABELS[lang],  # the table tools' words (filter box, permalink, row count)
        link=link,
        asset=asset,
        package_name=package_name,
        json_twin=json_twin,
        mode=mode,
        here=here,
        cite_numbers=numbers,
        cite_titles=titles,
        **_page_formatters(lang),
        **extra,
    )


def render_text(template: str, data: Any, *, lang: str, **extra: Any) -> str:
    """Render a text (Markdown) template with the same formatting and label helpers."""
    return _text_env.get_template(template).render(
        data=data, lang=lang, t=translator(lang), **labels(lang), **formatters(lang), **extra
    )


def labels(lang: str) -> dict[str, Any]:
    """The templates' helpers that put data in ``lang``: ``market_name(id, name)``, ``market_description(id, name,
    description)``, ``deal_description(id, description)``, ``deal_note(id, note)``, ``data_text(table, id,
    field, text)`` (:data:`.i18n.TRANSLATED_TABLES`), ``app_text(text)`` (a text the application writes: a
    screen's consequence, a scenario's diagnostics, a calibration method; :data:`.i18n.APP_TEXTS_FR`),
    ``coverage_note(reasons)`` and ``winners_window_note(window)`` (:mod:`.notes`), ``localize_chart``,
    ``chart_format_locale`` and ``chart_time_locale`` (the ``label`` filter does coded values:
    deal kinds, statuses, layers)."""
    return {
        "market_name": lambda market_id, name: market_name(market_id, name, lang),
        "market_description": lambda market_id, name, text: market_description(market_id, name, text, lang),
        "deal_description": lambda deal_id, text: deal_text(deal_id, "description", text, lang),
        "deal_note": lambda deal_id, text: deal_text(deal_id, "note", text, lang),
        "data_text": lambda table, key, field, text: data_text(table, key, field, text, lang),
        "app_text": lambda text: chart_label(text, lang),
        "coverage_note": lambda reasons: notes.coverage_note(reasons, lang),
        "winners_window_note": lambda window: notes.winners_window_note(window, lang),
        "localize_chart": lambda spec: localize(spec, lang),
        "chart_format_locale": FORMAT_LOCALES[lang],
        "chart_time_locale": TIME_FORMAT_LOCALES[lang],
    }


#: A source's date as the footnotes' titles write it, remembered: the same sources are cited on many pages.
_source_date = functools.lru_cache(maxsize=1 << 14)(source_date)


@functools.cache
def _page_formatters(lang: str) -> dict[str, Callable[..., str]]:
    """:func:`~marketpower.publish.formatting.formatters` with each result remembered: a site repeats the same
    figures on many pages (a loop's round trip on every page of its firms and deals), and Babel's formatting is
    the costliest call of a template. Arguments are told apart by type as well as value (1, 1.0 and True may
    not print alike); a call with an unhashable argument (a source record) is simply made."""
    return {name: _remembered(function) for name, function in formatters(lang).items()}


def _remembered(function: Callable[..., str]) -> Callable[..., str]:
    cached = functools.lru_cache(maxsize=1 << 15, typed=True)(function)

    def call(*args: Any, **kwargs: Any) -> str:
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an unhashable argument: nothing to remember it by
            return function(*args, **kwargs)

    return call


def _no_image(spec: dict[str, Any], signals: dict[str, Any] | None) -> None:
    """Pages of the dashboard draw their charts in the browser: no static image."""
    return None


def twin_json(data: Any) -> str:
    """A page's JSON twin (the dashboard's and the report's alike): the page model as JSON text, non-ASCII kept,
    no NaN (missing values are null); compact, since the compiled encoder is far faster than an indented one."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False)
