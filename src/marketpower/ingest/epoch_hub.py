"""Epoch AI data hub export -> ``facilities`` rows (AI data-centre sites).

Input: a folder downloaded from Epoch AI's Frontier Data Centers hub (data CC BY 4.0) holding
``data_centers.csv`` (one row per site: handle, title, address, owner, users, current power in MW) and,
when present, ``data_center_timelines.csv`` (dated construction milestones with power in MW).

Each site becomes one facility row:

- ``id`` = the handle in lowercase with non-alphanumerics as ``-``; ``name`` = the title;
- ``owner_id`` / ``main_tenant_id`` = the first owner / user whose name matches an entity (Epoch tags such
  as ``#confident`` are dropped; a speculative user is recorded in ``note``, not as tenant);
- ``country`` = the country named in the address (US when a US state is named);
- ``power_mw`` = Epoch's *current* power; ``status`` = ``operational`` when that power is above zero, else
  ``under_construction`` when the timeline has a milestone on or before the export date, else ``planned``;
- ``year_online`` = year of the first timeline milestone with power above zero.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import DataPackageError, Problem
from .textcsv import read_csv_text

SOURCE_ID = "deals-epoch-data-centers-2025"
CENTERS_FILE = "data_centers.csv"
TIMELINES_FILE = "data_center_timelines.csv"
CENTER_COLUMNS = ("Handle", "Title", "Address", "Owner", "Users", "Current power (MW)")
TIMELINE_COLUMNS = ("Date", "Data center", "Power (MW)")

#: Epoch's owner/user labels -> entity ids of the bundled package (matched case-insensitively).
EPOCH_ENTITIES: dict[str, str] = {
    "amazon": "amazon",
    "anthropic": "anthropic",
    "google": "google",
    "google cloud": "google-cloud",
    "google deepmind": "google-deepmind",
    "meta": "meta",
    "microsoft": "microsoft",
    "openai": "openai",
    "oracle": "oracle",
    "xai": "xai",
    "alibaba": "alibaba",
    "coreweave": "coreweave",
    "g42": "g42",
    "crusoe": "crusoe",
}
COUNTRIES = {"china": "CN", "united arab emirates": "AE", "saudi arabia": "SA", "india": "IN", "france": "FR"}
US_STATES = [
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "california",
    "colorado",
    "connecticut",
    "delaware",
    "florida",
    "georgia",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "tennessee",
    "texas",
    "utah",
    "vermont",
    "virginia",
    "washington",
    "wisconsin",
    "wyoming",
]
US_CODES = re.compile(r"\b(AL|AZ|CA|GA|IN|LA|MS|NE|NJ|NM|NY|OH|TN|TX|WI|WY|ND)\b\s*\d{5}")
TAG = re.compile(r"#\w+")
DECIMAL = re.compile(r"\d+(?:\.\d+)?")


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def _parties(cell: object) -> list[tuple[str, str]]:
    """``"OpenAI #likely, Microsoft #likely"`` -> [("openai", "likely"), ("microsoft", "likely")]."""
    if not isinstance(cell, str):
        return []
    out = []
    for part in cell.split(","):
        tags = TAG.findall(part)
        name = TAG.sub("", part).strip().lower()
        if name:
            out.append((name, tags[0].lstrip("#") if tags else ""))
    return out


def _entity(cell: object, known: Mapping[str, str], allow_speculative: bool) -> str | None:
    for name, tag in _parties(cell):
        if name in known and (allow_speculative or tag != "speculative"):
            return known[name]
    return None


def _country(address: object) -> str | None:
    text = str(address).lower() if isinstance(address, str) else ""
    for name, code in COUNTRIES.items():
        if name in text:
            return code
    if any(re.search(rf"\b{state}\b", text) for state in US_STATES) or US_CODES.search(str(address)):
        return "US"
    return None


def _read(path: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(str(path), None, None, f"file not found in {path.parent}; download it from Epoch AI")]
    problems: list[Problem] = []
    return read_csv_text(path, columns, problems), problems


def _power(text: str) -> float | None:
    """Power in MW: a plain non-negative decimal (``295``, ``27.5``); None for anything else."""
    return float(text) if DECIMAL.fullmatch(text) else None


def read_epoch_data_centers(folder: Path | str, exported: date | None = None) -> pd.DataFrame:
    """Facilities rows (columns of the ``facilities`` table) from an Epoch data-hub folder.

    ``exported`` is the export date used to tell planned from under-construction sites (default: today).
    Raises DataPackageError listing every problem: missing or unreadable files and columns, empty files, a
    power that is not a non-negative number of MW (``-5``, ``NaN`` or an empty cell: never a silent null), a
    date that is not a real M/D/YYYY date, a timeline row for a site not in ``data_centers.csv``, an empty or
    repeated handle, an empty title, sites whose country cannot be read from the address."""
    root = Path(folder)
    centers, problems = _read(root / CENTERS_FILE, CENTER_COLUMNS)
    timelines = None
    if (root / TIMELINES_FILE).is_file():
        timelines, more = _read(root / TIMELINES_FILE, TIMELINE_COLUMNS)
        problems += more
    if centers is None or problems:
        raise DataPackageError(problems)
    centers_file, timelines_file = str(root / CENTERS_FILE), str(root / TIMELINES_FILE)
    cutoff = pd.Timestamp(exported or date.today())
    milestones = pd.DataFrame(columns=["Data center", "date", "power"])
    if timelines is not None:
        milestones = pd.DataFrame(
            {
                "Data center": timelines["Data center"],
                "date": pd.to_datetime(timelines["Date"], format="%m/%d/%Y", errors="coerce"),
                "power": [_power(v) for v in timelines["Power (MW)"]],
            },
            index=timelines.index,
        )
        for line in milestones.index[milestones["date"].isna().to_numpy()]:
            problems.append(
                Problem(timelines_file, int(line), "Date", f"{timelines.at[line, 'Date']!r} is not a M/D/YYYY date")
            )
        for line in milestones.index[milestones["power"].isna().to_numpy()]:
            problems.append(
                Problem(timelines_file, int(line), "Power (MW)",
                        f"{timelines.at[line, 'Power (MW)']!r} is not a non-negative number of MW")
            )  # fmt: skip
        for line in milestones.index[~milestones["Data center"].isin(centers["Handle"]).to_numpy()]:
            problems.append(
                Problem(timelines_file, int(line), "Data center",
                        f"{timelines.at[line, 'Data center']!r} is not a Handle of {CENTERS_FILE}")
            )  # fmt: skip
    seen: dict[str, int] = {}
    rows = []
    for line, site in centers.iterrows():
        line = int(str(line))
        power = _power(site["Current power (MW)"])
        if power is None:
            problems.append(
                Problem(centers_file, line, "Current power (MW)",
                        f"{site['Current power (MW)']!r} is not a non-negative number of MW")
            )  # fmt: skip
        for column in ("Handle", "Title"):
            if not site[column]:
                problems.append(Problem(centers_file, line, column, f"empty {column}"))
        site_id = _slug(site["Handle"])
        if site["Handle"] and site_id in seen:
            problems.append(
                Problem(centers_file, line, "Handle", f"{site['Handle']!r} gives the id {site_id!r} of line "
                        f"{seen[site_id]}: one row per site")
            )  # fmt: skip
        seen.setdefault(site_id, line)
        country = _country(site["Address"])
        if country is None:
            problems.append(Problem(centers_file, line, "Address", "no known country or US state in the address"))
        own = milestones[milestones["Data center"] == site["Handle"]]
        powered = own[own["power"] > 0]
        if power is not None and power > 0:
            status = "operational"
        elif (own["date"] <= cutoff).any():
            status = "under_construction"
        else:
            status = "planned"
        users = _parties(site["Users"])
        tenant = _entity(site["Users"], EPOCH_ENTITIES, allow_speculative=False)
        note = "Epoch AI: current power; users " + (", ".join(f"{n} ({t})" for n, t in users) or "not listed")
        rows.append(
            {
                "id": site_id,
                "name": site["Title"],
                "owner_id": _entity(site["Owner"], EPOCH_ENTITIES, allow_speculative=True),
                "operator_id": None,
                "main_tenant_id": tenant,
                "country": country,
                "region": None,
                "power_mw": power if power is not None and power > 0 else None,
                "status": status,
                "year_online": int(powered["date"].min().year) if not powered.empty else None,
                "accelerator_model": None,
                "accelerator_count": None,
                "source_id": SOURCE_ID,
                "note": note,
            }
        )
    if problems:
        raise DataPackageError(problems)
    frame = pd.DataFrame(rows)
    frame["year_online"] = frame["year_online"].astype("Int64")
    frame["accelerator_count"] = frame["accelerator_count"].astype("Int64")
    return frame
