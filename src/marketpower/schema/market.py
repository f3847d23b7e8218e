"""Core tables: who (entities), where (markets), how much (shares) and says who (sources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .core import Field, Table

if TYPE_CHECKING:  # pandas loads when a check runs, not to read the schema's definitions
    import pandas as pd

ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"
DATE_HELP = "ISO 8601 date (YYYY-MM-DD)"

#: Entity id reserved for the explicit remainder of a market ("all other firms").
OTHERS_ID = "others"

#: ``agency``: a government department or agency (e.g. US Commerce, DoD); ``sovereign_fund``: a state-owned
#: investment fund (e.g. PIF, QIA, MGX); ``public_pension``: a public-employee pension fund.
ENTITY_KINDS = (
    "company", "government", "agency", "sovereign_fund", "public_pension", "fund", "committee", "person", "nonprofit",
)
MARKET_MEASURES = ("revenue", "units", "capacity", "usage")
#: Why a market's shares are not those of a real antitrust market, so headline counts leave it out (empty: they
#: are): ``aggregate``, one row stands for several firms (Synergy's Amazon + Microsoft + Google);
#: ``partial_list``, only a chosen list of firms, not everyone selling (the two listed neoclouds);
#: ``in_house``, chips a firm makes for its own use, not sold to rivals' customers; ``installed_base``, what
#: each owner holds, not what firms sell.
MARKET_FLAGS = ("aggregate", "partial_list", "in_house", "installed_base")
SHARE_BASES = ("reported", "derived")
#: How a source's `published` date was established (empty = stated on the page).
DATE_BASES = ("stated", "inferred", "not-before", "as-of")
#: How close a source is to the fact it reports, best first: ``primary`` (a filing, a regulator, the company's
#: own release or documentation), ``secondary`` (an established news outlet or analyst), ``other`` (aggregators,
#: mirrors, blogs). Rule and table: :mod:`marketpower.datasets.tiers`.
SOURCE_TIERS = ("primary", "secondary", "other")


def source_ref() -> Field:
    """The ``source_id`` column every sourced table carries."""
    return Field(
        "source_id", "string", "Id of the source in `sources` that publishes this figure.",
        required=True, references="sources.id",
    )


def parent_cycles(entities: pd.DataFrame) -> list[Problem]:
    """One problem per cycle of ``parent_id`` links (any entity kinds), naming every row of the cycle
    (CSV lines, header = line 1, for a frame read with a default index)."""
    if entities.empty or "parent_id" not in entities:
        return []
    parent = {
        str(i): str(p) for i, p in zip(entities["id"], entities["parent_id"], strict=True) if isinstance(p, str) and p
    }
    line = {str(i): int(k) + 2 for k, i in zip(entities.index, entities["id"], strict=True)}
    problems: list[Problem] = []
    done: set[str] = set()
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is not None and node in path:
            cycle = path[path.index(node) :]
            rows = ", ".join(str(line[c]) for c in cycle if c in line)
            chain = " -> ".join([*cycle, node])
            problems.append(
                Problem(
                    "entities.csv",
                    line.get(cycle[0]),
                    "parent_id",
                    f"parent cycle {chain} (rows {rows}): a chain of parents must end at an entity without "
                    "parent_id; fix one of these rows",
                )
            )
        done.update(path)
    return problems


def check_parent_cycles(tables: Mapping[str, Any]) -> list[Problem]:
    """Cross-row check of the ``entities`` table: no cycle of ``parent_id`` links."""
    import pandas as pd
    entities = tables.get("entities")
    return parent_cycles(entities) if isinstance(entities, pd.DataFrame) else []


SOURCES = Table(
    name="sources",
    description="Every publication a figure comes from: publisher, title, URL and dates.",
    fields=(
        Field("id", "string", "Stable source id (lowercase, digits, `-`, `_`, `.`).", required=True,
              pattern=ID_PATTERN),
        Field("publisher", "string", "Organisation that published the document.", required=True),
        Field("title", "string", "Title of the document as published.", required=True),
        Field("url", "string", "Public address of the document.", required=True, pattern=r"^https?://\S+$"),
        Field("published", "date", f"Publication date, {DATE_HELP}.", required=True),
        Field("date_basis", "string", "How `published` was established: `stated` on the page (also when empty); "
              "`inferred` from the text; `not-before` (page undated: the earliest date its content allows); "
              "`as-of` (page undated: the date of its latest figure).", enum=DATE_BASES),
        Field("accessed", "date", f"Date we read it, {DATE_HELP}."),
        Field("tier", "string", "How close the source is to the fact: `primary` (filing, regulator, company "
              "release), `secondary` (established news outlet or analyst), `other` (aggregator, mirror, blog).",
              enum=SOURCE_TIERS),
    ),
    primary_key=("id",),
    required_resource=True,
)

ENTITIES = Table(
    name="entities",
    description="Firms, governments, funds, committees, people and nonprofits named anywhere in the package.",
    fields=(
        Field("id", "string", "Stable entity id.", required=True, pattern=ID_PATTERN),
        Field("name", "string", "Usual name.", required=True),
        Field("kind", "string", "What sort of entity.", required=True, enum=ENTITY_KINDS),
        Field("country", "string", "Country of headquarters, ISO 3166-1 alpha-2.", pattern=r"^[A-Z]{2}$"),
        Field("ticker", "string", "Main listing as EXCHANGE:SYMBOL or SYMBOL, when listed."),
        Field("parent_id", "string", "Controlling parent entity, when there is one (e.g. AWS -> Amazon).",
              references="entities.id"),
    ),
    primary_key=("id",),
    required_resource=True,
    checks=(check_parent_cycles,),
)

MARKETS = Table(
    name="markets",
    description="A relevant market: a product layer of the AI stack in a geography, measured one way.",
    fields=(
        Field("id", "string", "Stable market id.", required=True, pattern=ID_PATTERN),
        Field("name", "string", "Readable name.", required=True),
        Field("layer", "string", "Layer of the AI value chain (e.g. accelerators, memory, foundry, cloud).",
              required=True, pattern=ID_PATTERN),
        Field("geography", "string", "Geographic scope (`world`, or an ISO 3166-1 alpha-2 code).", required=True),
        Field("measure", "string", "What the shares measure.", required=True, enum=MARKET_MEASURES),
        Field("unit", "string", "Unit of `shares.value` (e.g. USD, units, MW, H100e).", required=True),
        Field("description", "string", "What is in and out of the market.", multiline=True),
        Field("flag", "string", "Why the shares are not those of a real antitrust market (`aggregate`: one row "
              "is several firms; `partial_list`: a chosen list of firms; `in_house`: own-use production; "
              "`installed_base`: holdings by owner); empty when they are. Headline counts leave flagged "
              "markets out.", enum=MARKET_FLAGS),
    ),
    primary_key=("id",),
    required_resource=True,
)

#: Rounding tolerance on the sum of one market-year's shares (0.5 percentage point).
SHARE_SUM_TOLERANCE = 0.005


def _line(index: Any) -> int:
    return int(index) + 2


def check_share_values(tables: Mapping[str, Any]) -> list[Problem]:
    """Each row has a share or a published range, and low <= share <= high."""
    import pandas as pd
    problems = []
    shares = tables["shares"]
    for i, row in shares.iterrows():
        share, low, high = row["share"], row["share_low"], row["share_high"]
        has = [not pd.isna(v) for v in (share, low, high)]
        if not has[0] and not (has[1] and has[2]):
            problems.append(Problem("shares", _line(i), "share", "no share: give `share`, or both `share_low` "
                                    "and `share_high` when only a range is published"))
        if has[1] and has[2] and low > high:
            problems.append(Problem("shares", _line(i), "share_low", f"share_low {low} is above share_high {high}"))
        if has[0] and has[1] and share < low:
            problems.append(Problem("shares", _line(i), "share", f"share {share} is below share_low {low}"))
        if has[0] and has[2] and share > high:
            problems.append(Problem("shares", _line(i), "share", f"share {share} is above share_high {high}"))
    return problems


def check_share_sums(tables: Mapping[str, Any]) -> list[Problem]:
    """The shares of one market-year (and period, series) sum to at most 1 + 0.5-point tolerance."""
    shares = tables["shares"].copy()
    shares["_central"] = shares["share"].fillna(shares["share_low"]).astype(float)
    keys = ["market_id", "year", "period", "series"]
    grouped = shares.fillna({"period": "", "series": ""}).groupby(keys, sort=False)
    problems = []
    for key, group in grouped:
        total = float(group["_central"].sum())
        if total > 1 + SHARE_SUM_TOLERANCE:
            market, year, period, series = key
            label = f"{market} {year}{' ' + period if period else ''}{' series ' + series if series else ''}"
            problems.append(Problem("shares", _line(group.index[-1]), "share",
                                    f"shares of {label} sum to {total:.4f}, above 1 (+{SHARE_SUM_TOLERANCE} "
                                    f"tolerance); rows on lines {', '.join(str(_line(i)) for i in group.index)}"))
    return problems


SHARES = Table(
    name="shares",
    description=(
        "Market shares by firm and year. `entity_id = others` is the explicit remainder of the market. "
        "Two publishers' estimates of one market-year are kept apart as two `series`."
    ),
    fields=(
        Field("market_id", "string", "Market id.", required=True, references="markets.id"),
        Field("entity_id", "string", "Entity id, or `others` for the remainder.", required=True,
              references="entities.id"),
        Field("year", "integer", "Calendar year the share refers to.", required=True, minimum=1990, maximum=2100),
        Field("period", "string", "Part of the year when not the full year (`Q1`-`Q4`, `H1`, `H2`).",
              pattern=r"^(Q[1-4]|H[12])$"),
        Field("series", "string", "Name of the estimate series (usually the publisher); empty means `main`.",
              pattern=ID_PATTERN),
        Field("share", "number", "Share of the market, a fraction from 0 to 1.", minimum=0, maximum=1),
        Field("share_low", "number", "Low end when only a range is published (fraction).", minimum=0, maximum=1),
        Field("share_high", "number", "High end when only a range is published (fraction).", minimum=0,
              maximum=1),
        Field("value", "number", "Sales, units or capacity in the market's unit, when published.", minimum=0),
        Field("basis", "string", "`reported` by the publisher, or `derived` by us (say how in `note`).",
              enum=SHARE_BASES),
        source_ref(),
        Field("note", "string", "How the figure was read or derived.", multiline=True),
    ),
    primary_key=("market_id", "entity_id", "year", "period", "series"),
    required_resource=True,
    checks=(check_share_values, check_share_sums),
)

TABLES = (SOURCES, ENTITIES, MARKETS, SHARES)
