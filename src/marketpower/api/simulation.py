"""Simulate a merger: one case file, every pairwise merger of a case or of a market in the store, and the
vertical GUPPIs of a supplier-customer deal."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..simulate import screen_all as screen_pairs
from ..simulate import simulate_case
from ..simulate.case import read_case
from ..simulate.diagnostics import vertical_guppi as vertical_guppi_measure
from ..simulate.result import SimulationResult
from ..simulate.screen import case_from_shares
from .results import Result, Source, context_of


def simulate(case_file: Path, draws: int | None = None) -> SimulationResult:
    """Pre/post prices, shares, HHI, consumer harm (CV), UPP/GUPPI, CMCR, diagnostics and plausibility flags of
    the merger in ``case_file`` (.json/.yaml, read by :func:`marketpower.simulate.case.read_case`;
    :func:`marketpower.simulate.simulate_case`), re-run over ``draws`` draws of the case's ``ranges``."""
    data = read_case(case_file, True)
    if draws is not None:
        data["draws"] = draws
    return simulate_case(data)


@dataclasses.dataclass(frozen=True)
class PairScreen(Result):
    """Every pairwise merger of a case's firms ranked by predicted consumer harm (CV), one row per pair
    (:func:`marketpower.simulate.screen_all`)."""

    table: pd.DataFrame

    def payload(self) -> Any:
        return self.table


def market_case(
    source: Source, market_id: str, margin: float, market_elasticity: float | None = None, year: int | None = None
) -> dict[str, Any]:
    """A logit case calibrated on one market of the store (:func:`marketpower.simulate.screen.case_from_shares`):
    the point shares of series ``main`` (else the first series), in ``year`` (default: the latest) and its
    latest period, ``margin`` the assumed Lerner margin of the largest firm."""
    shares = context_of(source).store.frame(
        "SELECT entity_id, share, year, period, series FROM shares WHERE market_id = ? AND share IS NOT NULL",
        [market_id],
    )
    if shares.empty:
        raise InvalidInputError(f"MARKET_ID: no shares for market '{market_id}' in the store")
    series = shares["series"].fillna("main").replace("", "main")
    shares = shares[series == ("main" if (series == "main").any() else sorted(series.unique())[0])]
    chosen = year if year is not None else int(shares["year"].max())
    shares = shares[shares["year"] == chosen]
    if shares.empty:
        raise InvalidInputError(f"--year: no shares for market '{market_id}' in {chosen}")
    latest_period = sorted(shares["period"].fillna("").unique())[-1]
    return case_from_shares(shares[shares["period"].fillna("") == latest_period], margin, market_elasticity)


def is_case_file(target: str) -> bool:
    """Whether ``target`` names a case file (.json/.yaml/.yml, or an existing file) rather than a market id."""
    path = Path(target)
    return path.suffix.lower() in (".json", ".yaml", ".yml") or path.is_file()


def screen_all(
    target: str,
    source: Source | None = None,
    margin: float | None = None,
    market_elasticity: float | None = None,
    year: int | None = None,
) -> PairScreen:
    """Every pairwise merger of the case file ``target`` (.json/.yaml) or of the market ``target`` of
    ``source`` (:func:`market_case`, which needs ``margin``), ranked by consumer harm."""
    if is_case_file(target):
        case = read_case(Path(target), False)
    else:
        if margin is None:
            raise InvalidInputError("--margin: screening a market id needs an assumed margin for its largest firm")
        if source is None:
            raise InvalidInputError(f"{target!r} is not a case file, and no store was given to find it as a market")
        case = market_case(source, target, margin, market_elasticity, year)
    return PairScreen(screen_pairs(case))


def vertical_guppi(
    upstream_margin: float,
    input_price: float,
    downstream_margin: float,
    downstream_price: float,
    diversion_rival_to_merging: float,
    diversion_merging_to_rival: float,
    stake_up: float = 1.0,
    stake_down: float = 1.0,
) -> Any:
    """Vertical GUPPIs (Moresi & Salop 2013; :func:`marketpower.simulate.diagnostics.vertical_guppi`):
    vGUPPI_U = stake_up · D(rival→merging) · m_D · p_D / w, vGUPPI_D = stake_down · D(merging→rival) · m_U ·
    w / p_D."""
    return vertical_guppi_measure(
        upstream_margin,
        input_price,
        downstream_margin,
        downstream_price,
        diversion_rival_to_merging,
        diversion_merging_to_rival,
        stake_up,
        stake_down,
    )
