"""The result of a scenario run: baseline against scenario, section by section; prints as tables, gives
DataFrames and a JSON-ready dict (``to_dict``, serialised by :mod:`marketpower.publish.serialize`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "weights"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


@dataclass
class ScenarioResult:
    """Sections: ``markets`` (HHI, MHHI, screens, simulation per market touched), ``vertical`` (vertical GUPPIs),
    ``web`` (loops, round trips, dependence), ``compute`` (compute and power committed, compute HHI),
    ``verdict`` (what changes, by how much, under which rule, with the sources of its inputs)."""

    scenario: dict[str, Any]
    changes: list[dict[str, Any]]
    parties: list[str]
    markets: list[dict[str, Any]]
    vertical: list[dict[str, Any]]
    web: dict[str, Any]
    compute: dict[str, Any]
    verdict: list[dict[str, Any]]
    stakes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": _plain(self.scenario),
            "changes": _plain(self.changes),
            "parties": self.parties,
            "verdict": _plain(self.verdict),
            "markets": _plain(self.markets),
            "vertical": _plain(self.vertical),
            "web": _plain(self.web),
            "compute": _plain(self.compute),
            "stakes": _plain(self.stakes),
        }

    def verdict_frame(self) -> pd.DataFrame:
        """The verdict table: what, where, baseline, scenario, change, range, rule, sources."""
        return pd.DataFrame(
            self.verdict, columns=["what", "where", "baseline", "scenario", "change", "range", "rule", "sources"]
        )

    def markets_frame(self) -> pd.DataFrame:
        """One row per market touched: HHI, MHHI and ΔMHHI of both states, the US 2023 outcome of each."""
        rows = []
        for m in self.markets:
            b, s = m["baseline"], m["scenario"]
            rows.append(
                {
                    "market_id": m["market_id"],
                    "year": m["year"],
                    "hhi_low": b["hhi_low"],
                    "hhi_high": b["hhi_high"],
                    "mhhi_baseline": b["mhhi"],
                    "mhhi_scenario": s["mhhi"],
                    "mhhi_scenario_low": s["mhhi_low"],
                    "mhhi_scenario_high": s["mhhi_high"],
                    "delta_mhhi_baseline": b["mhhi_delta"],
                    "delta_mhhi_scenario": s["mhhi_delta"],
                    "us2023_baseline": next(x["outcome"] for x in b["screens"] if x["guideline"] == "us2023"),
                    "us2023_scenario": next(x["outcome"] for x in s["screens"] if x["guideline"] == "us2023"),
                    "simulation": m["simulation"]["status"],
                }
            )
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        title = f"{self.scenario['title']} (as of {self.scenario['as_of']})"
        verdict = (
            self.verdict_frame().drop(columns=["sources"]).to_string(index=False, float_format=lambda v: f"{v:,.4g}")
        )
        return f"{title}\n{verdict}"
