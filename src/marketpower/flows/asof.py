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


def deal_intervals(deals: pd.DataFrame) -> pd.DataFrame:
    """When each deal row is in force, by the rules of :func:`deals_as_of`: from its announcement
    (``in_force_from``) until the first announcement of a row that ``supersedes`` it (``in_force_until``,
    exclusive; NaT while nothing has). Cancelled rows are never in force and are left out. Index-aligned with
    the rows kept, so that ``deals_as_of(deals, t)`` holds exactly the rows with from <= t < until."""
    if deals.empty:
        return pd.DataFrame({"in_force_from": pd.Series(dtype="datetime64[ns]"),
                             "in_force_until": pd.Series(dtype="datetime64[ns]")})
    announced = pd.to_datetime(deals["announced"])
    revisions = pd.DataFrame({"target": deals["supersedes"], "on": announced}).dropna(subset=["target"])
    first_revision = revisions.groupby("target")["on"].min()
    kept = deals["status"] != "cancelled"
    return pd.DataFrame(
        {
            "in_force_from": announced[kept],
            "in_force_until": deals.loc[kept, "id"].map(first_revision).astype("datetime64[ns]"),
        },
        index=deals.index[kept],
    )


def stake_intervals(stakes: pd.DataFrame) -> pd.DataFrame:
    """When each stake row is in force, by the rules of :func:`stakes_as_of`: from its ``as_of``
    (``in_force_from``) until the next later ``as_of`` of the same owner and target (``in_force_until``,
    exclusive; NaT for the latest). Index-aligned with ``stakes``."""
    if stakes.empty:
        return pd.DataFrame({"in_force_from": pd.Series(dtype="datetime64[ns]"),
                             "in_force_until": pd.Series(dtype="datetime64[ns]")})
    on = pd.to_datetime(stakes["as_of"])
    dates = pd.DataFrame({"owner": stakes["owner_id"], "target": stakes["target_id"], "on": on})
    distinct = dates.drop_duplicates().sort_values("on")
    distinct = distinct.assign(next_on=distinct.groupby(["owner", "target"])["on"].shift(-1))
    until = dates.merge(distinct, on=["owner", "target", "on"], how="left")["next_on"].to_numpy()
    return pd.DataFrame({"in_force_from": on, "in_force_until": until}, index=stakes.index)
