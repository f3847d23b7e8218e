"""Application layer for scenarios: run one scenario file, or compare two, against the store as it is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..scenario import Scenario, ScenarioResult, analyse, parse_scenario, read_scenario_file
from ..store import Store
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


def snapshots_as_of(tables: Mapping[str, pd.DataFrame], as_of: date) -> dict[str, pd.DataFrame]:
    """Each market's snapshot (:func:`marketpower.api.market_snapshot`) among the years up to ``as_of``."""
    shares = tables["shares"]
    shares = shares[shares["year"] <= as_of.year]
    out = {}
    for market_id in sorted(set(shares["market_id"])):
        rows = shares[shares["market_id"] == market_id]
        first_series = sorted(set(rows.loc[rows["year"] == rows["year"].max(), "series"].fillna("")))[0]
        try:
            out[market_id] = market_snapshot(shares, market_id, series=first_series)
        except InvalidInputError:
            continue
    return out


def load_scenario(path: Path | str, tables: Mapping[str, pd.DataFrame], as_of: date | str | None = None) -> Scenario:
    """Read and check a scenario file against the tables."""
    return parse_scenario(read_scenario_file(path), tables, file=str(path), as_of=as_of)


def run_scenario(
    store: Store,
    scenario: Path | str | Mapping[str, Any],
    as_of: date | str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> ScenarioResult:
    """Baseline (the store as it is) against the scenario in a file (or a mapping), as of its date or ``as_of``."""
    data = tables if tables is not None else scenario_tables(store)
    if isinstance(scenario, Mapping):
        checked = parse_scenario(scenario, data, as_of=as_of)
    else:
        checked = load_scenario(scenario, data, as_of)
    return analyse(checked, data, snapshots_as_of(data, checked.as_of))


def compare_scenarios(
    store: Store, first: Path | str, second: Path | str, as_of: date | str | None = None
) -> dict[str, Any]:
    """Two scenarios against the same baseline, side by side: both results and their verdict rows joined."""
    data = scenario_tables(store)
    a, b = run_scenario(store, first, as_of, data), run_scenario(store, second, as_of, data)
    left = a.verdict_frame().assign(key=lambda f: f["what"] + " | " + f["where"])
    right = b.verdict_frame().assign(key=lambda f: f["what"] + " | " + f["where"])
    joined = left[["key", "what", "where", "baseline", "scenario", "change"]].merge(
        right[["key", "what", "where", "baseline", "scenario", "change"]],
        on=["key", "what", "where"],
        how="outer",
        suffixes=("_a", "_b"),
    )
    return {"a": a.to_dict(), "b": b.to_dict(), "side_by_side": joined.drop(columns="key").to_dict("records")}
