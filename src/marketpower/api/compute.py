"""Compute and power: how many accelerators a power budget feeds (and the reverse), the 10 GW worked example,
and who holds the AI compute. The compute model's parameters are read from the store in one place
(:func:`model_params`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..flows import compute as model
from ..flows import compute_share as holdings_model
from ..flows.asof import facilities_as_of
from ..ingest.epoch_chips import MARKET_ID as CHIP_OWNERSHIP_MARKET
from .assumptions import WORKED_EXAMPLE_GW, WORKED_EXAMPLE_TARGET
from .deals import iso_date
from .results import Result, Source, context_of

#: Unit of the markets that measure installed compute by owner.
COMPUTE_UNIT = "H100e"


def model_params(source: Source, pue: float | None = None) -> model.ModelParams:
    """The compute model's assumptions (the ``parameters`` table, each a low/central/high range with its
    source); ``pue`` replaces the PUE range with one user value (>= 1)."""
    ctx = context_of(source)
    params = ctx.cached("model_params", lambda: model.ModelParams.from_frame(ctx.table("parameters")))
    if pue is not None:
        params = params.with_value("pue", model.Range.exact(model.check_pue(pue)), "user input (--pue)")
    return params


@dataclasses.dataclass(frozen=True)
class AcceleratorsForPower(Result):
    """Accelerators of every model fed by ``facility_power_mw`` (:func:`marketpower.flows.compute.
    accelerators_for_power_table`), with the PUE range used (``pue``: low, central, high)."""

    facility_power_mw: float
    pue: dict[str, float]
    rows: pd.DataFrame


def accelerators_for_power(
    source: Source,
    facility_power_mw: float,
    pue: float | None = None,
    target: tuple[float, float] = WORKED_EXAMPLE_TARGET,
    ids: list[str] | None = None,
) -> AcceleratorsForPower:
    """How many accelerators of each model in the ``hardware`` table ``facility_power_mw`` (MW) feeds, all-in
    (PUE and system power) and chip-only, each against ``target`` (a count range)."""
    ctx = context_of(source)
    params = model_params(ctx, pue)
    table = model.accelerators_for_power_table(ctx.table("hardware"), params, facility_power_mw / 1_000.0, target, ids)
    return AcceleratorsForPower(facility_power_mw, vars(params["pue"].value), table)


@dataclasses.dataclass(frozen=True)
class ComputeConversion(Result):
    """One chain of the compute model (every step: formula, unit, low / central / high, source) and its
    one-at-a-time sensitivity of ``output``."""

    chain: model.Chain
    output: str
    sensitivity: pd.DataFrame

    def payload(self) -> dict[str, Any]:
        return {**self.chain.to_dict(), "sensitivity": self.sensitivity}

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"chain": self.chain.to_frame(), "sensitivity": self.sensitivity}

    def title(self) -> str:
        return self.chain.title


def compute_conversion(
    source: Source,
    accelerator: str,
    facility_power_mw: float | None = None,
    accelerators: float | None = None,
    pue: float | None = None,
) -> ComputeConversion:
    """Facility power (MW) -> accelerators -> FLOP/s, annual TWh, share of US electricity, capex; or an
    accelerator count -> the power it needs and the rest (exactly one of the two). Intervals by interval
    arithmetic over the assumptions' ranges; sensitivity of the accelerator count (or the power)."""
    if (facility_power_mw is None) == (accelerators is None):
        raise InvalidInputError("give exactly one of a facility power or an accelerator count")
    ctx = context_of(source)
    params = model_params(ctx, pue)
    acc = model.accelerator(ctx.table("hardware"), accelerator)
    if facility_power_mw is not None:
        power = facility_power_mw
        output = "accelerators"

        def run(a: model.Accelerator, p: model.ModelParams) -> model.Chain:
            return model.power_to_compute(power, a, p)
    else:
        count = float(accelerators)  # type: ignore[arg-type]
        output = "facility_power_mw"

        def run(a: model.Accelerator, p: model.ModelParams) -> model.Chain:
            return model.accelerators_to_compute(count, a, p)

    return ComputeConversion(run(acc, params), output, model.sensitivity(run, output, acc, params))


