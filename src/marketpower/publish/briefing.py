"""The briefing: a short newsletter-style digest ("L'essentiel" / "Key points") built from the data.

Each key point is a small record of figures and the source of each figure; the wording lives in one template per
language (``briefing_en.md``, ``briefing_fr.md``), rendered as Markdown or HTML; numbers are written with Babel
for the language ("100 milliards de dollars", "4,5 millions"). No machine translation at run time.

Data never becomes markup: before rendering, every string of the data is escaped for Markdown (and for HTML
inside Markdown) or, in the HTML briefing, by the templates' autoescape; every link target must be an
``http(s)`` URL, anything else is shown as text without a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from ..api import Context, jsonable
from ..api import scenarios as api_scenarios
from ..schema.market import SOURCE_TIERS
from ..store import Store
from . import pages
from .formatting import reading_minutes
from .i18n import check_language
from .render import render, render_text, web_link

#: How many items each kind of key point shows.
TOP_CHANGES = 3
TOP_DEALS = 3


def _source(ctx: Context, source_id: Any) -> dict[str, Any] | None:
    return ctx.sources.get(str(source_id)) if source_id is not None else None


def _tier_rank(ctx: Context, source_id: Any) -> int:
    """0 for a primary source, 1 secondary, 2 other; unrated or unknown sources rank last."""
    tier = (_source(ctx, source_id) or {}).get("tier")
    return SOURCE_TIERS.index(tier) if tier in SOURCE_TIERS else len(SOURCE_TIERS)


def _best_source(ctx: Context, source_ids: Any) -> dict[str, Any] | None:
    """The source of the best tier among ``source_ids`` (the first listed among equals), None when empty."""
    ids = list(source_ids or [])
    return _source(ctx, min(ids, key=lambda i: _tier_rank(ctx, i))) if ids else None


#: Key points of the briefing (their key in its data) and the field that names each one.
_POINT_NAMES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "changes": lambda r: r.get("market"),
    "deals": lambda r: f"{r.get('payer')} → {r.get('payee')}",
    "money": lambda r: r.get("committee"),
    "bills": lambda r: "",
    "compute": lambda r: "",
    "firms": lambda r: r.get("name"),
    "private": lambda r: r.get("label"),
    "points": lambda r: r.get("scenario"),
}


def other_only(data: dict[str, Any]) -> list[dict[str, str]]:
    """The key points of a briefing's data whose every cited source is of tier ``other`` (aggregators, mirrors,
    blogs), in the briefing's order: ``point`` (kind, a key of :data:`_POINT_NAMES`) and ``name``."""
    out: list[dict[str, str]] = []

    def visit(key: str, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(key, item)
        elif isinstance(value, dict):
            cited = [v for k, v in value.items() if k.startswith("source") and isinstance(v, dict)]
            if key in _POINT_NAMES and cited and all(c.get("tier") == "other" for c in cited):
                out.append({"point": key, "name": str(_POINT_NAMES[key](value) or "")})
            for k, v in value.items():
                if not k.startswith("source"):
                    visit(k, v)

    for key in ("changes", "deals", "loop", "money", "bills", "compute", "winners", "scenarios"):
        visit(key, data.get(key))
    return out


def concentration_changes(ctx: Context) -> list[dict[str, Any]]:
    """The largest changes in HHI from the previous comparable period (same series and period), largest first;
    none across a coverage break or from too wide an HHI range (``api.trend``), none in a flagged market."""
    table = ctx.concentration
    markets = ctx.table("markets")
    flagged = set(markets.loc[markets["flag"].notna() & (markets["flag"] != ""), "id"]) if "flag" in markets else set()
    changes = []
    for market_id in table["market_id"].unique():
        if market_id in flagged:  # not a real antitrust market (docs/measures.md, market flags)
            continue
        trend = ctx.trend(str(market_id))
        latest = pages.latest_per_market(trend)
        for row in jsonable(latest):
            same = trend[(trend["series"] == row["series"]) & (trend["period"] == row["period"])]
            earlier = same[same["year"] < row["year"]]
            if earlier.empty or row["hhi_high_change"] is None:
                continue
            before = jsonable(earlier.sort_values("year").iloc[[-1]])[0]
            mid_change = (row["hhi_low_change"] + row["hhi_high_change"]) / 2
            changes.append(
                {
                    "market_id": row["market_id"],
                    "market": row["market"],
                    "layer": row["layer"],
                    "series": row["series"],
                    "period": row["period"],
                    "year": row["year"],
                    "from_year": before["year"],
                    "hhi_from": (before["hhi_low"] + before["hhi_high"]) / 2,
                    "hhi_to": (row["hhi_low"] + row["hhi_high"]) / 2,
                    "hhi_change": mid_change,
                    "exact": row["hhi_low"] == row["hhi_high"] and before["hhi_low"] == before["hhi_high"],
                    "leader": row["leader"],
                    "leader_share": row["leader_share"],
                    "source": _best_source(ctx, row["source_ids"]),
                    "source_from": _best_source(ctx, before["source_ids"]),
                }
            )
    changes.sort(key=lambda c: abs(c["hhi_change"]), reverse=True)
    return changes[:TOP_CHANGES]


def latest_deals(ctx: Context) -> list[dict[str, Any]]:
    """The most recently announced deals in force that publish an amount."""
    rows = [d for d in pages.deals_table(ctx) if d["in_force"] and d["amount"] is not None]
    return [{**d, "source": _source(ctx, d["source_id"])} for d in rows[:TOP_DEALS]]


def largest_loop(ctx: Context) -> dict[str, Any] | None:
    """The money loop with the largest round trip (every leg with a published amount)."""
    loops = [lp for lp in pages.money_loops(ctx) if lp["round_trip_usd"] is not None]
    if not loops:
        return None
    top = loops[0]
    legs = [
        {
            **leg,
            "payer": ctx.name(leg["payer_id"]),
            "payee": ctx.name(leg["payee_id"]),
            "source": _source(ctx, leg["source_id"]),
        }
        for leg in top["legs"]
    ]
    return {**top, "legs": legs}


def political_money(ctx: Context) -> list[dict[str, Any]]:
    """Money filed as received by the committees of the AI fight (pledges apart), latest first; of each kind,
    only the records of the best source tier available (no aggregator or blog when an outlet or a filing has
    the figure)."""
    money = ctx.table("committee_money")
    if money.empty:
        return []
    money = money.assign(_tier=[_tier_rank(ctx, i) for i in money["source_id"]])
    received = money[(money["kind"] == "receipts") & money["amount_usd"].notna() & ~money["is_pledge"].astype(bool)]
    pledges = money[money["is_pledge"].astype(bool) & money["amount_usd"].notna()]
    out = []
    for kind, frame in (("receipts", received), ("pledge", pledges)):
        best = frame[frame["_tier"] == frame["_tier"].min()].drop(columns="_tier")
        for rec in jsonable(best.sort_values("period_end", ascending=False).head(2)):
            out.append(
                {
                    **rec,
                    "type": kind,
                    "committee": ctx.name(rec["committee_id"]),
                    "donor": ctx.name(rec.get("donor_id")),
                    "source": _source(ctx, rec["source_id"]),
                }
            )
    return out


def bill_count(ctx: Context) -> dict[str, Any] | None:
    """The largest count of AI bills introduced in all US states in the latest year (see politics page)."""
    numbers = pages.politics_key_numbers(ctx)
    if not numbers:
        return None
    return {**numbers[0], "source": _best_source(ctx, numbers[0]["source_ids"])}


def worked_example(ctx: Context) -> dict[str, Any] | None:
    """10 GW as accelerators: the models whose central count lands in 4-5 million, with their range."""
    example = pages.worked_example(ctx)
    fitting = [r for r in example["rows"] if r["verdict"] == "in range"]
    if not fitting:
        return None
    hardware = ctx.table("hardware").set_index("id")
    first = fitting[0]["accelerator"]
    power_source = hardware.at[first, "system_power_source_id"]
    return {
        "power_gw": example["power_gw"],
        "models": [r["model"] for r in fitting],
        "low": min(r["count_central"] for r in fitting),
        "high": max(r["count_central"] for r in fitting),
        "source": _source(ctx, power_source if isinstance(power_source, str) else hardware.at[first, "source_id"]),
    }


#: How many firms the "who wins" key point names.
TOP_WINNERS = 3


def value_winners(ctx: Context) -> dict[str, Any] | None:
    """Who wins (:func:`marketpower.publish.pages.winners`): the firms with the largest gain in market value
    since ChatGPT's release (both values with their sources), the layer with the largest share of the net gain,
    and the largest private valuation of a model maker (with its source)."""
    gains = pages.winners(ctx)
    if not gains["by_firm"]:
        return None
    firms = [
        {
            "name": f["name"],
            "start_usd": f["start_usd"],
            "end_usd": f["end_usd"],
            "end_date": f["end_date"],
            "source_start": _source(ctx, f["start_source"]),
            "source_end": _source(ctx, f["end_source"]),
        }
        for f in gains["by_firm"][:TOP_WINNERS]
    ]
    layers = [r for r in gains["layers"] if r.get("share_of_gain") is not None]
    private = [r for r in gains["private_public"] if r["group"] == "private" and r["amount_usd"] is not None]
    top_private = max(private, key=lambda r: r["amount_usd"]) if private else None
    return {
        "since": gains["since"],
        "firms": firms,
        "layer": max(layers, key=lambda r: r["share_of_gain"])["layer"] if layers else None,
        "private": {**top_private, "source": _source(ctx, top_private["source_id"])} if top_private else None,
    }


def regulate_or_encourage(ctx: Context) -> dict[str, Any] | None:
    """Regulate or encourage? For a few shipped scenarios, the figure that moves most against the data as it is
    (:func:`marketpower.api.scenarios.regulate_or_encourage`), each with a source."""
    points = api_scenarios.regulate_or_encourage(ctx)["points"]
    return {"points": points} if points else None


def build_briefing(store: Store | Context, lang: str) -> dict[str, Any]:
    """The briefing's data: key points (each number with its source) and the reading-time estimate."""
    check_language(lang)
    ctx = store if isinstance(store, Context) else Context(store)
    data: dict[str, Any] = {
        "lang": lang,
        "package": ctx.package_name,
        "changes": concentration_changes(ctx),
        "deals": latest_deals(ctx),
        "loop": largest_loop(ctx),
        "money": political_money(ctx),
        "bills": bill_count(ctx),
        "compute": worked_example(ctx),
        "winners": value_winners(ctx),
        "scenarios": regulate_or_encourage(ctx),
    }
    data["other_only"] = other_only(data)
    text = render_text(f"briefing_{lang}.md", for_markdown(data), lang=lang, html=False, reading=0)
    data["reading_minutes"] = reading_minutes(text)
    return data


def render_briefing(
    data: dict[str, Any], fmt: str = "md", other_languages: Sequence[Mapping[str, str]] = ()
) -> str:
    """The briefing as Markdown (``md``, every data string escaped) or a standalone HTML page (``html``,
    every data string escaped by the templates); links only to ``http(s)`` URLs, and to the same briefing in
    ``other_languages`` (``{"lang", "href"}`` each: the language switch of a report built in several)."""
    lang = data["lang"]
    if fmt == "md":
        return render_text(
            f"briefing_{lang}.md", for_markdown(data), lang=lang, html=False, reading=data["reading_minutes"]
        )
    safe = _map_strings(data, lambda text: text)
    return render(
        "briefing.html",
        safe,
        lang=lang,
        link=web_link,
        asset=lambda p: p,
        package_name=safe["package"],
        body=f"briefing_{lang}.md",
        html=True,
        reading=data["reading_minutes"],
        other_languages=list(other_languages),
    )


#: Characters that Markdown (CommonMark and GitHub's extensions) would read as syntax inside a line: escaped
#: with a backslash. ``_`` is escaped only where it could open or close emphasis (not inside a word).
_MD_PUNCTUATION = re.compile(r"([\\`*\[\]~|\"])")
_MD_UNDERSCORES = re.compile(r"_+")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: HTML's ``& < >`` as entities (no raw HTML, no autolink), Markdown's
    punctuation backslash-escaped (no link, image, emphasis, code or table), line breaks and control
    characters as one space (a value never starts a block: no heading, list or quote)."""
    text = _LINE_BREAKS.sub(" ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    return _MD_UNDERSCORES.sub(lambda run: run.group(0) if _inside_word(run) else "\\_" * len(run.group(0)), text)


def _inside_word(run: re.Match[str]) -> bool:
    """A run of ``_`` between two letters or digits, which Markdown never reads as emphasis."""
    text, start, end = run.string, run.start(), run.end()
    return start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()


def safe_url(url: Any) -> str | None:
    """A link target that stays inert: an absolute ``http``/``https`` URL with a host, characters outside a
    URL's set (spaces, quotes, brackets, ``< >``) percent-encoded so it cannot end a Markdown link or an HTML
    attribute; None for anything else (``javascript:``, ``data:``, relative, control characters)."""
    if not isinstance(url, str) or _LINE_BREAKS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _map_strings(data: Any, text: Any) -> Any:
    """``data`` with every string passed through ``text`` and every ``url`` value through :func:`safe_url`."""
    if isinstance(data, dict):
        return {k: safe_url(v) if k == "url" else _map_strings(v, text) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_map_strings(v, text) for v in data]
    if isinstance(data, str):
        return text(data)
    return data


def for_markdown(data: dict[str, Any]) -> dict[str, Any]:
    """The briefing's data as the Markdown template may insert it: every string :func:`markdown_text`, every
    link :func:`safe_url`."""
    result: dict[str, Any] = _map_strings(data, markdown_text)
    return result
