"""CSET Emerging Technology Observatory (ETO) chip explorer -> one market per supply-chain input.

Input: a user-supplied download of ETO's Advanced Semiconductor Supply Chain Dataset (``inputs.csv``,
``stages.csv``, ``providers.csv``, ``provision.csv``). It is licensed CC BY-NC 4.0: marketpower never bundles its
rows; it converts a folder the user downloaded.

Rules, per input (or stage) and provider type:

- firm providers and country providers are different partitions of the same input, so they become two markets,
  ``eto-<input>-firms`` and ``eto-<input>-countries``;
- ``share_provided`` is a percentage of the global market; "Various companies" / "Various countries" rows are the
  explicit remainder (``others``);
- ETO rounds shares (values under 1% are rounded up), so a market's shares can total a little above 100%. A total
  up to 100% + 1 point per listed share is treated as rounding and every share of that market is rescaled by
  100 / total (basis ``derived``); a larger excess is an error;
- a provider listed without a share is kept as *presence*: ``share`` empty, ``share_low`` 0 and ``share_high`` the
  most it can hold, i.e. the part of the market not attributed to named providers plus the rounding slack of the
  published shares (half a unit of their precision each: 0.5 point for whole percentages, 0.05 otherwise);
  never a zero share;
- whatever named providers leave unattributed becomes an explicit ``others`` row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from babel.core import get_global

from ..errors import DataPackageError, InvalidInputError, Problem
from ..schema.market import OTHERS_ID
from .textcsv import decode_text, parse_csv_text

FILES = ("inputs.csv", "stages.csv", "providers.csv", "provision.csv")
COLUMNS = {
    "inputs.csv": (
        "input_id",
        "input_name",
        "type",
        "stage_name",
        "stage_id",
        "description",
        "year",
        "market_share_chart_global_market_size_info",
        "market_share_chart_caption",
    ),
    "stages.csv": (
        "stage_id",
        "stage_name",
        "description",
        "market_share_chart_global_market_size_info",
        "market_share_chart_caption",
    ),
    "providers.csv": ("provider_name", "alias", "provider_id", "provider_type", "country"),
    "provision.csv": (
        "provider_name",
        "provider_id",
        "provided_name",
        "provided_id",
        "share_provided",
        "year",
        "source",
    ),
}
PROVIDER_TYPES = {"organization": "firms", "country": "countries"}
REMAINDER_PREFIX = "various"
ROUNDING_POINTS_PER_SHARE = 1.0
SOURCE_ID = "eto-chip-explorer"
LAYER = "chip-supply-chain"
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")
DECIMAL = re.compile(r"\d+(?:\.\d+)?|\.\d+")
#: Years a provision row may carry (the data set starts in the 2010s).
YEARS = (1990, 2100)


@dataclass(frozen=True)
class EtoIngest:
    """Package tables (sources, entities, markets, shares) built from one ETO download."""

    tables: dict[str, pd.DataFrame]

    @property
    def shares(self) -> pd.DataFrame:
        return self.tables["shares"]


def _read(folder: Path, name: str, problems: list[Problem]) -> pd.DataFrame | None:
    """One ETO file as stripped strings indexed by file line, after file-level and header checks (problems are
    appended, not raised; see :func:`marketpower.ingest.textcsv.parse_csv_text`)."""
    path = folder / name
    shown = str(path)
    if not path.is_file():
        problems.append(Problem(shown, None, None, f"file not found: the ETO download must hold {', '.join(FILES)}"))
        return None
    text = decode_text(path.read_bytes(), shown, problems)
    if text is None:
        return None
    markers = [(n, t) for n, t in enumerate(text.splitlines(), start=1) if t.startswith(CONFLICT_MARKERS)]
    if markers:
        problems += [
            Problem(shown, n, None, f"git merge-conflict marker {t[:30]!r}: resolve the conflict first")
            for n, t in markers
        ]
        return None
    return parse_csv_text(text, shown, COLUMNS[name], problems, need_rows=name in ("provision.csv", "providers.csv"))


def _alpha2(code: str) -> str | None:
    """ISO 3166-1 alpha-2 code of an alpha-3 code (CLDR aliases), or None for regions and unknown codes."""
    found = get_global("territory_aliases").get(code.upper())
    return found[0] if found and len(found[0]) == 2 and found[0].isalpha() else None


def _slug(text: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in slug.split("-") if part) or "unnamed"


def _providers(frame: pd.DataFrame, shown: str, problems: list[Problem]) -> pd.DataFrame:
    """Providers by id; rows repeating an id (ETO lists aliases that way) must agree on type and country."""
    for i, rec in frame.iterrows():
        if rec["provider_type"] not in PROVIDER_TYPES:
            problems.append(
                Problem(
                    shown,
                    int(str(i)),
                    "provider_type",
                    f"{rec['provider_type']!r} is not one of {', '.join(PROVIDER_TYPES)}",
                )
            )
    for pid, group in frame.groupby("provider_id", sort=False):
        if group[["provider_type", "country"]].drop_duplicates().shape[0] > 1:
            line = int(str(group.index[1]))
            problems.append(
                Problem(shown, line, "provider_id", f"provider {pid} is listed with different types or countries")
            )
    return frame.drop_duplicates("provider_id", keep="first").set_index("provider_id")


def _percent(text: str) -> float | None:
    """A plain decimal percentage from 0 to 100 (``27``, ``2.4``); None for anything else (``27%``, ``1_0``,
    ``nan``, ``-1``)."""
    if not DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if 0 <= value <= 100 else None


def _markets_index(inputs: pd.DataFrame, stages: pd.DataFrame) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for _, rec in stages.iterrows():
        out[rec["stage_id"]] = {
            "name": rec["stage_name"],
            "stage": rec["stage_name"],
            "size": rec["market_share_chart_global_market_size_info"],
            "caption": rec["market_share_chart_caption"],
        }
    for _, rec in inputs.iterrows():
        out[rec["input_id"]] = {
            "name": rec["input_name"],
            "stage": rec["stage_name"],
            "size": rec["market_share_chart_global_market_size_info"],
            "caption": rec["market_share_chart_caption"],
        }
    return out


def _entity(provider: pd.Series, known: dict[str, str]) -> dict[str, object]:
    name = provider["provider_name"]
    if provider["provider_type"] == "country":
        alpha2 = _alpha2(name)
        return {
            "id": f"country-{alpha2.lower()}" if alpha2 else f"region-{_slug(name)}",
            "name": provider["alias"] or name,
            "kind": "government",
            "country": alpha2,
            "ticker": None,
            "parent_id": None,
        }
    entity_id = known.get(name.lower()) or known.get(_slug(name)) or _slug(name)
    return {
        "id": entity_id,
        "name": name,
        "kind": "company",
        "country": _alpha2(provider["country"]) if provider["country"] else None,
        "ticker": None,
        "parent_id": None,
    }


def parse_eto(
    folder: Path | str, known_entities: pd.DataFrame | None = None, published: date | None = None
) -> EtoIngest:
    """Convert an ETO chip-explorer download into package tables; raise :class:`DataPackageError` listing every
    problem of the files. ``known_entities`` (id, name) lets firms reuse the ids of an existing package;
    ``published`` dates the source row (default: the modification date of ``provision.csv``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInputError(f"DIR {folder}: no such folder; point it at the ETO chip-explorer download")
    problems: list[Problem] = []
    frames = {name: _read(folder, name, problems) for name in FILES}
    inputs, stages, providers_raw, provision = (frames[n] for n in FILES)
    if inputs is None or stages is None or providers_raw is None or provision is None:
        raise DataPackageError(problems)
    providers = _providers(providers_raw, str(folder / "providers.csv"), problems)
    index = _markets_index(inputs, stages)
    known = (
        {}
        if known_entities is None
        else {
            **{str(n).lower(): str(i) for i, n in zip(known_entities["id"], known_entities["name"], strict=True)},
            **{str(i): str(i) for i in known_entities["id"]},
        }
    )
    shown = str(folder / "provision.csv")
    rows: list[dict[str, object]] = []
    for i, rec in provision.iterrows():
        line = int(str(i))
        before = len(problems)
        if rec["provider_id"] not in providers.index:
            problems.append(
                Problem(shown, line, "provider_id", f"unknown provider {rec['provider_id']!r} (not in providers.csv)")
            )
        if rec["provided_id"] not in index:
            problems.append(
                Problem(
                    shown,
                    line,
                    "provided_id",
                    f"unknown input {rec['provided_id']!r} (not in inputs.csv or stages.csv)",
                )
            )
        pct = _percent(rec["share_provided"]) if rec["share_provided"] else None
        if rec["share_provided"] and pct is None:
            problems.append(
                Problem(
                    shown,
                    line,
                    "share_provided",
                    f"{rec['share_provided']!r} is not a percentage from 0 to 100 (write 27 for 27%)",
                )
            )
        if not (rec["year"].isascii() and rec["year"].isdigit() and YEARS[0] <= int(rec["year"]) <= YEARS[1]):
            problems.append(
                Problem(shown, line, "year", f"{rec['year']!r} is not a year from {YEARS[0]} to {YEARS[1]}")
            )
        kind = providers["provider_type"].get(rec["provider_id"])
        if len(problems) == before and kind in PROVIDER_TYPES:  # a bad type is reported with providers.csv
            rows.append(
                {
                    "line": line,
                    "provider_id": rec["provider_id"],
                    "provided_id": rec["provided_id"],
                    "pct": pct,
                    "year": int(rec["year"]),
                    "source": rec["source"],
                    "type": PROVIDER_TYPES[kind],
                }
            )
    table = pd.DataFrame(rows, columns=["line", "provider_id", "provided_id", "pct", "year", "source", "type"])
    if not table.empty:
        dup = table.duplicated(["provider_id", "provided_id", "year"], keep="first")
        problems += [
            Problem(
                shown,
                int(r["line"]),
                "provider_id",
                f"second row for provider {r['provider_id']} and input {r['provided_id']}",
            )
            for _, r in table[dup].iterrows()
        ]
    shares: list[dict[str, object]] = []
    entities: dict[str, dict[str, object]] = {}
    markets: dict[str, tuple[str, str]] = {}
    for (provided_id, kind, year), group in table.groupby(["provided_id", "type", "year"], sort=True):
        market_id = f"eto-{_slug(str(provided_id))}-{kind}"
        if markets.setdefault(market_id, (str(provided_id), str(kind)))[0] != provided_id:
            problems.append(
                Problem(shown, int(group["line"].iloc[0]), "provided_id",
                        f"inputs {markets[market_id][0]!r} and {provided_id!r} both make the market id {market_id}")
            )  # fmt: skip
            continue
        market_rows, market_problems = _market_shares(
            group, providers, known, entities, shown, market_id, int(str(year))
        )
        shares += market_rows
        problems += market_problems
    if not problems and not shares:
        problems.append(Problem(shown, None, None, "no provision row gives a market: nothing to ingest"))
    if problems:
        raise DataPackageError(problems)
    return EtoIngest(tables=_tables(shares, entities, index, markets, folder, published))


def _market_shares(
    group: pd.DataFrame,
    providers: pd.DataFrame,
    known: dict[str, str],
    entities: dict[str, dict[str, object]],
    shown: str,
    market_id: str,
    year: int,
) -> tuple[list[dict[str, object]], list[Problem]]:
    """Share rows of one market-year (see the module docstring for the rules)."""
    with_share = group[group["pct"].notna()]
    total = float(with_share["pct"].sum())
    allowed = 100.0 + ROUNDING_POINTS_PER_SHARE * len(with_share)
    if total > allowed:
        return [], [
            Problem(
                shown,
                int(group["line"].iloc[-1]),
                "share_provided",
                f"shares of {market_id} {year} total {total:.1f}%, more than rounding can explain "
                f"(at most {allowed:.1f}% for {len(with_share)} listed shares); lines "
                f"{', '.join(str(n) for n in group['line'])}",
            )
        ]
    scale = 100.0 / total if total > 100.0 else 1.0
    rescaled = (
        (
            f"; the {len(with_share)} published shares of this market total {total:.1f}% (ETO rounds, values "
            f"under 1% upwards), so each is rescaled by 100/{total:.1f}"
        )
        if scale < 1
        else ""
    )
    out: list[dict[str, object]] = []
    named_total, various = 0.0, 0.0
    base = {"market_id": market_id, "year": year, "period": None, "series": None, "value": None, "source_id": SOURCE_ID}
    for _, rec in with_share.iterrows():
        provider = providers.loc[rec["provider_id"]]
        share = float(rec["pct"]) * scale / 100.0
        if str(provider["provider_name"]).lower().startswith(REMAINDER_PREFIX):
            various += share
            continue
        entity = _entity(provider, known)
        entities.setdefault(str(entity["id"]), entity)
        named_total += share
        out.append(
            {
                **base,
                "entity_id": entity["id"],
                "share": round(share, 6),
                "share_low": None,
                "share_high": None,
                "basis": "derived" if scale < 1 else "reported",
                "note": f"provision.csv line {rec['line']}: {rec['pct']:g}%{rescaled}",
            }
        )
    remainder = max(0.0, 1.0 - named_total)
    whole = bool((with_share["pct"] % 1 == 0).all())
    slack = (0.5 if whole else 0.05) * len(with_share) / 100.0
    room = min(1.0, remainder + slack)
    for _, rec in group[group["pct"].isna()].iterrows():
        provider = providers.loc[rec["provider_id"]]
        if str(provider["provider_name"]).lower().startswith(REMAINDER_PREFIX):
            continue
        entity = _entity(provider, known)
        entities.setdefault(str(entity["id"]), entity)
        out.append(
            {
                **base,
                "entity_id": entity["id"],
                "share": None,
                "share_low": 0.0,
                "share_high": round(room, 6),
                "basis": "derived",
                "note": f"provision.csv line {rec['line']}: listed as a provider without a published share "
                f"(presence); at most {room:.1%} = the {remainder:.1%} not attributed to named "
                f"providers plus the rounding slack of the {len(with_share)} published shares",
            }
        )
    if remainder > 0.0005:
        label = (
            f"ETO 'Various' {various:.1%} plus the unattributed rest"
            if various
            else "share not attributed to named providers"
        )
        out.append(
            {
                **base,
                "entity_id": OTHERS_ID,
                "share": round(remainder, 6),
                "share_low": None,
                "share_high": None,
                "basis": "derived",
                "note": f"remainder 1 - {named_total:.4f} ({label}){rescaled}",
            }
        )
    return out, []


def _tables(
    shares: list[dict[str, object]],
    entities: dict[str, dict[str, object]],
    index: dict[str, dict[str, str]],
    market_inputs: dict[str, tuple[str, str]],
    folder: Path,
    published: date | None,
) -> dict[str, pd.DataFrame]:
    share_frame = pd.DataFrame(shares)
    markets = []
    for market_id in sorted(set(share_frame["market_id"])):
        provided, kind = market_inputs[market_id]
        info = index[provided]
        capacity = "capacity" in (info["caption"] + info["size"]).lower()
        markets.append(
            {
                "id": market_id,
                "name": f"{info['name']} ({'firms' if kind == 'firms' else 'countries'}, ETO)",
                "layer": LAYER,
                "geography": "world",
                "measure": "capacity" if capacity else "revenue",
                "unit": "share of capacity" if capacity else "USD",
                "description": f"Shares of the global market for {info['name']} held by "
                f"{'firms' if kind == 'firms' else 'countries'}"
                f"{' (stage: ' + info['stage'] + ')' if info['stage'] else ''}"
                f"{'; market size ' + info['size'] if info['size'] else ''}. CSET ETO chip explorer.",
            }
        )
    stamp = published or datetime.fromtimestamp((folder / "provision.csv").stat().st_mtime).date()
    sources = pd.DataFrame(
        [
            {
                "id": SOURCE_ID,
                "publisher": "CSET Emerging Technology Observatory",
                "title": "Advanced Semiconductor Supply Chain Dataset (chip explorer), CC BY-NC 4.0",
                "url": "https://eto.tech/dataset-docs/chipexplorer",
                "published": stamp,
                "accessed": date.today(),
            }
        ]
    )
    return {
        "sources": sources,
        "entities": pd.DataFrame(list(entities.values())),
        "markets": pd.DataFrame(markets),
        "shares": share_frame,
    }
