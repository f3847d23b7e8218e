"""What-if overlays on the store and their diffs: a scenario never writes to the store (docs/scenarios.md).

:func:`parse_scenario` checks a scenario file against the store's tables, :func:`apply` gives the data under the
scenario, :func:`analyse` compares the baseline with it section by section.
"""

from __future__ import annotations

from .analysis import analyse
from .overlay import State, apply, baseline_state
from .result import ScenarioResult
from .spec import Scenario, parse_scenario, read_scenario_file
from .terms import stake_weights, with_deal_terms

__all__ = [
    "Scenario",
    "ScenarioResult",
    "State",
    "analyse",
    "apply",
    "baseline_state",
    "parse_scenario",
    "read_scenario_file",
    "stake_weights",
    "with_deal_terms",
]
