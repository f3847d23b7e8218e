"""Tables of the politics domain: the committees that carry AI-industry money into elections, the money
they were promised and reported, firms' lobbying spend and published counts of state AI bills.
Declared with :mod:`marketpower.schema.core`.

Conventions
-----------
* A committee is also an entity (``entities.kind = committee``), so one committee can be another's donor.
* ``committee_money`` keeps promises apart from filings: ``kind = commitment`` rows are announced pledges
  (``is_pledge`` true); ``receipts``, ``spending`` and ``cash_on_hand`` rows come from filings (``basis =
  filing``) or from what a committee announced about its own filing (``basis = announcement``).
* A figure published only as "more than", "at least", "about" or "up to" keeps that word in ``qualifier``; a
  figure given only in words ("tens of millions") has no amount and ``qualifier = unquantified``.
* Bill counts of different trackers (NCSL, MultiState, Brookings, ...) are separate rows, never merged.
* ``policy_events`` are dated steps of the fight over federal preemption of state AI laws (bills, votes,
  executive orders, statements, state laws, court rulings), each told in our own words with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .core import Field, Table
from .market import DATE_HELP, ID_PATTERN, source_ref

if TYPE_CHECKING:  # pandas loads when a check runs, not to read the schema's definitions
    import pandas as pd

COMMITTEE_KINDS = ("super_pac", "pac", "state_pac", "nonprofit_501c4", "527")
STANCES = ("pro_ai_industry", "pro_ai_safeguards", "not_stated")
MONEY_KINDS = ("commitment", "receipts", "spending", "cash_on_hand")
MONEY_BASES = ("filing", "announcement", "press_report")
MONEY_SCOPES = ("committee", "network")
QUALIFIERS = ("exact", "about", "more_than", "at_least", "less_than", "up_to", "unquantified")
JURISDICTION_PATTERN = r"^(US|[A-Z]{2})$"
POLICY_EVENT_KINDS = ("bill", "vote", "law", "executive_order", "executive_action", "statement", "court")
OFFICES = ("house", "senate", "governor", "state_senate", "state_house", "state_other")
ELECTIONS = ("primary", "runoff", "general", "special")
SUPPORT_OPPOSE = ("support", "oppose")
RACE_RESULTS = ("won", "lost", "advanced", "withdrew", "pending")
POSITIONS = ("supports_preemption", "opposes_preemption", "mixed")


def _qualifier(name: str = "qualifier") -> Field:
    return Field(name, "string", "How the publisher states the figure (`exact` when blank).", enum=QUALIFIERS)


def _frame(tables: Mapping[str, Any], name: str) -> pd.DataFrame | None:
    import pandas as pd
    frame = tables.get(name)
    return frame if isinstance(frame, pd.DataFrame) and not frame.empty else None


def _line(index: Any) -> int:
    return int(index) + 2


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _amount_and_period(row: pd.Series, where: tuple[str, int]) -> list[Problem]:
    """A money row has an amount unless its qualifier is `unquantified` (then none); its period runs forwards."""
    import pandas as pd
    problems: list[Problem] = []
    if (row.get("qualifier") == "unquantified") == pd.notna(row.get("amount_usd")):
        problems.append(
            Problem(
                *where,
                "amount_usd",
                "give amount_usd, or leave it blank with qualifier unquantified when the source gives no figure",
            )
        )
    start, end = row.get("period_start"), row.get("period_end")
    if pd.notna(start) and pd.notna(end) and pd.Timestamp(start) > pd.Timestamp(end):
        problems.append(Problem(*where, "period_start", f"period_start {start} is after period_end {end}"))
    return problems


def check_committee_money(tables: Mapping[str, Any]) -> list[Problem]:
    """Pledges and filings are not mixed up; a row has an amount unless `unquantified`; periods run forwards."""
    money = _frame(tables, "committee_money")
    if money is None:
        return []
    problems: list[Problem] = []
    for idx, row in money.iterrows():
        where = ("committee_money.csv", _line(idx))
        pledge = _truthy(row.get("is_pledge"))
        if row.get("kind") == "commitment" and not pledge:
            problems.append(Problem(*where, "is_pledge", "a commitment is a pledge: set is_pledge to true"))
        if row.get("kind") != "commitment" and pledge:
            problems.append(
                Problem(
                    *where,
                    "is_pledge",
                    f"kind {row.get('kind')} is reported money, not a "
                    "pledge: set is_pledge to false or kind to commitment",
                )
            )
        if pledge and row.get("basis") == "filing":
            problems.append(Problem(*where, "basis", "a pledge is not a filing: use announcement or press_report"))
        problems += _amount_and_period(row, where)
    return problems


def check_committees(tables: Mapping[str, Any]) -> list[Problem]:
    """A committee is not its own parent; FEC ids are unique; a committee's entity has kind `committee`."""
    import pandas as pd
    committees = _frame(tables, "committees")
    if committees is None:
        return []
    problems: list[Problem] = []
    entities = _frame(tables, "entities")
    kinds = dict(zip(entities["id"], entities["kind"], strict=True)) if entities is not None else {}
    fec_seen: dict[str, int] = {}
    for idx, row in committees.iterrows():
        where = ("committees.csv", _line(idx))
        if row.get("parent_id") == row["id"]:
            problems.append(Problem(*where, "parent_id", f"committee {row['id']} cannot be its own parent"))
        fec = row.get("fec_id")
        if pd.notna(fec) and fec:
            if fec in fec_seen:
                problems.append(Problem(*where, "fec_id", f"FEC id {fec} already used on line {fec_seen[fec]}"))
            fec_seen[fec] = _line(idx)
        if kinds and row["id"] in kinds and kinds[row["id"]] != "committee":
            problems.append(
                Problem(
                    *where,
                    "id",
                    f"entity {row['id']} has kind {kinds[row['id']]}; "
                    "a committee's entity row must have kind committee",
                )
            )
    return problems


