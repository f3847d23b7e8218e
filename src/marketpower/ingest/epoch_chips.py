"""Epoch AI chip-owner estimates -> installed AI accelerators by owner per quarter, in H100-equivalents.

Input: a download of Epoch AI's ``ai-chip-counts`` repository (data CC BY 4.0). Read:

- ``owners_csv_export/**/*cumulative_totals.csv``: one row per (designer, owner, quarter) with the cumulative
  H100e delivered since the series start (median, 5th and 95th percentile);
- ``data_inputs/named_other_owners_cumulative_totals.csv`` when present: hand-curated owners (e.g. xAI) that
  Epoch subtracts from its "Other" residual, so they must be added back to keep the market whole.

Output: one market per download (``epoch-h100e-by-owner``), one share row per owner and quarter. An owner's
installed base is the sum over designers (Nvidia, AMD, Google TPU, Amazon Trainium) of the cumulative
deliveries; its low/high bound is the sum of the designers' 5th/95th percentiles. Shares are medians over the
total of medians; ``share_low``/``share_high`` are the extreme shares when every owner's H100e may lie anywhere
in its [low, high] interval independently (the owner at its low and all others at their high, and vice versa).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import DataPackageError, InvalidInputError, Problem
from ..measures.concentration import hhi, hhi_box_range
from ..schema.market import OTHERS_ID
from .textcsv import read_csv_text

MARKET_ID = "epoch-h100e-by-owner"
SOURCE_ID = "mkt-epoch-ai-chip-owners"
SERIES = "epoch"
OWNER_GLOB = "*cumulative_totals.csv"
NAMED_OTHER_FILE = Path("data_inputs") / "named_other_owners_cumulative_totals.csv"

COL_DESIGNER = "Chip manufacturer"
COL_OWNER = "Owner"
COL_START = "Start date"
COL_END = "End date"
COL_MEDIAN = "Compute estimate in H100e (median)"
COL_P5 = "H100e (5th percentile)"
COL_P95 = "H100e (95th percentile)"
COL_INCOMPLETE = "Incomplete"
REQUIRED_COLUMNS = (COL_DESIGNER, COL_OWNER, COL_START, COL_END, COL_MEDIAN, COL_P5, COL_P95)

#: Epoch owner label -> entity id of the bundled package. "Other" is Epoch's residual: the market remainder.
OWNER_ENTITIES = {
    "Microsoft": "microsoft",
    "Meta": "meta",
    "Amazon": "amazon",
    "Google": "google",
    "Oracle": "oracle",
    "China": "china-aggregate",
    "CoreWeave": "coreweave",
    "xAI": "xai",
    "Tesla": "tesla",
    "Other": OTHERS_ID,
}

#: Entities the output refers to, for packages written with ``--out`` (same ids as the bundled package).
ENTITY_ROWS = {
    "microsoft": ("Microsoft", "company", "US", "NASDAQ:MSFT"),
    "meta": ("Meta Platforms", "company", "US", "NASDAQ:META"),
    "amazon": ("Amazon", "company", "US", "NASDAQ:AMZN"),
    "google": ("Google", "company", "US", None),
    "oracle": ("Oracle", "company", "US", "NYSE:ORCL"),
    "china-aggregate": ("Owners in China (all, as aggregated by Epoch AI)", "government", "CN", None),
    "coreweave": ("CoreWeave", "company", "US", "NASDAQ:CRWV"),
    "xai": ("xAI", "company", "US", None),
    "tesla": ("Tesla", "company", "US", "NASDAQ:TSLA"),
}

QUARTER_OF_MONTH = {3: "Q1", 6: "Q2", 9: "Q3", 12: "Q4"}
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")

#: Files of a complete download (paths from the repository root): one owner-totals file per designer (Nvidia's
#: named owners and its residual "Other" apart) and the hand-curated owners Epoch subtracts from "Other". Without
#: one of them the market total is low by that file's chips, so a download lacking one is refused unless
#: ``allow_missing_files``.
EXPECTED_FILES = (
    Path("owners_csv_export") / "nvidia_owners_cumulative_totals.csv",
    Path("owners_csv_export") / "nvidia_owners_OTHER_cumulative_totals.csv",
    Path("owners_csv_export") / "amd_owners_cumulative_totals.csv",
    Path("owners_csv_export") / "tpu_owners_cumulative_totals.csv",
    Path("owners_csv_export") / "trainium_owners_cumulative_totals.csv",
    NAMED_OTHER_FILE,
)
#: Epoch's note on each "Other" row lists the owners subtracted from it ("Excludes Microsoft, Meta, ...").
EXCLUDES = re.compile(r"Excludes ([^.]*)\.")

ArrayLikeFloat = NDArray[np.float64] | list[float]


@dataclass(frozen=True)
class EpochIngest:
    """Tables in the package schema plus the per-quarter concentration summary; ``missing`` names what a
    complete download has and this one lacks (files, owners Epoch subtracts from "Other"): when it is not
    empty every quarter of ``summary`` is ``incomplete``."""

    tables: dict[str, pd.DataFrame]
    estimates: pd.DataFrame
    summary: pd.DataFrame
    missing: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _number(text: str) -> float | None:
    """A non-negative plain decimal, thousands commas allowed (``14769``, ``553714.0``, ``1,069``); None for
    anything else (``-5``, ``NaN``, ``inf``, ``1_000``, empty)."""
    return float(text.replace(",", "")) if NUMBER.fullmatch(text) else None


def _quarter_end(day: date) -> bool:
    """Whether ``day`` is the last day of a calendar quarter (31 March, 30 June, 30 September, 31 December)."""
    return day.month in QUARTER_OF_MONTH and (day + timedelta(days=1)).day == 1


def find_owner_files(directory: Path) -> list[Path]:
    """Owner total files of an ``ai-chip-counts`` download (the repository root or its owners folder)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidInputError(f"DIR {directory}: no such folder; point it at the ai-chip-counts download")
    owners = directory / "owners_csv_export" if (directory / "owners_csv_export").is_dir() else directory
    files = sorted(owners.rglob(OWNER_GLOB))
    named = directory / NAMED_OTHER_FILE
    if named.is_file():
        files.append(named)
    if not files:
        raise InvalidInputError(
            f"DIR {directory}: no '{OWNER_GLOB}' files found under {owners}; expected Epoch "
            "AI's owners_csv_export folder"
        )
    return files


