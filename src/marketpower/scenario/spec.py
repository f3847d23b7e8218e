"""The scenario file: a named overlay on the store as of a date, written as YAML and checked like a case file.

Every problem is one :class:`~marketpower.errors.InvalidInputError` whose message names the file, the key (as a
path such as ``operations[2].stake.equity``) and how to fix it. Checks that need the data (ids exist, dates are
not before the deals they name, a target is at most 100% owned) take the store's tables as read-only DataFrames.
See docs/scenarios.md for the format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..ingest.safeload import load_document
from ..schema import TABLES
from ..schema.deals import CONTROL_RIGHTS, EXCLUSIVITY, STAKE_INSTRUMENTS
from ..schema.market import ID_PATTERN
from .terms import TERMS

OPERATIONS = ("add", "remove", "unwind", "merge", "stake", "block", "divest", "cap")
TOP_KEYS = ("scenario", "title", "description", "as_of", "operations", "assumptions", "markets", "accelerator")
ASSUMPTION_KINDS = ("margin", "elasticity", "diversion", "input_cost_share")
#: Keys of an assumption besides its value, per kind (which item it is about).
ASSUMPTION_TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "margin": (("entity",), ("market",)),
    "elasticity": (("market",), ()),
    "diversion": (("market", "from", "to"), ()),
    "input_cost_share": (("upstream", "downstream"), ()),
}
USER_SOURCE = "user"
ADDABLE = ("deals", "stakes", "facilities")
STAKE_KEYS = ("owner", "target", "equity", "equity_low", "equity_high", "voting", "instrument", "source", *TERMS)
DEFAULT_ACCELERATOR = "nvidia-gb200"


@dataclass(frozen=True)
class Assumption:
    """One assumed input with its range (low <= central <= high) and its source id (or ``user``)."""

    kind: str
    about: Mapping[str, str]
    low: float
    central: float
    high: float
    source: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            **self.about,
            "low": self.low,
            "central": self.central,
            "high": self.high,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class Operation:
    """One checked operation: ``op`` (one of :data:`OPERATIONS`), its arguments and its key path in the file."""

    op: str
    args: Mapping[str, Any]
    key: str


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: what to change (``operations``) as of ``as_of``, and the assumptions it brings."""

    id: str
    title: str
    as_of: date
    operations: tuple[Operation, ...]
    assumptions: tuple[Assumption, ...] = ()
    description: str = ""
    markets: tuple[str, ...] = ()
    accelerator: str = DEFAULT_ACCELERATOR
    file: str = "<scenario>"
    raw: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "as_of": self.as_of.isoformat(),
            "file": self.file,
            "operations": [{"op": o.op, **dict(o.args)} for o in self.operations],
            "assumptions": [a.to_dict() for a in self.assumptions],
            "markets": list(self.markets),
            "accelerator": self.accelerator,
        }


