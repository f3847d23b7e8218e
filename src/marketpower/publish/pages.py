"""Page models: the data each page shows, used for its HTML, its JSON twin and the static report alike.

Every function takes a :class:`~marketpower.api.Context` and returns plain JSON data (dicts, lists, numbers,
strings). The numbers come from the application layer (:mod:`marketpower.api`); pages only select, sort and
label them, and attach the sources each figure rests on.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import api
from ..api import CHATGPT_RELEASE, SEED_DEALS, WORKED_EXAMPLE_GW, Context, jsonable
from ..api import scenarios as api_scenarios
from ..api.markets import highly_concentrated
from ..errors import InvalidInputError, NotFoundError
from ..schema.market import OTHERS_ID
from . import charts

SEARCH_LIMIT = 50
MAX_QUERY_CHARS = 100


# ------------------------------------------------------------------------------------------------ helpers


#: Order of the parts of a year; a full-year figure ("") counts as the latest of its year.
PERIOD_RANK = {"Q1": 1, "H1": 2, "Q2": 2, "Q3": 3, "H2": 4, "Q4": 4, "": 5}


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(_rank=table["year"].astype(int) * 10 + table["period"].fillna("").map(PERIOD_RANK).fillna(0))


def latest_per_market(table: pd.DataFrame) -> pd.DataFrame:
    """The latest row of each (market, series): latest year, and within it the full year or else the latest
    quarter or half."""
    if table.empty:
        return table
    ranked = _ranked(table)
    idx = ranked.groupby(["market_id", "series"])["_rank"].idxmax()
    return table.loc[idx].sort_values(["layer", "market_id", "series"]).reset_index(drop=True)


def one_per_market(latest: pd.DataFrame) -> pd.DataFrame:
    """One row per market of :func:`latest_per_market`'s rows (one per market and series): the latest year, in
    it the full year or else the latest quarter or half (as the screening snapshot takes it), and among series
    of that same snapshot the first by name, so a chart draws one bar per market, never a stack of series."""
    if latest.empty:
        return latest
    ranked = _ranked(latest).sort_values(["market_id", "_rank", "series"], ascending=[True, False, True])
    return ranked.drop_duplicates("market_id").drop(columns="_rank").reset_index(drop=True)


def trend_direction(low_change: Any, high_change: Any) -> str | None:
    """ "up" when both HHI bounds rose from the previous year of the series, "down" when both fell, "flat"
    otherwise; None without a previous year."""
    if low_change is None or high_change is None or pd.isna(low_change) or pd.isna(high_change):
        return None
    if low_change > 0 and high_change > 0:
        return "up"
    if low_change < 0 and high_change < 0:
        return "down"
    return "flat"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return list(jsonable(frame))


def _market_names(ctx: Context) -> dict[str, str]:
    markets = ctx.table("markets")
    return ctx.cached("market_names", lambda: dict(zip(markets["id"], markets["name"], strict=True)))


def _layers_of(ctx: Context) -> dict[str, str]:
    """Entity id -> its layer of the stack (:func:`marketpower.api.layers_of`)."""
    return api.layers_of(ctx)


# ------------------------------------------------------------------------------------------------ overview


def layer_rows(ctx: Context) -> list[dict[str, Any]]:
    """One row per layer: its headline market (latest year, most years of data), leader, HHI, classes, trend."""

    def build() -> list[dict[str, Any]]:
        latest = latest_per_market(ctx.concentration)
        if latest.empty:
            return []
        years = ctx.concentration.groupby(["market_id", "series"])["year"].nunique().rename("years")
        latest = latest.join(years, on=["market_id", "series"])
        rows = []
        for layer, group in latest.groupby("layer", sort=True):
            head = group.sort_values(
                ["year", "years", "market_id", "series"], ascending=[False, False, True, True]
            ).iloc[0]
            trend = ctx.trend(str(head["market_id"]))
            same = trend[
                (trend["series"] == head["series"])
                & (trend["period"] == head["period"])
                & (trend["year"] == head["year"])
            ]
            low_change = same["hhi_low_change"].iloc[0] if len(same) else None
            high_change = same["hhi_high_change"].iloc[0] if len(same) else None
            rows.append(
                {
                    "layer": layer,
                    "markets": int(group["market_id"].nunique()),
                    **{
                        k: head[k]
                        for k in (
                            "market_id",
                            "market",
                            "year",
                            "period",
                            "series",
                            "leader_id",
                            "leader",
                            "leader_share",
                            "hhi_low",
                            "hhi_high",
                            "class_2023",
                            "class_2010",
                            "source_ids",
                        )
                    },
                    "trend": trend_direction(low_change, high_change),
                    "hhi_low_change": low_change,
                    "hhi_high_change": high_change,
                }
            )
        return list(jsonable(rows))

    return ctx.cached("layer_rows", build)


def key_numbers(ctx: Context) -> list[dict[str, Any]]:
    """The few figures that matter most, each with the sources behind it and the page that explains it."""

    def build() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        latest = latest_per_market(ctx.concentration)
        if len(latest):
            count = highly_concentrated(latest, ctx.table("markets"))
            out.append({"id": "highly_concentrated", **count, "unit": "markets", "link": ["markets", None]})
        deals = deals_table(ctx)
        known = [d for d in deals if d["amount"] is not None]
        if known:
            top = max(known, key=lambda d: d["amount"])
            out.append(
                {
                    "id": "largest_deal",
                    "value": top["amount"],
                    "basis": top["amount_basis"],
                    "unit": "USD",
                    "label": f"{top['payer']} → {top['payee']}",
                    "link": ["deals", top["id"]],
                    "source_ids": [top["source_id"]],
                }
            )
        example = worked_example(ctx)
        if example["rows"]:
            fitting = [r for r in example["rows"] if r["verdict"] == "in range"] or example["rows"]
            counts = [r["count_central"] for r in fitting]
            out.append(
                {
                    "id": "worked_example",
                    "value": WORKED_EXAMPLE_GW,
                    "unit": "GW",
                    "low": min(counts),
                    "high": max(counts),
                    "fitting": [r["model"] for r in fitting],
                    "link": ["compute", None],
                    "source_ids": example["source_ids"],
                }
            )
        gains = winners(ctx)
        if gains["total_change_usd"] is not None:
            out.append(
                {
                    "id": "value_gained",
                    "value": gains["total_change_usd"],
                    "unit": "USD",
                    "firms": gains["firms"],
                    "since": CHATGPT_RELEASE,
                    "link": ["winners", None],
                    "source_ids": gains["source_ids"],
                }
            )
        politics = politics_page(ctx)
        for number in politics.get("key_numbers", []):
            out.append(number)
        return out

    return ctx.cached("key_numbers", build)


def common_ownership(ctx: Context) -> dict[str, Any] | None:
    """The κ series kept by ``marketpower kappa-series --db`` (:func:`marketpower.api.stored_kappa_series`): the
    quarters it spans and, for its latest quarter, every pair's κ, largest first; None when none was ingested."""

    def build() -> dict[str, Any] | None:
        series = api.stored_kappa_series(ctx)
        if series is None or series.empty:
            return None
        quarters = sorted(series["quarter"].unique())
        latest = series[series["quarter"] == quarters[-1]].sort_values(["kappa", "firm"], ascending=[False, True])
        return {"first_quarter": quarters[0], "latest_quarter": quarters[-1], "quarters": len(quarters),
                "rows": _records(latest[["firm", "other_firm", "kappa", "investors"]])}  # fmt: skip

    return ctx.cached("common_ownership", build)


