"""Tables of the deals domain: who owns whom (``stakes``), who pays whom (``deals``) and where the
compute sits (``facilities``). Declared with :mod:`marketpower.schema.core`.

Conventions
-----------
* A deal is a money edge ``payer_id -> payee_id``: the investor pays the investee, the customer pays the
  cloud provider or chip vendor, the issuer of a warrant grants value to its holder.
* A revision keeps the original row and adds a row whose ``supersedes`` names it; the analyses use the
  latest row of each chain (see :func:`effective_deals`).
* A stake row states an owner's whole position in a target at ``as_of``; an owner's rows at its latest
  ``as_of`` on or before a date are its position at that date (see :func:`positions_as_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .core import Field, Table
from .market import DATE_HELP, ID_PATTERN, source_ref

if TYPE_CHECKING:  # pandas loads when a check runs, not to read the schema's definitions
    import pandas as pd

STAKE_INSTRUMENTS = ("common", "preferred", "warrant", "convertible", "profit_interest")
DEAL_KINDS = (
    "equity_investment",
    "cloud_contract",
    "chip_purchase",
    "compute_capacity_purchase",
    "warrant",
    "acquisition",
    "joint_venture",
    "licensing",
    "loan",
    "power_purchase",
    "grant",
    "service_contract",
    "revenue_share",
    "lease",
)
#: ``lease``: a data-centre lease or hosting (colocation) contract, the tenant paying the landlord;
#: ``grant``: a public award or subsidy (e.g. a CHIPS Act direct funding award); ``service_contract``: a contract
#: for services other than cloud or compute (e.g. a Defense Department or GSA contract with a model lab);
#: ``revenue_share``: a payment of a share of revenue (e.g. an export-licence revenue-sharing arrangement).
DEAL_STATUSES = ("announced", "letter_of_intent", "definitive", "closed", "revised", "cancelled")
FACILITY_STATUSES = ("planned", "under_construction", "operational")
#: Consultation and control rights an investor holds (FTC staff report on AI partnerships, January 2025).
CONTROL_RIGHTS = ("none", "consultation", "veto", "control")
#: How far the investee is tied to the investor's products (e.g. its cloud).
EXCLUSIVITY = ("none", "preferred", "exclusive")

#: Slack allowed on the sum of equity fractions of one target (rounded published figures).
STAKE_SUM_TOLERANCE = 0.005


def _party(name: str, role: str) -> Field:
    return Field(name, "string", f"Entity id of the {role}.", required=True, references="entities.id")


# ---------------------------------------------------------------------------------------------- helpers


def positions_as_of(stakes: pd.DataFrame, when: date | str | None = None) -> pd.DataFrame:
    """Stake rows in force at ``when`` (all dates when None): for each (owner, target), the rows at the
    owner's latest ``as_of`` on or before ``when``. ``as_of`` may hold dates or ISO strings."""
    import pandas as pd
    if stakes.empty:
        return stakes.copy()
    frame = stakes.copy()
    frame["_as_of"] = pd.to_datetime(frame["as_of"])
    if when is not None:
        frame = frame[frame["_as_of"] <= pd.Timestamp(when)]
    latest = frame.groupby(["owner_id", "target_id"])["_as_of"].transform("max")
    return frame[frame["_as_of"] == latest].drop(columns="_as_of")


def stake_point(stakes: pd.DataFrame) -> pd.Series:
    """Best point estimate of each row's equity fraction: ``equity_fraction``, else the midpoint of the range,
    else the one published bound."""
    import pandas as pd
    low = stakes.get("equity_fraction_low", pd.Series(float("nan"), index=stakes.index))
    high = stakes.get("equity_fraction_high", pd.Series(float("nan"), index=stakes.index))
    mid = (low + high) / 2
    return stakes["equity_fraction"].fillna(mid).fillna(low).fillna(high).astype(float)


