"""The deal web: the deals, money loops, who owns whom, who depends on whom, who sits at the centre."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..flows import dependence as dep
from ..flows.loops import DEFAULT_MAX_LEN, loops_table
from ..flows.network import (
    EXPORT_FORMATS,
    build_graph,
    export_network,
    money_edges,
    network_frames,
    stake_edges,
    web_history,
)
from ..flows.nullmodel import DEFAULT_REWIRINGS, DEFAULT_SEED, NullModel, canonical_cycle, null_model
from ..flows.ownership import chains_to, effective_interest
from ..flows.public import flag_public_private, public_ids
from ..flows.rollup import rollup_edges, ultimate_parents
from ..schema.deals import deal_amounts, effective_deals
from .results import Result, Source, context_of


def iso_date(value: str | None, option: str) -> str | None:
    """``value`` checked as a YYYY-MM-DD date (None stays None); ``option`` names it in the error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInputError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


def web_edges(source: Source, since: str | None = None, as_of: str | None = None, rollup: bool = True) -> pd.DataFrame:
    """Money edges of the deals in force on ``as_of`` announced on or after ``since``
    (:func:`marketpower.flows.network.money_edges`), each flagged ``public_private`` (a public party among its
    legal parties: :mod:`marketpower.flows.public`); with ``rollup``, both ends mapped to their ultimate
    controlling parents, legal ids kept in ``payer_legal_id``/``payee_legal_id`` and intra-group edges dropped
    (:mod:`marketpower.flows.rollup`)."""
    ctx = context_of(source)
    entities = ctx.table("entities")
    edges = money_edges(ctx.table("deals"), since=iso_date(since, "--since"), until=iso_date(as_of, "--as-of"))
    edges = flag_public_private(edges, public_ids(entities), ("payer_id", "payee_id"))
    if rollup:
        return rollup_edges(edges, ultimate_parents(entities))
    return edges.assign(payer_legal_id=edges["payer_id"], payee_legal_id=edges["payee_id"])


def controlling_parents(source: Source) -> dict[str, str]:
    """Each entity id -> its ultimate controlling parent (itself when none), as loops and the deal web roll up
    (:func:`marketpower.flows.rollup.ultimate_parents`)."""
    ctx = context_of(source)
    return ctx.cached("api:controlling_parents", lambda: ultimate_parents(ctx.table("entities")))


@dataclasses.dataclass(frozen=True)
class Loops(Result):
    """Circular money flows ranked by round-trip amount (the smallest leg), one row per loop, each scored
    against degree-preserving rewirings of the web (``null_fraction``, ``null_z``, ``null_p``: :mod:`marketpower.
    flows.nullmodel`; ``null_model`` names the method) and flagged ``public_private`` when a leg has a public
    party. ``by_length``: observed and rewired loop counts by length; ``summary``: loops counted apart."""

    table: pd.DataFrame
    by_length: pd.DataFrame
    summary: dict[str, Any]

    def payload(self) -> Any:
        return self.table.to_dict("records")

    def title(self) -> str:
        return "Money loops"


def _cycle_of(firms: list[str]) -> tuple[str, ...]:
    return canonical_cycle(firms[:-1])


