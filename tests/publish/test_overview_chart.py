"""The overview's HHI chart draws one bar per market (never a stack of a market's series): each bar's length
is that market's HHI, within the 0-10,000 scale."""

from __future__ import annotations

import pytest

from marketpower.api import Context
from marketpower.publish import pages
from marketpower.store import Store


def test_one_bar_per_market_within_the_scale(aistack: Store) -> None:
    ctx = Context(aistack)
    latest = pages.latest_per_market(ctx.concentration)
    spec = pages.overview_page(ctx)["charts"]["hhi_by_market"]
    rows = spec["data"]["values"]
    markets = [r["market"] for r in rows]
    assert len(markets) == len(set(markets)) == latest["market_id"].nunique()
    assert max(r["hhi_high"] for r in rows) <= 10_000
    bars = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type", layer.get("mark")) == "bar"]
    assert all(layer["encoding"]["x"].get("stack") is None and "stack" in layer["encoding"]["x"] for layer in bars)
    # a market with two series in its latest year is drawn once, at one series' own HHI
    several = latest.groupby("market_id").size()
    for market_id in several[several > 1].index:
        own = latest[latest["market_id"] == market_id]
        drawn = next(r for r in rows if r["market"] == own["market"].iloc[0])
        assert any(
            drawn["hhi_high"] == pytest.approx(float(v), abs=1e-9) for v in own["hhi_high"]
        )
