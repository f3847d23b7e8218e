"""Vega-Lite (and, for the deal web, Vega) chart specifications as plain dictionaries, each paired by the pages
with a table alternative; :func:`localize` gives a spec's French version and :func:`to_svg` its static image.

Specs are written out directly (no Altair): they are checked once against the Vega-Lite schema in the test suite
(tests/publish/test_chart_schema.py) instead of on every build."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..api.serialize import jsonable
from .i18n import TOOLTIP_TITLES, VALUE_LABELS_FR, chart_label

#: The Vega-Lite version the specs are written for and the vendored library (static/vendor) draws.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: The Vega-Lite version static images are drawn with (vl-convert), the same major version as the vendored one.
VEGA_LITE_VERSION = "5.21"


def _values(frame: pd.DataFrame, fields: list[str]) -> list[dict[str, Any]]:
    """Records of ``fields`` as plain JSON values (NaN becomes null)."""
    return list(jsonable(frame[fields]))


def _tip(field: str, kind: str, fmt: str | None = None, title: str | None = None) -> dict[str, Any]:
    """One tooltip entry: a field, its Vega-Lite type, its reader's title (:data:`.i18n.TOOLTIP_TITLES`, which
    :func:`localize` translates) and optional d3 format."""
    return {"field": field, "type": kind, "title": title or TOOLTIP_TITLES[field], **({"format": fmt} if fmt else {})}


def shares_over_time(shares: pd.DataFrame, title: str) -> dict[str, Any]:
    """Stacked bars of market shares (fractions) by year, one colour per firm; one panel per series when the
    market has several. Expects columns year, entity, share, series."""
    data = shares[["year", "entity", "share", "series"]].dropna(subset=["share"]).copy()
    data["series"] = data["series"].fillna("").replace("", "main")
    encoding: dict[str, Any] = {
        "x": {"field": "year", "type": "ordinal", "title": "Year"},
        "y": {
            "field": "share",
            "aggregate": "sum",
            "type": "quantitative",
            "title": "Share of market",
            "axis": {"format": "%"},
        },
        "color": {"field": "entity", "type": "nominal", "title": "Firm", "sort": "-y"},
        "tooltip": [
            _tip("year", "ordinal"),
            _tip("entity", "nominal"),
            _tip("share", "quantitative", ".1%"),
            _tip("series", "nominal"),
        ],
    }
    if data["series"].nunique() > 1:
        encoding["column"] = {"field": "series", "type": "nominal", "title": "Series"}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 260,
        "height": 220,
        "data": {"values": _values(data, ["year", "entity", "share", "series"])},
        "mark": {"type": "bar"},
        "encoding": encoding,
    }


def hhi_by_market(table: pd.DataFrame, title: str) -> dict[str, Any]:
    """HHI range (low to high bound) per market, with the 1,800 (US 2023) and 2,500 (US 2010) thresholds."""
    y = {"field": "market", "type": "nominal", "sort": "-x", "title": None}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 480,
        "height": max(120, 22 * len(table)),
        "data": {"values": _values(table, ["market", "hhi_low", "hhi_high"])},
        "layer": [
            {
                "mark": {"type": "bar", "opacity": 0.35},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "hhi_high",
                        "type": "quantitative",
                        "title": "HHI (0–10,000)",
                        "stack": None,
                        "scale": {"domain": [0, 10_000]},
                    },
                    "tooltip": [_tip("market", "nominal")]
                    + [_tip(f, "quantitative", ",.0f") for f in ("hhi_low", "hhi_high")],
                },
            },
            {
                "mark": {"type": "bar"},
                "encoding": {"y": y, "x": {"field": "hhi_low", "type": "quantitative", "stack": None}},
            },
            {
                "data": {"values": [{"threshold": 1800}, {"threshold": 2500}]},
                "mark": {"type": "rule", "strokeDash": [4, 4]},
                "encoding": {"x": {"field": "threshold", "type": "quantitative"}},
            },
        ],
    }


def hhi_trend(trend: pd.DataFrame, title: str) -> dict[str, Any]:
    """HHI low and high bounds by year, one line per series (dashes tell the bounds apart)."""
    data = trend[["year", "series", "hhi_low", "hhi_high"]].copy()
    data["series"] = data["series"].fillna("").replace("", "main")
    long = data.melt(id_vars=["year", "series"], value_vars=["hhi_low", "hhi_high"], var_name="bound", value_name="hhi")
    long["bound"] = long["bound"].map({"hhi_low": "low bound", "hhi_high": "high bound"})
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 420,
        "height": 220,
        "data": {"values": _values(long, ["year", "series", "bound", "hhi"])},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year"},
            "y": {"field": "hhi", "type": "quantitative", "title": "HHI (0–10,000)"},
            "color": {"field": "series", "type": "nominal", "title": "Series"},
            "strokeDash": {"field": "bound", "type": "nominal", "title": "Bound"},
            "tooltip": [
                _tip("year", "ordinal"),
                _tip("series", "nominal"),
                _tip("bound", "nominal"),
                _tip("hhi", "quantitative", ",.0f"),
            ],
        },
    }


def layer_hhi_trend(history: pd.DataFrame, layer: str) -> dict[str, Any]:
    """HHI by year for every market-series of one layer (upper bound drawn; the table gives both bounds)."""
    data = history[["market", "series", "year", "period", "hhi_low", "hhi_high"]].copy()
    data["series"] = data["series"].fillna("")
    data["when"] = data["year"].astype(str) + data["period"].fillna("").map(lambda p: f" {p}" if p else "")
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": layer,
        "width": 480,
        "height": 240,
        "data": {"values": _values(data, ["market", "series", "when", "hhi_low", "hhi_high"])},
        # the line's label is built in the chart so that a translated market name carries into it
        "transform": [{"calculate": "datum.market + (datum.series ? ' (' + datum.series + ')' : '')", "as": "line"}],
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "when", "type": "ordinal", "title": "Year", "sort": "ascending"},
            "y": {"field": "hhi_high", "type": "quantitative", "title": "HHI, upper bound (0–10,000)"},
            "color": {"field": "line", "type": "nominal", "title": "Market"},
            "tooltip": [_tip("line", "nominal"), _tip("when", "ordinal")]
            + [_tip(f, "quantitative", ",.0f") for f in ("hhi_low", "hhi_high")],
        },
    }


def value_by_layer(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """Market value gained (US dollars) by layer of the stack, one bar per layer."""
    values = [{"layer": r["layer"], "change_usd": r["change_usd"]} for r in layers if r.get("change_usd") is not None]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Market value gained by layer (USD)",
        "width": 480,
        "height": max(120, 24 * len(values)),
        "data": {"values": jsonable(values)},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "layer", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "change_usd", "type": "quantitative", "title": "USD", "axis": {"format": "~s"}},
            "tooltip": [_tip("layer", "nominal"), _tip("change_usd", "quantitative", "$,.3~s")],
        },
    }


#: Placeholder that the pages replace with an entity or deal id in the chart's link patterns (``entity_href``,
#: ``deal_href`` signals), so one spec serves the dashboard (``/entities/KEY``) and the report (``entity-KEY.html``).
LINK_KEY = "KEY"


def network(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    loops: list[dict[str, Any]],
    loops_of: dict[str, list[int]],
    source_urls: dict[str, str],
    history: pd.DataFrame | None = None,
    dates: list[str] | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """A force-directed Vega graph of the deal web, drawn to be read: nodes sized by the money they pay and
    receive and coloured by layer (ringed in red when on a money loop), an arrow on each edge pointing from payer
    to payee (owner to owned, site host to user), labels placed by Vega's label transform so that none overlaps
    another or a node (those that cannot be placed are left out, largest firms placed first), money edges
    coloured by deal kind, ownership edges grey and dashed, site edges dotted.

    Controls: a loop selector that isolates one loop; a time slider over ``dates`` (the days the web changes)
    that shows the edges in force on the chosen day (``history``: edges with ``in_force_from`` and
    ``in_force_until``, :func:`marketpower.api.deal_web_history`; site edges stay drawn); a deal-kind filter;
    a public-private filter. Clicking a node opens its entity page, a money edge its deal page, another edge its
    source. Written in Vega (Vega-Lite has no force layout); the page's edge table is its text alternative.
    ``loops`` are the ranked loops (rank, firms, names), ``loops_of`` maps a deal id to the ranks of the loops it
    is a leg of, ``source_urls`` a source id to its URL; without ``history`` the edges are those of ``edges``."""
    drawn = edges if history is None else pd.concat(
        [history, edges[edges["relation"] == "facility"]], ignore_index=True
    )
    ids = list(nodes["id"]) + sorted((set(drawn["source"]) | set(drawn["target"])) - set(nodes["id"]))
    index = {node_id: i for i, node_id in enumerate(ids)}
    names = dict(zip(nodes["id"], nodes.get("name", nodes["id"]), strict=True))
    layers = dict(zip(nodes["id"], nodes.get("layer", "other"), strict=True))
    money = edges[edges["relation"] == "money"]
    usd = pd.concat([money.groupby("source")["amount_usd"].sum(), money.groupby("target")["amount_usd"].sum()])
    volume = usd.groupby(level=0).sum().to_dict() if len(money) else {}
    order = sorted(ids, key=lambda i: -float(volume.get(i, 0.0) or 0.0))
    rank = {node_id: k for k, node_id in enumerate(order)}
    on_loop = {f for lp in loops for f in lp["firms"]}
    node_values = [
        {
            "index": index[node_id],
            "id": node_id,
            "name": names.get(node_id) or node_id,
            "layer": layers.get(node_id) or "other",
            "on_loop": node_id in on_loop,
            "usd": float(volume.get(node_id, 0.0) or 0.0),
            "rank": rank[node_id],
            "focus_x": 380,  # where the x and y forces pull every node: the centre of the plot
            "focus_y": 300,
        }
        for node_id in ids
    ]
    link_values = []
    for r in drawn.to_dict("records"):
        deal_id = r.get("deal_id") if isinstance(r.get("deal_id"), str) else None
        relation = r["relation"]
        kind = r["kind"] if relation == "money" else relation
        link_values.append(
            {
                "source": index[r["source"]],
                "target": index[r["target"]],
                "s_id": r["source"],
                "t_id": r["target"],
                "relation": relation,
                "kind": kind,  # shown (translated by :func:`localize`); the filters compare ``kind_code``
                "kind_code": kind,
                "status": r["kind"] if relation == "facility" else None,
                "deal_id": deal_id,
                "public_private": bool(r.get("public_private", False)),
                "from": _iso_or_none(r.get("in_force_from")),
                "until": _iso_or_none(r.get("in_force_until")),
                "source_url": source_urls.get(str(r.get("source_id")), ""),
                "loops": loops_of.get(deal_id, []) if deal_id else [],
                "ends": f"{names.get(r['source'], r['source'])} → {names.get(r['target'], r['target'])}",
            }
        )
    loop_options = [0] + [int(lp["rank"]) for lp in loops]
    loop_labels = ["every loop"] + [f"#{lp['rank']}: " + " → ".join(lp["names"]) for lp in loops]
    days = list(dates or [])
    start = max([k for k, d in enumerate(days) if as_of is None or d <= as_of], default=0)
    kinds = sorted({str(v["kind"]) for v in link_values})
    chosen = "indexof(datum.loops, loop) >= 0"
    on_any = "length(datum.loops) > 0"
    when = "(length(dates) === 0 || ((datum.from === null || datum.from <= as_of_date) && " \
        "(datum.until === null || datum.until > as_of_date)))"
    shown = (
        f"{when} && (kind_filter === 'all' || datum.kind_code === kind_filter) && "
        "(public_filter === 'all' || (public_filter === 'public_private') === datum.public_private)"
    )
    edge = "datum.datum"  # the link tuple behind an item of the `links` mark
    return {
        "$schema": "https://vega.github.io/schema/vega/v5.json",
        "width": 760,
        "height": 600,
        "autosize": "none",
        "padding": {"left": 5, "top": 24, "right": 190, "bottom": 5},
        "signals": [
            {"name": "static", "value": True},
            {"name": "entity_href", "value": f"/entities/{LINK_KEY}"},
            {"name": "deal_href", "value": f"/deals/{LINK_KEY}"},
            {"name": "dates", "value": days},
            {
                "name": "loop",
                "value": 0,
                "bind": {"input": "select", "options": loop_options, "labels": loop_labels, "name": "Money loop "},
            },
            {
                "name": "as_of_step",
                "value": start,
                "bind": {"input": "range", "min": 0, "max": max(len(days) - 1, 0), "step": 1,
                         "name": "As of (step through the days the web changes) "},
            },
            {"name": "as_of_text", "value": "As of "},  # a reader's text: :func:`localize` translates it
            {"name": "as_of_date", "update": "length(dates) ? dates[as_of_step] : ''"},
            {
                "name": "kind_filter",
                "value": "all",
                "bind": {"input": "select", "options": ["all", *kinds],
                         "labels": ["every kind", *[k.replace("_", " ") for k in kinds]], "name": "Deal kind "},
            },
            {
                "name": "public_filter",
                "value": "all",
                "bind": {"input": "select", "options": ["all", "public_private", "private"],
                         "labels": ["all deals", "with a public party", "among firms only"],
                         "name": "Public-private "},
            },
        ],
        "data": [
            {"name": "node-data", "values": node_values},
            {"name": "link-data", "values": link_values},
            {"name": "shown-links", "source": "link-data", "transform": [{"type": "filter", "expr": shown}]},
            {
                "name": "money-kinds",
                "source": "link-data",
                "transform": [{"type": "filter", "expr": "datum.relation === 'money'"}],
            },
            {
                "name": "shown-ends",
                "source": "shown-links",
                "transform": [
                    {"type": "fold", "fields": ["s_id", "t_id"]},
                    {"type": "aggregate", "groupby": ["value"]},
                ],
            },
        ],
        "scales": [
            {
                "name": "color",
                "type": "ordinal",
                "domain": {"data": "node-data", "field": "layer", "sort": True},
                "range": {"scheme": "category10"},
            },
            {
                "name": "kind",
                "type": "ordinal",
                "domain": {"data": "money-kinds", "field": "kind", "sort": True},
                "range": {"scheme": "category20"},
            },
            {
                "name": "size",
                "type": "sqrt",
                "domain": {"data": "node-data", "field": "usd"},
                "range": [60, 700],
                "zero": True,
            },
        ],
        "legends": [
            {"fill": "color", "title": "Layer", "orient": "right"},
            {"stroke": "kind", "title": "Deal kind (money edges)", "orient": "right", "symbolType": "stroke"},
        ],
        "marks": [
            {
                "name": "nodes",
                "type": "symbol",
                "zindex": 1,
                "from": {"data": "node-data"},
                "encode": {
                    "enter": {
                        "fill": {"scale": "color", "field": "layer"},
                        "size": {"scale": "size", "field": "usd"},
                        "tooltip": {"signal": "datum.name + ' (' + datum.layer + ')'"},
                        "cursor": {"value": "pointer"},
                    },
                    "update": {
                        "stroke": {"signal": "datum.on_loop ? '#d62728' : 'white'"},
                        "strokeWidth": {"signal": "datum.on_loop ? 2.5 : 1"},
                        "opacity": {"signal": "indata('shown-ends', 'value', datum.id) ? 1 : 0.08"},
                        "href": {"signal": f"replace(entity_href, '{LINK_KEY}', datum.id)"},
                    },
                },
                "transform": [
                    {
                        "type": "force",
                        "signal": "force",
                        "iterations": 300,
                        "static": {"signal": "static"},
                        "forces": [
                            {"force": "center", "x": 380, "y": 300},
                            {"force": "collide", "radius": 16},
                            {"force": "nbody", "strength": -90, "distanceMax": 300},
                            {"force": "link", "links": "link-data", "distance": 70},
                            {"force": "x", "x": "datum.focus_x", "strength": 0.045},
                            {"force": "y", "y": "datum.focus_y", "strength": 0.075},
                        ],
                    }
                ],
            },
            {
                "name": "links",
                "type": "path",
                "from": {"data": "link-data"},
                "encode": {
                    "update": {
                        "stroke": {"signal": "datum.relation === 'money' ? scale('kind', datum.kind) : '#999'"},
                        "strokeWidth": {
                            "signal": f"!({shown}) ? 0 : loop === 0 ? ({on_any} ? 3 : 1) : ({chosen} ? 4 : 0.6)"
                        },
                        "strokeOpacity": {"signal": f"!({shown}) ? 0 : loop === 0 || {chosen} ? 0.9 : 0.25"},
                        "strokeDash": {
                            "signal": "datum.relation === 'ownership' ? [4, 3] : datum.relation === 'facility' ? "
                            "[1, 3] : [1, 0]"
                        },
                        "tooltip": {
                            "signal": "datum.ends + ': ' + replace(datum.kind, /_/g, ' ')"
                            " + (datum.status ? ' (' + replace(datum.status, /_/g, ' ') + ')' : '')"
                        },
                        "href": {
                            "signal": f"datum.deal_id ? replace(deal_href, '{LINK_KEY}', datum.deal_id) : "
                            "datum.source_url"
                        },
                        "cursor": {"value": "pointer"},
                    }
                },
                "transform": [
                    {
                        "type": "linkpath",
                        "require": {"signal": "force"},
                        "shape": "line",
                        "sourceX": "datum.source.x",
                        "sourceY": "datum.source.y",
                        "targetX": "datum.target.x",
                        "targetY": "datum.target.y",
                    }
                ],
            },
            {
                "name": "arrows",
                "type": "symbol",
                "from": {"data": "links"},
                "interactive": False,
                "encode": {
                    "update": {
                        "shape": {"value": "triangle-right"},
                        "size": {"value": 48},
                        "x": {"signal": f"{edge}.source.x + 0.62 * ({edge}.target.x - {edge}.source.x)"},
                        "y": {"signal": f"{edge}.source.y + 0.62 * ({edge}.target.y - {edge}.source.y)"},
                        "angle": {
                            "signal": f"atan2({edge}.target.y - {edge}.source.y, {edge}.target.x - {edge}.source.x)"
                            " * 180 / PI"
                        },
                        "fill": {"signal": f"{edge}.relation === 'money' ? scale('kind', {edge}.kind) : '#999'"},
                        "opacity": {"signal": "datum.strokeOpacity"},
                    }
                },
            },
            {
                "name": "labels",
                "type": "text",
                "from": {"data": "nodes"},
                "zindex": 2,
                "interactive": False,
                "encode": {
                    "update": {
                        "text": {"signal": "datum.opacity === 1 ? datum.datum.name : ''"},
                        "fontSize": {"value": 10},
                        "fill": {"value": "#222"},
                    }
                },
                "transform": [
                    {
                        "type": "label",
                        "size": {"signal": "[width, height]"},
                        "sort": {"field": "datum.datum.usd", "order": "descending"},
                        "anchor": ["right", "left", "top", "bottom", "top-right", "bottom-right", "top-left",
                                   "bottom-left"],
                        "offset": [3, 3, 2, 2, 2, 2, 2, 2],
                    }
                ],
            },
            {
                "type": "text",
                "interactive": False,
                "encode": {
                    "update": {
                        "x": {"signal": "width"},
                        "y": {"value": -8},
                        "align": {"value": "right"},
                        "text": {"signal": "as_of_date ? as_of_text + as_of_date : ''"},
                        "fontSize": {"value": 13},
                        "fontWeight": {"value": "bold"},
                        "fill": {"value": "#333"},
                    }
                },
            },
        ],
    }


def _iso_or_none(value: Any) -> str | None:
    """An ISO date string, or None for a missing value."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    return str(value)[:10]