def check_bill_counts(tables: Mapping[str, Any]) -> list[Problem]:
    """Each row has a count; an exact enacted count never exceeds an exact introduced count."""
    import pandas as pd
    counts = _frame(tables, "bill_counts")
    if counts is None:
        return []
    problems: list[Problem] = []
    count_fields = ("introduced", "enacted", "jurisdictions_introducing", "jurisdictions_enacting")
    for idx, row in counts.iterrows():
        where = ("bill_counts.csv", _line(idx))
        if all(pd.isna(row.get(c)) for c in count_fields):
            problems.append(
                Problem(
                    *where, "introduced", "the row has no count: give introduced, enacted or a number of jurisdictions"
                )
            )
        intro, enacted = row.get("introduced"), row.get("enacted")
        exact = all(pd.isna(row.get(q)) or row.get(q) == "exact" for q in ("introduced_qualifier", "enacted_qualifier"))
        if exact and pd.notna(intro) and pd.notna(enacted) and int(enacted) > int(intro):
            problems.append(Problem(*where, "enacted", f"enacted ({enacted}) exceeds introduced ({intro})"))
    return problems


def check_independent_expenditures(tables: Mapping[str, Any]) -> list[Problem]:
    """A row has an amount unless `unquantified`; its period runs forwards; a federal office has a district rule
    (House: a district; Senate: none)."""
    import pandas as pd
    spending = _frame(tables, "independent_expenditures")
    if spending is None:
        return []
    problems: list[Problem] = []
    for idx, row in spending.iterrows():
        where = ("independent_expenditures.csv", _line(idx))
        problems += _amount_and_period(row, where)
        district = row.get("district")
        if row.get("office") == "house" and (pd.isna(district) or not str(district).strip()):
            problems.append(Problem(*where, "district", "a House race needs its district number (e.g. 12)"))
        if row.get("office") == "senate" and pd.notna(district) and str(district).strip():
            problems.append(Problem(*where, "district", "a Senate race has no district: leave it blank"))
    return problems


def check_policy_positions(tables: Mapping[str, Any]) -> list[Problem]:
    """A position's ``event_id`` names an event of ``policy_events``."""
    import pandas as pd
    positions = _frame(tables, "policy_positions")
    if positions is None:
        return []
    events = _frame(tables, "policy_events")
    known = set(events["id"]) if events is not None else set()
    return [
        Problem("policy_positions.csv", _line(idx), "event_id",
                f"event {row['event_id']!r} is not in policy_events.csv: use one of its ids or leave it blank")
        for idx, row in positions.iterrows()
        if pd.notna(row.get("event_id")) and row["event_id"] not in known
    ]


def check_policy_events(tables: Mapping[str, Any]) -> list[Problem]:
    """An event is dated on or before the publication of the source that reports it."""
    import pandas as pd
    events, sources = _frame(tables, "policy_events"), _frame(tables, "sources")
    if events is None or sources is None:
        return []
    published = dict(zip(sources["id"], pd.to_datetime(sources["published"]), strict=True))
    problems: list[Problem] = []
    for idx, row in events.iterrows():
        source_date = published.get(row.get("source_id"))
        if source_date is not None and pd.notna(row.get("date")) and pd.Timestamp(row["date"]) > source_date:
            problems.append(
                Problem(
                    "policy_events.csv",
                    _line(idx),
                    "date",
                    f"event {row['id']} is dated {pd.Timestamp(row['date']).date()}, after its source "
                    f"{row['source_id']} was published ({source_date.date()}): check the date or cite a later source",
                )
            )
    return problems


