"""Concentration: of one market of the store (shares, sources, HHI trend), of a list of shares the user gives (HHI
and classes), the modified HHI of a case with partial ownership (from the case's matrices or the stakes in the
data), and common-ownership weights from institutional holdings."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataPackageError, InvalidInputError, Problem
from ..flows.ownership import ownership_matrices
from ..ingest.safeload import DocumentError, load_document
from ..ingest.sec13f import Holdings, load_13f, read_holdings_csv
from ..measures.common_ownership import kappa as kappa_matrix
from ..measures.common_ownership import mhhi_by_market
from ..measures.ownership import MHHIResult
from ..measures.ownership import mhhi as mhhi_measure
from .results import Result, Source, context_of
from .serialize import jsonable


def _case_matrix(case: Mapping[str, Any], key: str, path: Path) -> Any:
    value = case.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInputError(f"{path}: '{key}' must be a list of rows (owners × firms)")
    return value


def modified_hhi(case_file: Path, source: Source | None = None, when: str | None = None) -> MHHIResult:
    """MHHI and ΔMHHI (O'Brien & Salop 2000) of the case in ``case_file`` (JSON or YAML: ``shares``, one per
    firm; ``ownership``, owners × firms; optional ``control``, ``control_mode``, ``silent``, ``firms``,
    ``owners``), or, given ``source``, with ownership and control built from its stakes on ``when``
    (:func:`marketpower.flows.ownership.ownership_matrices`; the case then needs ``firms``)."""
    try:
        data = load_document(case_file, "case file")
    except DocumentError as error:
        raise DataPackageError([error.problem]) from None
    if not isinstance(data, dict) or "shares" not in data:
        raise DataPackageError(
            [Problem(str(case_file), None, "shares", "the case needs a 'shares' list (one per firm)")]
        )
    firms = data.get("firms")
    if source is not None:
        if not firms:
            raise InvalidInputError(f"{case_file}: with --stakes the case needs 'firms' (entity ids, one per share)")
        beta, gamma = ownership_matrices(context_of(source).table("stakes"), firms, when=when)
        return mhhi_measure(data["shares"], beta.to_numpy(), gamma.to_numpy(), firms=firms, owners=list(beta.index))
    ownership = _case_matrix(data, "ownership", case_file)
    if ownership is None:
        raise DataPackageError([Problem(str(case_file), None, "ownership", "missing 'ownership' (owners × firms)")])
    silent = data.get("silent")
    mask = None
    if silent is not None:
        mask = np.zeros((len(ownership), len(data["shares"])), dtype=bool)
        for pair in silent:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise InvalidInputError(f"{case_file}: 'silent' holds [owner, firm] index pairs, got {pair!r}")
            mask[int(pair[0]), int(pair[1])] = True
    return mhhi_measure(
        data["shares"], ownership, _case_matrix(data, "control", case_file),
        mode=data.get("control_mode", "proportional"), silent=mask, firms=firms, owners=data.get("owners"),
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class CommonOwnership(Result):
    """κ_fg among ``firms`` (row firm's weight on the column firm's profit), the reader's diagnostics and, with a
    market-shares file, each market's HHI, MHHI and ΔMHHI."""

    firms: list[str]
    kappa: pd.DataFrame
    diagnostics: Any
    markets: pd.DataFrame | None

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "firms": self.firms,
            "kappa": self.kappa.to_numpy().tolist(),
            "diagnostics": self.diagnostics,
        }
        if self.markets is not None:
            out["markets"] = self.markets
        return out


def _holdings(
    path: Path, firms: list[str], quarter: str | None, cusips: Path | None, outstanding: Path | None,
    engine: str | None = None, spark_master: str = "local[*]",
) -> Holdings:  # fmt: skip
    if not path.is_dir():
        return read_holdings_csv(path)
    if outstanding is None:
        raise InvalidInputError("a 13F data set needs --shares-outstanding (firm,shares)")
    if cusips is None:  # the bundled map of the AI-stack firms' listed securities
        from ..engines.holdings import BUNDLED_CUSIP_MAP

        cusips = BUNDLED_CUSIP_MAP
    if engine is not None:
        return _engine_holdings(path, firms, quarter, cusips, outstanding, engine, spark_master)
    summary = path / "SUMMARYPAGE.tsv"
    return load_13f(
        path / "INFOTABLE.tsv", path / "COVERPAGE.tsv", cusips, outstanding,
        summarypage=summary if summary.exists() else None, quarter=quarter, firms=firms,
    )  # fmt: skip