#: Tile-grid positions (row, column) of the US states, DC and Puerto Rico: one equal square per jurisdiction,
#: placed roughly where it lies on a map (a layout, not data).
STATE_TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (0, 10),
    "WI": (1, 5), "VT": (1, 9), "NH": (1, 10),
    "WA": (2, 0), "ID": (2, 1), "MT": (2, 2), "ND": (2, 3), "MN": (2, 4), "IL": (2, 5), "MI": (2, 6),
    "NY": (2, 8), "MA": (2, 9),
    "OR": (3, 0), "NV": (3, 1), "WY": (3, 2), "SD": (3, 3), "IA": (3, 4), "IN": (3, 5), "OH": (3, 6),
    "PA": (3, 7), "NJ": (3, 8), "CT": (3, 9), "RI": (3, 10),
    "CA": (4, 0), "UT": (4, 1), "CO": (4, 2), "NE": (4, 3), "MO": (4, 4), "KY": (4, 5), "WV": (4, 6),
    "VA": (4, 7), "MD": (4, 8), "DE": (4, 9),
    "AZ": (5, 1), "NM": (5, 2), "KS": (5, 3), "AR": (5, 4), "TN": (5, 5), "NC": (5, 6), "SC": (5, 7),
    "DC": (5, 8),
    "OK": (6, 3), "LA": (6, 4), "MS": (6, 5), "AL": (6, 6), "GA": (6, 7),
    "HI": (7, 0), "TX": (7, 3), "FL": (7, 8), "PR": (7, 10),
}  # fmt: skip