def overview_page(ctx: Context) -> dict[str, Any]:
    """The AI stack at a glance: one row per layer, the latest year of every market, the key numbers, and common
    ownership by institutional holders when a κ series was ingested."""

    def build() -> dict[str, Any]:
        latest = latest_per_market(ctx.concentration)
        numbers = key_numbers(ctx)
        layers = layer_rows(ctx)
        ids = [s for r in layers for s in r["source_ids"]] + [s for r in numbers for s in r["source_ids"]]
        ids += [s for ids_ in latest["source_ids"] for s in ids_] if len(latest) else []
        return {
            "page": "overview",
            "layers": layers,
            "key_numbers": numbers,
            "markets": _records(latest),
            "common_ownership": common_ownership(ctx),
            "charts": {
                "hhi_by_market": charts.hhi_by_market(one_per_market(latest), "HHI") if not latest.empty else None
            },
            "sources": ctx.cited(ids),
        }

    return ctx.cached("overview", build)


# ------------------------------------------------------------------------------------------------ markets


def markets_page(ctx: Context) -> list[dict[str, Any]]:
    """Every market-year's concentration: exactly what ``marketpower markets --json`` prints."""
    return ctx.cached("markets", lambda: _records(ctx.concentration))


def layer_ids(ctx: Context) -> list[str]:
    """Every layer a page exists for: the layers of the markets and those entities are placed in
    (``entity_layers``), so every layer an entity page links to resolves."""
    return sorted({str(v) for v in ctx.table("markets")["layer"].dropna()} | set(_layers_of(ctx).values()))


def layer_page(ctx: Context, layer: str) -> dict[str, Any]:
    """One layer: its markets (latest year of each series), the HHI of every market-year over time, and the
    entities placed in it (a layer of ``entity_layers`` may have no market measured yet)."""
    known = layer_ids(ctx)
    if layer not in known:
        raise NotFoundError(f"unknown layer {layer!r} (known: {', '.join(known)})")

    def build() -> dict[str, Any]:
        table = ctx.concentration[ctx.concentration["layer"] == layer]
        latest = latest_per_market(table)
        history = (
            table if table.empty else _ranked(table).sort_values(["market_id", "series", "_rank"]).drop(columns="_rank")
        )
        markets = ctx.table("markets")
        return {
            "page": "layer",
            "layer": layer,
            "markets": _records(markets[markets["layer"] == layer].sort_values("id")),
            "entities": sorted(
                ({"id": e, "name": ctx.name(e)} for e, where in _layers_of(ctx).items() if where == layer),
                key=lambda r: str(r["name"]).lower(),
            ),
            "latest": _records(latest),
            "history": _records(history),
            "charts": {"hhi_trend": charts.layer_hhi_trend(history, layer) if len(history) else None},
            "sources": ctx.cited(s for ids in table["source_ids"] for s in ids),
        }

    return ctx.cached(f"layer:{layer}", build)


def market_page(ctx: Context, market_id: str) -> dict[str, Any]:
    """One market: its definition, every share with its source, the concentration trend, the screening form."""

    def build() -> dict[str, Any]:
        answer = api.market_concentration(ctx, market_id)
        market, rows, trend = answer.market, answer.shares, answer.trend
        return {
            "page": "market",
            "market": market,
            "shares": _records(rows),
            "trend": _records(trend),
            "screening": screening_options(ctx, market_id),
            "charts": {
                "shares_over_time": charts.shares_over_time(rows, market["name"]) if len(rows) else None,
                "hhi_trend": charts.hhi_trend(trend, market["name"]) if len(trend) else None,
            },
            "sources": ctx.cited(sorted(set(rows["source_id"]))),
        }

    return ctx.cached(f"market:{market_id}", build)


def screening_options(ctx: Context, market_id: str) -> dict[str, Any]:
    """What the screening form offers: the snapshot a screen defaults to (:func:`marketpower.api.market_snapshot`:
    latest year, full year when published; the first series when the year has several) and its firms with a
    point share."""
    shares = ctx.market_shares(market_id)
    if shares.empty:
        return {"year": None, "period": "", "series": "", "firms": []}
    latest_year = shares[shares["year"] == shares["year"].max()]
    first_series = sorted(set(latest_year["series"].fillna("")))[0]
    latest = api.market_snapshot(shares, market_id, series=first_series)
    firms = latest[(latest["entity_id"] != OTHERS_ID) & latest["share"].notna()]
    return {
        "year": int(latest["year"].iloc[0]),
        "period": str(latest["period"].iloc[0]),
        "series": str(latest["series"].iloc[0]),
        "firms": [
            {"id": r["entity_id"], "name": r["entity"], "share": r["share"]}
            for r in jsonable(firms.sort_values("share", ascending=False))
        ],
    }