def missing_parts(directory: Path, rows: pd.DataFrame | None = None) -> list[str]:
    """What a complete download has and ``directory`` lacks: each of :data:`EXPECTED_FILES` not found, and each
    owner that Epoch's notes on "Other" rows say was subtracted from Other but that has no row in ``rows``."""
    directory = Path(directory)
    root = directory.parent if directory.name == "owners_csv_export" else directory
    missing = [f"file {path.as_posix()}" for path in EXPECTED_FILES if not (root / path).is_file()]
    if rows is not None and "notes" in rows:
        owners = set(rows["owner"])
        excluded = {
            name.strip()
            for note in rows.loc[rows["owner"] == "Other", "notes"]
            for match in EXCLUDES.findall(str(note))
            for name in match.split(",")
            if name.strip()
        }
        missing += [f"owner {name} (subtracted from Other by Epoch, but without a row)" for name in
                    sorted(excluded - owners)]  # fmt: skip
    return missing


def read_owner_rows(files: list[Path]) -> pd.DataFrame:
    """Every owner row of ``files``, checked; raises :class:`DataPackageError` listing all bad cells.

    Columns: designer, owner, start, end, year, period, h100e_median, h100e_low, h100e_high, incomplete,
    has_percentiles, file, line (CSV line, header = 1).
    """
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    for path in files:
        shown = str(path)
        frame = read_csv_text(path, REQUIRED_COLUMNS, problems, need_rows=False)
        if frame is None:
            continue
        for i, rec in frame.iterrows():
            line = int(str(i))
            before = len(problems)
            start, end = _parse_date(rec[COL_START]), _parse_date(rec[COL_END])
            for col, parsed in ((COL_START, start), (COL_END, end)):
                if parsed is None:
                    problems.append(Problem(shown, line, col, f"{rec[col]!r} is not a date (M/D/YYYY)"))
            if end is not None and not _quarter_end(end):
                problems.append(Problem(shown, line, COL_END, f"{rec[COL_END]!r} is not the last day of a quarter"))
            if start is not None and end is not None and start > end:
                problems.append(Problem(shown, line, COL_START, f"{rec[COL_START]!r} is after the end date"))
            median = _number(rec[COL_MEDIAN])
            if median is None:
                problems.append(Problem(shown, line, COL_MEDIAN, f"{rec[COL_MEDIAN]!r} is not a number >= 0"))
            low_text, high_text = rec[COL_P5], rec[COL_P95]
            has_percentiles = bool(low_text or high_text)
            low = _number(low_text) if has_percentiles else median
            high = _number(high_text) if has_percentiles else median
            for col, value in ((COL_P5, low), (COL_P95, high)):
                if value is None:
                    problems.append(Problem(shown, line, col, f"{rec[col]!r} is not a number >= 0"))
            if median is not None and low is not None and high is not None and not low <= median <= high:
                problems.append(
                    Problem(
                        shown,
                        line,
                        COL_MEDIAN,
                        f"median {median:g} is not between the 5th ({low:g}) and 95th ({high:g}) percentiles",
                    )
                )
            owner = rec[COL_OWNER]
            if not owner:
                problems.append(Problem(shown, line, COL_OWNER, "owner is empty"))
            if not rec[COL_DESIGNER]:
                problems.append(Problem(shown, line, COL_DESIGNER, "chip manufacturer is empty"))
            if len(problems) > before or end is None:
                continue
            rows.append(
                {
                    "designer": rec[COL_DESIGNER],
                    "owner": owner,
                    "start": start,
                    "end": end,
                    "year": end.year,
                    "period": QUARTER_OF_MONTH[end.month],
                    "h100e_median": median,
                    "h100e_low": low,
                    "h100e_high": high,
                    "incomplete": bool(rec.get(COL_INCOMPLETE, "")),
                    "notes": rec.get("Notes", ""),
                    "has_percentiles": has_percentiles,
                    "file": shown,
                    "line": line,
                }
            )
    out = pd.DataFrame(rows)
    if not out.empty:
        dup = out.duplicated(["designer", "owner", "end"], keep="first")
        for _, rec in out[dup].iterrows():
            problems.append(
                Problem(
                    str(rec["file"]),
                    int(rec["line"]),
                    COL_OWNER,
                    f"second estimate for {rec['owner']} / {rec['designer']} / {rec['end']}; "
                    "keep one row per designer, owner and quarter",
                )
            )
    if problems:
        raise DataPackageError(problems)
    return out