def loops(
    source: Source,
    since: str | None = None,
    max_len: int = DEFAULT_MAX_LEN,
    window_days: int | None = None,
    min_usd: float | None = None,
    as_of: str | None = None,
    rollup: bool = True,
    rewirings: int = DEFAULT_REWIRINGS,
    seed: int = DEFAULT_SEED,
) -> Loops:
    """Every cycle of money among the deals in force on ``as_of`` (announced on or after ``since``) up to
    ``max_len`` legs (:func:`marketpower.flows.loops.loops_table` on :func:`web_edges`; at the controlling
    parents unless ``rollup`` is False), scored against ``rewirings`` seeded rewirings of the same web, counted
    within the same ``window_days`` (:func:`marketpower.flows.nullmodel.null_model`)."""
    edges = web_edges(source, since, as_of, rollup)
    table = loops_table(edges, max_len=max_len, window_days=window_days, min_usd=min_usd)
    model: NullModel = null_model(
        edges["payer_id"].tolist(), edges["payee_id"].tolist(), [f[:-1] for f in table["firms"]], max_len,
        rewirings, seed, announced=edges["announced"].tolist(), window_days=window_days,
    )
    z_by_length = dict(zip(model.by_length["length"], model.by_length["z"], strict=True))
    p_by_length = dict(zip(model.by_length["length"], model.by_length["p"], strict=True))
    public = {d for d, flag in zip(edges["deal_id"], edges["public_private"], strict=True) if flag}
    table = table.assign(
        public_private=[any(leg["deal_id"] in public for leg in legs) for legs in table["legs"]],
        null_fraction=[model.cycle_fraction[_cycle_of(list(f))] for f in table["firms"]],
        null_z=[float(z_by_length[n]) for n in table["length"]],
        null_p=[float(p_by_length[n]) for n in table["length"]],
        null_model=model.method(),
    )
    private = table[~table["public_private"].astype(bool)]
    summary = {
        "loops": len(table),
        "public_private_loops": int(table["public_private"].astype(bool).sum()),
        "private_round_trip_usd": float(private["round_trip_usd"].sum()),
        "public_private_round_trip_usd": float(table.loc[table["public_private"].astype(bool), "round_trip_usd"].sum()),
        "rollup": rollup,
        "as_of": iso_date(as_of, "--as-of"),
        "null_model": model.method(),
        "window_days": window_days,
        "rewirings": rewirings,
        "seed": seed,
    }
    return Loops(table, model.by_length, summary)


@dataclasses.dataclass(frozen=True)
class Owners(Result):
    """Who owns ``entity_id``: each owner's effective economic interest and every chain of stakes ending at it."""

    entity_id: str
    as_of: str | None
    method: str
    owners: pd.DataFrame
    chains: pd.DataFrame

    def payload(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "as_of": self.as_of,
            "method": self.method,
            "owners": self.owners.to_dict("records"),
            "chains": self.chains.to_dict("records"),
        }


def owners(source: Source, entity_id: str, as_of: str | None = None, include_warrants: bool = False) -> Owners:
    """Every chain of stakes ending at ``entity_id`` (product of fractions, weakest-link control) and each
    owner's effective interest over all chains, (I − A)⁻¹ − I (:mod:`marketpower.flows.ownership`)."""
    ctx = context_of(source)
    if entity_id not in set(ctx.table("entities")["id"]):
        raise InvalidInputError(
            f"entity {entity_id!r} is not in the entities table; see `marketpower sources` or "
            "the package's entities.csv for ids"
        )
    stakes = ctx.table("stakes")
    when = iso_date(as_of, "--as-of")
    chains = chains_to(stakes, entity_id, when, include_warrants)
    interest = effective_interest(stakes, when, include_warrants)
    interest = interest[interest["target_id"] == entity_id].drop(columns="target_id")
    method = "effective = (I - A)^-1 - I over all chains; control = weakest link"
    return Owners(entity_id, when, method, interest, chains)


@dataclasses.dataclass(frozen=True)
class Dependence(Result):
    """Counterparty concentration (HHI over partners, 0-10,000) of money paid and received; with an entity,
    its own row (``summary``) and its counterparties by committed USD."""

    entity_id: str | None
    summary: pd.DataFrame
    counterparties: pd.DataFrame | None

    def payload(self) -> Any:
        if self.entity_id is None:
            return self.summary
        assert self.counterparties is not None
        return {"summary": self.summary.to_dict("records"), "counterparties": self.counterparties.to_dict("records")}


def dependence(
    source: Source, entity_id: str | None = None, since: str | None = None, as_of: str | None = None,
    rollup: bool = True,
) -> Dependence:
    """Who depends on whom (:func:`marketpower.flows.dependence.dependence`, :func:`marketpower.flows.
    dependence.counterparties`) among the deals in force on ``as_of`` announced on or after ``since``, at the
    controlling parents unless ``rollup`` is False (:func:`web_edges`); ``public_private_usd`` is the part of
    ``total_usd`` with a public party, counted apart."""
    edges = web_edges(source, since, as_of, rollup)
    summary = dep.dependence(edges)
    if entity_id is None:
        return Dependence(None, summary, None)
    table = dep.counterparties(edges)
    table = table[table["entity_id"] == entity_id]
    if table.empty:
        raise InvalidInputError(f"entity {entity_id!r} has no deals in force (check the id or --since)")
    return Dependence(entity_id, summary[summary["entity_id"] == entity_id], table)