class _Checker:
    """Raises the first problem as one clear error: ``FILE: KEY: what is wrong; how to fix it``."""

    def __init__(self, file: str, tables: Mapping[str, pd.DataFrame]):
        self.file = file
        self.tables = tables
        self.entities = set(tables["entities"]["id"]) if "entities" in tables else set()
        self.sources = set(tables["sources"]["id"]) if "sources" in tables else set()
        self.markets = set(tables["markets"]["id"]) if "markets" in tables else set()

    def fail(self, key: str, problem: str, fix: str) -> InvalidInputError:
        return InvalidInputError(f"{self.file}: {key}: {problem}; {fix}")

    def mapping(self, value: Any, key: str, allowed: Sequence[str], required: Sequence[str] = ()) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a mapping, got {value!r:.60}", f"write it as keys: {', '.join(allowed)}")
        for name in value:
            if name not in allowed:
                raise self.fail(
                    f"{key}.{name}" if key else str(name),
                    "unknown key",
                    f"use one of {', '.join(allowed)} (see docs/scenarios.md)",
                )
        for name in required:
            if name not in value or value[name] is None:
                raise self.fail(f"{key}.{name}" if key else name, "missing", f"add {name}")
        return dict(value)

    def entity(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or value not in self.entities:
            raise self.fail(key, f"unknown entity {value!r}", "use an id of entities.csv (see `marketpower owners`)")
        return value

    def source(self, value: Any, key: str) -> str:
        if value == USER_SOURCE:
            return USER_SOURCE
        if not isinstance(value, str) or value not in self.sources:
            raise self.fail(
                key, f"unknown source {value!r}", f"use an id of sources.csv, or '{USER_SOURCE}' for your own"
            )
        return value

    def fraction(self, value: Any, key: str, what: str = "a fraction") -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(key, f"{value!r} is not a number", f"write {what} between 0 and 1 (27% as 0.27)")
        if not 0 <= float(value) <= 1:
            above = " above 100%" if float(value) > 1 else " below 0"
            raise self.fail(key, f"{value!r} is{above}", f"write {what} between 0 and 1 (27% as 0.27)")
        return float(value)

    def when(self, value: Any, key: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return pd.Timestamp(str(value)).date()
        except (ValueError, TypeError):
            raise self.fail(key, f"{value!r} is not a date", "write it as YYYY-MM-DD") from None

    def deal(self, value: Any, key: str, as_of: date) -> str:
        deals = self.tables["deals"]
        if not isinstance(value, str) or value not in set(deals["id"]):
            raise self.fail(
                key, f"unknown deal {value!r}", "use an id of deals.csv (see /deals or `marketpower loops`)"
            )
        announced = pd.Timestamp(deals.loc[deals["id"] == value, "announced"].iloc[0]).date()
        if announced > as_of:
            raise self.fail(
                key,
                f"deal {value!r} was announced on {announced}, after the scenario date {as_of}",
                f"set as_of to {announced} or later (or --as-of)",
            )
        return value

    def stake_pair(self, value: Any, key: str, as_of: date) -> dict[str, str]:
        pair = self.mapping(value, key, ("owner", "target"), ("owner", "target"))
        owner = self.entity(pair["owner"], f"{key}.owner")
        target = self.entity(pair["target"], f"{key}.target")
        stakes = self.tables["stakes"]
        rows = stakes[(stakes["owner_id"] == owner) & (stakes["target_id"] == target)]
        if rows.empty:
            raise self.fail(key, f"no stake of {owner!r} in {target!r} in stakes.csv", "check the two ids")
        first = pd.to_datetime(rows["as_of"]).min().date()
        if first > as_of:
            raise self.fail(
                key,
                f"the stake of {owner!r} in {target!r} is first reported on {first}, after the scenario date {as_of}",
                f"set as_of to {first} or later",
            )
        return {"owner": owner, "target": target}


def _parse_operation(c: _Checker, item: Any, key: str, as_of: date) -> Operation:
    if not isinstance(item, Mapping) or len(item) != 1:
        raise c.fail(
            key, "each operation is a mapping with exactly one key", f"start it with one of {', '.join(OPERATIONS)}"
        )
    op, body = next(iter(item.items()))
    if op not in OPERATIONS:
        raise c.fail(f"{key}.{op}", "unknown operation", f"use one of {', '.join(OPERATIONS)}")
    key = f"{key}.{op}"
    if op == "block":
        deal_id = body.get("deal") if isinstance(body, Mapping) else body
        if isinstance(body, Mapping):
            c.mapping(body, key, ("deal",), ("deal",))
        return Operation(
            op, {"deal": c.deal(deal_id, key if not isinstance(body, Mapping) else f"{key}.deal", as_of)}, key
        )
    if op in ("remove", "unwind", "divest"):
        allowed = (
            ("deal", "stake", "facility")
            if op == "remove"
            else ("deal", "stake")
            if op == "unwind"
            else ("stake", "facility", "keep", "to")
        )
        args = c.mapping(body, key, allowed)
        targets = [k for k in ("deal", "stake", "facility") if k in args]
        if len(targets) != 1:
            raise c.fail(
                key,
                f"names {len(targets)} things",
                f"give exactly one of {', '.join(a for a in allowed if a in ('deal', 'stake', 'facility'))}",
            )
        out: dict[str, Any] = {}
        if "deal" in args:
            out["deal"] = c.deal(args["deal"], f"{key}.deal", as_of)
        if "stake" in args:
            out["stake"] = c.stake_pair(args["stake"], f"{key}.stake", as_of)
        if "facility" in args:
            facilities = set(c.tables["facilities"]["id"])
            if args["facility"] not in facilities:
                raise c.fail(f"{key}.facility", f"unknown facility {args['facility']!r}", "use an id of facilities.csv")
            out["facility"] = args["facility"]
        if "keep" in args:
            if "stake" not in out:
                raise c.fail(f"{key}.keep", "only a stake can be partly divested", "remove keep, or divest a stake")
            out["keep"] = c.fraction(args["keep"], f"{key}.keep", "the fraction of the target the owner keeps")
        if "to" in args:
            if "facility" not in out:
                raise c.fail(f"{key}.to", "only a facility is sold to a named buyer", "remove to")
            out["to"] = c.entity(args["to"], f"{key}.to")
        return Operation(op, out, key)
    if op == "merge":
        args = c.mapping(body, key, ("firms", "into"), ("firms",))
        firms = args["firms"]
        if not isinstance(firms, list) or len(firms) < 2 or len(set(map(str, firms))) != len(firms):
            raise c.fail(
                f"{key}.firms", f"{firms!r} is not a list of two or more different firms", "write firms: [a, b]"
            )
        ids = [c.entity(f, f"{key}.firms[{i}]") for i, f in enumerate(firms)]
        into = c.entity(args.get("into", ids[0]), f"{key}.into")
        if into not in ids:
            raise c.fail(f"{key}.into", f"{into!r} is not one of the merging firms", f"use one of {', '.join(ids)}")
        return Operation(op, {"firms": ids, "into": into}, key)
    if op == "stake":
        return Operation(op, _parse_stake(c, body, key), key)
    if op == "cap":
        return Operation(op, _parse_cap(c, body, key), key)
    return Operation(op, _parse_add(c, body, key, as_of), key)


def _parse_stake(c: _Checker, body: Any, key: str) -> dict[str, Any]:
    args = c.mapping(body, key, STAKE_KEYS, ("owner", "target"))
    out: dict[str, Any] = {
        "owner": c.entity(args["owner"], f"{key}.owner"),
        "target": c.entity(args["target"], f"{key}.target"),
    }
    if out["owner"] == out["target"]:
        raise c.fail(f"{key}.target", "a firm cannot hold a stake in itself", "name two different firms")
    if not any(k in args for k in ("equity", "equity_low", "equity_high")):
        raise c.fail(f"{key}.equity", "missing", "give the economic interest as a fraction (e.g. equity: 0.14)")
    for name in ("equity", "equity_low", "equity_high", "voting", "revenue_share"):
        if name in args and args[name] is not None:
            out[name] = c.fraction(args[name], f"{key}.{name}", f"the {name.replace('_', ' ')}")
    lo, mid, hi = out.get("equity_low"), out.get("equity"), out.get("equity_high")
    if (
        (lo is not None and mid is not None and lo > mid)
        or (mid is not None and hi is not None and mid > hi)
        or (lo is not None and hi is not None and lo > hi)
    ):
        raise c.fail(
            f"{key}.equity", f"range {lo} / {mid} / {hi} is out of order", "write equity_low <= equity <= equity_high"
        )
    instrument = args.get("instrument", "common")
    if instrument not in STAKE_INSTRUMENTS:
        raise c.fail(
            f"{key}.instrument", f"unknown instrument {instrument!r}", f"use one of {', '.join(STAKE_INSTRUMENTS)}"
        )
    out["instrument"] = instrument
    if "board_seats" in args:
        seats = args["board_seats"]
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
            raise c.fail(
                f"{key}.board_seats", f"{seats!r} is not a count", "write a whole number of seats (0, 1, 2...)"
            )
        out["board_seats"] = seats
    for name in ("observer_seat", "spend_back", "sensitive_info"):
        if name in args:
            if not isinstance(args[name], bool):
                raise c.fail(f"{key}.{name}", f"{args[name]!r} is not true or false", "write true or false")
            out[name] = args[name]
    for name, allowed in (("control_rights", CONTROL_RIGHTS), ("exclusivity", EXCLUSIVITY)):
        if name in args:
            if args[name] not in allowed:
                raise c.fail(f"{key}.{name}", f"unknown value {args[name]!r}", f"use one of {', '.join(allowed)}")
            out[name] = args[name]
    out["source"] = c.source(args.get("source", USER_SOURCE), f"{key}.source")
    return out


def _parse_cap(c: _Checker, body: Any, key: str) -> dict[str, Any]:
    args = c.mapping(
        body,
        key,
        ("owner_layer", "target_layer", "owners", "targets", "max_equity", "votes", "exclusivity"),
        ("max_equity",),
    )
    layers = set(c.tables["entity_layers"]["layer"]) if "entity_layers" in c.tables else set()
    out: dict[str, Any] = {"max_equity": c.fraction(args["max_equity"], f"{key}.max_equity", "the cap")}
    for side in ("owner", "target"):
        layer, ids = args.get(f"{side}_layer"), args.get(f"{side}s")
        if (layer is None) == (ids is None):
            raise c.fail(key, f"the {side}s are not named", f"give either {side}_layer or {side}s (not both)")
        if layer is not None:
            if layer not in layers:
                raise c.fail(
                    f"{key}.{side}_layer", f"unknown layer {layer!r}", f"use one of {', '.join(sorted(layers))}"
                )
            out[f"{side}_layer"] = layer
        else:
            if not isinstance(ids, list) or not ids:
                raise c.fail(f"{key}.{side}s", "expected a list of entity ids", f"write {side}s: [a, b]")
            out[f"{side}s"] = [c.entity(e, f"{key}.{side}s[{i}]") for i, e in enumerate(ids)]
    for name in ("votes", "exclusivity"):
        value = args.get(name, True)
        if not isinstance(value, bool):
            raise c.fail(f"{key}.{name}", f"{value!r} is not true or false", "write true (kept) or false (stripped)")
        out[name] = value
    return out


def _parse_add(c: _Checker, body: Any, key: str, as_of: date) -> dict[str, Any]:
    args = c.mapping(body, key, ADDABLE)
    out: dict[str, list[dict[str, Any]]] = {}
    for table_name, rows in args.items():
        if not isinstance(rows, list) or not rows:
            raise c.fail(f"{key}.{table_name}", "expected a list of rows", "write one mapping of fields per row")
        table = TABLES[table_name]
        checked = []
        for i, row in enumerate(rows):
            where = f"{key}.{table_name}[{i}]"
            required = [f.name for f in table.fields if f.required and f.name != "source_id"]
            values = c.mapping(row, where, table.field_names, required)
            for f in table.fields:
                value = values.get(f.name)
                if value is None:
                    continue
                fkey = f"{where}.{f.name}"
                if f.type in ("number", "integer"):
                    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                        raise c.fail(fkey, f"{value!r} is not a number", f"write a number ({f.description})")
                    if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
                        above = "above 100%" if f.maximum == 1 and value > 1 else f"outside {f.minimum}-{f.maximum}"
                        raise c.fail(fkey, f"{value!r} is {above}", f"write a value in range ({f.description})")
                elif f.type == "date":
                    values[f.name] = c.when(value, fkey).isoformat()
                    if pd.Timestamp(values[f.name]).date() > as_of:
                        raise c.fail(
                            fkey, f"{value} is after the scenario date {as_of}", "date the row on or before as_of"
                        )
                elif f.type == "boolean" and not isinstance(value, bool):
                    raise c.fail(fkey, f"{value!r} is not true or false", "write true or false")
                elif f.type == "string":
                    if f.enum and value not in f.enum:
                        raise c.fail(fkey, f"unknown value {value!r}", f"use one of {', '.join(f.enum)}")
                    if f.references == "entities.id":
                        c.entity(value, fkey)
                    if f.pattern == ID_PATTERN and not re.match(ID_PATTERN, str(value)):
                        raise c.fail(
                            fkey, f"{value!r} is not a valid id", "use lowercase letters, digits, '-', '_' and '.'"
                        )
            if f"{'id'}" in table.field_names and "id" in values and values["id"] in set(c.tables[table_name]["id"]):
                raise c.fail(f"{where}.id", f"id {values['id']!r} is already in {table_name}.csv", "pick a new id")
            values["source_id"] = c.source(values.get("source_id", USER_SOURCE), f"{where}.source_id")
            checked.append(values)
        out[table_name] = checked
    return out


def _parse_assumption(c: _Checker, item: Any, key: str) -> Assumption:
    kind = item.get("kind") if isinstance(item, Mapping) else None
    if kind not in ASSUMPTION_KINDS:
        raise c.fail(f"{key}.kind", f"unknown kind {kind!r}", f"use one of {', '.join(ASSUMPTION_KINDS)}")
    required, optional = ASSUMPTION_TARGETS[kind]
    args = c.mapping(
        item,
        key,
        ("kind", *required, *optional, "value", "low", "central", "high", "source", "note"),
        (*required, "source"),
    )
    about: dict[str, str] = {}
    for name in (*required, *optional):
        if name in args:
            about[name] = (
                _market(c, args[name], f"{key}.{name}") if name == "market" else c.entity(args[name], f"{key}.{name}")
            )
    numbers = {}
    for name in ("value", "low", "central", "high"):
        if name in args:
            v = args[name]
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise c.fail(f"{key}.{name}", f"{v!r} is not a number", "write a number")
            if kind != "elasticity":
                c.fraction(v, f"{key}.{name}", f"the {kind.replace('_', ' ')}")
            elif v >= 0:
                raise c.fail(
                    f"{key}.{name}", f"{v!r} is not negative", "an elasticity of demand is below 0 (e.g. -1.5)"
                )
            numbers[name] = float(v)
    central = numbers.get("central", numbers.get("value"))
    if central is None:
        raise c.fail(f"{key}.value", "missing", "give value, or low / central / high")
    low, high = numbers.get("low", central), numbers.get("high", central)
    if not low <= central <= high:
        raise c.fail(key, f"range {low} / {central} / {high} is out of order", "write low <= central <= high")
    if (kind == "margin" and central == 0) or (kind == "input_cost_share" and low == 0):
        raise c.fail(f"{key}.low", "0 makes the measure undefined", "give a positive value")
    return Assumption(
        kind, about, low, central, high, c.source(args["source"], f"{key}.source"), str(args.get("note", ""))
    )


def _market(c: _Checker, value: Any, key: str) -> str:
    if not isinstance(value, str) or value not in c.markets:
        raise c.fail(key, f"unknown market {value!r}", "use an id of markets.csv (see `marketpower markets`)")
    return value


def parse_scenario(
    data: Any, tables: Mapping[str, pd.DataFrame], file: str = "<scenario>", as_of: date | str | None = None
) -> Scenario:
    """Check a scenario mapping against the store's tables (read only) and return it; ``as_of`` overrides the
    file's date (default: the file's ``as_of``, else today)."""
    c = _Checker(file, tables)
    top = c.mapping(data, "", TOP_KEYS, ("scenario", "title", "operations"))
    scenario_id = top["scenario"]
    if not isinstance(scenario_id, str) or not re.match(ID_PATTERN, scenario_id):
        raise c.fail("scenario", f"{scenario_id!r} is not a valid id", "use lowercase letters, digits and '-'")
    when = c.when(as_of, "--as-of") if as_of is not None else c.when(top.get("as_of", date.today()), "as_of")
    if when > date.today():
        raise c.fail("as_of", f"{when} is in the future", "use today or an earlier date")
    ops = top["operations"]
    if not isinstance(ops, list):
        raise c.fail("operations", "expected a list", "write one operation per item (an empty list changes nothing)")
    operations = tuple(_parse_operation(c, item, f"operations[{i}]", when) for i, item in enumerate(ops))
    raw_assumptions = top.get("assumptions") or []
    if not isinstance(raw_assumptions, list):
        raise c.fail("assumptions", "expected a list", "write one mapping per assumption")
    assumptions = tuple(_parse_assumption(c, a, f"assumptions[{i}]") for i, a in enumerate(raw_assumptions))
    markets = top.get("markets") or []
    if not isinstance(markets, list):
        raise c.fail("markets", "expected a list of market ids", "write markets: [id, ...]")
    accelerator = top.get("accelerator", DEFAULT_ACCELERATOR)
    if "hardware" in tables and accelerator not in set(tables["hardware"]["id"]):
        raise c.fail("accelerator", f"unknown accelerator {accelerator!r}", "use an id of hardware.csv")
    return Scenario(
        id=scenario_id,
        title=str(top["title"]),
        as_of=when,
        operations=operations,
        assumptions=assumptions,
        description=str(top.get("description") or ""),
        markets=tuple(_market(c, m, f"markets[{i}]") for i, m in enumerate(markets)),
        accelerator=str(accelerator),
        file=file,
        raw=dict(top),
    )


def read_scenario_file(path: Path | str) -> Any:
    """The YAML of a scenario file (safe loading: plain data only); a missing or broken file is a clear error."""
    target = Path(path)
    if not target.is_file():
        raise InvalidInputError(
            f"{target}: no such scenario file; give the path of a .yaml file (see examples/scenarios/)"
        )
    return load_document(target, "scenario file")  # the project's safe loader: no aliases, bounded size and depth