def owner_estimates(rows: pd.DataFrame) -> pd.DataFrame:
    """Installed H100e per (owner, year, quarter): sums over designers of median, 5th and 95th percentiles."""
    grouped = rows.groupby(["owner", "year", "period"], sort=True)
    out = grouped.agg(
        h100e_median=("h100e_median", "sum"),
        h100e_low=("h100e_low", "sum"),
        h100e_high=("h100e_high", "sum"),
        designers=("designer", lambda s: ", ".join(sorted(set(s)))),
        series_start=("start", "min"),
        incomplete=("incomplete", "any"),
        all_percentiles=("has_percentiles", "all"),
    ).reset_index()
    return out


def share_bounds(
    low: NDArray[np.float64], high: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Extreme shares when volume i lies anywhere in [low_i, high_i] independently.

    share_low_i = low_i / (low_i + Σ_{j≠i} high_j);  share_high_i = high_i / (high_i + Σ_{j≠i} low_j).
    """
    lo_others = low.sum() - low
    hi_others = high.sum() - high
    with np.errstate(invalid="ignore", divide="ignore"):
        s_low = np.where(low + hi_others > 0, low / (low + hi_others), 0.0)
        s_high = np.where(high + lo_others > 0, high / (high + lo_others), 0.0)
    return s_low, s_high


def entity_id_for(owner: str) -> str:
    """Entity id of an Epoch owner label: the bundled id when known, else a slug of the label."""
    if owner in OWNER_ENTITIES:
        return OWNER_ENTITIES[owner]
    slug = "".join(c if c.isalnum() else "-" for c in owner.lower()).strip("-")
    return "-".join(part for part in slug.split("-") if part) or "unnamed-owner"


def _share_rows(estimates: pd.DataFrame, download_missing: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    share_rows: list[dict[str, object]] = []
    summary_rows: list[dict[str, object]] = []
    seen_owners: set[str] = set()
    seen_series: set[tuple[str, str]] = set()
    for (year, period), group in estimates.groupby(["year", "period"], sort=True):
        missing = sorted(seen_owners - set(group["owner"]))
        seen_owners |= set(group["owner"])
        series = {(o, d) for o, ds in zip(group["owner"], group["designers"], strict=True) for d in ds.split(", ")}
        series_missing = sorted((o, d) for o, d in seen_series - series if o not in missing)
        seen_series |= series
        med = group["h100e_median"].to_numpy(dtype=np.float64)
        low = group["h100e_low"].to_numpy(dtype=np.float64)
        high = group["h100e_high"].to_numpy(dtype=np.float64)
        total = float(med.sum())
        if total <= 0:
            continue
        s_low, s_high = share_bounds(low, high)
        ids = [entity_id_for(o) for o in group["owner"]]
        for k, (_, rec) in enumerate(group.iterrows()):
            notes = [
                f"Epoch AI median {rec['h100e_median']:,.0f} H100e installed (cumulative deliveries of "
                f"{rec['designers']} since {rec['series_start']:%Y-%m-%d}) over the total of all owners' medians "
                f"{total:,.0f}",
                f"range: owner at its 5th-percentile sum {rec['h100e_low']:,.0f} and every other owner at its "
                f"95th, and the reverse ({rec['h100e_high']:,.0f})",
            ]
            if not rec["all_percentiles"]:
                notes.append("no percentiles published for part of this estimate (taken as the median)")
            if rec["incomplete"]:
                notes.append("Epoch marks this quarter incomplete")
            if download_missing:
                notes.append(f"the download lacks {'; '.join(download_missing)}: the total is low")
            if ids[k] == OTHERS_ID:
                notes.append("Epoch's residual 'Other' owners")
                if missing:
                    notes.append(
                        f"no estimate this quarter for {', '.join(missing)} (estimated in earlier "
                        "quarters): their chips are in neither their row nor Other, so the total is low"
                    )
            share_rows.append(
                {
                    "market_id": MARKET_ID,
                    "entity_id": ids[k],
                    "year": int(str(year)),
                    "period": period,
                    "series": SERIES,
                    "share": round(float(med[k] / total), 6),
                    "share_low": round(float(s_low[k]), 6),
                    "share_high": round(float(s_high[k]), 6),
                    "value": float(med[k]),
                    "basis": "derived",
                    "source_id": SOURCE_ID,
                    "note": "; ".join(notes),
                }
            )
        named = np.array([i != OTHERS_ID for i in ids])
        others_med = float(med[~named].sum())
        hhi_min, hhi_max = hhi_box_range(low[named], high[named], float(low[~named].sum()), float(high[~named].sum()))
        summary_rows.append(
            {
                "year": int(str(year)),
                "period": period,
                "owners": int(named.sum()),
                "total_h100e": total,
                "others_share": others_med / total,
                "hhi_median_low": hhi(med[named] / total),
                "hhi_median_high": hhi(med / total),
                "hhi_min": hhi_min,
                "hhi_max": hhi_max,
                "designers": ", ".join(sorted({d for ds in group["designers"] for d in ds.split(", ")})),
                "owners_missing": ", ".join(missing),
                "series_missing": ", ".join(f"{o} ({d})" for o, d in series_missing),
                "incomplete": bool(group["incomplete"].any() or missing or series_missing or download_missing),
                "incomplete_reasons": "; ".join(
                    [
                        *(["Epoch marks this quarter incomplete"] if group["incomplete"].any() else []),
                        *([f"no estimate this quarter for owners {', '.join(missing)}"] if missing else []),
                        *(
                            ["no estimate this quarter for " + ", ".join(f"{o} ({d})" for o, d in series_missing)]
                            if series_missing
                            else []
                        ),
                        *([f"the download lacks {'; '.join(download_missing)}"] if download_missing else []),
                    ]
                ),
            }
        )
    return pd.DataFrame(share_rows), pd.DataFrame(summary_rows)


def _tables(shares: pd.DataFrame, owners: list[str]) -> dict[str, pd.DataFrame]:
    entity_ids = sorted({entity_id_for(o) for o in owners} - {OTHERS_ID})
    entities = pd.DataFrame(
        [
            {
                "id": e,
                "name": ENTITY_ROWS[e][0] if e in ENTITY_ROWS else next(o for o in owners if entity_id_for(o) == e),
                "kind": ENTITY_ROWS[e][1] if e in ENTITY_ROWS else "company",
                "country": ENTITY_ROWS[e][2] if e in ENTITY_ROWS else None,
                "ticker": ENTITY_ROWS[e][3] if e in ENTITY_ROWS else None,
                "parent_id": None,
            }
            for e in entity_ids
        ]
    )
    markets = pd.DataFrame(
        [
            {
                "id": MARKET_ID,
                "name": "AI accelerators installed, by owner (H100-equivalents, Epoch AI)",
                "layer": "compute-ownership",
                "geography": "world",
                "measure": "capacity",
                "unit": "H100e",
                "description": "Cumulative AI accelerator deliveries (Nvidia, AMD, Google TPU, Amazon Trainium) by "
                "owner, in H100-equivalents, from Epoch AI's chip-owner estimates; no retirements.",
            }
        ]
    )
    sources = pd.DataFrame(
        [
            {
                "id": SOURCE_ID,
                "publisher": "Epoch AI",
                "title": "[ai-chip-counts: estimated cumulative AI accelerators by owner, owners_csv_export]",
                "url": "https://epoch.ai/data/ai-chip-sales",
                "published": date(2026, 4, 22),
                "accessed": date(2026, 11, 26),
            }
        ]
    )
    return {"sources": sources, "entities": entities, "markets": markets, "shares": shares}


def ingest_epoch_chips(directory: Path | str, allow_missing_files: bool = False) -> EpochIngest:
    """Read an Epoch AI ``ai-chip-counts`` download and return package tables, estimates and HHI summary.

    A download lacking one of :data:`EXPECTED_FILES` (or whose copy holds no rows), or an owner that Epoch
    subtracted from "Other", would give totals that are low by those chips: it is refused
    (:class:`DataPackageError` naming each missing part) unless ``allow_missing_files``, which ingests it with
    every quarter marked ``incomplete`` and the missing parts named in ``missing``, the summary and the notes."""
    root = Path(directory)
    rows = read_owner_rows(find_owner_files(root))
    if rows.empty:
        raise InvalidInputError(f"DIR {directory}: the owner files hold no rows")
    base = root.parent if root.name == "owners_csv_export" else root
    read = {Path(f).resolve() for f in rows["file"]}
    missing = missing_parts(root, rows) + [
        f"rows in {path.as_posix()} (the file holds none)"
        for path in EXPECTED_FILES
        if (base / path).is_file() and (base / path).resolve() not in read
    ]
    if missing and not allow_missing_files:
        raise DataPackageError(
            [
                Problem(str(base), None, None, f"incomplete download: no {part}; the market total would be low by "
                        "its chips. Download the whole ai-chip-counts repository, or allow missing files "
                        "(--allow-missing-files) to ingest it marked incomplete")
                for part in missing
            ]
        )  # fmt: skip
    estimates = owner_estimates(rows)
    shares, summary = _share_rows(estimates, missing)
    return EpochIngest(
        tables=_tables(shares, sorted(set(rows["owner"]))), estimates=estimates, summary=summary, missing=missing
    )