def screen_page(
    ctx: Context,
    market_id: str,
    a: str,
    b: str,
    year: int | None = None,
    period: str | None = None,
    series: str | None = None,
) -> dict[str, Any]:
    """The screening page of a merger of firms ``a`` and ``b`` (:func:`marketpower.api.merger_screen`: by default
    the latest year in which both have a point share), labelled with the market's and the firms' names."""
    if a == b:
        raise InvalidInputError("pick two different firms (a and b are the same)")
    answer = api.merger_screen(ctx, market_id, [a, b], year, period, series)
    rows = answer.rows
    return {
        "page": "screen",
        "market_id": market_id,
        "market": _market_names(ctx).get(market_id, market_id),
        "year": int(rows["year"].iloc[0]),
        "period": str(rows["period"].iloc[0]),
        "series": str(rows["series"].iloc[0]),
        "a": a,
        "b": b,
        "a_name": ctx.name(a),
        "b_name": ctx.name(b),
        "a_share": answer.share_of(a),
        "b_share": answer.share_of(b),
        **jsonable(answer.screen.to_dict()),
        "mhhi": jsonable(answer.mhhi),
        "sources": ctx.cited(sorted(set(rows["source_id"]))),
    }


# ------------------------------------------------------------------------------------------------ entities


def entities_page(ctx: Context) -> list[dict[str, Any]]:
    """Every entity with its kind, country, layer and how many deals, stakes and market shares mention it."""

    def build() -> list[dict[str, Any]]:
        entities = ctx.table("entities")
        deals, stakes, shares = ctx.table("deals"), ctx.table("stakes"), ctx.table("shares")
        counts = {
            "deals": pd.concat([deals["payer_id"], deals["payee_id"]]).value_counts(),
            "stakes": pd.concat([stakes["owner_id"], stakes["target_id"]]).value_counts(),
            "markets": shares.drop_duplicates(["market_id", "entity_id"])["entity_id"].value_counts(),
        }
        layers = _layers_of(ctx)
        out = []
        for rec in jsonable(entities.sort_values("name")):
            rec["layer"] = layers.get(rec["id"])
            for key, series in counts.items():
                rec[key] = int(series.get(rec["id"], 0))
            out.append(rec)
        return out

    return ctx.cached("entities", build)


def entity_page(ctx: Context, entity_id: str) -> dict[str, Any]:
    """One entity: parent and subsidiaries, layer, market shares, stakes in and out, deals, loops, valuations,
    political committees."""
    entities = ctx.table("entities")
    if entity_id not in set(entities["id"]):
        raise NotFoundError(f"unknown entity {entity_id!r} (see /entities for the ids)")

    def build() -> dict[str, Any]:
        record = jsonable(ctx.rows_of("entities", "id", entity_id))[0]
        record["parent"] = ctx.name(record.get("parent_id"))
        children = ctx.rows_of("entities", "parent_id", entity_id)
        own = _shares_by_entity(ctx).get(entity_id, [])
        stakes_out = [
            {**r, "target": ctx.name(r["target_id"])} for r in jsonable(ctx.rows_of("stakes", "owner_id", entity_id))
        ]
        stakes_in = [
            {**r, "owner": ctx.name(r["owner_id"])} for r in jsonable(ctx.rows_of("stakes", "target_id", entity_id))
        ]
        stakes_out.sort(key=lambda r: (r["target_id"], r["as_of"]))
        stakes_in.sort(key=lambda r: (r["owner_id"], r["as_of"]))
        deals = [d for d in deals_table(ctx) if entity_id in (d["payer_id"], d["payee_id"])]
        values = ctx.rows_of("valuations", "entity_id", entity_id).sort_values("date")
        loops = [
            lp
            for lp in money_loops(ctx)
            if entity_id in lp["firms"]
            or any(entity_id in (leg.get("payer_legal_id"), leg.get("payee_legal_id")) for leg in lp["legs"])
        ]  # at the parents: AWS's page shows the Amazon loops its deals are legs of
        politics = politics_for_entity(ctx, entity_id)
        layer = _layers_of(ctx).get(entity_id)
        ids = [r["source_id"] for r in own + stakes_out + stakes_in]
        ids += [d["source_id"] for d in deals] + list(values["source_id"])
        ids += [leg["source_id"] for lp in loops for leg in lp["legs"]] + politics["source_ids"]
        return {
            "page": "entity",
            "entity": record,
            "layer": layer,
            "children": _records(children[["id", "name", "kind"]]),
            "shares": own,
            "stakes_out": stakes_out,
            "stakes_in": stakes_in,
            "deals": deals,
            "loops": loops,
            "valuations": _records(values),
            "politics": politics,
            "sources": ctx.cited(ids),
        }

    return ctx.cached(f"entity:{entity_id}", build)