COMMITTEES = Table(
    name="committees",
    description=(
        "Political committees of the AI fight: super PACs, state PACs and the 501(c)(4) groups beside them, "
        "with their sponsor, network and stance."
    ),
    fields=(
        Field(
            "id",
            "string",
            "Committee id (also its entity id).",
            required=True,
            pattern=ID_PATTERN,
            references="entities.id",
        ),
        Field("name", "string", "Registered name.", required=True),
        Field("kind", "string", "Legal form.", required=True, enum=COMMITTEE_KINDS),
        Field(
            "jurisdiction",
            "string",
            "`US` for committees working nationally (registered with the FEC or "
            "the IRS), else the state where it is registered (two-letter code).",
            required=True,
            pattern=JURISDICTION_PATTERN,
        ),
        Field("fec_id", "string", "FEC committee id (C + 8 digits) when registered with the FEC.", pattern=r"^C\d{8}$"),
        Field("network", "string", "Network of affiliated committees it belongs to.", pattern=ID_PATTERN),
        Field("parent_id", "string", "Committee this one is an affiliate or arm of.", references="committees.id"),
        Field(
            "sponsor_id", "string", "Entity that created or chiefly funds it, as reported.", references="entities.id"
        ),
        Field(
            "cycle",
            "integer",
            "First election cycle it works in (even year).",
            required=True,
            minimum=2000,
            maximum=2100,
        ),
        Field(
            "stance",
            "string",
            "Side in the AI-regulation fight, as the committee describes itself (`not_stated` for a firm's own "
            "PAC, which gives no AI stance).",
            required=True,
            enum=STANCES,
        ),
        source_ref(),
        Field("note", "string", "What the committee says it does.", multiline=True),
    ),
    primary_key=("id",),
    checks=(check_committees,),
)

COMMITTEE_MONEY = Table(
    name="committee_money",
    description=(
        "Money promised to, received by, spent by or held by a committee: pledges (`is_pledge`) kept apart "
        "from reported receipts, each with its source."
    ),
    fields=(
        Field("committee_id", "string", "Committee.", required=True, references="committees.id"),
        Field(
            "scope",
            "string",
            "`network` when the figure covers the committee and its affiliates.",
            required=True,
            enum=MONEY_SCOPES,
        ),
        Field("kind", "string", "What the amount is.", required=True, enum=MONEY_KINDS),
        Field(
            "donor_id",
            "string",
            "Entity that gave or promised the money (blank: all donors).",
            references="entities.id",
        ),
        Field("period_start", "date", f"First day covered, {DATE_HELP}."),
        Field(
            "period_end", "date", f"Last day covered (or the date of a balance or pledge), {DATE_HELP}.", required=True
        ),
        Field("amount_usd", "number", "Amount in US dollars.", minimum=0),
        _qualifier(),
        Field(
            "is_pledge",
            "boolean",
            "True for a promise or announced commitment, false for money reported as received, spent or held.",
            required=True,
        ),
        Field(
            "basis",
            "string",
            "Where the figure comes from: a `filing` (FEC, IRS, state), the committee's "
            "own `announcement`, or a `press_report` of unnamed sources.",
            required=True,
            enum=MONEY_BASES,
        ),
        source_ref(),
        Field("note", "string", "How the figure was read.", multiline=True),
    ),
    primary_key=("committee_id", "scope", "kind", "donor_id", "period_end", "source_id"),
    checks=(check_committee_money,),
)

LOBBYING = Table(
    name="lobbying",
    description="Lobbying spend by firm, jurisdiction and year (or quarter), as disclosed and reported.",
    fields=(
        Field("entity_id", "string", "Firm that paid for the lobbying.", required=True, references="entities.id"),
        Field(
            "jurisdiction",
            "string",
            "`US` for federal (Lobbying Disclosure Act) reports, else the state.",
            required=True,
            pattern=JURISDICTION_PATTERN,
        ),
        Field("year", "integer", "Calendar year.", required=True, minimum=1995, maximum=2100),
        Field("period", "string", "Quarter when not the full year.", pattern=r"^Q[1-4]$"),
        Field("amount_usd", "number", "Spend in US dollars.", required=True, minimum=0),
        _qualifier(),
        Field(
            "lobbyists",
            "integer",
            "Lobbyists named in the period's reports (in-house and outside firms), when the source gives the count.",
            minimum=0,
        ),
        source_ref(),
        Field("note", "string", "How the figure was read.", multiline=True),
    ),
    primary_key=("entity_id", "jurisdiction", "year", "period", "source_id"),
)

