"""Screen a merger: ΔHHI, HHI before and after and the guidelines' verdicts in one snapshot of a market, with the
modified HHI of the stakes in the data. One implementation for the CLI's ``screen``, the dashboard's screening
form and the report's deal sections."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataPackageError, InvalidInputError, Problem
from ..flows.ownership import ownership_matrices
from ..measures.concentration import SUM_TOLERANCE
from ..measures.guidelines import GUIDELINE_IDS, GuidelineId, MergerScreen, screen_merger
from ..measures.ownership import mhhi as mhhi_measure
from ..schema.market import OTHERS_ID
from .markets import screen_snapshot
from .results import Result, Source, context_of


@dataclasses.dataclass(frozen=True)
class MergerScreenResult(Result):
    """A screened merger. ``about``: the snapshot (``market_id``, ``year``, ``period``, ``series``, ``source_ids``;
    or ``market_id`` and ``file`` for a user's shares file); ``rows``: its share rows; ``screen``: the
    guidelines' verdicts (firms labelled by entity id); ``mhhi``: pre-merger HHI and MHHI of the named firms
    with the stakes in the data, None without a stake among them or for a user's file."""

    about: dict[str, Any]
    rows: pd.DataFrame
    screen: MergerScreen
    mhhi: dict[str, Any] | None

    def payload(self) -> dict[str, Any]:
        return {**self.about, **self.screen.to_dict(), "mhhi": self.mhhi}

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"rows": self.rows, "screens": pd.DataFrame([s.to_dict() for s in self.screen.screens])}

    def title(self) -> str:
        return f"Merger of {', '.join(self.screen.merging)} in {self.about['market_id']}"

    def share_of(self, entity_id: str) -> float:
        """The pre-merger share (fraction 0-1) of one named firm."""
        named = self.rows[self.rows["entity_id"] == entity_id]
        return float(named["share"].iloc[0])


def read_shares_file(path: Path) -> pd.DataFrame:
    """A user's ``firm,share`` CSV (fractions; ``others`` for an explicit remainder) as ``entity_id,share``
    rows, every bad line reported."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as error:
        raise DataPackageError([Problem(str(path), None, None, f"cannot read the file: {error}")]) from None
    missing = [c for c in ("firm", "share") if c not in frame.columns]
    if missing:
        raise DataPackageError([Problem(str(path), 1, c, f"missing column {c!r}") for c in missing])
    values = pd.to_numeric(frame["share"], errors="coerce")
    problems = [
        Problem(str(path), int(pos) + 2, "share", f"{frame['share'].iloc[pos]!r} is not a fraction between 0 and 1")
        for pos in np.flatnonzero(~((values >= 0) & (values <= 1)).to_numpy())
    ]
    problems += [
        Problem(str(path), int(pos) + 2, "firm", f"{frame['firm'].iloc[pos]!r} appears twice")
        for pos in np.flatnonzero(frame["firm"].duplicated().to_numpy())
    ]
    if not problems and float(values.sum()) > 1 + SUM_TOLERANCE:
        problems.append(Problem(str(path), None, "share", f"shares sum to {values.sum():.4f}, above 1"))
    if problems:
        raise DataPackageError(problems)
    return pd.DataFrame({"entity_id": frame["firm"].str.strip(), "share": values})


def merger_screen(
    source: Source | None,
    market_id: str,
    merging: Sequence[str],
    year: int | None = None,
    period: str | None = None,
    series: str | None = None,
    guidelines: Sequence[GuidelineId] = GUIDELINE_IDS,
    shares_file: Path | None = None,
) -> MergerScreenResult:
    """Screen the merger of the firms ``merging`` (entity ids) in market ``market_id``: in the store's snapshot
    chosen by :func:`marketpower.api.screen_snapshot` (default: the latest year in which every firm has a point
    share), or in the user's ``shares_file`` (``firm,share``, then ``source`` may be None). Verdicts of
    :func:`marketpower.measures.guidelines.screen_merger` (HHI range when part of the market is unattributed:
    the ``others`` rows, else 1 − Σ shares); MHHI (O'Brien–Salop) of the named firms with the stakes in force
    (:func:`marketpower.flows.ownership.ownership_matrices`, :func:`marketpower.measures.ownership.mhhi`)."""
    merging = list(merging)
    if len(set(merging)) < len(merging):
        raise InvalidInputError(f"merging firms {', '.join(merging)}: a firm is named twice; pick different firms")
    ctx = None
    if shares_file is not None:
        rows, about = read_shares_file(shares_file), {"market_id": market_id, "file": str(shares_file)}
    else:
        if source is None:
            raise InvalidInputError("screening a market of the store needs the store (or a shares file)")
        ctx = context_of(source)
        rows, about = screen_snapshot(ctx.market_shares(market_id), market_id, merging, year, period, series)
    named = rows[rows["entity_id"] != OTHERS_ID]
    others = float(rows.loc[rows["entity_id"] == OTHERS_ID, "share"].astype(float).fillna(0).sum())
    ids = [str(i) for i in named["entity_id"]]
    unknown = [m for m in merging if m not in ids]
    if unknown:
        raise InvalidInputError(
            f"merging firms: {', '.join(unknown)} not among the firms of {market_id} ({', '.join(ids)})"
        )
    shares = named["share"].to_numpy(dtype=np.float64)
    result = screen_merger(
        shares, [ids.index(m) for m in merging], names=ids, others=others or None, guidelines=guidelines
    )
    stake_mhhi = _stake_mhhi(ctx.table("stakes"), ids, shares) if ctx is not None else None
    return MergerScreenResult(about=about, rows=rows, screen=result, mhhi=stake_mhhi)


def _stake_mhhi(stakes: pd.DataFrame, firms: list[str], shares: np.ndarray) -> dict[str, Any] | None:
    """Pre-merger HHI and MHHI of the named firms with the stakes in the data (None without a stake among them)."""
    if stakes.empty:
        return None
    beta, gamma = ownership_matrices(stakes, firms)
    if len(beta.index) == len(firms) and np.allclose(beta.to_numpy(), np.eye(len(firms))):
        return None
    result = mhhi_measure(shares, beta.to_numpy(), gamma.to_numpy(), firms=firms, owners=list(beta.index))
    owners = [o for o in beta.index if o not in firms]
    return {
        "hhi": result.hhi,
        "mhhi": result.mhhi,
        "mhhi_delta": result.mhhi_delta,
        "owners": owners,
        "note": "named firms only (the unattributed remainder counts as fragmented)",
    }