def _pick(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The fields a chart needs from JSON records (specs below are plain Vega-Lite: no Altair round trip)."""
    return [{f: r.get(f) for f in fields} for r in rows]


def state_grid(states: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """A tile grid of US states: colour = AI bills introduced, label = state and introduced / enacted.
    Expects records with state, introduced, enacted; states without a tile position are left to the table."""
    values = []
    for r in states:
        if r["state"] not in STATE_TILES:
            continue
        counts = [str(int(v)) for v in (r.get("introduced"), r.get("enacted")) if v is not None]
        row, col = STATE_TILES[r["state"]]
        values.append(
            {**_pick([r], ("state", "introduced", "enacted"))[0], "row": row, "col": col, "label": " / ".join(counts)}
        )
    xy = {
        "x": {"field": "col", "type": "ordinal", "axis": None},
        "y": {"field": "row", "type": "ordinal", "axis": None},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "usermeta": {"fixed_width": True},  # a tile map: the dashboard scales it on phones rather than refit it
        "width": 44 * 11,
        "height": 44 * 8,
        "data": {"values": values},
        "encoding": xy,
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "white"},
                "encoding": {
                    "color": {
                        "field": "introduced",
                        "type": "quantitative",
                        "title": "Introduced",
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": [
                        _tip(f, t)
                        for f, t in (("state", "nominal"), ("introduced", "quantitative"), ("enacted", "quantitative"))
                    ],
                },
            },
            {"mark": {"type": "text", "dy": -7, "fontWeight": "bold"}, "encoding": {"text": {"field": "state"}}},
            {"mark": {"type": "text", "dy": 7, "fontSize": 9}, "encoding": {"text": {"field": "label"}}},
        ],
    }


def topics_over_time(topics: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """AI bills per year and topic (a bill counts once per topic it matched), one line per topic."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 480,
        "height": 240,
        "data": {"values": _pick(topics, ("year", "topic", "bills"))},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year"},
            "y": {"field": "bills", "type": "quantitative", "title": "AI bills"},
            "color": {"field": "topic", "type": "nominal", "title": "Topic"},
            "tooltip": [_tip("year", "ordinal"), _tip("topic", "nominal"), _tip("bills", "quantitative")],
        },
    }


