"""The physical model behind the AI race: facility power <-> accelerators <-> FLOP/s <-> energy <-> capital.

Every conversion returns a :class:`Chain`: the ordered steps (value, unit, formula, source) that lead from
the input to each answer, each with a low / central / high value. Ranges travel by interval arithmetic on
positive quantities, so each printed bound is reproducible from the bounds of the steps it names:

    low(a × b) = low(a) × low(b)        low(a / b) = low(a) / high(b)      (and symmetrically for high)

Model (units in names; W = watt, MW = 10^6 W, TWh = 10^12 Wh)::

    it_power_mw        = facility_power_mw / pue
    accelerators       = it_power_mw × 10^6 / system_power_w          (all-in power per accelerator)
    peak_flops         = accelerators × dense_flops_per_accelerator
    effective_flops    = peak_flops × utilisation
    h100e              = peak_flops / dense_flops_of_one_h100          (H100-equivalents, same precision)
    annual_energy_twh  = facility_power_mw × load_factor × 8,760 h / 10^6
    share_of_us        = annual_energy_twh / us_electricity_twh
    capex_usd          = facility_power_mw × capex_per_mw

The reverse direction (accelerators -> power) runs the first two lines backwards; a round trip through the
central values returns the input (to floating-point rounding).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidInputError

HOURS_PER_YEAR = 8_760.0
W_PER_MW = 1e6
MWH_PER_TWH = 1e6
H100_ID = "nvidia-h100"

#: Parameter ids the model reads from the ``parameters`` table.
MODEL_PARAMETERS = ("pue", "load_factor", "utilisation", "capex_per_mw", "us_electricity_twh", "us_datacenter_twh")


# ------------------------------------------------------------------------------------------------ ranges


@dataclass(frozen=True)
class Range:
    """A positive quantity as low <= central <= high."""

    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        values = (self.low, self.central, self.high)
        if not all(math.isfinite(v) for v in values) or not self.low <= self.central <= self.high:
            raise InvalidInputError(f"range must be finite with low <= central <= high, got {values}")

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value, value)

    def __mul__(self, other: Range) -> Range:
        return Range(self.low * other.low, self.central * other.central, self.high * other.high)

    def __truediv__(self, other: Range) -> Range:
        return Range(self.low / other.high, self.central / other.central, self.high / other.low)

    def scaled(self, factor: float) -> Range:
        """Multiply by a positive constant (a unit conversion)."""
        return Range(self.low * factor, self.central * factor, self.high * factor)

    @property
    def is_exact(self) -> bool:
        return self.low == self.central == self.high


def range_from(low: Any, central: Any, high: Any, what: str) -> Range:
    """Range from possibly empty table cells: a missing central is the midpoint of low and high; a missing
    bound is the central value."""
    lo, mid, hi = (None if v is None or pd.isna(v) else float(v) for v in (low, central, high))
    if mid is None:
        if lo is None and hi is None:
            raise InvalidInputError(f"{what}: no value published (low, central and high are all empty)")
        mid = (lo + hi) / 2 if lo is not None and hi is not None else (lo if lo is not None else hi)
    return Range(lo if lo is not None else mid, mid, hi if hi is not None else mid)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Assumption:
    """One model input with its range, unit and where it comes from (source ids, or how it was derived)."""

    name: str
    unit: str
    value: Range
    source: str


# ------------------------------------------------------------------------------------------------ chain


@dataclass(frozen=True)
class Step:
    """One step of a chain: ``key = formula`` (or an assumption), in ``unit``, with its source."""

    key: str
    label: str
    unit: str
    formula: str
    value: Range
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "formula": self.formula,
            "low": self.value.low,
            "central": self.value.central,
            "high": self.value.high,
            "source": self.source,
        }


@dataclass(frozen=True)
class Chain:
    """The explicit chain of assumptions and results of one conversion."""

    title: str
    accelerator_id: str
    steps: tuple[Step, ...]

    def __getitem__(self, key: str) -> Range:
        for step in self.steps:
            if step.key == key:
                return step.value
        raise KeyError(key)

    def keys(self) -> list[str]:
        return [s.key for s in self.steps]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([s.to_dict() for s in self.steps])

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "accelerator": self.accelerator_id, "steps": [s.to_dict() for s in self.steps]}


@dataclass
class _Builder:
    steps: list[Step] = field(default_factory=list)

    def put(self, key: str, label: str, unit: str, formula: str, value: Range, source: str) -> Range:
        self.steps.append(Step(key, label, unit, formula, value, source))
        return value

    def assume(self, key: str, label: str, assumption: Assumption) -> Range:
        return self.put(key, label, assumption.unit, "assumption", assumption.value, assumption.source)


# ------------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Accelerator:
    """What the model needs from one ``hardware`` row."""

    id: str
    model: str
    system_power_w: Assumption
    dense_flops: Assumption | None
    precision: str
    h100_dense_flops: Assumption | None
    price_usd: Assumption | None

    def with_system_power(self, value: Range) -> Accelerator:
        return replace(self, system_power_w=replace(self.system_power_w, value=value))


@dataclass(frozen=True)
class ModelParams:
    """The sourced assumptions of the model, one :class:`Assumption` per id of :data:`MODEL_PARAMETERS`."""

    values: Mapping[str, Assumption]

    def __getitem__(self, name: str) -> Assumption:
        return self.values[name]

    def with_value(self, name: str, value: Range, source: str | None = None) -> ModelParams:
        old = self.values[name]
        new = dict(self.values)
        new[name] = replace(old, value=value, source=source or old.source)
        return ModelParams(new)

    @classmethod
    def from_frame(cls, parameters: pd.DataFrame) -> ModelParams:
        """Read the ``parameters`` table (columns id, name, unit, low, central, high, source ids)."""
        rows = {str(r["id"]): r for r in parameters.to_dict("records")}
        missing = [p for p in MODEL_PARAMETERS if p not in rows]
        if missing:
            raise InvalidInputError(
                f"parameters table lacks {', '.join(missing)}; add those rows to data/parameters.csv"
            )
        values: dict[str, Assumption] = {}
        for pid in MODEL_PARAMETERS:
            row = rows[pid]
            sources = [str(row["source_id"])]
            for col in ("low_source_id", "high_source_id"):
                if col in row and pd.notna(row[col]) and str(row[col]) not in sources:
                    sources.append(str(row[col]))
            values[pid] = Assumption(
                str(row["name"]),
                str(row["unit"]),
                range_from(row.get("low"), row.get("central"), row.get("high"), f"parameter {pid}"),
                ", ".join(sources),
            )
        return cls(values)


def check_positive(value: float, what: str, hint: str) -> float:
    """``value`` as a float, or InvalidInputError naming ``what`` when it is not finite and > 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} = {value!r} is not a number; {hint}") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidInputError(f"{what} = {value!r} must be a positive number; {hint}")
    return number


