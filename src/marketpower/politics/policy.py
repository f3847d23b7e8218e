"""The federal preemption debate over state AI laws, dated, next to the money of the AI political committees.

Pure functions over DataFrames: ``policy_events`` rows (bundled table) and the output of
:func:`marketpower.politics.money.money_timeline`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidInputError

EVENT_COLUMNS = ("id", "date", "jurisdiction", "kind", "title", "outcome", "source_id")
TIMELINE_COLUMNS = ("date", "committee_id", "record")
OUTPUT_COLUMNS = (
    "number",
    "id",
    "date",
    "jurisdiction",
    "level",
    "kind",
    "title",
    "outcome",
    "source_id",
    "committees_to_date",
    "pledges_to_date",
    "reported_to_date",
)


def _required(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in frame:
            raise InvalidInputError(f"{table}: column '{column}' is required")


def _on_or_before(sorted_dates: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """How many of ``sorted_dates`` fall on or before each of ``dates``."""
    return np.searchsorted(sorted_dates, dates, side="right")


def policy_timeline(events: pd.DataFrame, timeline: pd.DataFrame) -> pd.DataFrame:
    """Events of the preemption debate in date order (ties by id), numbered from 1, with the committee money on
    record by each event's date: ``number, id, date, jurisdiction, level, kind, title, outcome, source_id,
    committees_to_date, pledges_to_date, reported_to_date``.

    ``level`` is ``federal`` for jurisdiction ``US``, else ``state``. ``committees_to_date`` counts the distinct
    committees with a row of ``timeline`` (from :func:`~marketpower.politics.money.money_timeline`) dated on or
    before the event; ``pledges_to_date`` counts those rows with ``record = pledge`` and ``reported_to_date`` the
    rest (filed, announced or press-reported money): records are counted, never amounts added, so pledges and
    reported dollars stay apart."""
    _required(events, "policy_events", EVENT_COLUMNS)
    _required(timeline, "money_timeline", TIMELINE_COLUMNS)
    dates = pd.to_datetime(events["date"], errors="coerce", format="ISO8601")
    for position, (value, parsed) in enumerate(zip(events["date"], dates, strict=True)):
        if pd.isna(parsed):
            raise InvalidInputError(
                f"policy_events row {position + 1} ({events['id'].iloc[position]}): date {value!r} is not a date; "
                "write it as YYYY-MM-DD"
            )
    out = events[list(EVENT_COLUMNS)].assign(day=dates.to_numpy())
    out = out.sort_values(["day", "id"], kind="stable").reset_index(drop=True)
    out["date"] = out["day"].dt.date
    out["number"] = np.arange(1, len(out) + 1)
    out["level"] = np.where(out["jurisdiction"] == "US", "federal", "state")

    money_days = pd.to_datetime(timeline["date"]).to_numpy()
    pledge = (timeline["record"] == "pledge").to_numpy()
    first_day = pd.Series(money_days).groupby(timeline["committee_id"].to_numpy()).min().to_numpy()
    event_days = out["day"].to_numpy()
    out["committees_to_date"] = _on_or_before(np.sort(first_day), event_days)
    out["pledges_to_date"] = _on_or_before(np.sort(money_days[pledge]), event_days)
    out["reported_to_date"] = _on_or_before(np.sort(money_days[~pledge]), event_days)
    return out[list(OUTPUT_COLUMNS)]