def _shares_by_entity(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    """Every share row with its market's name and layer, grouped by entity, in layer / market / time order."""

    def build() -> dict[str, list[dict[str, Any]]]:
        markets = ctx.table("markets")[["id", "name", "layer"]].rename(columns={"id": "market_id", "name": "market"})
        rows = ctx.table("shares").merge(markets, on="market_id", how="left")
        rows["period"] = rows["period"].fillna("")
        rows["series"] = rows["series"].fillna("")
        rows = rows.sort_values(["layer", "market_id", "year", "period", "series"])
        out: dict[str, list[dict[str, Any]]] = {}
        for rec in jsonable(rows):
            out.setdefault(rec["entity_id"], []).append(rec)
        return out

    return ctx.cached("shares_by_entity", build)


# ------------------------------------------------------------------------------------------------ deals


def deals_table(ctx: Context) -> list[dict[str, Any]]:
    """Every deal row (:func:`marketpower.api.deals`) with party names."""

    def build() -> list[dict[str, Any]]:
        out = []
        for rec in api.deals(ctx).to_dict():
            status = {k: rec.pop(k) for k in ("superseded_by", "in_force")}
            rec.update(payer=ctx.name(rec["payer_id"]), payee=ctx.name(rec["payee_id"]), **status)
            out.append(rec)
        return out

    return ctx.cached("deals_table", build)


def deals_page(ctx: Context) -> dict[str, Any]:
    """Every deal (latest first) with its amount and source."""
    rows = deals_table(ctx)
    return {"page": "deals", "deals": rows, "sources": ctx.cited(d["source_id"] for d in rows)}


def deal_page(ctx: Context, deal_id: str) -> dict[str, Any]:
    """One deal: its terms, its parties, the revisions before and after it, its source, and what the data says
    about it: the money loops it is a leg of (at the controlling parents), the compute its capacity buys
    (:func:`deal_compute`), the merger screens of its two parties (:func:`deal_screens`) and the deal web on the
    day it was announced."""
    rows = {d["id"]: d for d in deals_table(ctx)}
    if deal_id not in rows:
        raise NotFoundError(f"unknown deal {deal_id!r} (see /deals for the ids)")
    deal = rows[deal_id]
    chain = [deal]
    while chain[0].get("supersedes") in rows:
        chain.insert(0, rows[chain[0]["supersedes"]])
    while chain[-1].get("superseded_by") in rows:
        chain.append(rows[chain[-1]["superseded_by"]])
    loops = [lp for lp in money_loops(ctx) if any(leg["deal_id"] == deal_id for leg in lp["legs"])]
    compute = deal_compute(ctx, deal.get("capacity_gw"))
    cited = [d["source_id"] for d in chain] + (compute["source_ids"] if compute else [])
    return {
        "page": "deal",
        "deal": deal,
        "revisions": chain if len(chain) > 1 else [],
        "loops": loops,
        "compute": compute,
        "screens": deal_screens(ctx, str(deal["payer_id"]), str(deal["payee_id"])),
        "web_as_of": str(deal["announced"])[:10] if deal.get("announced") else None,
        "sources": ctx.cited(cited),
    }


#: Steps of the power -> compute chain a capacity deal's page shows.
DEAL_COMPUTE_STEPS = (
    "facility_power_mw", "accelerators", "h100e", "annual_energy_twh", "share_of_us_electricity", "capex_usd"
)


def deal_compute(ctx: Context, capacity_gw: Any) -> dict[str, Any] | None:
    """What a deal's capacity (GW of facility power) buys: the compute page's chain (the same accelerator as its
    worked example, :func:`marketpower.api.compute_conversion`) run at that power; None without a capacity."""
    if capacity_gw is None or pd.isna(capacity_gw) or float(capacity_gw) <= 0:
        return None
    example = worked_example(ctx)
    if not example["rows"]:
        return None
    pick = next((r for r in example["rows"] if r["verdict"] == "in range"), example["rows"][0])
    conversion = api.compute_conversion(ctx, pick["accelerator"], facility_power_mw=float(capacity_gw) * 1_000.0)
    steps = jsonable(conversion.chain.to_dict())["steps"]
    shown = [st for st in steps if st["key"] in DEAL_COMPUTE_STEPS]
    ids = sorted({s.strip().split(" ")[0] for st in steps for s in str(st["source"]).split(",") if s.strip()})
    return {"capacity_gw": float(capacity_gw), "accelerator": pick["accelerator"], "steps": shown, "source_ids": ids}


def deal_screens(ctx: Context, payer: str, payee: str) -> list[dict[str, Any]]:
    """Markets in which both parties of a deal (each as itself or as its controlling parent) hold a share, with
    the firms a merger screen of the pair would take (only those the screen can run: both with a point share in
    one period, :func:`screen_page`)."""

    def build() -> list[dict[str, Any]]:
        shares = ctx.table("shares")
        parents = api.controlling_parents(ctx)
        names = _market_names(ctx)
        out = []
        for market_id, held in shares.groupby("market_id"):
            firms = set(held["entity_id"])
            a = next((f for f in (payer, parents.get(payer, payer)) if f in firms), None)
            b = next((f for f in (payee, parents.get(payee, payee)) if f in firms), None)
            if a is None or b is None or a == b:
                continue
            try:
                screen = screen_page(ctx, str(market_id), a, b)
            except (InvalidInputError, NotFoundError):
                continue
            out.append(
                {
                    "market_id": market_id, "market": names.get(str(market_id), market_id), "a": a, "b": b,
                    "a_name": ctx.name(a), "b_name": ctx.name(b), "year": screen["year"],
                }
            )
        return out

    return ctx.cached(f"deal_screens:{payer}:{payee}", build)


# ------------------------------------------------------------------------------------------------ network


def money_loops(ctx: Context, as_of: str | None = None, rollup: bool = True) -> list[dict[str, Any]]:
    """Circular money flows among the deals in force on ``as_of`` (:func:`marketpower.api.loops`, at the
    controlling parents unless ``rollup`` is False), with names."""

    def build() -> list[dict[str, Any]]:
        if ctx.table("deals").empty:
            return []
        out = []
        for rec in api.loops(ctx, as_of=as_of, rollup=rollup).to_dict():
            rec["names"] = [ctx.name(f) for f in rec["firms"]]
            out.append(rec)
        return out

    return ctx.cached(f"loops:{as_of or ''}:{rollup}", build)


def loop_ranks(loops: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Deal id -> ranks of the money loops it is a leg of."""
    ranks: dict[str, list[int]] = {}
    for lp in loops:
        for leg in lp["legs"]:
            ranks.setdefault(leg["deal_id"], []).append(int(lp["rank"]))
    return ranks


def network_page(ctx: Context, as_of: str | None = None, rollup: bool = True) -> dict[str, Any]:
    """The deal web: nodes (entities with their layer), money, ownership and site edges (each with its source's
    URL and the ranks of the money loops it is a leg of), loops and centrality (:mod:`marketpower.flows.network`,
    :mod:`marketpower.flows.loops`, :mod:`marketpower.flows.dependence`) on ``as_of`` (default: latest), at the
    controlling parents unless ``rollup`` is False (as `marketpower loops --no-rollup`), with the money edges that
    have a public party counted apart (``public_private``). The graph's time slider steps through the days the
    web changes (:func:`marketpower.api.deal_web_history`)."""

    def build() -> dict[str, Any]:
        web = api.deal_web(ctx, as_of, rollup)
        history = api.deal_web_history(ctx, rollup)
        nodes, edges = web.nodes, web.edges
        central = api.centrality(ctx, as_of=web.as_of, rollup=rollup).firms
        centrality = [{**r, "name": ctx.name(r["entity_id"])} for r in jsonable(central)] if len(central) else []
        loops = money_loops(ctx, web.as_of, rollup)
        urls = {sid: str(src["url"]) for sid, src in ctx.sources.items()}
        tiers = {sid: src.get("tier") for sid, src in ctx.sources.items()}
        money = edges[edges["relation"] == "money"] if len(edges) else edges
        public = money[money["public_private"].astype(bool)] if len(money) else money
        on_loop = loop_ranks(loops)
        edge_records = []
        for r in jsonable(edges):
            legal = {
                f"{end}_legal_name": ctx.name(r[f"{end}_legal_id"])
                for end in ("source", "target")
                if r.get(f"{end}_legal_id") not in (None, r[end])
            }
            edge_records.append(
                {
                    **r,
                    **legal,
                    "source_name": ctx.name(r["source"]),
                    "target_name": ctx.name(r["target"]),
                    "source_url": urls.get(str(r.get("source_id"))),
                    "source_tier": tiers.get(str(r.get("source_id"))),
                    "loops": on_loop.get(r.get("deal_id"), []) if r.get("deal_id") else [],
                }
            )
        money_usd = float(money["amount_usd"].sum()) if len(money) else 0.0
        public_usd = float(public["amount_usd"].sum()) if len(public) else 0.0
        chart = charts.network(nodes, edges, loops, on_loop, urls, history.edges, history.dates, web.as_of)
        return {
            "page": "network",
            "available": True,
            "as_of": web.as_of,
            "rollup": rollup,
            "as_of_dates": history.dates,
            "public_private": {
                "deals": len(public),
                "usd": public_usd,
                "private_deals": len(money) - len(public),
                "private_usd": money_usd - public_usd,
            },
            "nodes": _records(nodes),
            "edges": edge_records,
            "loops": loops,
            "centrality": centrality,
            "charts": {"network": chart if len(edges) else None},
            "sources": ctx.cited(edges["source_id"]) if "source_id" in edges else [],
        }

    return ctx.cached(f"network:{as_of or ''}:{rollup}", build)


# ------------------------------------------------------------------------------------------------ compute


def worked_example(ctx: Context) -> dict[str, Any]:
    """ "10 GW ≈ 4-5 million GPUs" (:func:`marketpower.api.worked_example`) as page data."""

    return ctx.cached("worked_example", lambda: api.worked_example(ctx).to_dict())


#: Answers of the 10 GW chain whose sensitivity the tornado charts show (those the chain computes).
SENSITIVITY_OUTPUTS = ("accelerators", "effective_flops", "annual_energy_twh", "capex_usd", "accelerator_cost_usd")


def sensitivity(ctx: Context) -> dict[str, Any]:
    """Which assumption moves each answer of the worked example most: for the accelerator of the chain shown
    on the compute page (the first model whose central count lands in 4-5 million), a one-at-a-time sweep at
    10 GW (:func:`marketpower.api.sensitivities`), one tornado per answer."""

    def build() -> dict[str, Any]:
        example = worked_example(ctx)
        if not example["rows"]:
            return {"accelerator": None, "power_gw": WORKED_EXAMPLE_GW, "outputs": []}
        pick = next((r for r in example["rows"] if r["verdict"] == "in range"), example["rows"][0])
        outputs = []
        for answer in api.sensitivities(ctx, pick["accelerator"], WORKED_EXAMPLE_GW * 1_000.0, SENSITIVITY_OUTPUTS):
            rows = [
                {
                    **r,
                    "source_ids": [i.strip() for i in answer.sources.get(r["assumption"], "").split(",") if i.strip()],
                }
                for r in _records(answer.rows)
            ]
            moving = [r for r in rows if r["swing"] > 0]
            title = f"{answer.label} ({answer.unit}): output at each assumption's low and high"
            outputs.append(
                {
                    "output": answer.output,
                    "label": answer.label,
                    "unit": answer.unit,
                    "rows": rows,
                    "chart": charts.tornado(moving, title) if moving else None,
                }
            )
        return {
            "accelerator": pick["accelerator"],
            "model": pick["model"],
            "power_gw": WORKED_EXAMPLE_GW,
            "outputs": outputs,
        }

    return ctx.cached("sensitivity", build)


def compute_page(ctx: Context) -> dict[str, Any]:
    """Compute and power: the 10 GW worked example, the chain for one accelerator, who holds the compute."""

    def build() -> dict[str, Any]:
        example = worked_example(ctx)
        chain = None
        if example["rows"]:
            pick = next((r for r in example["rows"] if r["verdict"] == "in range"), example["rows"][0])
            conversion = api.compute_conversion(ctx, pick["accelerator"], facility_power_mw=WORKED_EXAMPLE_GW * 1_000.0)
            chain = jsonable(conversion.chain.to_dict())
        holders: list[dict[str, Any]] = []
        concentration: list[dict[str, Any]] = []
        tornado = sensitivity(ctx)
        ids = list(example["source_ids"])
        market = api.compute_market(ctx)
        if (ctx.table("shares")["market_id"] == market).any():
            held = api.compute_share(ctx, market=market)
            holders = [{**r, "name": ctx.name(r["holder"])} for r in jsonable(held.shares)]
            concentration = [{**r, "top_name": ctx.name(r["top"])} for r in jsonable(held.concentration)]
            ids += list(held.holdings["source"])
        if chain is not None:
            ids += [s.strip() for step in chain["steps"] for s in str(step["source"]).split(",")]
        facilities = ctx.table("facilities").sort_values("power_mw", ascending=False, na_position="last")
        ids += list(facilities["source_id"])
        return {
            "page": "compute",
            "worked_example": example,
            "chain": chain,
            "sensitivity": tornado,
            "holders": holders,
            "concentration": concentration,
            "facilities": [{**r, "owner": ctx.name(r.get("owner_id"))} for r in jsonable(facilities)],
            "sources": ctx.cited(s.split(" ")[0] for s in ids if isinstance(s, str)),
        }

    return ctx.cached("compute", build)


# ------------------------------------------------------------------------------------------------ value


def winners(ctx: Context) -> dict[str, Any]:
    """Market value gained since ChatGPT's release to one end date for every firm, by layer (conglomerates split
    by reported segment, each layer saying what it covers) and by firm (:func:`marketpower.api.winners`)."""

    def build() -> dict[str, Any]:
        valuations = ctx.table("valuations")
        if valuations.empty:
            return {
                "since": CHATGPT_RELEASE,
                "layers": [],
                "firms": 0,
                "by_firm": [],
                "gaps": [],
                "private_public": [],
                "total_change_usd": None,
                "source_ids": [],
                "until": None,
                "window": {},
            }
        gains = api.winners(ctx, CHATGPT_RELEASE)
        changes, layers = gains.changes, gains.layers
        ok = changes[changes["status"] == "ok"].sort_values("change_usd", ascending=False)
        by_firm = [{**r, "name": ctx.name(r["entity_id"])} for r in jsonable(ok)]
        gaps = [{**r, "name": ctx.name(r["entity_id"])} for r in jsonable(changes[changes["status"] != "ok"])]
        ids = [s for c in ("start_source", "end_source") if c in ok for s in ok[c] if isinstance(s, str)]
        private_public = private_vs_public(ctx)
        ids += [s for r in private_public for s in r["source_ids"]]
        return {
            "since": CHATGPT_RELEASE,
            "layers": _records(layers),
            "firms": len(ok),
            "by_firm": by_firm,
            "gaps": gaps,
            "private_public": private_public,
            "total_change_usd": float(ok["change_usd"].sum()) if len(ok) else None,
            "source_ids": list(dict.fromkeys(ids)),
            "until": gains.until,
            "window": gains.window,
        }

    return ctx.cached("winners", build)


def private_vs_public(ctx: Context) -> list[dict[str, Any]]:
    """Where the value sits today (:func:`marketpower.api.private_value`): each private model maker's latest
    valuation, then each layer's listed firms' latest market caps summed; a layer's row cites the latest market
    cap of each of its firms."""
    answer = api.private_value(ctx)
    table, cited = answer.table, answer.layer_sources
    out = []
    for rec in jsonable(table):
        private = rec["group"] == "private"
        out.append(
            {
                **rec,
                "label": ctx.name(rec["name"]) if private else rec["name"],
                "entity_id": rec["name"] if private else None,
                "source_ids": [rec["source_id"]] if private else cited.get(rec["layer"], []),
            }
        )
    return out


def winners_page(ctx: Context) -> dict[str, Any]:
    data = winners(ctx)
    return {
        "page": "winners",
        **data,
        "charts": {
            "by_layer": charts.value_by_layer(data["layers"]) if data["layers"] else None,
            "private_public": charts.private_vs_public(data["private_public"]) if data["private_public"] else None,
        },
        "sources": ctx.cited(data["source_ids"]),
    }


# ------------------------------------------------------------------------------------------------ politics


POLITICS_SECTIONS = {
    "bill_counts": (
        "bills",
        [
            "tracker",
            "state",
            "year",
            "as_of",
            "introduced",
            "introduced_qualifier",
            "enacted",
            "enacted_qualifier",
            "jurisdictions_enacting",
            "source_id",
        ],
    ),
    "committees": ("committees", ["name", "kind", "jurisdiction", "sponsor", "cycle", "stance", "source_id"]),
    "committee_money": (
        "committee_money",
        ["committee", "kind", "donor", "period_end", "amount_usd", "qualifier", "is_pledge", "basis", "source_id"],
    ),
    "lobbying": ("lobbying", ["entity", "jurisdiction", "year", "period", "amount_usd", "qualifier", "source_id"]),
}


def _politics_rows(ctx: Context, table: str) -> list[dict[str, Any]]:
    """The rows of a politics table with the names of the entities they point to (computed once per table)."""

    def build() -> list[dict[str, Any]]:
        rows = []
        for rec in jsonable(ctx.table(table)):
            for key in ("sponsor_id", "donor_id", "entity_id", "committee_id"):
                if key in rec:
                    rec[key[:-3]] = ctx.name(rec[key])
            rows.append(rec)
        return rows

    return ctx.cached(f"politics_rows:{table}", build)


def politics_page(ctx: Context) -> dict[str, Any]:
    """Political money and bills as published: AI bill counts by tracker, the committees of the AI fight and
    their money (pledges kept apart from filed receipts), lobbying spend. Selected and labelled, not modelled."""

    def build() -> dict[str, Any]:
        states, topics, timeline = bill_states(ctx), bill_topics(ctx), money_timeline(ctx)
        available = (
            any(ctx.has_rows(t) for t in POLITICS_SECTIONS)
            or bool(states["rows"])
            or topics["available"]
            or bool(timeline["events"])
        )
        sections: list[dict[str, Any]] = []
        for table, (title, columns) in POLITICS_SECTIONS.items():
            rows = _politics_rows(ctx, table)
            if table == "committees" and rows:
                overview = api.committees(ctx).table
                cited: dict[str, list[str]] = {}
                for frame in (
                    ctx.table("committees").rename(columns={"id": "committee_id"}),
                    ctx.table("committee_money"),
                ):
                    for cid, sid in zip(frame["committee_id"], frame["source_id"], strict=True):
                        cited.setdefault(cid, []).append(sid)
                rows = [
                    {**r, "sponsor": ctx.name(r["sponsor_id"]), "source_ids": list(dict.fromkeys(cited[r["id"]]))}
                    for r in jsonable(overview)
                ]
                columns = [
                    "name",
                    "committee_kind",
                    "jurisdiction",
                    "sponsor",
                    "stance",
                    "network_commitment_usd",
                    "receipts_usd",
                    "spending_usd",
                    "cash_on_hand_usd",
                    "source_ids",
                ]
            sections.append({"id": table, "title": title, "columns": columns, "rows": rows})
        ids = [s for sec in sections for r in sec["rows"] for s in r.get("source_ids", [r.get("source_id")])]
        ids += [
            r["source_id"]
            for r in states["rows"] + states["national"] + timeline["rows"] + timeline["events"]
            if r.get("source_id")
        ]
        ids += [s for r in timeline["races"] for s in r["source_ids"]]
        ids += [topics["source_id"]] if topics.get("source_id") else []
        return {
            "page": "politics",
            "available": available,
            "key_numbers": politics_key_numbers(ctx),
            "states": states,
            "topics": topics,
            "timeline": timeline,
            "sections": sections,
            "sources": ctx.cited(ids),
        }

    return ctx.cached("politics", build)


#: Topics drawn in the chart of bills over time (the table lists them all).
CHART_TOPICS = 8


def bill_states(ctx: Context) -> dict[str, Any]:
    """AI bills introduced / enacted per state for the grid of states, from the best data the store holds:
    ``basis = ingested`` (bills ingested with ``marketpower bills ingest``, classified and summarised by
    :func:`marketpower.politics.bills.summarize_bills`, in the year with bills from the most states, latest on
    ties), ``bundled`` (per-state rows of the
    ``bill_counts`` table, latest count per state of the tracker covering most states in the latest year,
    :func:`marketpower.politics.bills.latest_bill_counts`) or ``national`` (the bundled table only holds
    totals for all states: no grid). ``national`` always lists the latest all-states count of each tracker."""

    def build() -> dict[str, Any]:
        out: dict[str, Any] = {"basis": "none", "year": None, "tracker": None, "rows": [], "national": []}
        latest = api.latest_bill_counts(ctx)
        if len(latest):
            out["national"] = _records(latest[latest["state"] == "ALL"])
            out["basis"] = "national"
        ingested = ctx.ingested("bills")
        per_state = latest[latest["state"] != "ALL"] if len(latest) else latest
        if ingested is not None and len(ingested):
            summary = api.bills_summary(ctx).ingested
            if summary is not None and len(summary):
                states_per_year = summary.groupby("year")["state"].nunique()
                year = int(max(states_per_year.index, key=lambda y: (states_per_year[y], y)))
                rows = summary[summary["year"] == year].sort_values("state")
                out.update(basis="ingested", year=year, rows=_records(rows))
        elif ctx.has_rows("state_bill_counts"):
            counts = ctx.table("state_bill_counts")
            states_per_year = counts.groupby("year")["state"].nunique()
            year = int(max(states_per_year.index, key=lambda y: (states_per_year[y], y)))
            grid = api.state_grid(ctx, year).grid.sort_values("state")
            first = counts[counts["year"] == year].iloc[0]
            out.update(
                basis="classified",
                year=year,
                rows=_records(grid[grid["introduced"] > 0].assign(source_id=first["source_id"])),
                classifier_version=str(first["classifier_version"]),
                precision=float(first["precision"]),
                source_id=str(first["source_id"]),
            )
        elif len(per_state):
            year = int(per_state["year"].max())
            this_year = per_state[per_state["year"] == year]
            tracker = str(this_year.groupby("tracker")["state"].nunique().sort_values(kind="stable").index[-1])
            rows = this_year[this_year["tracker"] == tracker].sort_values("state")
            out.update(basis="bundled", year=year, tracker=tracker, rows=_records(rows))
        title = f"AI bills per state, {out['year']}: introduced / enacted"
        return {**out, "chart": charts.state_grid(out["rows"], title) if out["rows"] else None}

    return ctx.cached("bill_states", build)


def bill_topics(ctx: Context) -> dict[str, Any]:
    """AI bills per year and topic (:func:`marketpower.api.politics.bill_topics`): of the bills ingested with
    ``marketpower bills ingest DIR`` (``basis = ingested``) or else the bundled classifier counts (``basis =
    classified``, with ``classifier_version`` and ``source_id``); ``available`` is false when neither exists."""

    def build() -> dict[str, Any]:
        topics = api.bill_topics(ctx)
        if topics is None:
            return {"available": False, "rows": [], "chart": None}
        basis: dict[str, Any] = {"basis": "ingested"}
        if "classifier_version" in topics:
            first = topics.iloc[0]
            basis = {"basis": "classified", "classifier_version": str(first["classifier_version"]),
                     "source_id": str(first["source_id"])}
            topics = topics[["year", "topic", "bills"]]
        top = list(topics.groupby("topic")["bills"].sum().sort_values(ascending=False, kind="stable").index)
        shown = topics[topics["topic"].isin(top[:CHART_TOPICS])]
        return {
            "available": True,
            **basis,
            "rows": _records(topics),
            "chart": charts.topics_over_time(_records(shown), "AI bills per year by topic") if len(shown) else None,
        }

    return ctx.cached("bill_topics", build)


def money_timeline(ctx: Context) -> dict[str, Any]:
    """The money of the AI political committees by date (:func:`marketpower.politics.money.money_timeline`):
    pledges (``record = pledge``) drawn apart from reported money; rows without a figure only in the table.
    ``events``: the dated steps of the federal preemption debate (:func:`marketpower.politics.policy.
    policy_timeline`), drawn as numbered rules on the same chart and listed with their sources."""

    def build() -> dict[str, Any]:
        money = api.money_timeline(ctx)
        timeline = money.timeline
        rows = [
            {**r, "committee": ctx.name(r["committee_id"]), "donor": ctx.name(r["donor_id"])}
            for r in jsonable(timeline)
        ]
        events = _records(money.events)
        quantified = [r for r in rows if r["amount_usd"] is not None]
        races = [
            {**r, "source_ids": [*r["spending_sources"].split(", "), *filter(None, [r["result_source"]])]}
            for r in _records(money.races if money.races is not None else pd.DataFrame())
        ]
        title = "Money of the AI political committees, their races and the federal preemption debate"
        chart = charts.money_timeline(rows, title, events, races) if quantified else None
        return {"rows": rows, "events": events, "chart": chart, "races": races}

    return ctx.cached("money_timeline", build)


def politics_key_numbers(ctx: Context) -> list[dict[str, Any]]:
    """The largest published count of AI bills introduced in all US states in the latest year, per tracker."""
    counts = ctx.table("bill_counts")
    if counts.empty:
        return []
    states = counts[(counts["state"] == "ALL") & counts["introduced"].notna()]
    if states.empty:
        return []
    latest = states[states["year"] == states["year"].max()]
    top = jsonable(latest.sort_values(["introduced", "as_of"], ascending=False).iloc[[0]])[0]
    return [
        {
            "id": "state_ai_bills",
            "value": top["introduced"],
            "qualifier": top["introduced_qualifier"] or "exact",
            "year": top["year"],
            "as_of": top["as_of"],
            "tracker": top["tracker"],
            "unit": "bills",
            "link": ["politics", None],
            "source_ids": [top["source_id"]],
        }
    ]


def politics_for_entity(ctx: Context, entity_id: str) -> dict[str, Any]:
    """Committees an entity sponsors, money it gave or promised to committees, its lobbying spend."""
    committees = [
        r for r in _politics_rows(ctx, "committees") if r.get("sponsor_id") == entity_id or r.get("id") == entity_id
    ]
    money = [
        r
        for r in _politics_rows(ctx, "committee_money")
        if r.get("donor_id") == entity_id or r.get("committee_id") == entity_id
    ]
    lobbying = [r for r in _politics_rows(ctx, "lobbying") if r.get("entity_id") == entity_id]
    ids = [r["source_id"] for r in committees + money + lobbying]
    return {
        "available": ctx.has_rows("committees") or ctx.has_rows("lobbying"),
        "committees": committees,
        "money": money,
        "lobbying": lobbying,
        "source_ids": ids,
    }


# ------------------------------------------------------------------------------------------------ report


def deal_overlaps(ctx: Context, deal_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """For each deal in force (or each of ``deal_ids``): the markets where both parties hold a share in the
    latest snapshot, each screened as if the two combined (:func:`screen_page`); no overlap means the deal is
    vertical or outside the measured markets, and the guidelines' HHI screens do not apply."""
    rows = {d["id"]: d for d in deals_table(ctx)}
    wanted = [i for i in (deal_ids or [d for d, r in rows.items() if r["in_force"]]) if i in rows]
    latest = latest_per_market(ctx.concentration)
    snapshots: dict[str, dict[str, Any]] = {}
    for market_id in latest["market_id"].unique():
        options = screening_options(ctx, str(market_id))
        snapshots[str(market_id)] = {**options, "ids": {f["id"] for f in options["firms"]}}
    out = []
    for deal_id in wanted:
        deal = rows[deal_id]
        screens = []
        for market_id, snap in snapshots.items():
            if deal["payer_id"] in snap["ids"] and deal["payee_id"] in snap["ids"]:
                result = screen_page(
                    ctx, market_id, deal["payer_id"], deal["payee_id"], snap["year"], snap["period"], snap["series"]
                )
                screens.append(
                    {
                        k: result[k]
                        for k in (
                            "market_id",
                            "market",
                            "year",
                            "period",
                            "series",
                            "merged_share",
                            "delta_hhi",
                            "post_hhi_low",
                            "post_hhi_high",
                            "screens",
                            "mhhi",
                            "sources",
                        )
                    }
                )
        out.append({"deal": deal, "overlaps": screens})
    return out


#: Firms listed by name in the report's "who wins" section (the winners page lists them all).
REPORT_TOP_FIRMS = 10


def report_page(ctx: Context) -> dict[str, Any]:
    """The report's sections: the stack at a glance; concentration by layer and over time; who owns whom; the
    money loops; compute and power; who wins (value capture); political money and bills; what the seed's deals
    would change under the guidelines. Every figure carries the ids of its sources (footnotes)."""

    def build() -> dict[str, Any]:
        overview = overview_page(ctx)
        layers = [layer_page(ctx, layer) for layer in sorted(set(ctx.table("markets")["layer"]))]
        owned = api.ownership(ctx)
        stakes, effective = (
            [{**r, "owner": ctx.name(r["owner_id"]), "target": ctx.name(r["target_id"])} for r in jsonable(frame)]
            for frame in (owned.stakes, owned.indirect)
        )
        compute = compute_page(ctx)
        gains = winners_page(ctx)
        politics = politics_page(ctx)
        seed = deal_overlaps(ctx, list(SEED_DEALS))
        competitors = [d for d in deal_overlaps(ctx) if d["overlaps"]]
        scenarios = api_scenarios.regulate_or_encourage(ctx)
        ids = [s["id"] for s in overview["sources"]]
        ids += [s["id"] for page in layers for s in page["sources"]]
        ids += [r["source_id"] for r in stakes] + [leg["source_id"] for lp in money_loops(ctx) for leg in lp["legs"]]
        ids += [s["id"] for s in compute["sources"]] + [s["id"] for s in gains["sources"]]
        ids += [s["id"] for s in politics["sources"]]
        ids += [d["deal"]["source_id"] for d in seed + competitors]
        ids += [s["id"] for d in seed + competitors for o in d["overlaps"] for s in o["sources"]]
        ids += scenarios["source_ids"]
        return {
            "page": "report",
            "glance": {"layers": overview["layers"], "key_numbers": overview["key_numbers"]},
            "concentration": [
                {"layer": p["layer"], "latest": p["latest"], "history": p["history"], "chart": p["charts"]["hhi_trend"]}
                for p in layers
            ],
            "ownership": {"stakes": stakes, "effective": effective, "common": common_ownership(ctx)},
            "loops": money_loops(ctx),
            "compute": {k: compute[k] for k in ("worked_example", "chain", "sensitivity", "concentration")},
            "winners": {
                **{k: gains[k] for k in ("since", "layers", "firms", "private_public", "total_change_usd", "gaps")},
                "by_firm": gains["by_firm"][:REPORT_TOP_FIRMS],
                "charts": gains["charts"],
            },
            "politics": {k: v for k, v in politics.items() if k != "sources"},
            "seed_deals": seed,
            "competitor_deals": competitors,
            "scenarios": scenarios,
            "sources": ctx.cited(ids),
        }

    return ctx.cached("report", build)


# ------------------------------------------------------------------------------------------------ search


def search_page(ctx: Context, query: str) -> dict[str, Any]:
    """Entities, markets and deals whose id, name, ticker, layer or description contain ``query`` (case-blind)."""
    q = query.strip()
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInputError(f"q: at most {MAX_QUERY_CHARS} characters")
    if not q:
        return {"page": "search", "q": "", "results": [], "truncated": False}
    needle = q.casefold()

    def hit(*values: Any) -> bool:
        return any(needle in str(v).casefold() for v in values if v is not None)

    results: list[dict[str, Any]] = []
    for rec in entities_page(ctx):
        if hit(rec["id"], rec["name"], rec.get("ticker")):
            results.append(
                {"kind": "entity", "id": rec["id"], "label": rec["name"], "detail": rec.get("layer") or rec["kind"]}
            )
    for rec in jsonable(ctx.table("markets")):
        if hit(rec["id"], rec["name"], rec["layer"]):
            results.append({"kind": "market", "id": rec["id"], "label": rec["name"], "detail": rec["layer"]})
    for rec in deals_table(ctx):
        if hit(rec["id"], rec["payer"], rec["payee"], rec.get("description")):
            results.append(
                {
                    "kind": "deal",
                    "id": rec["id"],
                    "label": f"{rec['payer']} → {rec['payee']}",
                    "detail": rec.get("description") or rec["kind"],
                }
            )
    return {"page": "search", "q": q, "results": results[:SEARCH_LIMIT], "truncated": len(results) > SEARCH_LIMIT}


# ------------------------------------------------------------------------------------------------ sources


def sources_page(ctx: Context) -> list[dict[str, Any]]:
    """Every source and what cites it."""
    return ctx.cached("sources_page", lambda: _records(api.sources(ctx.store)))
