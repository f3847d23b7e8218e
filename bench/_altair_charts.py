"""The baseline of ``bench_report.py``: the five charts as marketpower built them with Altair before the specs
became plain dictionaries (publish/charts.py), kept verbatim for timing the two side by side (needs the ``dev``
extra's Altair)."""

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