def money_timeline(
    rows: list[dict[str, Any]],
    title: str,
    events: list[dict[str, Any]] | None = None,
    races: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Committee money by date (log scale, USD): colour = committee; pledges are hollow triangles, reported
    money filled marks (circle filed, square announced by the committee, diamond press report), so the two
    never look alike. Rows without a figure are left to the table. ``events`` (records of
    :func:`marketpower.politics.policy.policy_timeline`) are vertical rules on the same date axis, solid for
    federal and dashed for state events, labelled with their ``number`` at the top. ``races`` (records of
    :func:`marketpower.politics.races.race_spending`) are black crosses on election day at the committee's
    money for plus against the candidate, labelled state-district."""
    fields = ("date", "committee", "kind", "scope", "record", "amount_usd", "qualifier")
    values = _pick([r for r in rows if r["amount_usd"] is not None], fields)
    tooltip = (
        [_tip("date", "temporal")]
        + [_tip(f, "nominal") for f in ("committee", "kind", "scope", "record", "qualifier")]
        + [_tip("amount_usd", "quantitative", "$,.3~s")]
    )
    x = {"field": "date", "type": "temporal", "title": "Date (end of the period covered; day of the event)"}
    money_encoding = {
        "x": x,
        "y": {
            "field": "amount_usd",
            "type": "quantitative",
            "title": "USD",
            "scale": {"type": "log"},
            "axis": {"format": "~s"},
        },
        "color": {"field": "committee", "type": "nominal", "title": "Committee"},
        "shape": {
            "field": "record",
            "type": "nominal",
            "title": "Record",
            "scale": {
                "domain": ["pledge", "filing", "announcement", "press_report"],
                "range": ["triangle-up", "circle", "square", "diamond"],
            },
        },
        "tooltip": tooltip,
    }
    layers: list[dict[str, Any]] = [
        {
            "transform": [{"filter": "datum.record === 'pledge'"}],
            "mark": {"type": "point", "size": 110, "filled": False, "strokeWidth": 2},
            "encoding": money_encoding,
        },
        {
            "transform": [{"filter": "datum.record !== 'pledge'"}],
            "mark": {"type": "point", "size": 90, "filled": True, "opacity": 0.9},
            "encoding": money_encoding,
        },
    ]
    if events:
        event_data = {"values": _pick(events, ("number", "date", "jurisdiction", "level", "kind", "title"))}
        layers += [
            {
                "data": event_data,
                "mark": {"type": "rule", "color": "#666", "strokeWidth": 1},
                "encoding": {
                    "x": x,
                    "strokeDash": {
                        "field": "level",
                        "type": "nominal",
                        "title": "Preemption debate",
                        "scale": {"domain": ["federal", "state"], "range": [[1, 0], [4, 3]]},
                    },
                    "tooltip": [_tip("number", "ordinal", title="#"), _tip("date", "temporal")]
                    + [_tip(f, "nominal") for f in ("jurisdiction", "kind", "title")],
                },
            },
            {
                "data": event_data,
                "mark": {"type": "text", "dy": -4, "fontSize": 9, "color": "#444"},
                "encoding": {"x": x, "y": {"value": 0}, "text": {"field": "number", "type": "ordinal"}},
            },
        ]
    if races:
        layers += _race_layers(races, x)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 520,
        "height": 260,
        "data": {"values": values},
        "layer": layers,
    }


def _race_layers(races: list[dict[str, Any]], x: dict[str, Any]) -> list[dict[str, Any]]:
    """Races of :func:`money_timeline`: one cross per candidate and committee with quantified money."""
    values = []
    for r in races:
        amount = sum(v for v in (r.get("support_usd"), r.get("oppose_usd")) if v is not None)
        if amount > 0:
            race = f"{r['state']}-{r['district']}" if r.get("district") else str(r["state"])
            side = "for" if r.get("support_usd") else "against"
            values.append({"date": r["election_date"], "amount_usd": amount, "race": race,
                           "candidate": r["candidate"], "committee": r["committee_name"], "side": side,
                           "result": r.get("result") or "pending"})
    if not values:
        return []
    encoding = {"x": x, "y": {"field": "amount_usd", "type": "quantitative"}}
    return [
        {
            "data": {"values": values},
            "mark": {"type": "point", "shape": "cross", "size": 120, "filled": True, "color": "black"},
            "encoding": {
                **encoding,
                "tooltip": [_tip(f, "nominal") for f in ("race", "candidate", "committee", "side", "result")]
                + [_tip("date", "temporal", title="Election day"), _tip("amount_usd", "quantitative", "$,.3~s")],
            },
        },
        {
            "data": {"values": values},
            "mark": {"type": "text", "dx": 8, "align": "left", "fontSize": 9, "color": "black"},
            "encoding": {**encoding, "text": {"field": "race", "type": "nominal"}},
        },
    ]


def tornado(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Tornado chart of a one-at-a-time sensitivity sweep: per assumption, a bar from the output at the
    assumption's low value to the output at its high value, the central output as a dashed rule; largest swing
    on top. Expects records with assumption, output_at_low, output_at_high, output_central, swing."""
    values = _pick(rows, ("assumption", "output_at_low", "output_at_high", "output_central", "swing"))
    order = [r["assumption"] for r in sorted(values, key=lambda r: -r["swing"])]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 420,
        "height": max(80, 24 * len(values)),
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "height": 14},
                "encoding": {
                    "y": {"field": "assumption", "type": "nominal", "sort": order, "title": None},
                    "x": {
                        "field": "output_at_low",
                        "type": "quantitative",
                        "title": "Output",
                        "axis": {"format": "~s"},
                    },
                    "x2": {"field": "output_at_high"},
                    "tooltip": [_tip("assumption", "nominal")]
                    + [_tip(f, "quantitative", ",.4~g") for f in ("output_at_low", "output_at_high", "swing")],
                },
            },
            {
                "mark": {"type": "rule", "color": "black", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "output_central", "type": "quantitative"}},
            },
        ],
    }


