"""Uncertainty: re-run a case over inputs drawn uniformly from ranges and report percentile bands.

``ranges`` keys: ``market_elasticity``: [low, high]; ``mc_delta``: [low, high] (all products);
``margins``: [low, high] (every known margin) or {label: [low, high]}; ``parameters.NAME``: [low, high].
Draws whose calibration is impossible or whose solve fails are counted, not hidden.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .case import Case, parse_case
from .result import SimulationResult

PERCENTILES = (5.0, 50.0, 95.0)


def _interval(value: Any, key: str) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or value[0] > value[1]
    ):
        raise InvalidInputError(f"ranges.{key} = {value!r}: expected [low, high] with low <= high")
    return float(value[0]), float(value[1])


def draw_case(case: Mapping[str, Any], parsed: Case, rng: np.random.Generator) -> dict[str, Any]:
    """One case with each ranged input replaced by a uniform draw."""
    out = {k: copy.deepcopy(v) for k, v in case.items() if k not in ("draws", "ranges", "seed")}
    labels = parsed.data.labels
    for key, spec in parsed.ranges.items():
        if key == "margins":
            margins = list(out.get("margins") or [None] * len(labels))
            items = (
                spec.items()
                if isinstance(spec, Mapping)
                else [(labels[j], spec) for j in range(len(labels)) if margins[j] is not None]
            )
            for label, interval in items:
                if label not in labels:
                    raise InvalidInputError(f"ranges.margins: unknown product '{label}'")
                margins[labels.index(label)] = rng.uniform(*_interval(interval, f"margins.{label}"))
            out["margins"] = margins
        elif key in ("market_elasticity", "mc_delta", "known_elasticity"):
            out[key] = rng.uniform(*_interval(spec, key))
        elif key.startswith("parameters."):
            out.setdefault("parameters", {})
            out["parameters"] = dict(out["parameters"]) | {key.split(".", 1)[1]: rng.uniform(*_interval(spec, key))}
        else:
            raise InvalidInputError(
                f"ranges.{key}: cannot draw this input (use margins, market_elasticity, "
                "mc_delta, known_elasticity or parameters.NAME)"
            )
    return out


def percentile_bands(case: Mapping[str, Any], parsed: Case, run: Callable[[Case], SimulationResult]) -> dict[str, Any]:
    """5th/50th/95th percentiles over ``parsed.draws`` simulations (each by ``run``, the engine's dispatcher: passed
    in so this module never imports the engine above it) of product % price changes, the share-weighted market %
    change, CV, producer-surplus change and post-merger HHI."""
    rng = np.random.default_rng(parsed.seed)
    rows: list[dict[str, Any]] = []
    failures: dict[str, int] = {}
    for _ in range(parsed.draws):
        drawn = draw_case(case, parsed, rng)
        try:
            result = run(parse_case(drawn))
        except (InvalidInputError, ConvergenceError) as exc:
            kind = type(exc).__name__
            failures[kind] = failures.get(kind, 0) + 1
            continue
        changes = result.price_change_pct()
        rows.append(
            {
                "products": changes["products"],
                "market_share_weighted": changes["market_share_weighted"],
                "cv": result.cv,
                "producer_surplus_delta": result.producer_surplus_delta,
                "hhi_post": result.hhi_post,
            }
        )
    bands: dict[str, Any] = {
        "draws": parsed.draws,
        "succeeded": len(rows),
        "failed": failures,
        "percentiles": list(PERCENTILES),
        "seed": parsed.seed,
    }
    if not rows:
        return bands

    def band(values: list[float]) -> list[float]:
        return [float(v) for v in np.percentile(values, PERCENTILES)]

    bands["price_change_pct"] = {label: band([r["products"][label] for r in rows]) for label in parsed.data.labels}
    for key in ("market_share_weighted", "cv", "producer_surplus_delta", "hhi_post"):
        bands[key] = band([r[key] for r in rows])
    return bands
