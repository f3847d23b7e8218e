"""The web merger-simulation form: text fields (as a browser sends them) to a case, a bounded simulation and the
page model of ``/simulate`` — the case file and the result to download and rerun with ``marketpower simulate``.

Lists are comma- or whitespace-separated; an empty entry in ``margins`` is an unknown margin. A form may instead
start from a market of the store (``market`` + ``margin``, the assumed Lerner margin of its largest firm, with
:func:`marketpower.api.simulation.market_case`). Bounded: at most ``MAX_FORM_PRODUCTS`` products, each field at
most ``MAX_FIELD_CHARS`` characters, and a simulation that runs past ``TIME_LIMIT_S`` seconds is refused.
"""

from __future__ import annotations

import concurrent.futures
import io
import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInputError
from ..simulate import simulate_case
from ..simulate.case import DEMANDS, SUPPLIES
from ..simulate.result import SimulationResult
from .results import Source
from .serialize import jsonable
from .simulation import market_case

MAX_FORM_PRODUCTS = 40
MAX_FIELD_CHARS = 800
TIME_LIMIT_S = 5.0
#: The form's list fields (one entry per product) and its number fields.
LIST_FIELDS = ("labels", "prices", "shares", "margins", "owner_pre", "owner_post", "nests", "mc_delta")
#: The upstream level of ``supply: vertical_bargaining`` (the case's ``vertical`` block, one entry per product):
#: form field ``vertical_KEY`` is ``vertical.KEY``.
VERTICAL_FIELDS = ("vertical_prices", "vertical_margins", "vertical_owner_pre", "vertical_owner_post",
                   "vertical_mc_delta")
NUMBER_FIELDS = ("market_elasticity", "insize", "known_elasticity")
#: Model parameters the form may give (``parameters.NAME``): the retailers' bargaining weight λ.
PARAMETER_FIELDS = ("bargpower",)
TEXT_FIELDS = (
    "demand", "supply", "known_elasticity_index", "market", "margin", "year", "merge", "name", "hmt", "efficiencies"
)
FORM_FIELDS = LIST_FIELDS + VERTICAL_FIELDS + NUMBER_FIELDS + PARAMETER_FIELDS + TEXT_FIELDS
_NUMERIC_LISTS = {"prices", "shares", "margins", "mc_delta", "vertical_prices", "vertical_margins",
                  "vertical_mc_delta"}
#: Lists whose empty entries are unknown values (null in the case).
_NULLABLE_LISTS = {"margins", "vertical_margins"}
_EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="simulate-form")


def _split(name: str, text: str) -> list[str]:
    if len(text) > MAX_FIELD_CHARS:
        raise InvalidInputError(f"form field {name}: at most {MAX_FIELD_CHARS} characters")
    parts = [p.strip() for p in re.split(r"[,\n\t;]" if "," in text or "\n" in text else r"\s+", text.strip())]
    if len(parts) > MAX_FORM_PRODUCTS:
        raise InvalidInputError(f"form field {name}: at most {MAX_FORM_PRODUCTS} products on this page (use the CLI)")
    return parts


def _number(name: str, text: str, entry: int | None = None) -> float:
    where = f"form field {name}" + (f", entry {entry + 1}" if entry is not None else "")
    try:
        return float(text)
    except ValueError:
        raise InvalidInputError(f"{where}: {text[:40]!r} is not a number") from None


def case_from_form(fields: Mapping[str, str | None], source: Source | None = None) -> dict[str, Any]:
    """The case the form describes (validated later by :func:`marketpower.simulate.case.parse_case`, whose errors
    name the case key). Raises InvalidInputError naming the form field."""
    given = {k: v.strip() for k, v in fields.items() if v is not None and v.strip() != ""}
    unknown = sorted(set(given) - set(FORM_FIELDS))
    if unknown:
        raise InvalidInputError(f"form field {unknown[0][:40]}: unknown (allowed: {', '.join(FORM_FIELDS)})")
    case: dict[str, Any] = {}
    if "market" in given:
        if source is None:
            raise InvalidInputError("form field market: no data package is loaded")
        if "margin" not in given:
            raise InvalidInputError("form field margin: starting from a market needs the largest firm's margin")
        year = int(_number("year", given["year"])) if "year" in given else None
        elasticity = _number("market_elasticity", given["market_elasticity"]) if "market_elasticity" in given else None
        case = market_case(source, given["market"], _number("margin", given["margin"]), elasticity, year)
    for name in LIST_FIELDS:
        if name in given:
            case[name] = _list(name, given[name])
    for name in NUMBER_FIELDS:
        if name in given:
            case[name] = _number(name, given[name])
    for name in PARAMETER_FIELDS:
        if name in given:
            case.setdefault("parameters", {})[name] = _number(name, given[name])
    for name in ("demand", "supply"):
        if name in given:
            if given[name].lower() not in (DEMANDS if name == "demand" else SUPPLIES):
                choices = sorted(set((DEMANDS if name == "demand" else SUPPLIES).values()))
                raise InvalidInputError(f"form field {name}: {given[name][:40]!r} is not one of {', '.join(choices)}")
            case[name] = given[name].lower()
    if "known_elasticity_index" in given:
        case["known_elasticity_index"] = given["known_elasticity_index"]
    if "name" in given:
        case["name"] = given["name"][:120]
    if "hmt" in given:
        case["hmt"] = {"product": given["hmt"]}
    if "efficiencies" in given:
        if given["efficiencies"] not in ("on", "true", "1"):
            raise InvalidInputError(f"form field efficiencies: {given['efficiencies'][:40]!r}: expected on or true")
        case["efficiencies"] = True
    vertical = _vertical_block(given, case.get("supply", "bertrand"))
    if vertical is not None:
        case["vertical"] = vertical
    if isinstance(case.get("mc_delta"), list) and len(case["mc_delta"]) == 1:
        case["mc_delta"] = case["mc_delta"][0]
    if "prices" not in case:
        raise InvalidInputError("form field prices: required (one per product), or start from a market")
    if "merge" in given and "owner_post" not in given:
        case["owner_post"] = _merged_owners(case, _split("merge", given["merge"]))
    if "owner_post" not in case:
        raise InvalidInputError(
            "form field owner_post: give the post-merger owners, or two owners to merge (merge: A, B)"
        )
    return case


