"""Simulate a merger: one case file, every pairwise merger of a case or of a market in the store, and the
vertical GUPPIs of a supplier-customer deal."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError
from ..simulate import screen_all as screen_pairs
from ..simulate import simulate_case
from ..simulate.case import read_case
from ..simulate.diagnostics import vertical_guppi as vertical_guppi_measure
from ..simulate.result import SimulationResult
from ..simulate.screen import case_from_shares
from .results import Result, context_of

if TYPE_CHECKING:  # pandas, the schema and the store's types: not loaded to simulate a case file
    import pandas as pd

    from .results import Source


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


def market_snapshot_of(
    source: Source, market_id: str, year: int | None = None, period: str | None = None, series: str | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The snapshot of market ``market_id`` a pairwise screen runs in, chosen by the same rule as ``screen``
    (:func:`marketpower.api.markets.market_snapshot`: latest year, best source tier, full year else latest
    period), with every named firm's point share, and what it is (``market_id``, ``year``, ``period``,
    ``series``, ``source_ids``)."""
    from ..schema.market import OTHERS_ID
    from .markets import market_snapshot  # the store's layer: not loaded to simulate a case file

    rows = market_snapshot(context_of(source).market_shares(market_id), market_id, (), year, period, series)
    ranged = rows[(rows["entity_id"] != OTHERS_ID) & rows["share"].isna()]
    where = f"{market_id} {int(rows['year'].iloc[0])} {rows['period'].iloc[0]}".rstrip()
    if len(ranged):
        raise InvalidInputError(
            f"{where}: only a share range is published for {', '.join(map(str, ranged['entity_id']))}, so its "
            "mergers cannot be simulated on point shares; pick another --year, --period or --series"
        )
    about = {
        "market_id": market_id,
        "year": int(rows["year"].iloc[0]),
        "period": str(rows["period"].iloc[0]) or None,
        "series": str(rows["series"].iloc[0]) or None,
        "source_ids": sorted(set(rows["source_id"])),
    }
    return rows, about


def market_case(
    source: Source,
    market_id: str,
    margin: float,
    market_elasticity: float | None = None,
    year: int | None = None,
    period: str | None = None,
    series: str | None = None,
) -> dict[str, Any]:
    """A logit case calibrated on one market of the store (:func:`marketpower.simulate.screen.case_from_shares`):
    the point shares of the snapshot :func:`market_snapshot_of` picks, ``margin`` the assumed Lerner margin of
    the largest firm."""
    rows, _ = market_snapshot_of(source, market_id, year, period, series)
    return case_from_shares(rows, margin, market_elasticity)


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
    period: str | None = None,
    series: str | None = None,
) -> PairScreen:
    """Every pairwise merger of the case file ``target`` (.json/.yaml) or of the market ``target`` of
    ``source`` (:func:`market_case`, which needs ``margin``), ranked by consumer harm.

    For a market, each row also states its snapshot (``market_id``, ``year``, ``period``, ``series``) and
    ``hhi_delta_static``, the guidelines' ΔHHI on pre-merger shares (2 · s_a · s_b · 10,000, what ``screen``
    reports); ``hhi_delta`` is the change to the HHI of the simulated post-merger shares."""
    if is_case_file(target):
        return PairScreen(screen_pairs(read_case(Path(target), False)))
    if margin is None:
        raise InvalidInputError("--margin: screening a market id needs an assumed margin for its largest firm")
    if source is None:
        raise InvalidInputError(f"{target!r} is not a case file, and no store was given to find it as a market")
    from ..measures.concentration import merger_delta_hhi
    from ..schema.market import OTHERS_ID

    rows, about = market_snapshot_of(source, target, year, period, series)
    table = screen_pairs(case_from_shares(rows, margin, market_elasticity))
    named = rows[rows["entity_id"] != OTHERS_ID]
    ids = [str(i) for i in named["entity_id"]]
    shares = named["share"].astype(float).to_numpy()
    pairs = zip(table["firm_a"], table["firm_b"], strict=True)
    static = [merger_delta_hhi(shares, [ids.index(a), ids.index(b)]) for a, b in pairs]
    table.insert(list(table.columns).index("hhi_delta") + 1, "hhi_delta_static", static)
    snapshot = {k: about[k] for k in ("market_id", "year", "period", "series")}
    return PairScreen(table.assign(**snapshot))


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