def private_vs_public(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the value sits: private model makers' latest valuations next to each layer's summed market caps
    (USD), coloured by private / public."""
    values = _pick([r for r in rows if r.get("amount_usd") is not None], ("label", "group", "amount_usd", "date"))
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Private valuations and listed market value by layer (USD)",
        "width": 480,
        "height": max(120, 22 * len(values)),
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "amount_usd", "type": "quantitative", "title": "USD", "axis": {"format": "~s"}},
            "color": {"field": "group", "type": "nominal", "title": None},
            "tooltip": [_tip(f, "nominal") for f in ("label", "group", "date")]
            + [_tip("amount_usd", "quantitative", "$,.3~s")],
        },
    }


#: Data fields whose values the charts show as text and that no filter or scale domain of a spec refers to:
#: :func:`localize` translates them in the data (market names, layers, coded kinds, series and bounds).
SHOWN_FIELDS = (
    "market", "layer", "bound", "series", "group", "kind", "label", "status", "scope", "qualifier", "side", "result",
    "topic", "title",
)
#: Coded fields a spec refers to (filters, fixed scale domains), with their codes: translated in the legend only.
LEGEND_ONLY_FIELDS = {"record": ("pledge", "filing", "announcement", "press_report"), "level": ("federal", "state")}
#: d3 number formats per language (US dollars stay dollars in French: "12,5 G$").
FORMAT_LOCALES: dict[str, dict[str, Any]] = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
    "fr": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0$"]},
}
#: d3 time formats per language (vl-convert's built-in locale names).
TIME_LOCALES: dict[str, Any] = {"en": "en-US", "fr": "fr-FR"}
#: The same time formats as d3 definitions, for the browser's charts (vega-embed's ``timeFormatLocale``; English
#: is Vega's default). French dates in tooltips read "14 mai 2025" (:data:`TOOLTIP_DATE_FORMATS`).
TIME_FORMAT_LOCALES: dict[str, dict[str, Any] | None] = {
    "en": None,
    "fr": {
        "dateTime": "%A %e %B %Y à %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                   "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
                        "déc."],
    },
}  # fmt: skip
#: The format of a date in a tooltip, per language where Vega's default ("May 14, 2025") does not fit.
TOOLTIP_DATE_FORMATS = {"fr": "%-d %B %Y"}


def localize(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """``spec`` with its titles, axis and legend titles and shown names in ``lang`` (a new dict; English specs
    are returned as they are). Coded values a spec filters on keep their code and get a translated legend."""
    if lang == "en":
        return spec

    def shown(value: Any, field: str) -> Any:
        if not isinstance(value, str):
            return value
        return chart_label(value, lang) if field in ("market", "label", "title") else VALUE_LABELS_FR.get(value, value)

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, list):
            return [walk(item, key) for item in node]
        if not isinstance(node, dict):
            return chart_label(node, lang) if key == "title" and isinstance(node, str) else node
        out = {k: walk(v, k) for k, v in node.items()}
        if key in ("data", "") and isinstance(out.get("values"), list):
            out["values"] = [
                {f: shown(v, f) if f in SHOWN_FIELDS else v for f, v in row.items()} if isinstance(row, dict) else row
                for row in out["values"]
            ]
        if out.get("field") in LEGEND_ONLY_FIELDS and key not in ("x", "y", "text", "tooltip"):
            labels = {code: VALUE_LABELS_FR[code] for code in LEGEND_ONLY_FIELDS[out["field"]]}
            out["legend"] = {**out.get("legend", {}), "labelExpr": f"{json.dumps(labels)}[datum.label] || datum.label"}
        if key == "tooltip" and out.get("type") == "temporal" and "format" not in out and lang in TOOLTIP_DATE_FORMATS:
            out["format"] = TOOLTIP_DATE_FORMATS[lang]
        if key == "bind":
            out["name"] = chart_label(str(out.get("name", "")), lang)
            out["labels"] = [chart_label(str(label), lang) for label in out.get("labels", [])]
        if str(out.get("name", "")).endswith("_text") and isinstance(out.get("value"), str):
            out["value"] = chart_label(out["value"], lang)  # a signal that holds a reader's text
        if "mark" in out and isinstance(out.get("encoding", {}).get("tooltip"), list):
            out = _tooltip_labels(out)
        return out

    localized: dict[str, Any] = walk(spec)
    return localized


def _tooltip_labels(unit: dict[str, Any]) -> dict[str, Any]:
    """A French unit spec whose tooltip shows a coded field the spec filters on (:data:`LEGEND_ONLY_FIELDS`):
    the tooltip shows a ``<field>_label`` computed from the French labels, the data keep their codes."""
    coded = [t for t in unit["encoding"]["tooltip"] if t.get("field") in LEGEND_ONLY_FIELDS]
    if not coded:
        return unit
    tooltip = [{**t, "field": f"{t['field']}_label"} if t in coded else t for t in unit["encoding"]["tooltip"]]
    labels = [
        {
            "calculate": f"{json.dumps({c: VALUE_LABELS_FR[c] for c in LEGEND_ONLY_FIELDS[t['field']]})}"
            f"[datum.{t['field']}] || datum.{t['field']}",
            "as": f"{t['field']}_label",
        }
        for t in coded
    ]
    encoding = {**unit["encoding"], "tooltip": tooltip}
    return {**unit, "transform": [*unit.get("transform", []), *labels], "encoding": encoding}


def to_svg(spec: dict[str, Any], lang: str, signals: dict[str, Any] | None = None) -> str:
    """The static image of a spec (Vega-Lite, or Vega for the deal web) as SVG text, drawn offline by
    vl-convert with the number and date formats of ``lang``; ``signals`` overrides signal values first (as the
    pages' script does: link patterns)."""
    import vl_convert

    if signals:
        spec = {
            **spec,
            "signals": [{**s, "value": signals[s["name"]]} if s["name"] in signals else s for s in spec["signals"]],
        }
    numbers, dates = FORMAT_LOCALES[lang], TIME_LOCALES[lang]
    if "vega-lite" in str(spec.get("$schema", VEGA_LITE_SCHEMA)):
        svg: str = vl_convert.vegalite_to_svg(
            spec, vl_version=VEGA_LITE_VERSION, format_locale=numbers, time_format_locale=dates
        )
    else:
        svg = vl_convert.vega_to_svg(_without_label_layout(spec), format_locale=numbers, time_format_locale=dates)
    return svg


def _without_label_layout(spec: dict[str, Any]) -> dict[str, Any]:
    """A Vega spec less its marks placed by the ``label`` transform (non-overlapping labels): that layout
    measures text on a browser canvas, which the offline renderer lacks, so the static image leaves those labels
    out (the interactive chart and the table keep them)."""
    marks = [m for m in spec.get("marks", []) if not any(t.get("type") == "label" for t in m.get("transform", []))]
    return {**spec, "marks": marks} if len(marks) != len(spec.get("marks", [])) else spec