def check_pue(pue: float) -> float:
    """PUE = facility power / IT power, so it is at least 1."""
    value = check_positive(pue, "pue", "PUE is facility power / IT power, e.g. 1.2")
    if value < 1:
        raise InvalidInputError(f"pue = {pue!r} is below 1; PUE is facility power / IT power, so it is >= 1")
    return value


def _row_of(hardware: pd.DataFrame, accelerator_id: str) -> dict[str, Any]:
    wanted = str(accelerator_id).strip().lower()
    for row in hardware.to_dict("records"):
        if wanted in (str(row["id"]).lower(), str(row["model"]).lower()):
            return {str(k): v for k, v in row.items()}
    for row in hardware.to_dict("records"):  # short names: "gb200" for "nvidia-gb200"
        if str(row["id"]).lower().split("-", 1)[-1] == wanted:
            return {str(k): v for k, v in row.items()}
    known = ", ".join(sorted(str(i) for i in hardware["id"]))
    raise InvalidInputError(f"unknown accelerator {accelerator_id!r}; use one of: {known}")


def _cell(row: Mapping[str, Any], col: str) -> float | None:
    value = row.get(col)
    return None if value is None or pd.isna(value) else float(value)


def system_overhead_factor(hardware: pd.DataFrame) -> Assumption:
    """All-in system power / chip TDP over the accelerators that publish both (min, median, max).

    Used for accelerators with a TDP but no published system figure: system_power_w = chip_tdp_w × factor.
    """
    both = hardware.dropna(subset=["system_power_w", "chip_tdp_w"])
    if both.empty:
        raise InvalidInputError("no accelerator publishes both chip TDP and system power; cannot derive overhead")
    ratios = np.asarray(both["system_power_w"], dtype=float) / np.asarray(both["chip_tdp_w"], dtype=float)
    ids = ", ".join(f"{i} {r:.4f}" for i, r in zip(both["id"], ratios, strict=True))
    return Assumption(
        "all-in system power / chip TDP",
        "ratio",
        Range(float(ratios.min()), float(np.median(ratios)), float(ratios.max())),
        f"derived: min, median, max of system_power_w / chip_tdp_w over {ids}",
    )


