"""Vega-Lite chart specifications (built with Altair), each paired by the pages with a table alternative."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd


def shares_over_time(shares: pd.DataFrame, title: str) -> dict[str, Any]:
    """Stacked bars of market shares (fractions) by year, one colour per firm. Expects columns
    year, entity, share, series."""
    data = shares[["year", "entity", "share", "series"]].dropna(subset=["share"]).copy()
    data["series"] = data["series"].fillna("").replace("", "main")
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("sum(share):Q", title="Share of market", axis=alt.Axis(format="%")),
            color=alt.Color("entity:N", title="Firm", sort="-y"),
            column=alt.Column("series:N", title="Series") if data["series"].nunique() > 1 else alt.Undefined,
            tooltip=["year:O", "entity:N", alt.Tooltip("share:Q", format=".1%"), "series:N"],
        )
        .properties(width=260, height=220)
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def hhi_by_market(table: pd.DataFrame, title: str) -> dict[str, Any]:
    """HHI range (low to high bound) per market, with the 1,800 (US 2023) and 2,500 (US 2010) thresholds."""
    data = table[["market", "hhi_low", "hhi_high"]].copy()
    base = alt.Chart(data, title=title)
    bars = base.mark_bar(opacity=0.35).encode(
        y=alt.Y("market:N", sort="-x", title=None),
        x=alt.X("hhi_high:Q", title="HHI (0–10,000)", stack=None, scale=alt.Scale(domain=[0, 10_000])),
        tooltip=["market:N", alt.Tooltip("hhi_low:Q", format=",.0f"), alt.Tooltip("hhi_high:Q", format=",.0f")],
    )
    low = base.mark_bar().encode(y=alt.Y("market:N", sort="-x"), x=alt.X("hhi_low:Q", stack=None))
    rules = alt.Chart(pd.DataFrame({"threshold": [1800, 2500]})).mark_rule(strokeDash=[4, 4]).encode(x="threshold:Q")
    layered = (bars + low + rules).properties(width=480, height=max(120, 22 * len(data)))
    spec: dict[str, Any] = layered.to_dict(validate=False)
    return spec


def hhi_trend(trend: pd.DataFrame, title: str) -> dict[str, Any]:
    """HHI low/high bounds by year (one line per series)."""
    data = trend[["year", "series", "hhi_low", "hhi_high"]].copy()
    data["series"] = data["series"].replace("", "main")
    long = data.melt(id_vars=["year", "series"], value_vars=["hhi_low", "hhi_high"], var_name="bound", value_name="hhi")
    chart = (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("hhi:Q", title="HHI (0–10,000)"),
            color=alt.Color("series:N"),
            strokeDash=alt.StrokeDash("bound:N"),
            tooltip=["year:O", "series:N", "bound:N", alt.Tooltip("hhi:Q", format=",.0f")],
        )
        .properties(width=420, height=220)
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def layer_hhi_trend(history: pd.DataFrame, layer: str) -> dict[str, Any]:
    """HHI by year for every market-series of one layer (upper bound solid; the table gives both bounds)."""
    data = history[["market", "series", "year", "period", "hhi_low", "hhi_high"]].copy()
    data["line"] = data["market"] + data["series"].map(lambda s: f" ({s})" if s else "")
    data["when"] = data["year"].astype(str) + data["period"].map(lambda p: f" {p}" if p else "")
    chart = (
        alt.Chart(data, title=layer)
        .mark_line(point=True)
        .encode(
            x=alt.X("when:O", title="Year", sort="ascending"),
            y=alt.Y("hhi_high:Q", title="HHI, upper bound (0–10,000)"),
            color=alt.Color("line:N", title="Market"),
            tooltip=[
                "line:N",
                "when:O",
                alt.Tooltip("hhi_low:Q", format=",.0f"),
                alt.Tooltip("hhi_high:Q", format=",.0f"),
            ],
        )
        .properties(width=480, height=240)
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def value_by_layer(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """Market value gained (US dollars) by layer of the stack, one bar per layer."""
    data = pd.DataFrame(layers)[["layer", "change_usd"]].dropna()
    chart = (
        alt.Chart(data, title="Market value gained by layer (USD)")
        .mark_bar()
        .encode(
            y=alt.Y("layer:N", sort="-x", title=None),
            x=alt.X("change_usd:Q", title="USD", axis=alt.Axis(format="~s")),
            tooltip=["layer:N", alt.Tooltip("change_usd:Q", format="$,.3~s")],
        )
        .properties(width=480, height=max(120, 24 * len(data)))
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


#: Placeholder that the pages replace with an entity or deal id in the chart's link patterns (``entity_href``,
#: ``deal_href`` signals), so one spec serves the dashboard (``/entities/KEY``) and the report (``entity-KEY.html``).
LINK_KEY = "KEY"


def network(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    loops: list[dict[str, Any]],
    loops_of: dict[str, list[int]],
    source_urls: dict[str, str],
) -> dict[str, Any]:
    """A force-directed Vega graph of the deal web: nodes coloured by layer (ringed in red when on a money
    loop), money edges coloured by deal kind, ownership edges grey and dashed; edges on a money loop drawn
    thick, and a selector that isolates one loop. Clicking a node opens its entity page, a money edge its deal
    page, an ownership edge its source. Written in Vega (Vega-Lite has no force layout); the page's edge table
    is its text alternative. ``loops`` are the ranked loops (rank, firms, names), ``loops_of`` maps a deal id to the
    ranks of the loops it is a leg of, ``source_urls`` a source id to its URL."""
    index = {node_id: i for i, node_id in enumerate(nodes["id"])}
    on_loop = {f for lp in loops for f in lp["firms"]}
    node_values = [
        {
            "index": i,
            "id": r["id"],
            "name": r.get("name") or r["id"],
            "layer": r.get("layer") or "other",
            "on_loop": r["id"] in on_loop,
        }
        for i, r in enumerate(nodes.to_dict("records"))
    ]
    link_values = []
    for r in edges.to_dict("records"):
        if r["source"] not in index or r["target"] not in index:
            continue
        deal_id = r.get("deal_id") if isinstance(r.get("deal_id"), str) else None
        money = r["relation"] == "money"
        link_values.append(
            {
                "source": index[r["source"]],
                "target": index[r["target"]],
                "relation": r["relation"],
                "kind": r["kind"] if money else "ownership",
                "deal_id": deal_id,
                "source_url": source_urls.get(str(r.get("source_id")), ""),
                "loops": loops_of.get(deal_id, []) if deal_id else [],
                "label": f"{r['source']} → {r['target']}: {str(r['kind']).replace('_', ' ')}",
            }
        )
    loop_options = [0] + [int(lp["rank"]) for lp in loops]
    loop_labels = ["every loop"] + [f"#{lp['rank']}: " + " → ".join(lp["names"]) for lp in loops]
    chosen = "indexof(datum.loops, loop) >= 0"
    on_any = "length(datum.loops) > 0"
    return {
        "$schema": "https://vega.github.io/schema/vega/v5.json",
        "width": 760,
        "height": 560,
        "autosize": "none",
        "signals": [
            {"name": "static", "value": True},
            {"name": "entity_href", "value": f"/entities/{LINK_KEY}"},
            {"name": "deal_href", "value": f"/deals/{LINK_KEY}"},
            {
                "name": "loop",
                "value": 0,
                "bind": {"input": "select", "options": loop_options, "labels": loop_labels, "name": "Money loop "},
            },
        ],
        "data": [{"name": "node-data", "values": node_values}, {"name": "link-data", "values": link_values}],
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
                "domain": {"data": "link-data", "field": "kind", "sort": True},
                "range": {"scheme": "category20"},
            },
        ],
        "legends": [
            {"fill": "color", "title": "Layer", "orient": "top-left"},
            {"stroke": "kind", "title": "Deal kind (edges)", "orient": "bottom-left", "symbolType": "stroke"},
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
                        "size": {"value": 140},
                        "tooltip": {"signal": "datum.name + ' (' + datum.layer + ')'"},
                        "cursor": {"value": "pointer"},
                    },
                    "update": {
                        "stroke": {"signal": "datum.on_loop ? '#d62728' : 'white'"},
                        "strokeWidth": {"signal": "datum.on_loop ? 2.5 : 1"},
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
                            {"force": "center", "x": 380, "y": 280},
                            {"force": "collide", "radius": 9},
                            {"force": "nbody", "strength": -40},
                            {"force": "link", "links": "link-data", "distance": 45},
                        ],
                    }
                ],
            },
            {
                "type": "path",
                "from": {"data": "link-data"},
                "encode": {
                    "update": {
                        "stroke": {"signal": "datum.relation === 'ownership' ? '#999' : scale('kind', datum.kind)"},
                        "strokeWidth": {"signal": f"loop === 0 ? ({on_any} ? 3 : 1) : ({chosen} ? 4 : 0.6)"},
                        "strokeOpacity": {"signal": f"loop === 0 || {chosen} ? 0.9 : 0.25"},
                        "strokeDash": {"signal": "datum.relation === 'ownership' ? [4, 3] : [1, 0]"},
                        "tooltip": {"signal": "datum.label"},
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
                "type": "text",
                "from": {"data": "nodes"},
                "zindex": 2,
                "interactive": False,
                "encode": {
                    "update": {
                        "x": {"field": "x", "offset": 8},
                        "y": {"field": "y", "offset": 3},
                        "text": {"field": "datum.name"},
                        "fontSize": {"value": 9},
                        "fill": {"value": "#333"},
                    }
                },
            },
        ],
    }


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


VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


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
                        {"field": f, "type": t}
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
            "tooltip": [
                {"field": "year", "type": "ordinal"},
                {"field": "topic", "type": "nominal"},
                {"field": "bills", "type": "quantitative"},
            ],
        },
    }


def money_timeline(
    rows: list[dict[str, Any]], title: str, events: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Committee money by date (log scale, USD): colour = committee; pledges are hollow triangles, reported
    money filled marks (circle filed, square announced by the committee, diamond press report), so the two
    never look alike. Rows without a figure are left to the table. ``events`` (records of
    :func:`marketpower.politics.policy.policy_timeline`) are vertical rules on the same date axis, solid for
    federal and dashed for state events, labelled with their ``number`` at the top."""
    fields = ("date", "committee", "kind", "scope", "record", "amount_usd", "qualifier")
    values = _pick([r for r in rows if r["amount_usd"] is not None], fields)
    tooltip = (
        [{"field": "date", "type": "temporal"}]
        + [{"field": f, "type": "nominal"} for f in ("committee", "kind", "scope", "record", "qualifier")]
        + [{"field": "amount_usd", "type": "quantitative", "format": "$,.3~s"}]
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
                    "tooltip": [
                        {"field": "number", "type": "ordinal", "title": "#"},
                        {"field": "date", "type": "temporal"},
                        {"field": "jurisdiction", "type": "nominal"},
                        {"field": "kind", "type": "nominal"},
                        {"field": "title", "type": "nominal"},
                    ],
                },
            },
            {
                "data": event_data,
                "mark": {"type": "text", "dy": -4, "fontSize": 9, "color": "#444"},
                "encoding": {"x": x, "y": {"value": 0}, "text": {"field": "number", "type": "ordinal"}},
            },
        ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 520,
        "height": 260,
        "data": {"values": values},
        "layer": layers,
    }


def tornado(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Tornado chart of a one-at-a-time sensitivity sweep: per assumption, a bar from the output at the
    assumption's low value to the output at its high value, the central output as a dashed rule; largest swing
    on top. Expects records with assumption, output_at_low, output_at_high, output_central, swing."""
    values = _pick(rows, ("assumption", "output_at_low", "output_at_high", "output_central", "swing"))
    order = [r["assumption"] for r in sorted(values, key=lambda r: -r["swing"])]
    number = {"type": "quantitative", "format": ",.4~g"}
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
                    "tooltip": [{"field": "assumption", "type": "nominal"}]
                    + [{"field": f, **number} for f in ("output_at_low", "output_at_high", "swing")],
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
            "tooltip": [
                {"field": "label", "type": "nominal"},
                {"field": "group", "type": "nominal"},
                {"field": "date", "type": "nominal"},
                {"field": "amount_usd", "type": "quantitative", "format": "$,.3~s"},
            ],
        },
    }
