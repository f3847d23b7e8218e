"""The case format: one merger in one market, as a dict (from JSON or YAML). Validates every field and names the
field and the product in each error. See docs/simulation.md for every key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidInputError
from ..ingest.safeload import finite_number, load_document
from .calibrate import MarketData
from .groups import FloatArray, dense_ids
from .ownership import Ownership, ownership_from_spec

DEMANDS = {
    "logit": "logit",
    "nested_logit": "nested_logit",
    "nested logit": "nested_logit",
    "nestedlogit": "nested_logit",
    "ces": "ces",
    "aids": "aids",
    "pcaids": "pcaids",
    "pcaids_nests": "pcaids_nests",
    "pcaids.nests": "pcaids_nests",
    "nested_pcaids": "pcaids_nests",
    "linear": "linear",
    "loglinear": "loglinear",
    "log-linear": "loglinear",
    "rclogit": "rclogit",
    "blp": "rclogit",
    "random_coefficients_logit": "rclogit",
}
SUPPLIES = {
    "bertrand": "bertrand",
    "cournot": "cournot",
    "auction": "auction",
    "auction2nd": "auction",
    "second_score_auction": "auction",
    "bargaining": "bargaining",
    "vertical_bargaining": "vertical_bargaining",
}
KEYS = {
    "name",
    "demand",
    "supply",
    "labels",
    "prices",
    "shares",
    "quantities",
    "margins",
    "owner_pre",
    "owner_post",
    "market_elasticity",
    "diversions",
    "nests",
    "mc_delta",
    "insize",
    "norm_index",
    "known_elasticity",
    "known_elasticity_index",
    "capacities",
    "cost",
    "parameters",
    "draws",
    "ranges",
    "seed",
    "hmt",
    "efficiencies",
    "common_nesting",
    "symmetry",
    "vertical",
    "input_market",
}
#: The ``parameters`` each demand system and each supply game reads (anything else is refused as a typo).
DEMAND_PARAMETERS: dict[str, tuple[str, ...]] = {
    "logit": ("alpha", "meanval"),
    "nested_logit": ("alpha", "rho"),
    "rclogit": ("alpha", "x2", "sigma", "pi", "nodes", "demographics", "weights", "price_column"),
    "ces": ("gamma",),
    "aids": (),
    "pcaids": (),
    "pcaids_nests": (),
    "linear": ("slopes",),
    "loglinear": ("elasticities",),
}
SUPPLY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "bertrand": (),
    "cournot": ("elasticity",),
    "auction": ("alpha",),
    "bargaining": ("alpha", "bargpower"),
    "vertical_bargaining": ("alpha", "bargpower"),
}
#: Inputs ``ranges`` may draw (besides ``parameters.NAME``), see :mod:`.uncertainty`.
RANGE_KEYS = ("margins", "market_elasticity", "mc_delta", "known_elasticity")


@dataclass
class Case:
    """A parsed case: market data, the model and the post-merger ownership."""

    name: str
    demand: str
    supply: str
    data: MarketData
    owner_post: Ownership
    firms_pre: list[str]
    firms_post: list[str]
    mc_delta: FloatArray
    capacities: FloatArray
    cost: str
    draws: int = 0
    ranges: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    #: Hypothetical monopolist test request: {"product": index, "ssnips": [...]} (see :mod:`.hmt`).
    hmt: dict[str, Any] | None = None
    #: Report the price-neutral (CMCR) and CV-neutral cost cuts (see :mod:`.efficiencies`).
    efficiencies: bool = False
    #: The upstream level of a ``supply: vertical_bargaining`` case (see :mod:`.vertical`).
    vertical: Any = None


def _brief(value: Any) -> str:
    """``repr(value)`` cut to 60 characters (an integer too long to print is described instead)."""
    try:
        text = repr(value)
    except ValueError:
        return "an integer of more than 4,300 digits"
    return text if len(text) <= 60 else text[:57] + "..."


def _key(key: Any) -> str:
    """A mapping key as shown after ``parameters.`` or ``ranges.`` in a message."""
    return key if isinstance(key, str) and len(key) <= 60 else _brief(key)


def _numbers(case: Mapping[str, Any], key: str, labels: list[str] | None, allow_null: bool = False) -> FloatArray:
    raw = case[key]
    if not isinstance(raw, list | tuple):
        raise InvalidInputError(f"{key}: expected a list of numbers (one per product), got {_brief(raw)}")
    if labels is not None and len(raw) != len(labels):
        raise InvalidInputError(f"{key}: {len(raw)} values but {len(labels)} products in 'labels' (mismatched lengths)")
    if all(type(v) in (int, float) for v in raw):  # fast path; the loop below names the bad entry
        try:
            fast = np.asarray(raw, dtype=np.float64)
        except OverflowError:  # an integer too large for a float
            fast = np.full(len(raw), np.nan)
        if np.all(np.isfinite(fast)):
            return fast
    out = np.empty(len(raw))
    for j, v in enumerate(raw):
        name = labels[j] if labels is not None else str(j)
        number = finite_number(v)
        if v is None and allow_null:
            out[j] = np.nan
        elif number is None:
            raise InvalidInputError(
                f"{key}[{name}] = {_brief(v)}: expected a finite number" + (" or null" if allow_null else "")
            )
        else:
            out[j] = number
    return out


def _number(case: Mapping[str, Any], key: str) -> float | None:
    v = case.get(key)
    if v is None:
        return None
    number = finite_number(v)
    if number is None:
        raise InvalidInputError(f"{key} = {_brief(v)}: expected a finite number")
    return number


def _label_index(case: Mapping[str, Any], key: str, labels: list[str]) -> int | None:
    v = case.get(key)
    if v is None:
        return None
    if isinstance(v, str) and v in labels:
        return labels.index(v)
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(labels):
        return v
    raise InvalidInputError(f"{key} = {_brief(v)}: expected one of the product labels {labels}")


def _firms(spec: Any, labels: list[str], omega: Ownership) -> list[str]:
    if omega.matrix is None:
        return [str(f) for f in spec]
    rows = np.unique(omega.matrix, axis=0, return_inverse=True)[1].ravel()
    first = {int(r): labels[j] for j, r in reversed(list(enumerate(rows)))}
    return [f"owner of {first[int(r)]}" for r in rows]


def parse_case(case: Mapping[str, Any]) -> Case:
    """Validate a case dict and build the model inputs. Raises InvalidInputError naming the field and product."""
    if not isinstance(case, Mapping):
        raise InvalidInputError("case: expected a mapping of keys to values (JSON object / YAML mapping)")
    unknown = sorted(set(case) - KEYS, key=str)
    if unknown:
        raise InvalidInputError(f"{_key(unknown[0])}: unknown key (allowed: {', '.join(sorted(KEYS))})")
    demand = DEMANDS.get(str(case.get("demand", "logit")).lower())
    supply = SUPPLIES.get(str(case.get("supply", "bertrand")).lower())
    if demand is None:
        raise InvalidInputError(f"demand = {_brief(case.get('demand'))}: expected one of "
                                f"{sorted(set(DEMANDS.values()))}")
    if supply is None:
        raise InvalidInputError(f"supply = {_brief(case.get('supply'))}: expected one of "
                                f"{sorted(set(SUPPLIES.values()))}")
    for key in ("prices", "owner_pre", "owner_post"):
        if key not in case:
            raise InvalidInputError(f"{key}: required")
    n = len(case["owner_pre"]) if isinstance(case["owner_pre"], list | tuple) else 0
    labels = case.get("labels") or [f"P{j + 1}" for j in range(n)]
    if not isinstance(labels, list | tuple) or not all(isinstance(x, str | int) for x in labels):
        raise InvalidInputError("labels: expected a list of product names")
    labels = [str(x) for x in labels]
    if len(set(labels)) != len(labels):
        dup = next(x for x in labels if labels.count(x) > 1)
        raise InvalidInputError(f"labels: product '{dup}' appears twice; labels must be unique")
    if supply == "cournot" and not isinstance(case["prices"], list | tuple):
        price = _number(case, "prices")
        prices = np.full(len(labels), price if price is not None else np.nan)
    else:
        prices = _numbers(case, "prices", labels)
    for j in np.flatnonzero(prices <= 0):
        raise InvalidInputError(f"prices[{labels[j]}] = {prices[j]}: prices must be positive")
    insize = _number(case, "insize")
    if insize is not None and insize <= 0:
        raise InvalidInputError(f"insize = {insize}: the market size must be positive")
    shares, quantities = _shares_quantities(case, labels, insize, supply)
    margins = (
        _numbers(case, "margins", labels, allow_null=True)
        if case.get("margins") is not None
        else np.full(len(labels), np.nan)
    )
    input_market = _input_market(case, demand, supply)
    if input_market:  # markdowns (v − p)/p: positive, and above 1 when the buyer values the input at over twice p
        for j in np.flatnonzero(np.isfinite(margins) & (margins <= 0)):
            raise InvalidInputError(f"margins[{labels[j]}] = {margins[j]}: in an input market margins are the "
                                    "buyers' markdowns (v − p)/p, which must be positive")
    else:
        for j in np.flatnonzero(np.isfinite(margins) & ((margins <= 0) | (margins >= 1))):
            raise InvalidInputError(f"margins[{labels[j]}] = {margins[j]}: margins are fractions strictly between 0 "
                                    "and 1")
    owner_pre = ownership_from_spec(case["owner_pre"], labels, "owner_pre")
    owner_post = ownership_from_spec(case["owner_post"], labels, "owner_post")
    mkt = _number(case, "market_elasticity")
    if mkt is not None and mkt >= 0:
        raise InvalidInputError(f"market_elasticity = {mkt}: must be negative (downward-sloping market demand)")
    known = _number(case, "known_elasticity")
    if known is not None and known >= 0:
        raise InvalidInputError(f"known_elasticity = {known}: an own-price elasticity must be negative")
    known_index = _label_index(case, "known_elasticity_index", labels)
    if (known is None) != (known_index is None):
        raise InvalidInputError("known_elasticity_index: give it together with known_elasticity (both or neither)")
    nests, nest_labels = _nests(case, labels)
    if demand in ("nested_logit", "pcaids_nests") and nests is None:
        raise InvalidInputError(f"nests: {demand} demand needs a nest label for every product")
    parameters = _parameters(case, demand, supply)
    data = MarketData(
        labels=labels,
        prices=prices,
        shares=shares,
        quantities=quantities,
        margins=margins,
        owner_pre=owner_pre,
        market_elasticity=mkt,
        diversions=_diversions(case, labels),
        nests=nests,
        nest_labels=nest_labels,
        insize=insize,
        norm_index=_label_index(case, "norm_index", labels) or 0,
        known_elasticity=known,
        known_elasticity_index=known_index,
        parameters=dict(parameters),
        common_nesting=_flag(case, "common_nesting", demand, ("nested_logit",)),
        symmetry=_flag(case, "symmetry", demand, ("linear",)),
        input_market=input_market,
    )
    return Case(
        name=_name(case),
        demand=demand,
        supply=supply,
        data=data,
        owner_post=owner_post,
        firms_pre=_firms(case["owner_pre"], labels, owner_pre),
        firms_post=_firms(case["owner_post"], labels, owner_post),
        mc_delta=_mc_delta(case, labels),
        capacities=_capacities(case, labels),
        cost=_cost(case),
        draws=_draws(case),
        ranges=_ranges(case, demand, supply),
        seed=_seed(case),
        hmt=_hmt(case, labels, supply),
        efficiencies=_efficiencies(case, supply),
        vertical=_vertical(case, supply, labels),
    )


#: Case keys an input market does not take (their sign conventions or models are those of sellers).
INPUT_MARKET_REFUSED = ("market_elasticity", "known_elasticity", "capacities", "hmt", "efficiencies")


def _input_market(case: Mapping[str, Any], demand: str, supply: str) -> bool:
    """``input_market: true``: the firms buy (logit or nested logit, Bertrand: they post the prices they pay)."""
    flag = _flag(case, "input_market", demand, ("logit", "nested_logit"))
    if flag and supply != "bertrand":
        raise InvalidInputError(f"input_market: only with Bertrand supply (the buyers post prices; got {supply})")
    for key in INPUT_MARKET_REFUSED:
        if flag and case.get(key) not in (None, False):
            raise InvalidInputError(f"{key}: not available with input_market (give margins, or parameters.alpha)")
    return flag


def _vertical(case: Mapping[str, Any], supply: str, labels: list[str]) -> Any:
    """The ``vertical`` block (upstream prices, margins, owners): required with and only with vertical bargaining."""
    if (supply == "vertical_bargaining") != (case.get("vertical") is not None):
        raise InvalidInputError("vertical: give the upstream level (vertical: {prices, margins, owner_pre, "
                                "owner_post}) with supply: vertical_bargaining, and only with it")
    if case.get("vertical") is None:
        return None
    from .vertical import parse_vertical

    return parse_vertical(case["vertical"], labels, case["owner_pre"], case["owner_post"])


def _shares_quantities(
    case: Mapping[str, Any], labels: list[str], insize: float | None, supply: str
) -> tuple[FloatArray, FloatArray]:
    if case.get("shares") is None and case.get("quantities") is None:
        raise InvalidInputError("shares: give 'shares' (fractions) or 'quantities' (levels), one per product")
    if case.get("quantities") is not None:
        quantities = _numbers(case, "quantities", labels)
        for j in np.flatnonzero(quantities <= 0):
            raise InvalidInputError(f"quantities[{labels[j]}] = {quantities[j]}: quantities must be positive")
    if case.get("shares") is not None:
        shares = _numbers(case, "shares", labels)
        for j in np.flatnonzero((shares <= 0) | (shares >= 1)):
            if not (shares[j] == 1 and len(labels) == 1):
                raise InvalidInputError(f"shares[{labels[j]}] = {shares[j]}: shares are fractions between 0 and 1")
        if shares.sum() > 1 + 1e-6:
            raise InvalidInputError(f"shares: they sum to {shares.sum():.6g}, above 1 (shares of one market)")
        if case.get("quantities") is None:
            quantities = shares * (insize or 1.0)
    else:
        total = insize if insize is not None else quantities.sum()
        if quantities.sum() > total * (1 + 1e-9):
            raise InvalidInputError(f"quantities: they sum to {quantities.sum():.6g}, above insize = {insize}")
        shares = quantities / total
    return shares, quantities


def _nests(case: Mapping[str, Any], labels: list[str]) -> tuple[Any, list[str]]:
    raw = case.get("nests")
    if raw is None:
        return None, []
    if not isinstance(raw, list | tuple) or len(raw) != len(labels):
        raise InvalidInputError(f"nests: expected {len(labels)} nest labels, one per product (mismatched lengths)")
    for j, h in enumerate(raw):
        if h is None or h == "":
            raise InvalidInputError(f"nests[{labels[j]}]: missing nest label; give every product a nest or none")
    names = [str(h) for h in raw]
    return dense_ids(np.asarray(names)), sorted(set(names))


def _diversions(case: Mapping[str, Any], labels: list[str]) -> FloatArray | None:
    raw = case.get("diversions")
    if raw is None:
        return None
    try:
        d = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError("diversions: expected a products×products matrix of finite numbers") from None
    if d.shape != (len(labels), len(labels)):
        raise InvalidInputError(f"diversions: expected a {len(labels)}×{len(labels)} matrix, got shape {d.shape}")
    np.fill_diagonal(d, 0.0)
    for j, k in zip(*np.nonzero(~np.isfinite(d) | (d < 0) | (d > 1)), strict=True):
        raise InvalidInputError(f"diversions[{labels[j]}][{labels[k]}] = {d[j, k]}: must lie in [0, 1]")
    for j in np.flatnonzero(d.sum(axis=1) > 1 + 1e-9):
        raise InvalidInputError(f"diversions[{labels[j]}]: the diversions from '{labels[j]}' sum above 1")
    np.fill_diagonal(d, -1.0)
    return d


def _mc_delta(case: Mapping[str, Any], labels: list[str]) -> FloatArray:
    raw = case.get("mc_delta")
    if raw is None:
        return np.zeros(len(labels))
    if isinstance(raw, list | tuple):
        delta = _numbers(case, "mc_delta", labels)
    else:
        number = _number(case, "mc_delta")
        delta = np.full(len(labels), number if number is not None else 0.0)
    for j in np.flatnonzero(delta <= -1):
        raise InvalidInputError(f"mc_delta[{labels[j]}] = {delta[j]}: a proportional cost change must exceed -1")
    return delta


def _capacities(case: Mapping[str, Any], labels: list[str]) -> FloatArray:
    if case.get("capacities") is None:
        return np.full(len(labels), np.inf)
    caps = _numbers(case, "capacities", labels, allow_null=True)
    for j in np.flatnonzero(np.isfinite(caps) & (caps <= 0)):
        raise InvalidInputError(f"capacities[{labels[j]}] = {caps[j]}: capacities must be positive (null = none)")
    return np.where(np.isfinite(caps), caps, np.inf)


def _cost(case: Mapping[str, Any]) -> str:
    cost = case.get("cost", "constant")
    if not isinstance(cost, str) or cost.lower() not in ("constant", "linear"):
        raise InvalidInputError(f"cost = {_brief(cost)}: expected 'constant' or 'linear' marginal cost")
    cost = cost.lower()
    return cost


def _draws(case: Mapping[str, Any]) -> int:
    draws = case.get("draws", 0) or 0
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise InvalidInputError(f"draws = {_brief(draws)}: expected a non-negative integer")
    if draws and not case.get("ranges"):
        raise InvalidInputError("ranges: 'draws' needs ranges to sample, e.g. {market_elasticity: [-2, -1]}")
    return draws


def _name(case: Mapping[str, Any]) -> str:
    name = case.get("name", "")
    if not isinstance(name, str | int | float) or isinstance(name, bool):
        raise InvalidInputError(f"name = {_brief(name)}: expected a short text naming the case")
    return str(name) if isinstance(name, str) else _brief(name)


def _known_parameters(demand: str, supply: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(DEMAND_PARAMETERS[demand] + SUPPLY_PARAMETERS[supply]))


def _parameters(case: Mapping[str, Any], demand: str, supply: str) -> dict[str, Any]:
    """The user-supplied demand parameters; a name the model does not read is refused, as unknown keys are."""
    parameters = case.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise InvalidInputError(f"parameters = {_brief(parameters)}: expected a mapping such as {{alpha: -0.5}}")
    known = _known_parameters(demand, supply)
    for name in parameters:
        if name not in known:
            takes = f"known: {', '.join(known)}" if known else "this model takes none"
            raise InvalidInputError(f"parameters.{_key(name)}: unknown parameter for {demand} demand with {supply} "
                                    f"supply ({takes})")
    return dict(parameters)


def _ranges(case: Mapping[str, Any], demand: str, supply: str) -> dict[str, Any]:
    """The ``ranges`` mapping (input name -> [low, high]); the intervals themselves are checked when drawn."""
    ranges = case.get("ranges") or {}
    if not isinstance(ranges, Mapping):
        raise InvalidInputError(f"ranges = {_brief(ranges)}: expected a mapping such as "
                                "{market_elasticity: [-2, -1]}")
    known = _known_parameters(demand, supply)
    for key in ranges:
        name = key.split(".", 1)[1] if isinstance(key, str) and key.startswith("parameters.") else None
        if name is not None and name not in known:
            takes = f"known: {', '.join(known)}" if known else "this model takes none"
            raise InvalidInputError(f"ranges.{key}: unknown parameter for {demand} demand with {supply} supply "
                                    f"({takes})")
        if name is None and key not in RANGE_KEYS:
            raise InvalidInputError(f"ranges.{_key(key)}: cannot draw this input (use "
                                    f"{', '.join(RANGE_KEYS)} or parameters.NAME)")
    return dict(ranges)


def _seed(case: Mapping[str, Any]) -> int:
    seed = case.get("seed")
    if seed is None:
        return 0
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInputError(f"seed = {_brief(seed)}: expected a non-negative integer (the random draws' seed)")
    return seed


def _hmt(case: Mapping[str, Any], labels: list[str], supply: str) -> dict[str, Any] | None:
    """``hmt: {product: LABEL, ssnips: [0.05, 0.10]}`` as {"product": index, "ssnips": [floats]}."""
    raw = case.get("hmt")
    if raw is None:
        return None
    if supply != "bertrand":
        raise InvalidInputError(f"hmt: the hypothetical monopolist test needs Bertrand supply (got {supply})")
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"hmt = {_brief(raw)}: expected a mapping such as {{product: A, ssnips: [0.05, 0.1]}}")
    for key in raw:
        if key not in ("product", "ssnips"):
            raise InvalidInputError(f"hmt.{_key(key)}: unknown key (allowed: product, ssnips)")
    try:
        index = _label_index(raw, "product", labels)
    except InvalidInputError as err:
        raise InvalidInputError(f"hmt.{err}") from None
    if index is None:
        raise InvalidInputError(f"hmt.product: required, one of the product labels {labels[:10]}")
    ssnips = raw.get("ssnips", [0.05, 0.10])
    if not isinstance(ssnips, list | tuple) or not ssnips:
        raise InvalidInputError(f"hmt.ssnips = {_brief(ssnips)}: expected a list of fractions such as [0.05, 0.1]")
    values = []
    for i, v in enumerate(ssnips):
        number = finite_number(v)
        if number is None or not 0 < number < 1:
            raise InvalidInputError(f"hmt.ssnips[{i}] = {_brief(v)}: a SSNIP is a fraction between 0 and 1")
        values.append(number)
    return {"product": index, "ssnips": values}


def _flag(case: Mapping[str, Any], key: str, demand: str, demands: tuple[str, ...]) -> bool:
    """A true/false calibration option that only ``demands`` read (refused with any other demand)."""
    raw = case.get(key, False)
    if not isinstance(raw, bool):
        raise InvalidInputError(f"{key} = {_brief(raw)}: expected true or false")
    if raw and demand not in demands:
        raise InvalidInputError(f"{key}: only for {' / '.join(demands)} demand (got {demand})")
    return raw


def _efficiencies(case: Mapping[str, Any], supply: str) -> bool:
    raw = case.get("efficiencies", False)
    if not isinstance(raw, bool):
        raise InvalidInputError(f"efficiencies = {_brief(raw)}: expected true or false")
    if raw and supply != "bertrand":
        raise InvalidInputError(f"efficiencies: the CMCR / CV-neutral cuts need Bertrand supply (got {supply})")
    return raw


def read_case(path: Path | str, needs_owner_post: bool = True) -> dict[str, Any]:
    """Read a case file (``.json``, ``.yaml`` or ``.yml``) with the project's safe loader and validate it with
    :func:`parse_case`; every error names the file. ``needs_owner_post=False`` for screening files, whose
    post-merger owners are the pairs screened. Returns the case mapping."""
    data = load_document(path, "case file")
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path}: a case file holds one mapping of case keys (see docs/simulation.md)")
    probe = data if needs_owner_post else {"owner_post": data.get("owner_pre"), **data}
    try:
        parse_case(probe)
    except InvalidInputError as err:
        raise InvalidInputError(f"{path}: {err}") from None
    return data