def _list(name: str, text: str) -> list[Any]:
    """One form list field as case values: numbers for the numeric lists (an empty entry is null where unknown
    values are allowed), texts otherwise."""
    parts = _split(name, text)
    if name not in _NUMERIC_LISTS:
        return parts
    return [None if (p == "" and name in _NULLABLE_LISTS) else _number(name, p, j) for j, p in enumerate(parts)]


def _vertical_block(given: Mapping[str, str], supply: str) -> dict[str, Any] | None:
    """The case's ``vertical`` block from the ``vertical_*`` fields: wholesale prices and both owner lists are
    required with ``supply: vertical_bargaining``, and the fields are refused with any other supply."""
    named = [name for name in VERTICAL_FIELDS if name in given]
    if SUPPLIES.get(supply) != "vertical_bargaining":
        if named:
            raise InvalidInputError(
                f"form field {named[0]}: the upstream level is read only with supply vertical_bargaining "
                f"(supply is {supply})"
            )
        return None
    for name in ("vertical_prices", "vertical_owner_pre", "vertical_owner_post"):
        if name not in given:
            raise InvalidInputError(
                f"form field {name}: required with supply vertical_bargaining (one entry per product: the "
                "upstream level's wholesale prices, suppliers before and suppliers after)"
            )
    block = {name.removeprefix("vertical_"): _list(name, given[name]) for name in named}
    if len(block.get("mc_delta", ())) == 1:
        block["mc_delta"] = block["mc_delta"][0]
    return block


def _merged_owners(case: Mapping[str, Any], pair: list[str]) -> list[str]:
    """``owner_pre`` with the second of two named owners' products given to the first (``merge: A, B``)."""
    owners = [str(o) for o in case.get("owner_pre") or case.get("labels") or []]
    if len(pair) != 2 or pair[0] == pair[1]:
        raise InvalidInputError("form field merge: name two different pre-merger owners, e.g. 'a, b'")
    for name in pair:
        if name not in owners:
            raise InvalidInputError(
                f"form field merge: {name[:40]!r} is not a pre-merger owner ({', '.join(owners[:8])})"
            )
    return [pair[0] if o == pair[1] else o for o in owners]


def run_bounded(case: Mapping[str, Any], seconds: float = TIME_LIMIT_S) -> SimulationResult:
    """``simulate_case(case)`` with a time limit; a case that runs past it is refused (its solve is left to end
    on its own: the product limit keeps it short)."""
    future = _EXECUTOR.submit(simulate_case, case)
    try:
        return future.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        raise InvalidInputError(
            f"simulation: longer than this page's limit of {seconds:g} s; download the case file and run "
            "`marketpower simulate CASE`"
        ) from None


def result_csv(result: SimulationResult) -> str:
    """The per-product table of a result as CSV (what the page shows, one row per product)."""
    buffer = io.StringIO()
    result.products().to_csv(buffer)
    return buffer.getvalue()


def simulation_page(fields: Mapping[str, str | None], source: Source | None = None) -> dict[str, Any]:
    """The page model of ``/simulate``: the form's values, the case, and (when the form has prices) the result as
    ``to_dict("merging")`` plus the product rows. An empty form gives the blank form with the choices."""
    choices = {"demands": sorted(set(DEMANDS.values())), "supplies": sorted(set(SUPPLIES.values()))}
    form = form_values(fields)
    if not any(form.values()):
        return {"form": form, "choices": choices, "case": None, "result": None, "products": [],
                "limits": _limits(), "error": None}
    case = case_from_form(fields, source)
    result = run_bounded(case)
    rows = jsonable(result.products().reset_index().to_dict("records"))
    return {"form": form, "choices": choices, "case": case, "result": result.to_dict("merging"), "products": rows,
            "limits": _limits(), "error": None}


def form_values(fields: Mapping[str, str | None]) -> dict[str, str]:
    """Every form field's text as typed ("" when absent), to fill the form again."""
    return {k: (fields.get(k) or "")[:MAX_FIELD_CHARS] for k in FORM_FIELDS}


def _limits() -> dict[str, Any]:
    return {"products": MAX_FORM_PRODUCTS, "field_chars": MAX_FIELD_CHARS, "seconds": TIME_LIMIT_S}