def _engine_holdings(
    path: Path, firms: list[str], quarter: str | None, cusips: Path, outstanding: Path, engine: str, master: str
) -> Holdings:
    """One quarter of the 13F data sets under ``path`` through :func:`marketpower.engines.holdings.
    holdings_by_quarter` on ``engine`` (default quarter: the latest)."""
    from ..engines.holdings import find_datasets, holdings_by_quarter
    from ..engines.session import connect
    from ..ingest.sec13f import quarter_label, read_cusip_map, read_shares_outstanding

    session = connect(engine, master)
    try:
        frame = holdings_by_quarter(
            session, find_datasets(path), read_cusip_map(cusips),
            read_shares_outstanding(outstanding).rename("shares_outstanding").reset_index(), firms,
            [quarter_label(quarter)] if quarter else None,
        )  # fmt: skip
    finally:
        session.close()
    quarters = sorted(frame["quarter"].unique().tolist())
    if not quarters:
        raise InvalidInputError(f"no holdings of {', '.join(firms)} in {path}" + (f" for {quarter}" if quarter else ""))
    chosen = quarters[-1]
    return Holdings(frame[frame["quarter"] == chosen].reset_index(drop=True),
                    {"quarter": chosen, "quarters_in_data": quarters, "engine": engine})  # fmt: skip


def common_ownership(
    holdings: Path,
    firms: list[str],
    quarter: str | None = None,
    cusips: Path | None = None,
    shares_outstanding: Path | None = None,
    control: str = "ownership",
    market_shares: Path | None = None,
    engine: str | None = None,
    spark_master: str = "local[*]",
) -> CommonOwnership:
    """Common-ownership profit weights κ_fg = Σ_i γ_fi β_gi / Σ_i γ_fi β_fi (:func:`marketpower.measures.
    common_ownership.kappa`) from a CSV ``investor,firm,fraction`` or a SEC 13F data set folder (with
    ``cusips`` and ``shares_outstanding``); γ = β (``control="ownership"``) or 13F voting authority
    (``"voting"``); with ``market_shares`` (CSV ``market_id,firm,share``) each market's MHHI delta. With
    ``engine`` (``duckdb`` or ``spark`` on ``spark_master``) a 13F folder is read by :mod:`marketpower.engines.
    holdings` (every data set under it; same rules and results, problems counted per file)."""
    data = _holdings(holdings, firms, quarter, cusips, shares_outstanding, engine, spark_master)
    if control not in ("ownership", "voting"):
        raise InvalidInputError(f"--control {control!r}: use `ownership` or `voting`")
    if control == "voting" and "voting_fraction" not in data.frame.columns:
        raise InvalidInputError("--control voting needs 13F data (voting authority); a plain CSV has none")
    frame = data.frame
    if "quarter" in frame.columns:
        frame = frame.drop(columns="quarter")
    weights = kappa_matrix(frame, firms, control="voting_fraction" if control == "voting" else None)
    markets = mhhi_by_market(pd.read_csv(market_shares), weights) if market_shares is not None else None
    return CommonOwnership(firms, weights, data.diagnostics, markets)


@dataclasses.dataclass(frozen=True)
class MarketConcentration(Result):
    """One market of the store: its definition (``market``), every share row with its source (``shares``:
    :func:`marketpower.api.market_shares`) and its concentration year by year with the HHI change from the
    previous year of the same series (``trend``: :func:`marketpower.api.trend`)."""

    market: dict[str, Any]
    shares: pd.DataFrame
    trend: pd.DataFrame

    def title(self) -> str:
        return str(self.market.get("name", self.market.get("id")))


def market_concentration(source: Source, market_id: str) -> MarketConcentration:
    """How concentrated is ``market_id``: its shares, sources and HHI trend (NotFoundError for an unknown id)."""
    ctx = context_of(source)
    shares, trend = ctx.market_shares(market_id), ctx.trend(market_id)
    market = jsonable(ctx.store.frame("SELECT * FROM markets WHERE id = ?", [market_id]))[0]
    return MarketConcentration(market, shares, trend)
