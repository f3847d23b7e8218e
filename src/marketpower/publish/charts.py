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
    spec: dict[str, Any] = chart.to_dict()
    return spec


def hhi_by_market(table: pd.DataFrame, title: str) -> dict[str, Any]:
    """HHI range (low to high bound) per market, with the 1,800 (US 2023) and 2,500 (US 2010) thresholds."""
    data = table[["market", "hhi_low", "hhi_high"]].copy()
    base = alt.Chart(data, title=title)
    bars = base.mark_bar(opacity=0.35).encode(
        y=alt.Y("market:N", sort="-x", title=None), x=alt.X("hhi_high:Q", title="HHI (0–10,000)"),
        tooltip=["market:N", alt.Tooltip("hhi_low:Q", format=",.0f"), alt.Tooltip("hhi_high:Q", format=",.0f")],
    )
    low = base.mark_bar().encode(y=alt.Y("market:N", sort="-x"), x="hhi_low:Q")
    rules = alt.Chart(pd.DataFrame({"threshold": [1800, 2500]})).mark_rule(strokeDash=[4, 4]).encode(x="threshold:Q")
    spec: dict[str, Any] = (bars + low + rules).properties(width=480, height=max(120, 22 * len(data))).to_dict()
    return spec


def hhi_trend(trend: pd.DataFrame, title: str) -> dict[str, Any]:
    """HHI low/high bounds by year (one line per series)."""
    data = trend[["year", "series", "hhi_low", "hhi_high"]].copy()
    data["series"] = data["series"].replace("", "main")
    long = data.melt(id_vars=["year", "series"], value_vars=["hhi_low", "hhi_high"], var_name="bound",
                     value_name="hhi")
    chart = (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year"), y=alt.Y("hhi:Q", title="HHI (0–10,000)"),
            color=alt.Color("series:N"), strokeDash=alt.StrokeDash("bound:N"),
            tooltip=["year:O", "series:N", "bound:N", alt.Tooltip("hhi:Q", format=",.0f")],
        )
        .properties(width=420, height=220)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
