"""The deal web as it stood on a date: deals with their status history, stakes and facilities.

* Deals: the rows announced on or before the date, then the rules of :func:`marketpower.schema.deals.
  effective_deals` among them: a revision (a row whose ``supersedes`` names an earlier deal) replaces the
  original only from its own announcement date, and a cancellation ends a deal only from then.
* Stakes: each owner's position at its latest ``as_of`` on or before the date
  (:func:`marketpower.schema.deals.positions_as_of`).
* Facilities: the table records each site's latest status and the year it came (or comes) online; on a date,
  a site is ``operational`` when its ``year_online`` is at most the date's year and it is operational now,
  else ``not_online`` (its stage before then is not recorded). Sites without ``year_online`` keep their status.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..schema.deals import effective_deals, positions_as_of


def deals_as_of(deals: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Deals in force on ``when`` (all dates when None): effective deals among those announced by then."""
    if when is None or deals.empty:
        return effective_deals(deals)
    return effective_deals(deals[pd.to_datetime(deals["announced"]) <= pd.Timestamp(when)])


def stakes_as_of(stakes: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Stake rows in force on ``when`` (see :func:`marketpower.schema.deals.positions_as_of`)."""
    return positions_as_of(stakes, when)


def facilities_as_of(facilities: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Facilities with ``status_as_of`` on ``when`` (see module docstring; the current status when None)."""
    out = facilities.copy()
    if when is None or out.empty:
        return out.assign(status_as_of=out.get("status"))
    year = pd.Timestamp(when).year
    online = pd.to_numeric(out["year_online"], errors="coerce")
    later = online.notna() & ((online > year) | (out["status"] != "operational"))
    return out.assign(status_as_of=out["status"].where(~later, "not_online"))