def accelerator(hardware: pd.DataFrame, accelerator_id: str) -> Accelerator:
    """The model inputs of one accelerator (by id, model name or short id such as ``gb200``)."""
    row = _row_of(hardware, accelerator_id)
    aid = str(row["id"])
    power_source = str(row.get("system_power_source_id") or row["source_id"])
    if any(_cell(row, c) is not None for c in ("system_power_w_low", "system_power_w", "system_power_w_high")):
        power = Assumption(
            "all-in power per accelerator",
            "W",
            range_from(
                row.get("system_power_w_low"),
                row.get("system_power_w"),
                row.get("system_power_w_high"),
                f"{aid} system power",
            ),
            f"{power_source} ({row.get('system_power_basis') or 'reported'}; see hardware note)",
        )
    elif _cell(row, "chip_tdp_w") is not None:
        factor = system_overhead_factor(hardware)
        tdp = float(row["chip_tdp_w"])
        power = Assumption(
            "all-in power per accelerator = chip TDP × overhead factor",
            "W",
            factor.value.scaled(tdp),
            f"{row['source_id']} (TDP {tdp:g} W) × {factor.source}",
        )
    else:
        raise InvalidInputError(
            f"accelerator {aid!r} has no published chip TDP or system power, so power cannot be converted; "
            "choose another accelerator or add a sourced figure to data/hardware.csv"
        )
    precision = "BF16" if _cell(row, "bf16_dense_flops") is not None else "FP8"
    flops_col = "bf16_dense_flops" if precision == "BF16" else "fp8_dense_flops"
    flops = _cell(row, flops_col)
    dense = (
        None
        if flops is None
        else Assumption(
            f"dense {precision} FLOP/s per accelerator", "FLOP/s", Range.exact(flops), str(row["source_id"])
        )
    )
    h100 = None
    if H100_ID in set(hardware["id"]):
        h100_row = _row_of(hardware, H100_ID)
        h100_flops = _cell(h100_row, flops_col)
        if h100_flops is not None:
            h100 = Assumption(
                f"dense {precision} FLOP/s of one H100 (H100-equivalent basis)",
                "FLOP/s",
                Range.exact(h100_flops),
                str(h100_row["source_id"]),
            )
    price = None
    if any(_cell(row, c) is not None for c in ("price_usd_low", "price_usd", "price_usd_high")):
        price = Assumption(
            "price per accelerator",
            "USD",
            range_from(row.get("price_usd_low"), row.get("price_usd"), row.get("price_usd_high"), f"{aid} price"),
            str(row.get("price_source_id") or row["source_id"]),
        )
    return Accelerator(aid, str(row["model"]), power, dense, precision, h100, price)


# ------------------------------------------------------------------------------------------------ model