@dataclasses.dataclass(frozen=True)
class Centrality(Result):
    """Weighted degree (USD), betweenness and eigenvector centrality of the firms, with each method named."""

    methods: dict[str, str]
    firms: pd.DataFrame

    def payload(self) -> dict[str, Any]:
        return {"methods": self.methods, "firms": self.firms.to_dict("records")}


def centrality(
    source: Source, since: str | None = None, top: int | None = None, as_of: str | None = None, rollup: bool = True
) -> Centrality:
    """Centrality in the money web on ``as_of`` (:func:`marketpower.flows.dependence.centrality` on
    :func:`web_edges`, at the controlling parents unless ``rollup`` is False), the ``top`` firms."""
    table = dep.centrality(web_edges(source, since, as_of, rollup))
    methods = dict(table.attrs.get("methods", dep.CENTRALITY_METHODS))
    return Centrality(methods, table if top is None else table.head(top))


@dataclasses.dataclass(frozen=True)
class Deals(Result):
    """Every deal, latest first, with its headline amount (``amount``, ``amount_basis``:
    :func:`marketpower.schema.deals.deal_amounts`), whether it is in force (:func:`marketpower.schema.deals.
    effective_deals`) and the deal that revised it (``superseded_by``)."""

    table: pd.DataFrame

    def payload(self) -> Any:
        return self.table


def deals(source: Source) -> Deals:
    """The deals table with amounts, status in force and revision links (see :class:`Deals`)."""
    ctx = context_of(source)

    def build() -> Deals:
        table = ctx.table("deals")
        revised = table[table["supersedes"].fillna("").astype(str) != ""]
        superseded_by = dict(zip(revised["supersedes"], revised["id"], strict=True))
        in_force = set(effective_deals(table)["id"])
        amounts = deal_amounts(table).rename(columns={"amount_usd": "amount"})
        ordered = table.join(amounts).sort_values(["announced", "id"], ascending=[False, True])
        ordered = ordered.assign(
            superseded_by=ordered["id"].map(superseded_by), in_force=ordered["id"].isin(in_force)
        )
        ordered = flag_public_private(ordered, public_ids(ctx.table("entities")), ("payer_id", "payee_id"))
        return Deals(ordered)

    return ctx.cached("api:deals", build)


@dataclasses.dataclass(frozen=True)
class DealWeb(Result):
    """The deal web as of a date: ``nodes`` (entities with their layer) and ``edges`` (money edges by deal kind,
    ownership edges by stake, site edges host -> user of the facilities with their status on the date), each
    with its source (:func:`marketpower.flows.network.network_frames`) and ``public_private`` (a public party at
    either end); at the controlling parents when ``rollup`` (legal ids in ``source_legal_id``/``target_legal_id``).
    """

    as_of: str | None
    rollup: bool
    nodes: pd.DataFrame
    edges: pd.DataFrame


def deal_web(source: Source, as_of: str | None = None, rollup: bool = True) -> DealWeb:
    """Nodes and edges of the deal web on ``as_of`` (YYYY-MM-DD; default: latest), at the controlling parents
    unless ``rollup`` is False (:mod:`marketpower.flows.rollup`, as for loops and centrality)."""
    ctx = context_of(source)
    when = iso_date(as_of, "--as-of")
    entities = ctx.table("entities")
    nodes, edges = network_frames(
        ctx.table("deals"), ctx.table("stakes"), entities, ctx.table("entity_layers"), when,
        facilities=ctx.table("facilities"), parents=ultimate_parents(entities) if rollup else None,
    )
    public = public_ids(entities)
    ends = ("source_legal_id", "target_legal_id") if rollup else ("source", "target")
    edges = flag_public_private(edges, public, ends)
    return DealWeb(when, rollup, nodes, edges)


