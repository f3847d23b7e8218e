"""Application layer for scenarios: run one scenario file, or compare two, against the store as it is."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InvalidInputError, MarketpowerError
from ..scenario import Scenario, ScenarioResult, analyse, parse_scenario, read_scenario_file
from ..store import Store
from .context import Context
from .markets import market_snapshot

#: The tables a scenario reads (read only).
SCENARIO_TABLES = (
    "entities",
    "entity_layers",
    "markets",
    "shares",
    "sources",
    "stakes",
    "deals",
    "facilities",
    "financials",
    "hardware",
    "parameters",
)


def scenario_tables(store: Store) -> dict[str, pd.DataFrame]:
    """The store's tables a scenario works on, as DataFrames (copies: the store is never written)."""
    return {name: store.table(name) for name in SCENARIO_TABLES}


class Snapshots(Mapping[str, pd.DataFrame]):
    """Each market's snapshot (:func:`marketpower.api.market_snapshot`: latest year up to ``as_of``, the first
    series of that year, the full year when published), computed when first asked for."""

    def __init__(self, shares: pd.DataFrame, as_of: date):
        self._shares = shares[shares["year"] <= as_of.year]
        self._ids = sorted(set(self._shares["market_id"]))
        self._done: dict[str, pd.DataFrame | None] = {}

    def __getitem__(self, market_id: str) -> pd.DataFrame:
        if market_id not in self._done:
            self._done[market_id] = self._snapshot(market_id) if market_id in self._ids else None
        found = self._done[market_id]
        if found is None:
            raise KeyError(market_id)
        return found

    def _snapshot(self, market_id: str) -> pd.DataFrame | None:
        rows = self._shares[self._shares["market_id"] == market_id]
        first_series = sorted(set(rows.loc[rows["year"] == rows["year"].max(), "series"].fillna("")))[0]
        try:
            return market_snapshot(self._shares, market_id, series=first_series)
        except InvalidInputError:
            return None

    def __iter__(self) -> Iterator[str]:
        return (m for m in self._ids if m in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def snapshots_as_of(tables: Mapping[str, pd.DataFrame], as_of: date) -> Snapshots:
    """The markets' snapshots as of ``as_of`` (see :class:`Snapshots`)."""
    return Snapshots(tables["shares"], as_of)


def load_scenario(path: Path | str, tables: Mapping[str, pd.DataFrame], as_of: date | str | None = None) -> Scenario:
    """Read and check a scenario file against the tables."""
    return parse_scenario(read_scenario_file(path), tables, file=str(path), as_of=as_of)


def run_scenario(
    store: Store,
    scenario: Path | str | Mapping[str, Any],
    as_of: date | str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    memo: dict[Any, Any] | None = None,
) -> ScenarioResult:
    """Baseline (the store as it is) against the scenario in a file (or a mapping), as of its date or ``as_of``."""
    data = tables if tables is not None else scenario_tables(store)
    if isinstance(scenario, Mapping):
        checked = parse_scenario(scenario, data, as_of=as_of)
    else:
        checked = load_scenario(scenario, data, as_of)
    return analyse(checked, data, snapshots_as_of(data, checked.as_of), memo)


def compare_scenarios(
    store: Store,
    first: Path | str,
    second: Path | str,
    as_of: date | str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, Any]:
    """Two scenarios against the same baseline, side by side: both results and their verdict rows joined
    (``tables``: the store's tables when already read, see :func:`scenario_tables`)."""
    data = tables if tables is not None else scenario_tables(store)
    memo: dict[Any, Any] = {}  # the baseline is computed once for both
    a, b = run_scenario(store, first, as_of, data, memo), run_scenario(store, second, as_of, data, memo)
    left = a.verdict_frame().assign(key=lambda f: f["what"] + " | " + f["where"])
    right = b.verdict_frame().assign(key=lambda f: f["what"] + " | " + f["where"])
    joined = left[["key", "what", "where", "baseline", "scenario", "change"]].merge(
        right[["key", "what", "where", "baseline", "scenario", "change"]],
        on=["key", "what", "where"],
        how="outer",
        suffixes=("_a", "_b"),
    )
    return {"a": a.to_dict(), "b": b.to_dict(), "side_by_side": joined.drop(columns="key").to_dict("records")}


# ------------------------------------------------------------------------------------------------ pages

#: The scenarios shipped with the project (examples/scenarios/ of the source tree).
SHIPPED = Path(__file__).resolve().parents[3] / "examples" / "scenarios"


def shipped_scenarios(folder: Path | None = None) -> dict[str, Path]:
    """Scenario id (the file's stem) -> path of each shipped scenario file."""
    where = folder or SHIPPED
    return {p.stem: p for p in sorted(where.glob("*.yaml"))} if where.is_dir() else {}


def _tables(ctx: Context) -> dict[str, pd.DataFrame]:
    return {name: ctx.table(name) for name in SCENARIO_TABLES}


def _with_sources(ctx: Context, result: ScenarioResult) -> dict[str, Any]:
    data = result.to_dict()
    ids = [s for row in result.verdict for s in row["sources"]]
    data["sources"] = ctx.cited(ids)
    return data


def scenarios_page(ctx: Context) -> dict[str, Any]:
    """The shipped scenarios (id, title, description, date, operations) and the deals one can block."""
    tables = _tables(ctx)
    rows = []
    for scenario_id, path in shipped_scenarios().items():
        try:
            checked = load_scenario(path, tables)
        except MarketpowerError:  # written for the bundled data; this package lacks its ids
            continue
        rows.append(
            {
                "id": scenario_id,
                "title": checked.title,
                "description": checked.description,
                "as_of": checked.as_of.isoformat(),
                "operations": [o.op for o in checked.operations],
            }
        )
    deals = tables["deals"].sort_values("announced", ascending=False)
    return {
        "page": "scenarios",
        "scenarios": rows,
        "deals": [{"id": d.id, "description": d.description} for d in deals.itertuples()],
    }


def scenario_page(ctx: Context, scenario_id: str) -> dict[str, Any]:
    """One shipped scenario run against the store: the result of :func:`run_scenario` with its sources."""
    files = shipped_scenarios()
    if scenario_id not in files:
        raise InvalidInputError(f"unknown scenario {scenario_id!r} (shipped: {', '.join(files)})")

    def build() -> dict[str, Any]:
        tables = _tables(ctx)
        return {"page": "scenario", **_with_sources(ctx, analyse_file(files[scenario_id], tables, _memo(ctx)))}

    return dict(ctx.cached(f"scenario:{scenario_id}", build))


def analyse_file(path: Path, tables: Mapping[str, pd.DataFrame], memo: dict[Any, Any] | None = None) -> ScenarioResult:
    """Check and analyse one scenario file (``memo``: see :func:`marketpower.scenario.analyse`)."""
    checked = load_scenario(path, tables)
    return analyse(checked, tables, snapshots_as_of(tables, checked.as_of), memo)


def _memo(ctx: Context) -> dict[Any, Any]:
    """What the baseline computed, kept for every scenario run on this context's (read-only) store."""
    memo: dict[Any, Any] = ctx.cached("scenario-memo", dict)
    return memo


def deal_scenario_page(ctx: Context, deal_id: str) -> dict[str, Any]:
    """Allow (the store as it is) against block (the deal and what depends on it), as of today."""
    tables = _tables(ctx)
    if deal_id not in set(tables["deals"]["id"]):
        raise InvalidInputError(f"unknown deal {deal_id!r} (see /deals for the ids)")
    spec = {"scenario": f"block-{deal_id}", "title": f"Block {deal_id}", "operations": [{"block": deal_id}]}

    def build() -> dict[str, Any]:
        checked = parse_scenario(spec, tables, file=f"block {deal_id}")
        result = analyse(checked, tables, snapshots_as_of(tables, checked.as_of), _memo(ctx))
        return {"page": "scenario", "deal_id": deal_id, **_with_sources(ctx, result)}

    return dict(ctx.cached(f"scenario-deal:{deal_id}", build))


def compare_page(ctx: Context, first: str, second: str) -> dict[str, Any]:
    """Two shipped scenarios side by side (their verdict rows joined by figure and place)."""
    a, b = scenario_page(ctx, first), scenario_page(ctx, second)
    left = {(r["what"], r["where"]): r for r in a["verdict"]}
    right = {(r["what"], r["where"]): r for r in b["verdict"]}
    rows = [
        {
            "what": k[0],
            "where": k[1],
            "baseline": (left.get(k) or right.get(k) or {}).get("baseline"),
            "a": left.get(k, {}).get("scenario"),
            "b": right.get(k, {}).get("scenario"),
            "change_a": left.get(k, {}).get("change"),
            "change_b": right.get(k, {}).get("change"),
            "sources": sorted(set(left.get(k, {}).get("sources", [])) | set(right.get(k, {}).get("sources", []))),
        }
        for k in list(dict.fromkeys([*left, *right]))
    ]
    return {
        "page": "scenarios-compare",
        "a": {"id": first, "title": a["scenario"]["title"]},
        "b": {"id": second, "title": b["scenario"]["title"]},
        "rows": rows,
        "sources": ctx.cited([s for r in rows for s in r["sources"]]),
    }


#: Scenarios the briefing's "Regulate or encourage?" paragraph draws from, in this order.
BRIEFING_SCENARIOS = ("block-nvidia-openai", "unwind-microsoft-openai", "cap-clouds-in-labs")
TOL = 1e-9


#: Verdict figures a briefing sentence names (code -> the start of the verdict row's ``what``).
HEADLINES = {"mhhi": "ΔMHHI", "round_trip": "round trip", "loops": "money loops", "compute_hhi": "HHI of compute"}


def _headline(what: str) -> str | None:
    return next((code for code, start in HEADLINES.items() if what.startswith(start)), None)


def regulate_or_encourage(ctx: Context) -> dict[str, Any]:
    """The shipped scenarios side by side: every verdict figure that changes in one of them, with the baseline,
    each scenario's value and change and the sources of its inputs; and the points the briefing states (for each
    of :data:`BRIEFING_SCENARIOS`, its verdict row of largest relative change)."""
    runs: dict[str, dict[str, Any]] = {}
    skipped = []
    for sid in shipped_scenarios():
        try:
            runs[sid] = scenario_page(ctx, sid)
        except MarketpowerError as error:  # a scenario written for the bundled data, another package lacks its ids
            skipped.append({"id": sid, "reason": str(error)})
    keys: dict[tuple[str, str], dict[str, Any]] = {}
    for sid, run in runs.items():
        for row in run["verdict"]:
            if row["change"] is None or abs(row["change"]) <= TOL:
                continue
            entry = keys.setdefault(
                (row["what"], row["where"]),
                {"what": row["what"], "where": row["where"], "baseline": row["baseline"], "cells": {}},
            )
            entry["cells"][sid] = {
                "scenario": row["scenario"],
                "change": row["change"],
                "range": row["range"],
                "sources": row["sources"],
            }
    points = []
    for sid in BRIEFING_SCENARIOS:
        if sid not in runs:
            continue
        moved = [
            r
            for r in runs[sid]["verdict"]
            if _headline(r["what"])
            and r["change"] is not None
            and abs(r["change"]) > TOL
            and r["baseline"] not in (None, 0)
        ]
        if not moved:
            continue
        top = max(moved, key=lambda r: abs(r["change"] / r["baseline"]))
        named = {d for c in runs[sid]["changes"] for d in c.get("deals", [])}
        deals = ctx.table("deals")
        own = [str(x) for x in deals.loc[deals["id"].isin(named), "source_id"] if str(x) in top["sources"]]
        points.append(
            {
                "scenario": sid,
                "title": runs[sid]["scenario"]["title"],
                "what": top["what"],
                "measure": _headline(top["what"]),
                "where": top["where"],
                "baseline": top["baseline"],
                "value": top["scenario"],
                "source": next(iter(ctx.cited(own + top["sources"])), None),
            }
        )
    ids = [s for row in keys.values() for cell in row["cells"].values() for s in cell["sources"]]
    return {
        "scenarios": [
            {"id": sid, "title": run["scenario"]["title"], "as_of": run["scenario"]["as_of"]}
            for sid, run in runs.items()
        ],
        "rows": list(keys.values()),
        "points": points,
        "skipped": skipped,
        "source_ids": sorted(set(ids)),
    }