def _downstream(b: _Builder, facility: Range, units: Range, acc: Accelerator, params: ModelParams) -> None:
    """Compute, energy and capital steps shared by both directions."""
    if acc.dense_flops is not None:
        flops = b.assume("dense_flops_per_accelerator", acc.dense_flops.name, acc.dense_flops)
        peak = b.put(
            "peak_flops",
            f"peak dense {acc.precision} compute",
            "FLOP/s",
            "accelerators × dense_flops_per_accelerator",
            units * flops,
            "derived",
        )
        util = b.assume("utilisation", params["utilisation"].name, params["utilisation"])
        b.put(
            "effective_flops",
            f"effective {acc.precision} compute",
            "FLOP/s",
            "peak_flops × utilisation",
            peak * util,
            "derived",
        )
        if acc.h100_dense_flops is not None:
            h100 = b.assume("h100_dense_flops", acc.h100_dense_flops.name, acc.h100_dense_flops)
            b.put("h100e", "H100-equivalents", "H100e", "peak_flops / h100_dense_flops", peak / h100, "derived")
    load = b.assume("load_factor", params["load_factor"].name, params["load_factor"])
    energy = b.put(
        "annual_energy_twh",
        "annual facility energy",
        "TWh/year",
        "facility_power_mw × load_factor × 8,760 h / 10^6",
        (facility * load).scaled(HOURS_PER_YEAR / MWH_PER_TWH),
        "derived",
    )
    us_twh = b.assume("us_electricity_twh", params["us_electricity_twh"].name, params["us_electricity_twh"])
    b.put(
        "share_of_us_electricity",
        "share of US electricity consumption",
        "fraction",
        "annual_energy_twh / us_electricity_twh",
        energy / us_twh,
        "derived",
    )
    dc_twh = b.assume("us_datacenter_twh", params["us_datacenter_twh"].name, params["us_datacenter_twh"])
    b.put(
        "ratio_to_us_datacenters_2023",
        "energy / all US data centres in 2023",
        "ratio",
        "annual_energy_twh / us_datacenter_twh",
        energy / dc_twh,
        "derived",
    )
    capex_mw = b.assume("capex_per_mw", params["capex_per_mw"].name, params["capex_per_mw"])
    b.put(
        "capex_usd",
        "capital cost of the build-out",
        "USD",
        "facility_power_mw × capex_per_mw",
        facility * capex_mw,
        "derived",
    )
    if acc.price_usd is not None:
        price = b.assume("price_per_accelerator_usd", acc.price_usd.name, acc.price_usd)
        b.put(
            "accelerator_cost_usd",
            "accelerator purchase cost",
            "USD",
            "accelerators × price_per_accelerator_usd",
            units * price,
            "derived",
        )


def power_to_compute(facility_power_mw: float, acc: Accelerator, params: ModelParams) -> Chain:
    """Facility power (MW) -> accelerators of one model -> FLOP/s, energy, share of US consumption, capex."""
    power = check_positive(facility_power_mw, "facility power", "give the data-centre power in MW or GW, e.g. 10 GW")
    check_pue(params["pue"].value.low)
    b = _Builder()
    facility = b.put("facility_power_mw", "facility power", "MW", "input", Range.exact(power), "input")
    pue = b.assume("pue", params["pue"].name, params["pue"])
    it_power = b.put("it_power_mw", "IT power", "MW", "facility_power_mw / pue", facility / pue, "derived")
    system = b.assume("system_power_w", acc.system_power_w.name, acc.system_power_w)
    units = b.put(
        "accelerators",
        f"{acc.model} accelerators",
        "count",
        "it_power_mw × 10^6 / system_power_w",
        (it_power / system).scaled(W_PER_MW),
        "derived",
    )
    _downstream(b, facility, units, acc, params)
    return Chain(f"{power:,.6g} MW of facility power as {acc.model}", acc.id, tuple(b.steps))


def accelerators_to_compute(accelerators: float, acc: Accelerator, params: ModelParams) -> Chain:
    """Accelerators of one model -> IT and facility power (MW) -> FLOP/s, energy, share of US consumption, capex."""
    count = check_positive(accelerators, "accelerators", "give a number of accelerators, e.g. 4.5e6")
    check_pue(params["pue"].value.low)
    b = _Builder()
    units = b.put("accelerators", f"{acc.model} accelerators", "count", "input", Range.exact(count), "input")
    system = b.assume("system_power_w", acc.system_power_w.name, acc.system_power_w)
    it_power = b.put(
        "it_power_mw",
        "IT power",
        "MW",
        "accelerators × system_power_w / 10^6",
        (units * system).scaled(1 / W_PER_MW),
        "derived",
    )
    pue = b.assume("pue", params["pue"].name, params["pue"])
    facility = b.put("facility_power_mw", "facility power", "MW", "it_power_mw × pue", it_power * pue, "derived")
    _downstream(b, facility, units, acc, params)
    return Chain(f"{count:,.6g} {acc.model} accelerators", acc.id, tuple(b.steps))