@dataclasses.dataclass(frozen=True)
class DealWebHistory(Result):
    """Every money and ownership edge of the deal web that is in force at some date, with when
    (``in_force_from``, ``in_force_until`` exclusive, None while in force: :func:`marketpower.flows.asof.
    deal_intervals`, :func:`marketpower.flows.asof.stake_intervals`), and ``dates``: the days the web changes
    (the as-of dates at which :func:`deal_web` can differ from the day before)."""

    rollup: bool
    edges: pd.DataFrame
    dates: list[str]

    def payload(self) -> dict[str, Any]:
        return {"rollup": self.rollup, "dates": self.dates, "edges": self.edges.to_dict("records")}


def deal_web_history(source: Source, rollup: bool = True) -> DealWebHistory:
    """The deal web over time (:func:`marketpower.flows.network.web_history`), at the controlling parents
    unless ``rollup``, each edge flagged ``public_private`` as in :func:`deal_web`."""
    ctx = context_of(source)
    entities = ctx.table("entities")
    edges = web_history(ctx.table("deals"), ctx.table("stakes"))
    ends = ("source", "target")
    if rollup:
        edges = rollup_edges(edges, ultimate_parents(entities), ends)
        ends = ("source_legal_id", "target_legal_id")
    edges = flag_public_private(edges, public_ids(entities), ends)
    changes = pd.to_datetime(pd.concat([edges["in_force_from"], edges["in_force_until"]]).dropna())
    dates = sorted({d.date().isoformat() for d in changes})
    for column in ("in_force_from", "in_force_until"):
        edges[column] = [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in edges[column]]
    return DealWebHistory(rollup, edges, dates)


@dataclasses.dataclass(frozen=True)
class Ownership(Result):
    """Who owns whom: every stake edge in force (``stakes``: :func:`marketpower.flows.network.stake_edges`) and
    the owners' effective interests that differ from the direct ones (``indirect``: held through chains,
    :func:`marketpower.flows.ownership.effective_interest`)."""

    stakes: pd.DataFrame
    indirect: pd.DataFrame


def ownership(source: Source) -> Ownership:
    """Stakes in force and indirect interests (effective − direct above 1e-9) of the stakes table."""
    ctx = context_of(source)
    table = ctx.table("stakes")
    if table.empty:
        return Ownership(pd.DataFrame(), pd.DataFrame())
    edges = stake_edges(table).sort_values(["target_id", "equity_fraction"], ascending=[True, False])
    interest = effective_interest(table)
    indirect = interest[(interest["effective_fraction"] - interest["direct_fraction"]).abs() > 1e-9]
    return Ownership(edges, indirect)


def deals_between(source: Source, a: str, b: str, as_of: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The deals between ``a`` and ``b`` (either way) in force on ``as_of`` (:func:`marketpower.schema.deals.
    effective_deals` of those announced by then; all of them without a date), and those announced later."""
    table = context_of(source).table("deals")
    pair = table[table["payer_id"].isin({a, b}) & table["payee_id"].isin({a, b})]
    if as_of is None:
        return effective_deals(pair), pair.iloc[0:0]
    announced = pd.to_datetime(pair["announced"])
    known = pair[announced <= pd.Timestamp(as_of)]
    return effective_deals(known), pair[announced > pd.Timestamp(as_of)]


def export_deal_web(
    source: Source, fmt: str, out: Path, as_of: str | None = None, rollup: bool = True
) -> dict[str, Any]:
    """Write the deal web on ``as_of`` to ``out`` as ``fmt`` (one of :data:`EXPORT_FORMATS`: GraphML or GEXF open
    in Gephi; :func:`marketpower.flows.network.export_network`), at the controlling parents unless ``rollup``;
    what was written, with node and edge counts."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(f"--format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    web = deal_web(source, as_of, rollup)
    nodes, edges = web.nodes, web.edges
    path = export_network(build_graph(nodes, edges), fmt, out)
    return {
        "written": str(path),
        "format": fmt,
        "as_of": web.as_of,
        "rollup": rollup,
        "nodes": len(nodes),
        "edges": len(edges),
        "money_edges": int((edges["relation"] == "money").sum()),
        "ownership_edges": int((edges["relation"] == "ownership").sum()),
        "facility_edges": int((edges["relation"] == "facility").sum()),
        "public_private_edges": int(edges["public_private"].astype(bool).sum()),
    }