BILL_COUNTS = Table(
    name="bill_counts",
    description=(
        "Counts of AI bills introduced and enacted, per state (or `ALL` states) and year, as each tracker "
        "publishes them. Trackers define 'AI bill' differently: compare within a tracker."
    ),
    fields=(
        Field(
            "tracker",
            "string",
            "Who counted (ncsl, multistate, brookings, vaill, byteback, ...).",
            required=True,
            pattern=ID_PATTERN,
        ),
        Field("state", "string", "Two-letter state code, or `ALL`.", required=True, pattern=r"^([A-Z]{2}|ALL)$"),
        Field("year", "integer", "Legislative year.", required=True, minimum=2000, maximum=2100),
        Field("as_of", "date", f"Date the count refers to (`so far` counts), {DATE_HELP}.", required=True),
        Field("introduced", "integer", "Bills introduced.", minimum=0),
        _qualifier("introduced_qualifier"),
        Field("enacted", "integer", "Bills enacted or adopted.", minimum=0),
        _qualifier("enacted_qualifier"),
        Field("jurisdictions_introducing", "integer", "States (and territories) with at least one bill.", minimum=0),
        Field(
            "jurisdictions_enacting",
            "integer",
            "States (and territories) that enacted or adopted at least one.",
            minimum=0,
        ),
        source_ref(),
        Field("note", "string", "What the tracker counts (bills, resolutions, territories).", multiline=True),
    ),
    primary_key=("tracker", "state", "year", "as_of", "source_id"),
    checks=(check_bill_counts,),
)


POLICY_EVENTS = Table(
    name="policy_events",
    description=(
        "Dated events of the US debate over federal preemption of state AI laws: federal bills, votes, "
        "executive orders and statements, and the state laws at stake, each with its source."
    ),
    fields=(
        Field("id", "string", "Stable event id.", required=True, pattern=ID_PATTERN),
        Field("date", "date", f"Day the event happened, {DATE_HELP}.", required=True),
        Field(
            "jurisdiction",
            "string",
            "`US` for federal events, else the state (two-letter code).",
            required=True,
            pattern=JURISDICTION_PATTERN,
        ),
        Field(
            "kind",
            "string",
            "What happened: a `bill` introduced or drafted, a recorded `vote`, a `law` signed, an "
            "`executive_order`, another `executive_action` (plan, memo, report), a `statement`, a `court` ruling.",
            required=True,
            enum=POLICY_EVENT_KINDS,
        ),
        Field("title", "string", "Short name of the event.", required=True),
        Field("outcome", "string", "What it did or decided, in our words.", required=True, multiline=True),
        source_ref(),
    ),
    primary_key=("id",),
    checks=(check_policy_events,),
)


def _race_fields() -> tuple[Field, ...]:
    return (
        Field(
            "state",
            "string",
            "State of the race (two-letter code).",
            required=True,
            pattern=r"^[A-Z]{2}$",
        ),
        Field("office", "string", "Office sought.", required=True, enum=OFFICES),
        Field("district", "string", "District (House and state legislative races); blank for statewide offices."),
        Field("election", "string", "Which election.", required=True, enum=ELECTIONS),
        Field("election_date", "date", f"Day of the vote, {DATE_HELP}.", required=True),
        Field("candidate", "string", "Candidate as named on the ballot.", required=True),
        Field("party", "string", "Candidate's party (`DEM`, `REP`, ... as the FEC writes it).", pattern=r"^[A-Z]{3}$"),
    )


INDEPENDENT_EXPENDITURES = Table(
    name="independent_expenditures",
    description=(
        "Money an AI committee spent for or against one candidate in one race (independent expenditures, as "
        "filed or as reported), each with its source; summed per candidate it never includes pledges."
    ),
    fields=(
        Field("committee_id", "string", "Committee that spent.", required=True, references="committees.id"),
        *_race_fields(),
        Field("support_oppose", "string", "For or against the candidate.", required=True, enum=SUPPORT_OPPOSE),
        Field("period_start", "date", f"First day covered, {DATE_HELP}."),
        Field("period_end", "date", f"Last day covered (or the day reported), {DATE_HELP}.", required=True),
        Field("amount_usd", "number", "Amount in US dollars.", minimum=0),
        _qualifier(),
        Field(
            "basis",
            "string",
            "`filing` (FEC Schedule E / 24- and 48-hour reports, state filings), the committee's `announcement` or a "
            "`press_report`.",
            required=True,
            enum=MONEY_BASES,
        ),
        source_ref(),
        Field("note", "string", "What the money paid for and how the figure was read.", multiline=True),
    ),
    primary_key=("committee_id", "state", "office", "district", "election", "candidate", "support_oppose",
                 "period_end", "source_id"),
    checks=(check_independent_expenditures,),
)

