"""Apply a scenario to the store's tables, as of its date: pure functions over DataFrames (the store is never
written). The result is a :class:`State`: the stake positions, deals and facilities that hold under the scenario,
the firms merged into others, and what each operation changed.

Rules (docs/scenarios.md):
- ``block`` a deal: its rows (the deal and every revision of it), the deals signed with it (same two parties,
  same day: e.g. the chip purchase that goes with an investment), and the stakes it created (the holder's rows in
  the issuer reported on the deal's day or from the deal's source). Capacity and loops go with the deals.
- ``unwind`` a stake: the position and the owner's equity deals in the target; ``unwind`` a deal = ``block``.
- ``merge``: the acquirer buys the targets whole (other holders are bought out); the targets' deals become the
  acquirer's, so deals inside the merged group drop out of the deal web.
- ``cap``: stakes of one class of owner in one class of target are cut to the cap (the excess returns to the
  target's other holders); ``votes: false`` strips votes, board and observer seats and control rights.
- A controlling parent (``entities.parent_id``) of a subsidiary without stake rows is taken to own and control
  all of it (e.g. Google -> Google Cloud): the analyses fold the subsidiary into its owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..measures.value_capture import layer_map, layer_of
from ..schema import TABLES
from ..schema.deals import check_stake_totals, positions_as_of
from .spec import USER_SOURCE, Operation, Scenario
from .terms import EQUITY_KINDS, TERMS, stake_weights, with_deal_terms


@dataclass
class State:
    """The data as it stands under a scenario (or the baseline), as of its date."""

    stakes: pd.DataFrame
    deals: pd.DataFrame
    facilities: pd.DataFrame
    renames: dict[str, str] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    parties: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)


def _tops(entities: pd.DataFrame, parents: dict[str, str]) -> dict[str, str]:
    """Entity id -> the last id reached by following ``parents`` up from it (itself when it has none; a cycle
    stops before it repeats an id)."""
    top: dict[str, str] = {}
    for entity in entities["id"].astype(str):
        seen, current = {entity}, entity
        while current in parents and parents[current] not in seen:
            current = parents[current]
            seen.add(current)
        top[entity] = current
    return top


def families(entities: pd.DataFrame) -> dict[str, str]:
    """Entity id -> id of its top controlling parent (itself when it has none)."""
    parents = {str(k): str(v) for k, v in zip(entities["id"], entities["parent_id"], strict=True) if pd.notna(v)}
    return _tops(entities, parents)


def _empty_like(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    names = TABLES[table].field_names
    return pd.DataFrame([{n: r.get(n) for n in names} for r in rows], columns=names)


def _concat(frame: pd.DataFrame, rows: list[dict[str, Any]], table: str) -> pd.DataFrame:
    if not rows:
        return frame
    new = _empty_like(table, rows)
    if frame.empty:
        return new
    return pd.concat([frame, new.astype({c: frame[c].dtype for c in new.columns if c in frame})], ignore_index=True)


def baseline_state(tables: Mapping[str, pd.DataFrame], as_of: Any) -> State:
    """The store as it is, as of ``as_of``: stake positions at that date, deals announced by then."""
    deals = tables["deals"]
    deals = deals[pd.to_datetime(deals["announced"]) <= pd.Timestamp(as_of)].copy()
    stakes = positions_as_of(tables["stakes"], as_of).copy()
    return State(stakes=stakes, deals=deals, facilities=tables["facilities"].copy())


def apply(scenario: Scenario, tables: Mapping[str, pd.DataFrame], baseline: State | None = None) -> State:
    """The state of the data under ``scenario`` (starting from ``baseline``, the store as of its date, when
    given); raises InvalidInputError (file, key, fix) when the result is impossible, e.g. a target owned more
    than 100%."""
    start = baseline or baseline_state(tables, scenario.as_of)
    state = State(stakes=start.stakes.copy(), deals=start.deals.copy(), facilities=start.facilities.copy())
    layers = layer_map(tables["entity_layers"])
    parents = {
        str(k): str(v)
        for k, v in zip(tables["entities"]["id"], tables["entities"]["parent_id"], strict=True)
        if pd.notna(v)
    }
    last_key: dict[str, str] = {}
    for op in scenario.operations:
        _OPS[op.op](state, op, scenario, {"layers": layers, "parents": parents})
        for target in set(state.stakes["target_id"]) & _targets(op):
            last_key[target] = op.key
    changed = state.stakes[state.stakes["target_id"].isin(set(last_key))]
    problems = check_stake_totals({"stakes": changed.reset_index(drop=True)}) if len(changed) else []
    if problems:
        target = next((t for t in last_key if f"'{t}'" in problems[0].message), None)
        key = last_key.get(target or "", "operations")
        raise InvalidInputError(
            f"{scenario.file}: {key}: {problems[0].message.split(';')[0]} under this scenario; lower the stake or "
            "divest another holder first"
        )
    state.deals = _merged_deals(state.deals, state.renames, families(tables["entities"]))
    return state


def _targets(op: Operation) -> set[str]:
    args = op.args
    if op.op == "stake":
        return {args["target"]}
    if "stake" in args:
        return {args["stake"]["target"]}
    if op.op == "merge":
        return set(args["firms"])
    if op.op == "add":
        return {r["target_id"] for r in args.get("stakes", [])}
    return set()


def wholly_owned(state: State, entities: pd.DataFrame) -> dict[str, str]:
    """Entity -> the firm that owns it whole: a subsidiary with a controlling parent (``entities.parent_id``)
    and no stake row of its own is taken to be wholly owned and controlled by that parent (Google Cloud ->
    Google -> Alphabet); everyone else maps to itself."""
    held = set(state.stakes["target_id"])
    parents = {
        str(c): str(p)
        for c, p in zip(entities["id"], entities["parent_id"], strict=True)
        if pd.notna(p) and c not in held
    }
    return _tops(entities, parents)


def weighted_stakes(state: State, entities: pd.DataFrame) -> pd.DataFrame:
    """The state's stake positions between firms (wholly owned subsidiaries folded into their owner, see
    :func:`wholly_owned`), terms filled from their deals, and β / γ ranges
    (:func:`marketpower.scenario.terms.stake_weights`)."""
    group = wholly_owned(state, entities)
    stakes = with_deal_terms(state.stakes, state.deals)
    stakes["owner_id"] = stakes["owner_id"].map(lambda e: group.get(e, e))
    stakes["target_id"] = stakes["target_id"].map(lambda e: group.get(e, e))
    stakes = stakes[stakes["owner_id"] != stakes["target_id"]]
    return stake_weights(stakes)


def _merged_deals(deals: pd.DataFrame, renames: Mapping[str, str], family: Mapping[str, str]) -> pd.DataFrame:
    if not renames:
        return deals
    out = deals.copy()
    out["payer_id"] = out["payer_id"].replace(dict(renames))
    out["payee_id"] = out["payee_id"].replace(dict(renames))
    top = {e: family.get(renames.get(e, e), renames.get(e, e)) for e in set(out["payer_id"]) | set(out["payee_id"])}
    inside = out["payer_id"].map(top) == out["payee_id"].map(top)
    return out[~inside].copy()


def _record(state: State, op: Operation, what: str, **ids: Any) -> None:
    state.changes.append({"op": op.op, "key": op.key, "what": what, **ids})


def _deal_rows(deals: pd.DataFrame, deal_id: str) -> pd.DataFrame:
    """The deal and its whole revision chain (rows it revises and rows revising it)."""
    chain = {deal_id}
    grew = True
    while grew:
        rows = deals[deals["id"].isin(chain) | deals["supersedes"].isin(chain)]
        more = set(rows["id"]) | set(rows["supersedes"].dropna())
        grew = not more <= chain
        chain |= more
    return deals[deals["id"].isin(chain)]


def _block(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    deals = state.deals
    rows = _deal_rows(deals, op.args["deal"])
    pairs = {frozenset((a, b)) for a, b in zip(rows["payer_id"], rows["payee_id"], strict=True)}
    days = set(pd.to_datetime(rows["announced"]))
    same_pair = pd.Series(
        [frozenset((a, b)) in pairs for a, b in zip(deals["payer_id"], deals["payee_id"], strict=True)],
        index=deals.index,
        dtype=bool,
    )
    linked = deals[same_pair & pd.to_datetime(deals["announced"]).isin(days)]
    removed = pd.concat([rows, linked]).drop_duplicates("id")
    holders = set()
    for r in removed.itertuples():
        if r.kind in EQUITY_KINDS:
            holders.add((r.payee_id, r.payer_id) if r.kind == "warrant" else (r.payer_id, r.payee_id))
    sources = set(removed["source_id"])
    stakes = state.stakes
    held = pd.Series(
        [(o, t) in holders for o, t in zip(stakes["owner_id"], stakes["target_id"], strict=True)],
        index=stakes.index,
        dtype=bool,
    )
    created = stakes[held & (pd.to_datetime(stakes["as_of"]).isin(days) | stakes["source_id"].isin(sources))]
    state.deals = deals[~deals["id"].isin(removed["id"])].copy()
    state.stakes = stakes.drop(created.index)
    for payer, payee in zip(removed["payer_id"].astype(str), removed["payee_id"].astype(str), strict=True):
        state.parties |= {payer, payee}
        state.pairs.add((payer, payee))
    _record(
        state,
        op,
        "blocked",
        deals=sorted(removed["id"]),
        stakes=[f"{o} in {t}" for o, t in zip(created["owner_id"], created["target_id"], strict=True)],
    )


def _pair_rows(stakes: pd.DataFrame, pair: Mapping[str, str]) -> pd.Series:
    return (stakes["owner_id"] == pair["owner"]) & (stakes["target_id"] == pair["target"])


def _remove(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    args = op.args
    if "deal" in args:
        row = state.deals[state.deals["id"] == args["deal"]]
        state.deals = state.deals[state.deals["id"] != args["deal"]].copy()
        state.parties |= set(row["payer_id"]) | set(row["payee_id"])
        _record(state, op, "removed", deals=[args["deal"]])
    elif "stake" in args:
        pair = args["stake"]
        state.stakes = state.stakes[~_pair_rows(state.stakes, pair)]
        _touch(state, pair["owner"], pair["target"])
        _record(state, op, "removed", stakes=[f"{pair['owner']} in {pair['target']}"])
    else:
        row = state.facilities[state.facilities["id"] == args["facility"]]
        state.facilities = state.facilities[state.facilities["id"] != args["facility"]].copy()
        state.parties |= {str(v) for v in row[["owner_id", "main_tenant_id"]].stack()}
        _record(state, op, "removed", facilities=[args["facility"]])


def _touch(state: State, owner: str, target: str) -> None:
    state.parties |= {owner, target}
    state.pairs.add((owner, target))


def _unwind(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    if "deal" in op.args:
        _block(state, op, scenario, ctx)
        return
    pair = op.args["stake"]
    deals = state.deals
    equity = deals[
        (deals["payer_id"] == pair["owner"]) & (deals["payee_id"] == pair["target"]) & deals["kind"].isin(EQUITY_KINDS)
    ]
    state.deals = deals.drop(equity.index)
    state.stakes = state.stakes[~_pair_rows(state.stakes, pair)]
    _touch(state, pair["owner"], pair["target"])
    _record(state, op, "unwound", stakes=[f"{pair['owner']} in {pair['target']}"], deals=sorted(equity["id"]))


def _merge(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    into, targets = op.args["into"], [f for f in op.args["firms"] if f != op.args["into"]]
    stakes = state.stakes
    bought = stakes[stakes["target_id"].isin(targets)]
    rows = [
        {
            "owner_id": into,
            "target_id": t,
            "as_of": scenario.as_of,
            "instrument": "common",
            "equity_fraction": 1.0,
            "voting_fraction": 1.0,
            "control_rights": "control",
            "source_id": USER_SOURCE,
            "note": f"scenario {scenario.id}: {into} acquires all of {t}",
        }
        for t in targets
    ]
    state.stakes = _concat(stakes.drop(bought.index), rows, "stakes")
    for t in targets:
        state.renames[t] = into
        _touch(state, into, t)
    _record(
        state,
        op,
        "merged",
        firms=op.args["firms"],
        into=into,
        stakes=[f"{o} in {t} (bought out)" for o, t in zip(bought["owner_id"], bought["target_id"], strict=True)],
    )


def _stake(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    a = op.args
    row = {
        "owner_id": a["owner"],
        "target_id": a["target"],
        "as_of": scenario.as_of,
        "instrument": a["instrument"],
        "equity_fraction": a.get("equity"),
        "equity_fraction_low": a.get("equity_low"),
        "equity_fraction_high": a.get("equity_high"),
        "voting_fraction": a.get("voting"),
        "source_id": a["source"],
        "note": f"scenario {scenario.id}",
        **{k: a[k] for k in TERMS if k in a},
    }
    pair = {"owner": a["owner"], "target": a["target"]}
    state.stakes = _concat(state.stakes[~_pair_rows(state.stakes, pair)], [row], "stakes")
    _touch(state, a["owner"], a["target"])
    _record(state, op, "stake set", stakes=[f"{a['owner']} in {a['target']}"])


def _divest(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    a = op.args
    if "facility" in a:
        facilities = state.facilities.copy()
        where = facilities["id"] == a["facility"]
        state.parties |= {str(v) for v in facilities.loc[where, "owner_id"].dropna()}
        facilities.loc[where, "owner_id"] = a.get("to")
        if a.get("to"):
            state.parties.add(a["to"])
        state.facilities = facilities
        _record(state, op, "divested", facilities=[a["facility"]], to=a.get("to") or "a buyer outside the data")
        return
    pair, keep = a["stake"], float(a.get("keep", 0.0))
    stakes = state.stakes.copy()
    rows = _pair_rows(stakes, pair)
    if keep == 0:
        stakes = stakes[~rows]
    else:
        stakes.loc[rows, "equity_fraction"] = keep
        stakes.loc[rows, ["equity_fraction_low", "equity_fraction_high"]] = float("nan")
        voting = stakes.loc[rows, "voting_fraction"].astype(float)
        stakes.loc[rows, "voting_fraction"] = voting.clip(upper=keep)
    state.stakes = stakes
    _touch(state, pair["owner"], pair["target"])
    _record(state, op, "divested", stakes=[f"{pair['owner']} in {pair['target']}"], keep=keep)


def _cap(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    a = op.args
    layers, parents = ctx["layers"], ctx["parents"]

    def matches(entity: str, side: str) -> bool:
        if f"{side}s" in a:
            return entity in set(a[f"{side}s"])
        return bool(layer_of(entity, layers, parents) == a[f"{side}_layer"])

    stakes = state.stakes.copy()
    hit = pd.Series(
        [
            matches(o, "owner") and matches(t, "target")
            for o, t in zip(stakes["owner_id"], stakes["target_id"], strict=True)
        ],
        index=stakes.index,
        dtype=bool,
    )
    cap = a["max_equity"]
    for col in ("equity_fraction", "equity_fraction_low", "equity_fraction_high", "voting_fraction"):
        stakes.loc[hit, col] = stakes.loc[hit, col].astype(float).clip(upper=cap)
    if not a["votes"]:
        stakes.loc[hit, "voting_fraction"] = 0.0
        stakes.loc[hit, "board_seats"] = 0
        stakes.loc[hit, "observer_seat"] = False
        stakes.loc[hit, "control_rights"] = "none"
    if not a["exclusivity"]:
        stakes.loc[hit, "exclusivity"] = "none"
    state.stakes = stakes
    capped = stakes[hit]
    for o, t in zip(capped["owner_id"], capped["target_id"], strict=True):
        _touch(state, o, t)
    _record(
        state,
        op,
        "capped",
        stakes=[f"{o} in {t}" for o, t in zip(capped["owner_id"], capped["target_id"], strict=True)],
    )


def _add(state: State, op: Operation, scenario: Scenario, ctx: Mapping[str, Any]) -> None:
    a = op.args
    for table, rows in a.items():
        frame = getattr(state, table)
        setattr(state, table, _concat(frame, rows, table))
        for r in rows:
            ids = [r.get(k) for k in ("owner_id", "target_id", "payer_id", "payee_id", "main_tenant_id") if r.get(k)]
            state.parties |= set(ids)
            if table == "stakes":
                state.pairs.add((r["owner_id"], r["target_id"]))
            if table == "deals":
                state.pairs.add((r["payer_id"], r["payee_id"]))
        _record(
            state, op, "added", **{table: [r.get("id") or f"{r.get('owner_id')} in {r.get('target_id')}" for r in rows]}
        )


_OPS = {
    "block": _block,
    "remove": _remove,
    "unwind": _unwind,
    "merge": _merge,
    "stake": _stake,
    "divest": _divest,
    "cap": _cap,
    "add": _add,
}