@dataclasses.dataclass(frozen=True)
class WorkedExample(Result):
    """ "10 GW ≈ 4-5 million GPUs": accelerators of every model fed by ``power_gw``, against ``target``; the
    assumptions the answer rests on and their sources."""

    power_gw: float
    target: list[float]
    rows: pd.DataFrame
    assumptions: list[dict[str, Any]]
    source_ids: list[str]

    def pick(self) -> dict[str, Any] | None:
        """The row shown as the example's chain: the first model whose central count lands in the target."""
        rows = self.to_dict()["rows"]
        return next((r for r in rows if r["verdict"] == "in range"), rows[0]) if rows else None


def worked_example(source: Source) -> WorkedExample:
    """The seed newsletter's worked example (:data:`marketpower.api.assumptions.WORKED_EXAMPLE_GW`) for every
    accelerator of the data (:func:`marketpower.flows.compute.accelerators_for_power_table`)."""
    ctx = context_of(source)

    def build() -> WorkedExample:
        if ctx.table("hardware").empty or ctx.table("parameters").empty:
            return WorkedExample(WORKED_EXAMPLE_GW, list(WORKED_EXAMPLE_TARGET), pd.DataFrame(), [], [])
        params = model_params(ctx)
        table = model.accelerators_for_power_table(
            ctx.table("hardware"), params, WORKED_EXAMPLE_GW, WORKED_EXAMPLE_TARGET
        )
        hardware = ctx.table("hardware").set_index("id")
        ids = []
        for aid in table["accelerator"]:
            row = hardware.loc[aid]
            ids += [row["source_id"], row.get("system_power_source_id")]
        assumptions = []
        for name in ("pue",):
            a = params[name]
            assumptions.append(
                {
                    "id": name,
                    "name": a.name,
                    "unit": a.unit,
                    "low": a.value.low,
                    "central": a.value.central,
                    "high": a.value.high,
                    "source": a.source,
                }
            )
            ids += [s.strip() for s in a.source.split(",")]
        source_ids = [s for s in dict.fromkeys(ids) if isinstance(s, str)]
        return WorkedExample(WORKED_EXAMPLE_GW, list(WORKED_EXAMPLE_TARGET), table, assumptions, source_ids)

    return ctx.cached("api:worked_example", build)


@dataclasses.dataclass(frozen=True)
class ComputeShare(Result):
    """Share of AI compute (H100-equivalents) by holder or country per period, and its concentration."""

    by: str
    status: str
    source: str
    shares: pd.DataFrame
    concentration: pd.DataFrame
    holdings: pd.DataFrame

    def payload(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in ("by", "status", "source", "shares", "concentration")}


def compute_market(source: Source) -> str:
    """The market of installed accelerators by owner (unit H100e) with the most share rows."""
    ctx = context_of(source)
    markets = ctx.table("markets")
    ids = list(markets.loc[markets["unit"] == COMPUTE_UNIT, "id"])
    counts = ctx.table("shares")["market_id"].value_counts()
    return max(ids, key=lambda m: int(counts.get(m, 0))) if ids else ""


def facility_models(facilities: pd.DataFrame, hardware: pd.DataFrame) -> pd.DataFrame:
    """``facilities`` with each free-text ``accelerator_model`` ("NVIDIA GB200", "Nvidia GB300") replaced by the
    hardware id it names ("nvidia-gb200": designer and model, lower case, joined by a hyphen); a name that
    names no hardware row ("Nvidia GPUs") is kept as written, so the holdings skip that site."""
    ids = {str(i).lower() for i in hardware["id"]}

    def hardware_id(name: Any) -> Any:
        if not isinstance(name, str):
            return name
        key = "-".join(name.lower().split())
        return key if key in ids else name

    return facilities.assign(accelerator_model=facilities["accelerator_model"].map(hardware_id))


