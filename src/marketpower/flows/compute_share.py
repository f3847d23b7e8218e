"""Who holds the AI compute: shares of installed and announced compute (H100-equivalents) by owner or by
country, their HHI with an uncertainty range, and the change from one period to the next.

Input is a *holdings* frame, one row per holder and period::

    holder (entity id; ``others`` = the explicit remainder), country (ISO alpha-2 or empty), period (e.g.
    ``2025Q4`` or ``2026``), status (``installed`` | ``announced``), h100e, h100e_low, h100e_high, source

Two adapters build it from the store's tables: :func:`holdings_from_shares` (the ``shares`` rows of the chip
ownership market derived from Epoch AI's chip-owner estimates) and :func:`holdings_from_facilities` (the
``facilities`` table: accelerator counts, or power converted with :mod:`marketpower.flows.compute`).

Uncertainty. Each holder's compute lies in [low, high]. The share range of holder i is
[low_i / (low_i + Σ_{j≠i} high_j), high_i / (high_i + Σ_{j≠i} low_j)]. The HHI range is the exact minimum and
maximum of HHI = 10,000 · Σ x_i² / (Σ x_i)² over that box (holders treated as independent, so the range is
conservative), with the ``others`` remainder counted as fragmented (adds 0) at the minimum and as one firm at
the maximum, the convention of :mod:`marketpower.measures.concentration`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import InvalidInputError
from ..measures.concentration import hhi, hhi_box_range, hhi_range
from ..schema.market import OTHERS_ID
from .compute import ModelParams, accelerator, power_to_compute

HOLDING_COLUMNS = ("holder", "country", "period", "status", "h100e", "h100e_low", "h100e_high", "source")
STATUSES = ("installed", "announced")
UNKNOWN_COUNTRY = "unknown"

FloatArray = NDArray[np.float64]


# ------------------------------------------------------------------------------------------------ HHI bounds


# ------------------------------------------------------------------------------------------------ shares


def _check_holdings(holdings: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("holder", "period", "status", "h100e") if c not in holdings.columns]
    if missing:
        raise InvalidInputError(f"holdings lack column(s) {', '.join(missing)}; expected {', '.join(HOLDING_COLUMNS)}")
    frame = holdings.copy()
    for col in ("h100e_low", "h100e_high"):
        if col not in frame.columns:
            frame[col] = frame["h100e"]
        frame[col] = frame[col].fillna(frame["h100e"])
    for col in ("country", "source"):
        if col not in frame.columns:
            frame[col] = None
    values = frame[["h100e_low", "h100e", "h100e_high"]].astype(float)
    bad = (values < 0).any(axis=1) | (values["h100e_low"] > values["h100e"]) | (values["h100e"] > values["h100e_high"])
    if bad.any():
        row = frame[bad].iloc[0]
        raise InvalidInputError(
            f"holding of {row['holder']} in {row['period']}: need 0 <= h100e_low <= h100e <= h100e_high, got "
            f"{row['h100e_low']}, {row['h100e']}, {row['h100e_high']}"
        )
    unknown = sorted(set(frame["status"]) - set(STATUSES))
    if unknown:
        raise InvalidInputError(f"holdings status {unknown} not in {STATUSES}")
    frame["country"] = frame["country"].fillna(UNKNOWN_COUNTRY)
    return frame


def compute_shares(holdings: pd.DataFrame, by: str = "holder", statuses: tuple[str, ...] = STATUSES) -> pd.DataFrame:
    """Shares of compute per period, grouped ``by`` holder or country.

    Returns one row per (period, group): h100e (low, central, high), share (low, central, high) and the change
    of the central share from the previous period (percentage points as a fraction), sorted by period then share.
    """
    if by not in ("holder", "country"):
        raise InvalidInputError(f"by = {by!r}: group by 'holder' or 'country'")
    frame = _check_holdings(holdings)
    frame = frame[frame["status"].isin(statuses)]
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "period",
                by,
                "h100e_low",
                "h100e",
                "h100e_high",
                "share_low",
                "share",
                "share_high",
                "share_change",
            ]
        )
    grouped = frame.groupby(["period", by], as_index=False)[["h100e_low", "h100e", "h100e_high"]].sum()
    parts = []
    for _, g in grouped.groupby("period", sort=True):
        g = g.copy()
        lo, mid, hi = (g[c].to_numpy(float) for c in ("h100e_low", "h100e", "h100e_high"))
        total_lo, total_mid, total_hi = lo.sum(), mid.sum(), hi.sum()
        g["share"] = mid / total_mid if total_mid > 0 else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            g["share_low"] = np.where(lo > 0, lo / (lo + total_hi - hi), 0.0)
            g["share_high"] = np.where(hi > 0, hi / (hi + total_lo - lo), 0.0)
        parts.append(g.sort_values("share", ascending=False))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["period", "share"], ascending=[True, False], kind="stable").reset_index(drop=True)
    previous = out.pivot_table(index=by, columns="period", values="share", aggfunc="sum").fillna(0.0)
    periods = list(previous.columns)
    changes = []
    for _, row in out.iterrows():
        i = periods.index(row["period"])
        changes.append(None if i == 0 else float(row["share"] - previous.loc[row[by], periods[i - 1]]))
    out["share_change"] = changes
    return out[["period", by, "h100e_low", "h100e", "h100e_high", "share_low", "share", "share_high", "share_change"]]


def concentration_by_period(
    holdings: pd.DataFrame, by: str = "holder", statuses: tuple[str, ...] = STATUSES
) -> pd.DataFrame:
    """HHI (0-10,000) per period: central (the ``others`` remainder fragmented and as one firm), the range over
    the holders' uncertainty, the top holder and the change of the central HHI from the previous period."""
    shares = compute_shares(holdings, by, statuses)
    rows: list[dict[str, Any]] = []
    for period, g in shares.groupby("period", sort=True):
        named = np.asarray(g[by] != OTHERS_ID, dtype=np.float64) if by == "holder" else np.ones(len(g))
        mid = g["h100e"].to_numpy(float)
        lo, hi = g["h100e_low"].to_numpy(float), g["h100e_high"].to_numpy(float)
        s = g["share"].to_numpy(float)
        ranked = g[named == 1] if named.any() else g
        top = ranked.iloc[0]  # largest named holder (``others`` is a remainder, not a firm)
        rows.append(
            {
                "period": period,
                "holders": int(named.sum()),
                "total_h100e": float(mid.sum()),
                "others_share": float(s[named == 0].sum()),
                "hhi": hhi(s[named == 1]),
                "hhi_others_as_one": hhi_range(s[named == 1], math.fsum(s[named == 0].tolist()))[1],
                **dict(zip(("hhi_low", "hhi_high"), hhi_box_range(
                    lo[named == 1], hi[named == 1], float(lo[named == 0].sum()), float(hi[named == 0].sum())
                ), strict=True)),
                "top": top[by],
                "top_share": float(top["share"]),
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        out["hhi_change"] = out["hhi"].diff()
    return out


# ------------------------------------------------------------------------------------------------ adapters


def holdings_from_shares(
    shares: pd.DataFrame, entities: pd.DataFrame, market_id: str, total_h100e: pd.Series | None = None
) -> pd.DataFrame:
    """Holdings from the ``shares`` rows of one market (installed compute).

    ``value`` (in the market's unit, H100e) is used when present, else the share itself (then the "h100e"
    columns are fractions of the market, which gives the same shares and HHI). Low/high come from
    ``share_low``/``share_high`` scaled like the central value. Period = year plus ``period`` (e.g. 2025Q4).
    """
    rows = shares[shares["market_id"] == market_id]
    if rows.empty:
        return pd.DataFrame(columns=list(HOLDING_COLUMNS))
    countries = dict(zip(entities["id"], entities["country"], strict=True))
    out = []
    for r in rows.to_dict("records"):
        share = float(r["share"]) if pd.notna(r.get("share")) else float((r["share_low"] + r["share_high"]) / 2)
        scale = float(r["value"]) / share if pd.notna(r.get("value")) and share > 0 else 1.0
        low = float(r["share_low"]) if pd.notna(r.get("share_low")) else share
        high = float(r["share_high"]) if pd.notna(r.get("share_high")) else share
        period = f"{int(r['year'])}{r['period'] if pd.notna(r.get('period')) else ''}"
        country = countries.get(r["entity_id"]) if r["entity_id"] != OTHERS_ID else None
        out.append(
            {
                "holder": r["entity_id"],
                "country": country if pd.notna(country) else None,
                "period": period,
                "status": "installed",
                "h100e": share * scale,
                "h100e_low": low * scale,
                "h100e_high": high * scale,
                "source": r["source_id"],
            }
        )
    return pd.DataFrame(out, columns=list(HOLDING_COLUMNS))


def holdings_from_facilities(
    facilities: pd.DataFrame, hardware: pd.DataFrame, params: ModelParams, holder_column: str = "owner_id"
) -> pd.DataFrame:
    """Holdings from the ``facilities`` table: operational sites are ``installed``, others ``announced``;
    period Y holds every site online in year Y or before (cumulative, as installed compute is).

    H100e = accelerator_count × dense FLOP/s per accelerator / dense FLOP/s of an H100 when the count is
    published; otherwise the site's power_mw converted by :func:`power_to_compute` (its low/central/high).
    Sites without a known accelerator model or without count and power are skipped.
    """
    out = []
    for r in facilities.to_dict("records"):
        model = r.get("accelerator_model")
        holder = r.get(holder_column)
        if model is None or pd.isna(model) or holder is None or pd.isna(holder) or pd.isna(r.get("year_online")):
            continue
        try:
            acc = accelerator(hardware, str(model))
        except InvalidInputError:
            continue
        if acc.dense_flops is None or acc.h100_dense_flops is None:
            continue
        ratio = acc.dense_flops.value.central / acc.h100_dense_flops.value.central
        count = r.get("accelerator_count")
        if count is not None and pd.notna(count) and float(count) > 0:
            low = central = high = float(count) * ratio
        elif r.get("power_mw") is not None and pd.notna(r.get("power_mw")) and float(r["power_mw"]) > 0:
            h100e = power_to_compute(float(r["power_mw"]), acc, params)["h100e"]
            low, central, high = h100e.low, h100e.central, h100e.high
        else:
            continue
        out.append(
            {
                "holder": holder,
                "country": r.get("country"),
                "year": int(r["year_online"]),
                "status": "installed" if r.get("status") == "operational" else "announced",
                "h100e": central,
                "h100e_low": low,
                "h100e_high": high,
                "source": r.get("source_id"),
            }
        )
    sites = pd.DataFrame(out, columns=[*HOLDING_COLUMNS, "year"])
    cumulative = []
    for year in sorted(set(sites["year"])):  # a site online in year Y still counts in every later year
        upto = sites[sites["year"] <= year].copy()
        upto["period"] = str(year)
        cumulative.append(upto)
    if not cumulative:
        return pd.DataFrame(columns=list(HOLDING_COLUMNS))
    result: pd.DataFrame = pd.concat(cumulative, ignore_index=True)[list(HOLDING_COLUMNS)]
    return result