RACES = Table(
    name="races",
    description="Results of the races where an AI committee spent, one row per candidate, each with its source.",
    fields=(
        *_race_fields(),
        Field("result", "string", "What happened to the candidate (`pending` before the count).", required=True,
              enum=RACE_RESULTS),
        Field("vote_share", "number", "Share of the votes cast, 0-1, when published.", minimum=0, maximum=1),
        source_ref(),
        Field("note", "string", "Who called the race, and when.", multiline=True),
    ),
    primary_key=("state", "office", "district", "election", "election_date", "candidate"),
)

STATE_BILL_COUNTS = Table(
    name="state_bill_counts",
    description=(
        "AI bills per state and legislative year counted by marketpower's own classifier on a tracker export "
        "(`scripts/state_bill_counts.py`), with the classifier's version and its precision on the hand-labelled "
        "sample beside every count. Kept apart from the trackers' published totals (`bill_counts`)."
    ),
    fields=(
        Field("state", "string", "Two-letter state code (DC and territories included).", required=True,
              pattern=r"^[A-Z]{2}$"),
        Field("year", "integer", "Year the bill's session began.", required=True, minimum=2000, maximum=2100),
        Field("introduced", "integer", "AI bills in the export for that state and year.", required=True, minimum=0),
        Field("enacted", "integer", "Of which enacted (or resolutions adopted).", required=True, minimum=0),
        Field("vetoed", "integer", "Of which vetoed.", required=True, minimum=0),
        Field("failed", "integer", "Of which failed.", required=True, minimum=0),
        Field("pending", "integer", "Of which pending when the export was made.", required=True, minimum=0),
        Field("classifier_version", "string", "`marketpower.politics.bills.classifier_version()` that counted.",
              required=True, pattern=r"^[0-9a-f]{12}$"),
        Field("precision", "number", "Classifier precision on the hand-labelled sample, 0-1.", required=True,
              minimum=0, maximum=1),
        Field("recall", "number", "Classifier recall on the same sample, 0-1.", required=True, minimum=0, maximum=1),
        source_ref(),
    ),
    primary_key=("state", "year", "source_id"),
)

BILL_TOPIC_COUNTS = Table(
    name="bill_topic_counts",
    description=(
        "AI bills per legislative year and topic (a concept the classifier matched), counted like "
        "`state_bill_counts`: a bill counts once per topic, so a year's topics add up to more than its bills."
    ),
    fields=(
        Field("year", "integer", "Year the bill's session began.", required=True, minimum=2000, maximum=2100),
        Field("topic", "string", "Concept of the classifier (or AI subject label).", required=True),
        Field("bills", "integer", "Bills of that year naming the topic.", required=True, minimum=0),
        Field("classifier_version", "string", "Classifier version that counted.", required=True,
              pattern=r"^[0-9a-f]{12}$"),
        source_ref(),
    ),
    primary_key=("year", "topic", "source_id"),
)


POLICY_POSITIONS = Table(
    name="policy_positions",
    description=(
        "Positions a firm, its executives or a committee stated on record on the federal preemption of state AI "
        "laws, dated, tied to an event of `policy_events` when they answer one, each with its source."
    ),
    fields=(
        Field("entity_id", "string", "Who took the position (firm, committee).", required=True,
              references="entities.id"),
        Field("date", "date", f"Day the position was stated, {DATE_HELP}.", required=True),
        Field("event_id", "string", "Event of the preemption fight it answers (an id of `policy_events`), if one.",
              pattern=ID_PATTERN),
        Field("position", "string", "Side taken on preempting state AI laws.", required=True, enum=POSITIONS),
        Field("statement", "string", "What was said, in our words (who said it, where).", required=True,
              multiline=True),
        source_ref(),
    ),
    primary_key=("entity_id", "date", "source_id"),
    checks=(check_policy_positions,),
)


TABLES: tuple[Table, ...] = (
    COMMITTEES,
    COMMITTEE_MONEY,
    LOBBYING,
    BILL_COUNTS,
    POLICY_EVENTS,
    INDEPENDENT_EXPENDITURES,
    RACES,
    STATE_BILL_COUNTS,
    BILL_TOPIC_COUNTS,
    POLICY_POSITIONS,
)