def effective_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals in force: drop every row that a later row ``supersedes`` and every cancelled row."""
    if deals.empty:
        return deals.copy()
    revised = set(deals["supersedes"].dropna())
    return deals[~deals["id"].isin(revised) & (deals["status"] != "cancelled")].copy()


#: How a deal's headline amount is published (see :func:`deal_amounts`).
AMOUNT_BASES = ("point", "range", "up_to", "at_least", "unknown")
#: Bases whose headline amount is a ceiling rather than a point (a round trip through them is an upper bound).
CEILING_BASES = ("range", "up_to")


def deal_amounts(deals: pd.DataFrame) -> pd.DataFrame:
    """Headline amount (USD) of every deal row and how it is published, index-aligned with ``deals``:
    the point amount when given (``point``); else the high end of a low-high range (``range``); else the "up to"
    cap (``up_to``); else the published floor (``at_least``); else NaN (``unknown``, never zero)."""
    import pandas as pd
    point, low, high = (deals[c].astype(float) for c in ("amount_usd", "amount_usd_low", "amount_usd_high"))
    basis = pd.Series("unknown", index=deals.index, dtype=object)
    basis[low.notna()] = "at_least"
    basis[high.notna()] = "up_to"
    basis[high.notna() & low.notna()] = "range"
    basis[point.notna()] = "point"
    return pd.DataFrame({"amount_usd": point.fillna(high).fillna(low), "amount_basis": basis}, index=deals.index)


# ---------------------------------------------------------------------------------------------- checks


def _line(index: Any) -> int:
    """CSV line of a DataFrame row read with a default RangeIndex (header is line 1)."""
    return int(index) + 2


def _frame(tables: Mapping[str, Any], name: str) -> pd.DataFrame | None:
    import pandas as pd
    frame = tables.get(name)
    return frame if isinstance(frame, pd.DataFrame) and not frame.empty else None


def check_stake_totals(tables: Mapping[str, Any]) -> list[Problem]:
    """No target may be more than 100% owned at any date on which one of its stakes is reported."""
    import pandas as pd
    stakes = _frame(tables, "stakes")
    if stakes is None:
        return []
    problems: list[Problem] = []
    for target, rows in stakes.groupby("target_id"):
        for when in sorted(set(pd.to_datetime(rows["as_of"]))):
            held = positions_as_of(rows, when)
            total = float(stake_point(held).sum())
            if total > 1 + STAKE_SUM_TOLERANCE:
                dated = held[pd.to_datetime(held["as_of"]) == when]
                problems.append(
                    Problem(
                        "stakes.csv",
                        _line(dated.index[-1]),
                        "equity_fraction",
                        f"stakes in '{target}' add up to {total:.1%} on {when.date()} (owners: "
                        f"{', '.join(sorted(held['owner_id']))}); record an owner's reduced stake as a new row or fix "
                        "the fractions so they total at most 100%",
                    )
                )
    return problems


def _check_range(frame: pd.DataFrame, file: str, point: str, low: str, high: str) -> list[Problem]:
    import pandas as pd
    problems: list[Problem] = []
    for idx, row in frame.iterrows():
        lo, mid, hi = row.get(low), row.get(point), row.get(high)
        pairs = [(lo, mid, low, point), (mid, hi, point, high), (lo, hi, low, high)]
        for a, b, name_a, name_b in pairs:
            if pd.notna(a) and pd.notna(b) and float(a) > float(b):
                problems.append(
                    Problem(
                        file,
                        _line(idx),
                        name_a,
                        f"{name_a} ({a}) is above {name_b} ({b}); expected {low} <= {point} <= {high}",
                    )
                )
                break
    return problems


def check_stake_ranges(tables: Mapping[str, Any]) -> list[Problem]:
    """equity_fraction_low <= equity_fraction <= equity_fraction_high."""
    stakes = _frame(tables, "stakes")
    if stakes is None:
        return []
    return _check_range(stakes, "stakes.csv", "equity_fraction", "equity_fraction_low", "equity_fraction_high")


def check_deal_amounts(tables: Mapping[str, Any]) -> list[Problem]:
    """Amounts are not negative and amount_usd_low <= amount_usd <= amount_usd_high."""
    import pandas as pd
    deals = _frame(tables, "deals")
    if deals is None:
        return []
    problems: list[Problem] = []
    for column in ("amount_usd", "amount_usd_low", "amount_usd_high"):
        if column not in deals:
            continue
        for idx, value in deals[column].items():
            if pd.notna(value) and float(value) < 0:
                problems.append(
                    Problem(
                        "deals.csv",
                        _line(idx),
                        column,
                        f"negative amount {value}; amounts are US dollars >= 0 (direction is "
                        "given by payer_id -> payee_id)",
                    )
                )
    return problems + _check_range(deals, "deals.csv", "amount_usd", "amount_usd_low", "amount_usd_high")


def check_deal_revisions(tables: Mapping[str, Any]) -> list[Problem]:
    """Every ``supersedes`` names an existing, earlier deal other than itself."""
    import pandas as pd
    deals = _frame(tables, "deals")
    if deals is None or "supersedes" not in deals:
        return []
    announced = dict(zip(deals["id"], pd.to_datetime(deals["announced"]), strict=True))
    problems: list[Problem] = []
    for idx, row in deals[deals["supersedes"].notna()].iterrows():
        target = row["supersedes"]
        if target not in announced:
            message = f"revises deal '{target}', which is not in deals.csv; add the original deal or fix the id"
        elif target == row["id"]:
            message = "a deal cannot revise itself"
        elif announced[target] > pd.Timestamp(row["announced"]):
            message = f"revision is announced before the deal '{target}' it revises"
        else:
            continue
        problems.append(Problem("deals.csv", _line(idx), "supersedes", message))
    return problems


def future_dates_check(
    table: str, column: str, today: date | None = None
) -> Callable[[Mapping[str, Any]], list[Problem]]:
    """A check that no date in ``table.column`` lies after ``today`` (default: the day the check runs)."""

    def check_future_dates(tables: Mapping[str, Any]) -> list[Problem]:
        import pandas as pd
        frame = _frame(tables, table)
        if frame is None:
            return []
        limit = pd.Timestamp(today or date.today())
        return [
            Problem(
                f"{table}.csv",
                _line(idx),
                column,
                f"date {value.date()} is after today ({limit.date()}); record only what has been announced",
            )
            for idx, value in pd.to_datetime(frame[column], errors="coerce").items()
            if pd.notna(value) and value > limit
        ]

    return check_future_dates


def check_deals(tables: Mapping[str, Any], today: date | None = None) -> list[Problem]:
    """Every cross-row rule of the deals domain (handy for tests and ingest)."""
    return (
        check_stake_totals(tables)
        + check_stake_ranges(tables)
        + check_deal_amounts(tables)
        + check_deal_revisions(tables)
        + future_dates_check("stakes", "as_of", today)(tables)
        + future_dates_check("deals", "announced", today)(tables)
    )


# ---------------------------------------------------------------------------------------------- tables


def partnership_terms(party: str) -> tuple[Field, ...]:
    """The partnership terms the FTC's January 2025 6(b) staff report on AI partnerships singles out, as fields
    of ``stakes`` and ``deals``; an empty cell means "not published" (the analyses then take a range)."""
    return (
        Field(
            "revenue_share",
            "number",
            f"Share of the other party's revenue owed to the {party} (fraction 0-1), when published.",
            minimum=0,
            maximum=1,
        ),
        Field("board_seats", "integer", f"Voting board seats held by the {party}.", minimum=0),
        Field("observer_seat", "boolean", f"The {party} holds a non-voting board observer seat (true/false)."),
        Field(
            "control_rights",
            "string",
            f"Consultation or control rights of the {party} beyond its votes: `none`, `consultation` (must be "
            "consulted), `veto` (can block named decisions), `control` (controls the firm).",
            enum=CONTROL_RIGHTS,
        ),
        Field(
            "exclusivity",
            "string",
            "How far the other party is tied to the investor's products: `none`, `preferred` (primary or "
            "first-choice partner), `exclusive`.",
            enum=EXCLUSIVITY,
        ),
        Field(
            "spend_back",
            "boolean",
            "The investee commits to spend investment money on the investor's cloud or chips (true/false).",
        ),
        Field(
            "sensitive_info",
            "boolean",
            f"The {party} has access to the other party's sensitive technical or business information (true/false).",
        ),
        Field(
            "terms_source_id",
            "string",
            "Source of the partnership terms when it is not `source_id`.",
            references="sources.id",
        ),
    )


STAKES = Table(
    name="stakes",
    description=(
        "Who owns how much of whom, dated. One row is an owner's position through one instrument at `as_of`; "
        "an owner's rows at its latest `as_of` replace its earlier rows, so changes over time are new rows."
    ),
    fields=(
        _party("owner_id", "holder of the stake"),
        _party("target_id", "firm held"),
        Field("as_of", "date", f"Date the position is reported for, {DATE_HELP}.", required=True),
        Field("instrument", "string", "Kind of claim held.", required=True, enum=STAKE_INSTRUMENTS),
        Field(
            "equity_fraction",
            "number",
            "Economic interest as a fraction 0-1 (fully diluted for warrants).",
            minimum=0,
            maximum=1,
        ),
        Field(
            "equity_fraction_low", "number", "Low end when only a range is published (fraction).", minimum=0, maximum=1
        ),
        Field(
            "equity_fraction_high",
            "number",
            "High end when only a range or a cap is published (fraction).",
            minimum=0,
            maximum=1,
        ),
        Field(
            "voting_fraction",
            "number",
            "Voting or control fraction 0-1 when it differs from the economic one.",
            minimum=0,
            maximum=1,
        ),
        source_ref(),
        Field("note", "string", "How the figure was read (range, cap, vesting conditions).", multiline=True),
        *partnership_terms("owner"),
    ),
    primary_key=("owner_id", "target_id", "as_of", "instrument"),
    checks=(check_stake_totals, check_stake_ranges, future_dates_check("stakes", "as_of")),
)

DEALS = Table(
    name="deals",
    description=(
        "Announced investments, contracts and purchases, each a money edge payer -> payee. A later revision keeps "
        'the original row and adds a row with `supersedes` = the original id. "Up to" amounts are stored only '
        "in `amount_usd_high`."
    ),
    fields=(
        Field("id", "string", "Stable deal id.", required=True, pattern=ID_PATTERN),
        Field("announced", "date", f"Date the deal (or revision) was announced, {DATE_HELP}.", required=True),
        Field("kind", "string", "What the money buys.", required=True, enum=DEAL_KINDS),
        _party("payer_id", "party whose money goes out (investor, buyer, customer, warrant issuer)"),
        _party("payee_id", "party that receives it (investee, seller, provider, warrant holder)"),
        Field("amount_usd", "number", "Headline amount in US dollars, when a point figure is published."),
        Field("amount_usd_low", "number", "Low end of a published range, US dollars."),
        Field("amount_usd_high", "number", 'High end of a published range or an "up to" cap, US dollars.'),
        Field("capacity_gw", "number", "Data-centre or compute capacity covered, gigawatts.", minimum=0),
        Field("accelerators", "integer", "Number of accelerators covered, when published.", minimum=0),
        Field("duration_years", "number", "Term of the contract, years.", minimum=0),
        Field("status", "string", "Stage reached as published.", required=True, enum=DEAL_STATUSES),
        Field("supersedes", "string", "Id of the deal this row revises.", references="deals.id"),
        Field("description", "string", "One-line summary in our words."),
        source_ref(),
        Field("note", "string", "How the figures were read (pledge, range, tranche conditions).", multiline=True),
        *partnership_terms("payer"),
    ),
    primary_key=("id",),
    checks=(check_deal_amounts, check_deal_revisions, future_dates_check("deals", "announced")),
)

FACILITIES = Table(
    name="facilities",
    description="AI data-centre sites: who owns, runs and uses them, where, how much power and which chips.",
    fields=(
        Field("id", "string", "Stable facility id.", required=True, pattern=ID_PATTERN),
        Field("name", "string", "Usual name of the site.", required=True),
        Field("owner_id", "string", "Entity owning the site.", references="entities.id"),
        Field("operator_id", "string", "Entity running the site.", references="entities.id"),
        Field("main_tenant_id", "string", "Main user of the compute.", references="entities.id"),
        Field("country", "string", "ISO 3166-1 alpha-2 country.", required=True, pattern=r"^[A-Z]{2}$"),
        Field("region", "string", "State, province or city."),
        Field("power_mw", "number", "Power capacity in megawatts (planned full build unless `note` says).", minimum=0),
        Field("status", "string", "Construction stage as published.", required=True, enum=FACILITY_STATUSES),
        Field(
            "year_online",
            "integer",
            "Year the site (or its first phase) came or comes online.",
            minimum=1990,
            maximum=2100,
        ),
        Field("accelerator_model", "string", "Main accelerator model, when reported."),
        Field("accelerator_count", "integer", "Number of accelerators, when reported.", minimum=0),
        source_ref(),
        Field("note", "string", "What the figures cover.", multiline=True),
    ),
    primary_key=("id",),
)

TABLES: tuple[Table, ...] = (STAKES, DEALS, FACILITIES)