def compute_share(
    source: Source,
    by: str = "holder",
    status: str = "all",
    basis: str = "chips",
    market: str = CHIP_OWNERSHIP_MARKET,
    as_of: str | None = None,
) -> ComputeShare:
    """Who holds the AI compute: ``basis`` ``chips`` (the chip-ownership shares of ``market``), ``facilities``
    (facility accelerator counts) or ``both``; ``status`` installed, announced or all; grouped ``by`` holder or
    country (:func:`marketpower.flows.compute_share.compute_shares`, HHI by
    :func:`marketpower.flows.compute_share.concentration_by_period`). With ``as_of`` (YYYY-MM-DD), facilities
    are read as of that date (:func:`marketpower.flows.asof.facilities_as_of`: a site counts as installed only
    once online) and periods after its year are left out."""
    statuses = {"installed": ("installed",), "announced": ("announced",), "all": holdings_model.STATUSES}.get(status)
    if statuses is None:
        raise InvalidInputError(f"--status {status!r}: use installed, announced or all")
    if basis not in ("chips", "facilities", "both"):
        raise InvalidInputError(f"--source {basis!r}: use chips, facilities or both")
    ctx = context_of(source)
    parts = {}
    if basis in ("chips", "both"):
        parts["chips"] = holdings_model.holdings_from_shares(ctx.table("shares"), ctx.table("entities"), market)
    when = iso_date(as_of, "--as-of")
    if basis in ("facilities", "both"):
        sites = facilities_as_of(ctx.table("facilities"), when)
        facilities = facility_models(sites.assign(status=sites["status_as_of"]), ctx.table("hardware"))
        parts["facilities"] = holdings_model.holdings_from_facilities(
            facilities, ctx.table("hardware"), model_params(ctx)
        )
    if when is not None:
        year = date.fromisoformat(when).year
        parts = {name: part[pd.to_numeric(part["period"].astype(str).str[:4], errors="coerce") <= year]
                 for name, part in parts.items()}
    missing = {
        "chips": f"no `shares` rows for the chip-ownership market {market!r} (try --market)",
        "facilities": "no `facilities` with an owner, a year online, a known accelerator model and a count or power",
    }
    if when is not None:
        missing = {name: f"{text}, for a period up to --as-of {when}" for name, text in missing.items()}
    empty = [name for name, part in parts.items() if part.empty]
    if empty:
        others = [b for b in ("chips", "facilities") if b not in parts]
        hint = f"; try --source {others[0]}" if others else ""
        raise InvalidInputError(
            f"--source {basis}: no compute holdings to measure: the package has "
            + " and ".join(missing[name] for name in empty)
            + (hint if len(empty) == len(parts) else "")
        )
    # each source is measured on its own (its periods, its changes): chip-owner estimates and facility counts
    # are different series, so "both" lists them one after the other with a `basis` column, never summed
    def measured(table: Callable[..., pd.DataFrame]) -> pd.DataFrame:
        frames = [table(part, by, statuses).assign(basis=name) for name, part in parts.items()]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].drop(columns="basis")

    holdings = pd.concat([part.assign(basis=name) for name, part in parts.items()], ignore_index=True)
    return ComputeShare(
        by,
        status,
        basis,
        measured(holdings_model.compute_shares),
        measured(holdings_model.concentration_by_period),
        holdings,
    )


@dataclasses.dataclass(frozen=True)
class Sensitivity(Result):
    """One answer of a power -> compute chain swept one assumption at a time (``rows``:
    :func:`marketpower.flows.compute.sensitivity`), with the chain step it belongs to and the sources of the
    assumptions (``sources``: assumption -> its source ids, comma-separated as in the parameters table)."""

    output: str
    label: str
    unit: str
    rows: pd.DataFrame
    sources: dict[str, str]


def sensitivities(
    source: Source, accelerator: str, facility_power_mw: float, outputs: tuple[str, ...]
) -> list[Sensitivity]:
    """For each of ``outputs`` the chain computes (step keys of :func:`marketpower.flows.compute.
    power_to_compute` at ``facility_power_mw`` MW for ``accelerator``): its one-at-a-time sensitivity."""
    ctx = context_of(source)
    params = model_params(ctx)
    acc = model.accelerator(ctx.table("hardware"), accelerator)

    def run(a: model.Accelerator, p: model.ModelParams) -> model.Chain:
        return model.power_to_compute(facility_power_mw, a, p)

    steps = {s.key: s for s in run(acc, params).steps}
    sources = {key: step.source for key, step in steps.items()}
    return [
        Sensitivity(
            output, steps[output].label, steps[output].unit, model.sensitivity(run, output, acc, params), sources
        )
        for output in outputs
        if output in steps
    ]