# ------------------------------------------------------------------------------------------------ sensitivity

Run = Callable[[Accelerator, ModelParams], Chain]


def sensitivity(run: Run, output: str, acc: Accelerator, params: ModelParams) -> pd.DataFrame:
    """One-at-a-time sweep: the central ``output`` with each assumption set to its low, then its high, value.

    Columns: assumption, unit, value_low, value_high, output_at_low, output_at_high, swing (= |difference|),
    sorted by swing, largest first (the order of a tornado chart). Exact assumptions have swing 0.
    """
    base = run(acc, params)[output].central
    rows: list[dict[str, Any]] = []
    candidates: list[tuple[str, Assumption, Callable[[float], tuple[Accelerator, ModelParams]]]] = [
        ("system_power_w", acc.system_power_w, lambda v: (acc.with_system_power(Range.exact(v)), params)),
    ]

    def setter(name: str) -> Callable[[float], tuple[Accelerator, ModelParams]]:
        return lambda v: (acc, params.with_value(name, Range.exact(v)))

    for name in MODEL_PARAMETERS:
        candidates.append((name, params[name], setter(name)))
    if acc.price_usd is not None:
        price = acc.price_usd
        candidates.append(
            (
                "price_per_accelerator_usd",
                price,
                lambda v: (replace(acc, price_usd=replace(price, value=Range.exact(v))), params),
            )
        )
    for name, assumption, setting in candidates:
        at_low = run(*setting(assumption.value.low))[output].central
        at_high = run(*setting(assumption.value.high))[output].central
        rows.append(
            {
                "assumption": name,
                "unit": assumption.unit,
                "value_low": assumption.value.low,
                "value_central": assumption.value.central,
                "value_high": assumption.value.high,
                "output": output,
                "output_central": base,
                "output_at_low": at_low,
                "output_at_high": at_high,
                "swing": abs(at_high - at_low),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ worked example


def accelerators_for_power_table(
    hardware: pd.DataFrame,
    params: ModelParams,
    facility_power_gw: float = 10.0,
    target: tuple[float, float] = (4e6, 5e6),
    ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """How many accelerators of each model ``facility_power_gw`` feeds, and whether that lands in ``target``.

    Two bases per accelerator: ``tdp_only`` = facility power / chip TDP (no host, network or cooling: the
    naive count), and the model's all-in count (low / central / high over PUE and system power).
    ``verdict``: "in range" when the central all-in count is inside ``target``, "range overlaps" when only
    the low-high interval meets it, otherwise "too many" / "too few".
    """
    power_mw = check_positive(facility_power_gw, "facility power (GW)", "e.g. 10") * 1_000.0
    lo_t, hi_t = target
    rows: list[dict[str, Any]] = []
    for record in hardware.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        aid = str(row["id"])
        if ids is not None and aid not in set(ids):
            continue
        has_power = any(
            _cell(row, c) is not None
            for c in ("system_power_w_low", "system_power_w", "system_power_w_high", "chip_tdp_w")
        )
        if not has_power:
            continue
        acc = accelerator(hardware, aid)
        units = power_to_compute(power_mw, acc, params)["accelerators"]
        tdp = _cell(row, "chip_tdp_w")
        if lo_t <= units.central <= hi_t:
            verdict = "in range"
        elif units.high >= lo_t and units.low <= hi_t:
            verdict = "range overlaps"
        else:
            verdict = "too many" if units.low > hi_t else "too few"
        rows.append(
            {
                "accelerator": aid,
                "model": acc.model,
                "year": int(row["year"]),
                "status": str(row["status"]),
                "power_basis": "system figure"
                if _cell(row, "system_power_w") is not None or _cell(row, "system_power_w_high") is not None
                else "chip TDP × overhead factor",
                "chip_tdp_w": tdp,
                "system_power_w": acc.system_power_w.value.central,
                "tdp_only_count": None if tdp is None else power_mw * W_PER_MW / tdp,
                "count_low": units.low,
                "count_central": units.central,
                "count_high": units.high,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)
