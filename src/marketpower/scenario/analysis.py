"""Baseline (the store as it is) against a scenario, as of its date: every section runs the existing domain
functions on both states and reports the two values and the change, with ranges where the inputs are ranges.

- markets touched (two or more firms of the scenario's parties' groups with a point share): HHI, MHHI and ΔMHHI
  (:func:`marketpower.measures.ownership.mhhi`, β and γ from the stakes' terms), the US 2023 / 2010 and EU screens
  of each state (:data:`marketpower.measures.guidelines.SCREENS`, post index = MHHI, Δ = MHHI − HHI, share = the
  largest group of linked firms);
- simulation (logit Bertrand, :func:`marketpower.simulate.engine.run`) where the market's shares measure sales and
  one margin is known, with the solver's diagnostics; otherwise the inputs it would need;
- vertical GUPPIs of supplier-customer deals between the parties
  (:func:`marketpower.simulate.diagnostics.vertical_guppi`) with plausibility checks;
- the deal web (:mod:`marketpower.flows.loops`, :mod:`marketpower.flows.dependence`);
- compute and power committed to each buyer (:mod:`marketpower.flows.compute`, :mod:`marketpower.flows.compute_share`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import MarketpowerError
from ..flows.compute import ModelParams, accelerator, accelerators_to_compute, power_to_compute
from ..flows.compute_share import concentration_by_period
from ..flows.dependence import dependence
from ..flows.loops import loops_table
from ..flows.network import money_edges
from ..flows.ownership import integrated_interest
from ..measures.concentration import hhi_range
from ..measures.guidelines import GUIDELINE_IDS, SCREENS
from ..measures.ownership import mhhi
from ..measures.value_capture import PURCHASE_KINDS
from ..schema.deals import effective_deals, positions_as_of
from ..schema.market import OTHERS_ID
from ..simulate.case import parse_case
from ..simulate.diagnostics import vertical_guppi
from ..simulate.engine import run
from ..simulate.ownership import Ownership
from .overlay import State, apply, baseline_state, families, weighted_stakes, wholly_owned
from .result import ScenarioResult
from .spec import Assumption, Scenario

#: Uncertain stake weights evaluated at every corner of their box up to this many; beyond, at the extremes.
MAX_CORNERS = 2
PRICE_MEASURES = ("revenue", "units")
WEIGHTS = ["beta_low", "beta", "beta_high", "gamma_low", "gamma", "gamma_high"]
TOL = 1e-9


# ------------------------------------------------------------------------------------------------ ownership


def _variant(weighted: pd.DataFrame, beta: str, gamma: str) -> pd.DataFrame:
    frame = weighted.dropna(subset=[beta]).copy()
    frame["equity_fraction"] = frame[beta].astype(float)
    frame["voting_fraction"] = frame[gamma].astype(float)
    frame["equity_fraction_low"] = float("nan")
    frame["equity_fraction_high"] = float("nan")
    return frame


def _connected(stakes: pd.DataFrame, firms: Sequence[str]) -> pd.DataFrame:
    """The stake rows on some chain of ownership into ``firms`` (the only ones their matrices depend on)."""
    keep: set[Any] = set()
    visited, frontier = set(firms), set(firms)
    while frontier:
        rows = stakes[stakes["target_id"].isin(frontier)]
        keep |= set(rows.index)
        frontier = set(rows["owner_id"]) - visited
        visited |= frontier
    return stakes.loc[sorted(keep)]


def _direct(positions: pd.DataFrame) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """(ids, A economic, V voting) of positions, as :func:`marketpower.flows.ownership.direct_matrix` (warrants
    out, voting = equity unless stated)."""
    rows = positions[(positions["instrument"] != "warrant") & positions["equity_fraction"].notna()]
    return _direct_lists(
        rows["owner_id"].tolist(),
        rows["target_id"].tolist(),
        rows["equity_fraction"].astype(float).tolist(),
        rows["voting_fraction"].astype(float).tolist(),
    )


def _direct_lists(
    owners: Sequence[Any], targets: Sequence[Any], fractions: Sequence[float], votes: Sequence[float]
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`_direct` of rows given as lists (owner, target, equity fraction, voting fraction; NaN = equity)."""
    ids = sorted({str(e) for e in owners} | {str(e) for e in targets})
    index = {e: i for i, e in enumerate(ids)}
    economic = np.zeros((len(ids), len(ids)))
    voting = np.zeros((len(ids), len(ids)))
    for owner, target, fraction, vote in zip(owners, targets, fractions, votes, strict=True):
        i, j = index[str(owner)], index[str(target)]
        economic[i, j] += fraction
        voting[i, j] = max(voting[i, j], fraction if np.isnan(vote) else vote)
    return ids, economic, voting


def ownership_arrays(
    positions: pd.DataFrame, firms: Sequence[str]
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """(owners, β, γ) exactly as :func:`marketpower.flows.ownership.ownership_matrices` builds them (β integrated
    through chains by :func:`~marketpower.flows.ownership.integrated_interest`, γ the direct voting fraction, each
    firm its own owner for what the others do not hold, warrants left out), as arrays, from rows that are already
    positions at one date (the scenario's), so the corners of a range skip the date logic and the DataFrames;
    ``tests/scenario`` checks the two agree on the bundled data."""
    return _ownership_from_direct(*_direct(positions), firms)


def _ownership_from_direct(
    ids: list[str], economic: NDArray[np.float64], voting: NDArray[np.float64], firms: Sequence[str]
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`ownership_arrays` from the direct matrices (:func:`_direct`)."""
    index = {e: i for i, e in enumerate(ids)}
    interest = integrated_interest(economic)
    cols = [index.get(f) for f in firms]
    owners = sorted(
        {ids[i] for c in cols if c is not None for i in np.flatnonzero(interest[:, c] > 1e-12)} | set(firms)
    )
    beta = np.zeros((len(owners), len(firms)))
    gamma = np.zeros((len(owners), len(firms)))
    for k, (firm, c) in enumerate(zip(firms, cols, strict=True)):
        own = owners.index(firm)
        if c is not None:
            for r, owner in enumerate(owners):
                if owner in index and owner != firm:
                    beta[r, k] = interest[index[owner], c]
                    gamma[r, k] = voting[index[owner], c]
        beta[own, k] = max(0.0, 1.0 - float(beta[:, k].sum()))
        gamma[own, k] = max(0.0, 1.0 - float(gamma[:, k].sum()))
    return owners, beta, gamma


def _weights_matrix(positions: pd.DataFrame, firms: list[str], shares: np.ndarray) -> tuple[float, np.ndarray]:
    owners, beta, gamma = ownership_arrays(positions, firms)
    result = mhhi(shares, beta, gamma, firms=firms, owners=owners)
    return result.mhhi, result.weights


def _mhhi_range(weighted: pd.DataFrame, firms: list[str], shares: np.ndarray, cache: dict[Any, Any]) -> dict[str, Any]:
    """MHHI at the central weights and its min / max over the uncertain stakes' β and γ (named firms only)."""
    weighted = positions_as_of(_connected(weighted.dropna(subset=["beta"]), firms))
    key = (
        tuple(firms),
        tuple(shares.tolist()),
        tuple(tuple(r) for r in weighted[["owner_id", "target_id", *WEIGHTS]].itertuples(index=False)),
    )
    if key in cache:
        return dict(cache[key])
    if weighted.empty:
        plain = hhi_range(shares, 0.0)[0]
        cache[key] = {
            "mhhi": plain,
            "mhhi_low": plain,
            "mhhi_high": plain,
            "weights": np.eye(len(firms)),
            "uncertain_stakes": [],
        }
        return dict(cache[key])
    central, weights = _weights_matrix(_variant(weighted, "beta", "gamma"), firms, shares)
    near = weighted["target_id"].isin(firms) | weighted["owner_id"].isin(firms)
    uncertain = weighted[
        near & ((weighted["beta_low"] != weighted["beta_high"]) | (weighted["gamma_low"] != weighted["gamma_high"]))
    ].dropna(subset=["beta"])
    params = [
        (i, w)
        for i in uncertain.index
        for w in ("beta", "gamma")
        if uncertain.loc[i, f"{w}_low"] != uncertain.loc[i, f"{w}_high"]
    ]
    values = [central]
    if params:
        corners = (
            list(product(("low", "high"), repeat=len(params)))
            if len(params) <= MAX_CORNERS
            else [tuple([e] * len(params)) for e in ("low", "high")]
            + [
                tuple("low" if w == "beta" else "high" for _, w in params),
                tuple("high" if w == "beta" else "low" for _, w in params),
            ]
        )
        # each corner sets the uncertain β / γ to their low or high ends: the rows stay, only values change
        position = {label: k for k, label in enumerate(weighted.index)}
        ids_of = [weighted[c].tolist() for c in ("owner_id", "target_id")]
        not_warrant = (weighted["instrument"] != "warrant").tolist()
        central_of = {w: weighted[w].astype(float).tolist() for w in ("beta", "gamma")}
        end_of = {
            (w, e): weighted[f"{w}_{e}"].astype(float).tolist() for w in ("beta", "gamma") for e in ("low", "high")
        }
        for corner in corners:
            value_of = {w: list(v) for w, v in central_of.items()}
            for (i, w), end in zip(params, corner, strict=True):
                value_of[w][position[i]] = end_of[(w, end)][position[i]]
            keep = [k for k, ok in enumerate(not_warrant) if ok and not math.isnan(value_of["beta"][k])]
            direct = _direct_lists(
                *([column[k] for k in keep] for column in (*ids_of, value_of["beta"], value_of["gamma"]))
            )
            owners, beta, gamma = _ownership_from_direct(*direct, firms)
            values.append(mhhi(shares, beta, gamma, firms=firms, owners=owners).mhhi)
    cache[key] = {
        "mhhi": central,
        "mhhi_low": min(values),
        "mhhi_high": max(values),
        "weights": weights,
        "uncertain_stakes": [f"{r.owner_id} in {r.target_id}" for r in uncertain.itertuples()],
    }
    return dict(cache[key])


def _linked_share(weights: np.ndarray, shares: np.ndarray) -> float:
    """Share of the largest group of firms linked by a positive profit weight (either direction)."""
    n = len(shares)
    linked = (weights > TOL) | (weights.T > TOL)
    seen, best = set(), 0.0
    for start in range(n):
        if start in seen:
            continue
        group, stack = set(), [start]
        while stack:
            j = stack.pop()
            if j in group:
                continue
            group.add(j)
            stack += [int(k) for k in np.flatnonzero(linked[j]) if int(k) not in group]
        seen |= group
        best = max(best, float(shares[list(group)].sum()))
    return best


def _screens(post_low: float, post_high: float, delta: float, share: float) -> list[dict[str, Any]]:
    out = []
    for g in GUIDELINE_IDS:
        low = SCREENS[g](min(post_low, 10_000.0), min(max(delta, 0.0), 10_000.0), min(share, 1.0))
        high = SCREENS[g](min(post_high, 10_000.0), min(max(delta, 0.0), 10_000.0), min(share, 1.0))
        outcome = low.outcome if low.outcome == high.outcome else f"{low.outcome} to {high.outcome}"
        out.append(
            {
                "guideline": g,
                "title": low.title,
                "outcome": outcome,
                "citation": low.citation.url,
                "section": low.citation.section,
            }
        )
    return out


def _market_state(
    weighted: pd.DataFrame, firms: list[str], shares: np.ndarray, others: float, cache: dict[Any, Any]
) -> dict[str, Any]:
    plain_low, plain_high = hhi_range(shares, others)
    ranged = _mhhi_range(weighted, firms, shares, cache)
    extra = plain_high - plain_low  # the unattributed remainder as one firm
    delta = ranged["mhhi"] - plain_low
    share = _linked_share(ranged["weights"], shares)
    return {
        "hhi_low": plain_low,
        "hhi_high": plain_high,
        "mhhi": ranged["mhhi"],
        "mhhi_low": ranged["mhhi_low"],
        "mhhi_high": ranged["mhhi_high"] + extra,
        "mhhi_delta": delta,
        "mhhi_delta_low": ranged["mhhi_low"] - plain_low,
        "mhhi_delta_high": ranged["mhhi_high"] - plain_low,
        "linked_share": share,
        "uncertain_stakes": ranged["uncertain_stakes"],
        "screens": _screens(ranged["mhhi"], ranged["mhhi"] + extra, delta, share),
        "weights": ranged["weights"],
    }


def _touched_markets(
    snapshots: Mapping[str, pd.DataFrame],
    parties: set[str],
    top: Mapping[str, str],
    extra: Sequence[str],
    shares: pd.DataFrame,
) -> list[str]:
    groups = {top.get(p, p) for p in parties}
    tagged = shares.assign(group=shares["entity_id"].map(lambda e: top.get(e, e)))
    counts = tagged[tagged["group"].isin(groups)].groupby("market_id")["group"].nunique()
    candidates = set(counts[counts >= 2].index) | set(extra)
    out = []
    for market_id in sorted(m for m in candidates if m in snapshots):
        rows = snapshots[market_id]
        named = rows[(rows["entity_id"] != OTHERS_ID) & rows["share"].notna()]
        members = {top.get(e, e) for e in named["entity_id"]} & groups
        if len(members) >= 2 or market_id in extra:
            out.append(market_id)
    return out


def _markets(
    scenario: Scenario,
    tables: Mapping[str, pd.DataFrame],
    snapshots: Mapping[str, pd.DataFrame],
    wb: pd.DataFrame,
    ws: pd.DataFrame,
    parties: set[str],
    group: Mapping[str, str],
    cache: dict[Any, Any],
) -> list[dict[str, Any]]:
    top = families(tables["entities"])
    measures = dict(zip(tables["markets"]["id"], tables["markets"]["measure"], strict=True))
    names = dict(zip(tables["markets"]["id"], tables["markets"]["name"], strict=True))
    out = []
    for market_id in _touched_markets(snapshots, parties, top, scenario.markets, tables["shares"]):
        rows = snapshots[market_id]
        named = rows[(rows["entity_id"] != OTHERS_ID) & rows["share"].notna()]
        by_firm = (
            named.assign(firm=named["entity_id"].map(lambda e: group.get(e, e)))
            .groupby("firm", sort=False)["share"]
            .sum()
        )
        firms = [str(e) for e in by_firm.index]
        shares = by_firm.to_numpy(dtype=float)
        others = max(0.0, 1.0 - float(shares.sum()))
        base, scen = _market_state(wb, firms, shares, others, cache), _market_state(ws, firms, shares, others, cache)
        entry: dict[str, Any] = {
            "market_id": market_id,
            "market": names.get(market_id, market_id),
            "measure": measures.get(market_id),
            "year": int(rows["year"].iloc[0]),
            "period": str(rows["period"].astype(object).fillna("").iloc[0]),
            "series": str(rows["series"].astype(object).fillna("").iloc[0]),
            "firms": firms,
            "shares": shares.tolist(),
            "others_share": others,
            "baseline": base,
            "scenario": scen,
            "change": {k: scen[k] - base[k] for k in ("mhhi", "mhhi_low", "mhhi_high", "mhhi_delta")},
            "source_ids": sorted(set(rows["source_id"].dropna())),
        }
        entry["simulation"] = _simulate(scenario, tables, market_id, entry, base["weights"], scen["weights"])
        out.append(entry)
    return out


# ------------------------------------------------------------------------------------------------ simulation


def operating_margins(financials: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """Entity -> (latest annual operating margin = operating income / revenue, how it was read with its sources)."""
    if financials.empty:
        return {}
    rows = financials[financials["period"].astype(str).str.startswith("FY")]
    rows = rows[rows["metric"].isin(("revenue", "operating_income"))]
    both = rows.pivot_table(index=["entity_id", "period"], columns="metric", values="amount_usd", aggfunc="sum")
    if not {"revenue", "operating_income"} <= set(both.columns):
        return {}
    both = both.dropna(subset=["revenue", "operating_income"]).sort_index()
    cited = rows.groupby(["entity_id", "period"])["source_id"].agg(lambda v: ", ".join(sorted(set(v.dropna()))))
    out = {}
    latest = both.groupby(level=0).tail(1)
    for key, income, revenue in zip(latest.index, latest["operating_income"], latest["revenue"], strict=True):
        entity, period = str(key[0]), str(key[1])
        how = f"{entity} {period} operating income / revenue ({cited[(key[0], key[1])]})"
        out[entity] = (float(income) / float(revenue), how)
    return out


class _Inputs(dict[str, pd.DataFrame]):
    """The tables of one analysis, with what is derived from them once (operating margins)."""

    @property
    def margins(self) -> dict[str, tuple[float, str]]:
        if not hasattr(self, "_margins"):
            fin = self.get("financials")
            self._margins = operating_margins(fin) if fin is not None else {}
        return self._margins


def _own_margin(tables: Mapping[str, pd.DataFrame], entity: str) -> tuple[float, str] | None:
    """Latest annual operating margin of the entity itself (not its parent), with its sources."""
    margins = tables.margins if isinstance(tables, _Inputs) else _Inputs(tables).margins
    return margins.get(entity)


def _assumed(scenario: Scenario, kind: str, **about: str) -> Assumption | None:
    """The first assumption of ``kind`` about exactly these items (keys it leaves out match anything)."""
    for a in scenario.assumptions:
        if a.kind == kind and all(a.about.get(k) in (v, None) for k, v in about.items()):
            return a
    return None


def _simulate(
    scenario: Scenario,
    tables: Mapping[str, pd.DataFrame],
    market_id: str,
    entry: Mapping[str, Any],
    w_base: np.ndarray,
    w_scen: np.ndarray,
) -> dict[str, Any]:
    firms, shares = list(entry["firms"]), np.asarray(entry["shares"], dtype=float)
    if entry["measure"] not in PRICE_MEASURES:
        return {
            "status": "not applicable",
            "reason": f"shares measure {entry['measure']}, not sales: a price simulation needs revenue or unit shares",
        }
    if len(firms) < 2:
        return {"status": "needs inputs", "needs": [f"point shares of two or more firms in {market_id}"]}
    margin: tuple[int, float, float, float, str] | None = None
    for j, firm in enumerate(firms):
        a = next(
            (
                a
                for a in scenario.assumptions
                if a.kind == "margin" and a.about.get("entity") == firm and a.about.get("market") in (None, market_id)
            ),
            None,
        )
        if a is not None:
            margin = (j, a.low, a.central, a.high, a.source)
            break
    if margin is None:
        for j, firm in enumerate(firms):
            own = _own_margin(tables, firm)
            if own is not None and 0 < own[0] < 1:
                margin = (j, own[0], own[0], own[0], own[1] + " (accounting margin as a proxy for the Lerner margin)")
                break
    if margin is None:
        return {
            "status": "needs inputs",
            "needs": [
                f"a price-cost margin (fraction) of one of {', '.join(firms)} in {market_id}: add an "
                "assumption `kind: margin, entity: ..., market: ...`",
                "optionally the market elasticity",
            ],
        }
    if np.allclose(w_base, w_scen, atol=TOL):
        return {
            "status": "no change",
            "reason": "the profit weights are the same in both states",
            "price_change_pct": 0.0,
            "price_change_pct_low": 0.0,
            "price_change_pct_high": 0.0,
            "cv_share_of_spending": 0.0,
            "margin_source": margin[4],
        }
    elasticity = _assumed(scenario, "elasticity", market=market_id)
    runs = {}
    for end, m in zip(("low", "central", "high"), margin[1:4], strict=True):
        values = shares / shares.sum() if elasticity is not None else shares
        case: dict[str, Any] = {
            "demand": "logit",
            "labels": firms,
            "prices": [1.0] * len(firms),
            "shares": values.tolist(),
            "margins": [m if j == margin[0] else None for j in range(len(firms))],
            "owner_pre": firms,
            "owner_post": firms,
        }
        if elasticity is not None:
            case["market_elasticity"] = {"low": elasticity.low, "central": elasticity.central, "high": elasticity.high}[
                end
            ]
        parsed = parse_case(case)
        parsed = replace(
            parsed,
            data=replace(parsed.data, owner_pre=Ownership(matrix=w_base)),
            owner_post=Ownership(matrix=w_scen),
            firms_post=[f"owner of {f}" for f in firms],
        )
        try:
            runs[end] = run(parsed)
        except MarketpowerError as error:
            return {"status": "failed", "reason": str(error)}
    pct = {k: r.price_change_pct()["market_share_weighted"] for k, r in runs.items()}
    central = runs["central"]
    spending = float(np.dot(central.prices_pre, central.quantities_pre))
    sources = [margin[4]] + ([elasticity.source] if elasticity is not None else [])
    return {
        "status": "simulated",
        "model": "logit demand, Bertrand supply (prices normalised to 1)",
        "price_change_pct": pct["central"],
        "price_change_pct_low": min(pct.values()),
        "price_change_pct_high": max(pct.values()),
        "price_change_pct_by_firm": central.price_change_pct()["products"],
        "cv_share_of_spending": central.cv / spending if spending > 0 else float("nan"),
        "margin_of": firms[margin[0]],
        "margin": list(margin[1:4]),
        "margin_source": margin[4],
        "inputs_sources": sources,
        "diagnostics": central.diagnostics,
    }


# ------------------------------------------------------------------------------------------------ vertical


def _interests(weighted: pd.DataFrame) -> dict[str, dict[tuple[str, str], float]]:
    """Effective (integrated) interest of each owner in each firm at the low, central and high β (as
    :func:`marketpower.flows.ownership.effective_interest` on the positions)."""
    out = {}
    positions = positions_as_of(weighted.dropna(subset=["beta"]))
    for column in ("beta_low", "beta", "beta_high"):
        ids, economic, _ = _direct(_variant(positions, column, "gamma"))
        interest = integrated_interest(economic)
        owners, targets = np.nonzero(interest > 1e-12)
        out[column] = {(ids[i], ids[j]): float(interest[i, j]) for i, j in zip(owners, targets, strict=True)}
    return out


def _margin_input(
    scenario: Scenario, tables: Mapping[str, pd.DataFrame], entity: str, top: Mapping[str, str], market: str | None
) -> tuple[tuple[float, float, float], str, list[str]] | None:
    a = next(
        (
            a
            for a in scenario.assumptions
            if a.kind == "margin" and a.about.get("entity") == entity and a.about.get("market") in (None, market)
        ),
        None,
    )
    if a is not None:
        return (a.low, a.central, a.high), a.source, []
    for who, flag in (
        (entity, "accounting operating margin used as the Lerner margin"),
        (top.get(entity, entity), "margin of the parent group, not of the unit"),
    ):
        own = _own_margin(tables, who)
        if own is not None:
            if own[0] <= 0:
                return None  # not a price-cost margin: _margin_need says why
            return (own[0], own[0], own[0]), own[1], [flag]
    return None


def _margin_need(tables: Mapping[str, pd.DataFrame], entity: str, top: Mapping[str, str], where: str) -> str:
    """What a vertical GUPPI lacks when :func:`_margin_input` found no usable margin for ``entity``."""
    need = f"the margin of {entity} {where} (`kind: margin, entity: {entity}`)"
    for who in (entity, top.get(entity, entity)):
        own = _own_margin(tables, who)
        if own is not None:
            return f"{need}: the operating margin of {who}, {own[0]:.1%}, is not positive, so it cannot stand for one"
    return need


def _vertical(
    scenario: Scenario,
    tables: Mapping[str, pd.DataFrame],
    snapshots: Mapping[str, pd.DataFrame],
    base: State,
    scen: State,
    wb: pd.DataFrame,
    ws: pd.DataFrame,
    group: Mapping[str, str],
    memo: dict[Any, Any],
) -> list[dict[str, Any]]:
    top = dict(group)
    measures = dict(zip(tables["markets"]["id"], tables["markets"]["measure"], strict=True))
    groups = {frozenset((top.get(a, a), top.get(b, b))) for a, b in scen.pairs}
    day = scenario.as_of
    if ("effective", day) not in memo:
        memo[("effective", day)] = effective_deals(base.deals)
    deals = pd.concat([memo[("effective", day)], effective_deals(scen.deals)]).drop_duplicates("id")
    purchases = deals[deals["kind"].isin(PURCHASE_KINDS)]
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    interests: tuple[dict[str, dict[tuple[str, str], float]], ...] = ()
    for d in purchases.itertuples():
        up, down = str(d.payee_id), str(d.payer_id)
        if frozenset((top.get(up, up), top.get(down, down))) not in groups or (up, down) in seen:
            continue
        seen.add((up, down))
        if not interests:
            if ("interests", day) not in memo:
                memo[("interests", day)] = _interests(wb)
            baseline = memo[("interests", day)]
            interests = (baseline, baseline if ws.equals(wb) else _interests(ws))
        out.append(
            _vertical_pair(
                scenario,
                tables,
                snapshots,
                measures,
                top,
                up,
                down,
                interests[0],
                interests[1],
                sorted(purchases.loc[(purchases["payee_id"] == up) & (purchases["payer_id"] == down), "id"]),
            )
        )
    return out


def _vertical_pair(
    scenario: Scenario,
    tables: Mapping[str, pd.DataFrame],
    snapshots: Mapping[str, pd.DataFrame],
    measures: Mapping[str, Any],
    top: Mapping[str, str],
    up: str,
    down: str,
    wb: Mapping[str, Mapping[tuple[str, str], float]],
    ws: Mapping[str, Mapping[tuple[str, str], float]],
    deal_ids: list[str],
) -> dict[str, Any]:
    entry: dict[str, Any] = {"upstream": up, "downstream": down, "deals": deal_ids, "flags": []}
    holder_up, holder_down = top.get(up, up), top.get(down, down)
    down_firm, up_firm = top.get(down, down), top.get(up, up)
    for name, w in (("baseline", wb), ("scenario", ws)):
        entry[f"stake_up_in_down_{name}"] = [
            w[c].get((holder_up, down_firm), 0.0) for c in ("beta_low", "beta", "beta_high")
        ]
        entry[f"stake_down_in_up_{name}"] = [
            w[c].get((holder_down, up_firm), 0.0) for c in ("beta_low", "beta", "beta_high")
        ]
    shares = tables["shares"]
    candidates = sorted(set(shares.loc[shares["entity_id"] == down, "market_id"]))
    market = next(
        (
            m
            for m in candidates
            if m in snapshots
            and measures.get(m) in PRICE_MEASURES
            and down in set(snapshots[m].loc[snapshots[m]["share"].notna(), "entity_id"])
        ),
        None,
    )
    needs = []
    if market is None:
        needs.append(f"a market (revenue or unit shares) in which {down} sells downstream")
    m_up = _margin_input(scenario, tables, up, top, None)
    m_down = _margin_input(scenario, tables, down, top, market)
    cost = next(
        (
            a
            for a in scenario.assumptions
            if a.kind == "input_cost_share" and a.about.get("upstream") == up and a.about.get("downstream") == down
        ),
        None,
    )
    if m_up is None:
        needs.append(_margin_need(tables, up, top, "on the input"))
    if m_down is None:
        needs.append(_margin_need(tables, down, top, "downstream"))
    if cost is None:
        needs.append(
            f"the input's price as a share of {down}'s price (`kind: input_cost_share, upstream: {up}, "
            f"downstream: {down}`)"
        )
    if needs:
        entry.update(status="needs inputs", needs=needs)
        return entry
    assert market is not None and m_up is not None and m_down is not None and cost is not None
    rows = snapshots[market]
    named = rows[(rows["entity_id"] != OTHERS_ID) & rows["share"].notna()].sort_values("share", ascending=False)
    rivals = named[named["entity_id"] != down]
    if rivals.empty:
        entry.update(status="needs inputs", needs=[f"a rival of {down} with a share in {market}"])
        return entry
    rival = str(rivals["entity_id"].iloc[0])
    s = dict(zip(named["entity_id"], named["share"].astype(float), strict=True))
    d_rd = _assumed(scenario, "diversion", market=market, **{"from": rival, "to": down})
    d_dr = _assumed(scenario, "diversion", market=market, **{"from": down, "to": rival})
    d_rival_to_down = d_rd.central if d_rd else s[down] / (1 - s[rival])
    d_down_to_rival = d_dr.central if d_dr else s[rival] / (1 - s[down])
    entry["flags"] += m_up[2] + m_down[2]
    margins_up, margins_down = m_up[0], m_down[0]

    def guppis(point: int, input_share: float, stakes: tuple[list[float], list[float]]) -> dict[str, float]:
        """vGUPPIs at the low / central / high (0 / 1 / 2) margins and stakes (high stakes capped at 1)."""
        th_up, th_down = (min(th[point], 1.0) if point == 2 else th[point] for th in stakes)
        return vertical_guppi(
            margins_up[point],
            input_share,
            margins_down[point],
            1.0,
            d_rival_to_down,
            d_down_to_rival,
            th_up,
            th_down,
        )

    results = {}
    for name in ("baseline", "scenario"):
        stakes = entry[f"stake_up_in_down_{name}"], entry[f"stake_down_in_up_{name}"]
        low, mid, high = guppis(0, cost.high, stakes), guppis(1, cost.central, stakes), guppis(2, cost.low, stakes)
        low_down = guppis(0, cost.low, stakes)["vguppi_downstream"]
        high_down = guppis(2, cost.high, stakes)["vguppi_downstream"]
        results[name] = {
            "vguppi_upstream": [low["vguppi_upstream"], mid["vguppi_upstream"], high["vguppi_upstream"]],
            "vguppi_downstream": [min(low_down, high_down), mid["vguppi_downstream"], max(low_down, high_down)],
        }
        for key, values in results[name].items():
            if max(values) > 1:
                entry["flags"].append(
                    f"{name} {key} above 100% of price: implausible, check the input cost share and the margins"
                )
    entry.update(
        status="computed",
        downstream_market=market,
        rival=rival,
        diversion_rival_to_down=d_rival_to_down,
        diversion_down_to_rival=d_down_to_rival,
        diversion_basis="assumed" if d_rd else f"proportional to {market} shares",
        margin_up=list(m_up[0]),
        margin_up_source=m_up[1],
        margin_down=list(m_down[0]),
        margin_down_source=m_down[1],
        input_cost_share=[cost.low, cost.central, cost.high],
        input_cost_share_source=cost.source,
        baseline=results["baseline"],
        scenario=results["scenario"],
    )
    return entry


# ------------------------------------------------------------------------------------------------ deal web


def _loop_key(legs: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted(str(leg["deal_id"]) for leg in legs))


def _only_removed(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    """True when ``after`` is ``before`` less some edges (same rows otherwise)."""
    if not set(after["deal_id"]) <= set(before["deal_id"]):
        return False
    kept = before[before["deal_id"].isin(set(after["deal_id"]))].reset_index(drop=True)
    return bool(kept.equals(after.reset_index(drop=True)))


def _loops_by_key(loops: pd.DataFrame) -> dict[tuple[str, ...], dict[str, Any]]:
    return {_loop_key(r["legs"]): {str(k): v for k, v in r.items()} for r in loops.to_dict("records")}


def _web_baseline(base: State, day: Any) -> dict[str, Any]:
    """The baseline's money edges, loops (also by key) and every firm's dependence, as of ``day``."""
    edges = money_edges(base.deals, until=day)
    loops = loops_table(edges)
    return {"edges": edges, "loops": loops, "keys": _loops_by_key(loops), "dependence": dependence(edges)}


def _web(scenario: Scenario, base: State, scen: State, memo: dict[Any, Any]) -> dict[str, Any]:
    if ("web", scenario.as_of) not in memo:
        memo[("web", scenario.as_of)] = _web_baseline(base, scenario.as_of)
    baseline = memo[("web", scenario.as_of)]
    edges_b, loops_b, keys_b = baseline["edges"], baseline["loops"], baseline["keys"]
    edges_s = money_edges(scen.deals, until=scenario.as_of)
    edges_s = edges_s[edges_s["payer_id"] != edges_s["payee_id"]]
    same = edges_b.reset_index(drop=True).equals(edges_s.reset_index(drop=True))
    if same:
        loops_s, keys_s = loops_b, keys_b
    else:
        if _only_removed(edges_b, edges_s):
            # the loops of a subgraph are the loops of the graph that avoid the removed edges
            kept = set(edges_s["deal_id"])
            loops_s = loops_b[[all(leg["deal_id"] in kept for leg in legs) for legs in loops_b["legs"]]]
        else:
            loops_s = loops_table(edges_s)
        keys_s = _loops_by_key(loops_s)

    def summary(rec: Mapping[str, Any]) -> dict[str, Any]:
        amount = rec["round_trip_usd"]
        return {
            "firms": list(rec["firms"]),
            "deals": [leg["deal_id"] for leg in rec["legs"]],
            "round_trip_usd": None if pd.isna(amount) else float(amount),
            "upper_bound": bool(rec["upper_bound"]),
            "sources": sorted({leg["source_id"] for leg in rec["legs"]}),
        }

    def total(table: pd.DataFrame) -> float:
        return float(table["round_trip_usd"].astype(float).sum()) if len(table) else 0.0

    parties = {scen.renames.get(p, p) for p in scen.parties} | set(scen.parties)

    def around(edges: pd.DataFrame) -> pd.DataFrame:  # a firm's dependence uses only the edges it is on
        return edges[edges["payer_id"].isin(parties) | edges["payee_id"].isin(parties)]

    dep_b = baseline["dependence"]
    near_s = around(edges_s)
    dep_s = dep_b if same or near_s.equals(around(edges_b)) else dependence(near_s)
    cols = ["entity_id", "direction", "total_usd", "hhi", "top_counterparty", "top_share"]
    dep = dep_b[dep_b["entity_id"].isin(parties)][cols].merge(
        dep_s[dep_s["entity_id"].isin(parties)][cols],
        on=["entity_id", "direction"],
        how="outer",
        suffixes=("_baseline", "_scenario"),
    )
    dep["hhi_change"] = dep["hhi_scenario"] - dep["hhi_baseline"]
    return {
        "loops_baseline": len(loops_b),
        "loops_scenario": len(loops_s),
        "loops_broken": [summary(keys_b[k]) for k in sorted(set(keys_b) - set(keys_s))],
        "loops_created": [summary(keys_s[k]) for k in sorted(set(keys_s) - set(keys_b))],
        "source_ids": sorted(
            {str(leg["source_id"]) for table in (loops_b, loops_s) for legs in table["legs"] for leg in legs}
        ),
        "round_trip_usd_baseline": total(loops_b),
        "round_trip_usd_scenario": total(loops_s),
        "dependence": dep.sort_values(["entity_id", "direction"]).to_dict("records"),
    }


# ------------------------------------------------------------------------------------------------ compute


def _committed(state: State, acc: Any, params: ModelParams) -> pd.DataFrame:
    deals = effective_deals(state.deals)
    deals = deals[deals["kind"].isin(PURCHASE_KINDS) & (deals["capacity_gw"].notna() | deals["accelerators"].notna())]
    rows = []
    for d in deals.itertuples():
        count: Any = d.accelerators
        gw: Any = d.capacity_gw
        if pd.notna(count) and float(count) > 0:
            chain = accelerators_to_compute(float(count), acc, params)
        else:
            chain = power_to_compute(float(gw) * 1_000.0, acc, params)
        units, h100e, power, energy = (
            chain[k] for k in ("accelerators", "h100e", "facility_power_mw", "annual_energy_twh")
        )
        rows.append(
            {
                "owner": d.payer_id,
                "deal_id": d.id,
                "source_id": d.source_id,
                **{
                    f"{name}{suffix}": getattr(value, end) * scale
                    for name, value, scale in (
                        ("accelerators", units, 1.0),
                        ("h100e", h100e, 1.0),
                        ("gw", power, 1e-3),
                        ("twh", energy, 1.0),
                    )
                    for suffix, end in (("_low", "low"), ("", "central"), ("_high", "high"))
                },
            }
        )
    return pd.DataFrame(rows)


def _facility_gw(state: State) -> dict[str, float]:
    """GW of the state's facilities by owner (power_mw / 1,000)."""
    owned = state.facilities.dropna(subset=["owner_id"]).groupby("owner_id")["power_mw"].sum() / 1_000.0
    return {str(k): float(v) for k, v in owned.items()}


def _committed_side(committed: pd.DataFrame, state: State) -> dict[str, Any]:
    """One side of the compute section: committed compute by owner, its HHI (low / central / high), the
    facilities' GW by owner and the sources."""
    value_cols = [c for c in committed.columns if c not in ("owner", "deal_id", "source_id")]
    by_owner = committed.groupby("owner")[value_cols].sum() if len(committed) else pd.DataFrame()
    holdings = pd.DataFrame(
        {
            "holder": by_owner.index,
            "period": "committed",
            "status": "announced",
            "h100e": by_owner.get("h100e", pd.Series(dtype=float)).to_numpy(),
            "h100e_low": by_owner.get("h100e_low", pd.Series(dtype=float)).to_numpy(),
            "h100e_high": by_owner.get("h100e_high", pd.Series(dtype=float)).to_numpy(),
        }
    )
    conc = concentration_by_period(holdings, statuses=("announced",)) if len(holdings) else pd.DataFrame()
    return {
        "by_owner": by_owner.reset_index().to_dict("records"),
        "hhi": float(conc["hhi"].iloc[0]) if len(conc) else float("nan"),
        "hhi_low": float(conc["hhi_low"].iloc[0]) if len(conc) else float("nan"),
        "hhi_high": float(conc["hhi_high"].iloc[0]) if len(conc) else float("nan"),
        "facility_gw": _facility_gw(state),
        "source_ids": sorted(set(committed["source_id"].dropna())) if len(committed) else [],
    }


def _compute(
    scenario: Scenario, tables: Mapping[str, pd.DataFrame], base: State, scen: State, memo: dict[Any, Any]
) -> dict[str, Any]:
    params = ModelParams.from_frame(tables["parameters"])
    acc = accelerator(tables["hardware"], scenario.accelerator)
    parties = {scen.renames.get(p, p) for p in scen.parties} | set(scen.parties)
    out: dict[str, Any] = {
        "accelerator": scenario.accelerator,
        "basis": (
            f"capacity (GW) or accelerators of the purchase deals in force, converted as {acc.model} with the "
            "parameters table (PUE, load factor)"
        ),
    }
    key = ("committed", scenario.as_of, scenario.accelerator)
    if key not in memo:
        committed_base = _committed(base, acc, params)
        memo[key] = (committed_base, _committed_side(committed_base, base))
    committed_base, baseline = memo[key]
    scenario_side = baseline
    if not base.deals.equals(scen.deals):
        committed = _committed(scen, acc, params)
        if not committed.equals(committed_base):
            scenario_side = _committed_side(committed, scen)
    if not scen.facilities.equals(base.facilities):
        scenario_side = {**scenario_side, "facility_gw": _facility_gw(scen)}
    for name, side in (("baseline", baseline), ("scenario", scenario_side)):
        out[name] = {
            "by_owner": [dict(r) for r in side["by_owner"]],
            **{k: side[k] for k in ("hhi", "hhi_low", "hhi_high")},
            "facility_gw": {k: v for k, v in side["facility_gw"].items() if k in parties},
            "source_ids": side["source_ids"],
        }
    base_rows = {r["owner"]: r for r in out["baseline"]["by_owner"]}
    scen_rows = {r["owner"]: r for r in out["scenario"]["by_owner"]}
    out["parties"] = [
        {
            "owner": p,
            **{
                f"{k}_{s}": rows.get(p, {}).get(k, 0.0)
                for k in ("h100e", "gw", "twh", "accelerators")
                for s, rows in (("baseline", base_rows), ("scenario", scen_rows))
            },
        }
        for p in sorted(parties)
        if p in base_rows or p in scen_rows
    ]
    out["hhi_change"] = out["scenario"]["hhi"] - out["baseline"]["hhi"]
    out["parameter_sources"] = sorted({s.strip() for k in ("pue", "load_factor") for s in params[k].source.split(",")})
    return out


# ------------------------------------------------------------------------------------------------ verdict


def _verdict(
    markets: list[dict[str, Any]],
    vertical: list[dict[str, Any]],
    web: dict[str, Any],
    compute: dict[str, Any],
    stake_sources: list[str],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for m in markets:
        b, s = m["baseline"], m["scenario"]
        us_b = next(x["outcome"] for x in b["screens"] if x["guideline"] == "us2023")
        us_s = next(x["outcome"] for x in s["screens"] if x["guideline"] == "us2023")
        rows.append(
            {
                "what": "ΔMHHI (O'Brien-Salop)",
                "where": m["market_id"],
                "baseline": b["mhhi_delta"],
                "scenario": s["mhhi_delta"],
                "change": s["mhhi_delta"] - b["mhhi_delta"],
                "range": [s["mhhi_delta_low"] - b["mhhi_delta_high"], s["mhhi_delta_high"] - b["mhhi_delta_low"]],
                "rule": f"US 2023 Guideline 1 (MHHI > 1,800 and Δ > 100): {us_b} -> {us_s}",
                "sources": m["source_ids"] + stake_sources,
            }
        )
        sim = m["simulation"]
        if sim["status"] in ("simulated", "no change"):
            rows.append(
                {
                    "what": "price change, share-weighted (%)",
                    "where": m["market_id"],
                    "baseline": 0.0,
                    "scenario": sim["price_change_pct"],
                    "change": sim["price_change_pct"],
                    "range": [sim["price_change_pct_low"], sim["price_change_pct_high"]],
                    "rule": "logit Bertrand simulation, baseline ownership -> scenario ownership",
                    "sources": m["source_ids"] + [sim["margin_source"]],
                }
            )
    for v in vertical:
        if v["status"] != "computed":
            continue
        rows.append(
            {
                "what": "vertical GUPPI of the supplier (raising the rival's input price)",
                "where": f"{v['upstream']} -> {v['downstream']} ({v['downstream_market']})",
                "baseline": v["baseline"]["vguppi_upstream"][1],
                "scenario": v["scenario"]["vguppi_upstream"][1],
                "change": v["scenario"]["vguppi_upstream"][1] - v["baseline"]["vguppi_upstream"][1],
                "range": [v["scenario"]["vguppi_upstream"][0], v["scenario"]["vguppi_upstream"][2]],
                "rule": "Moresi & Salop (2013); no safe harbour is set in the guidelines",
                "sources": [
                    v["margin_up_source"],
                    v["margin_down_source"],
                    v["input_cost_share_source"],
                    *stake_sources,
                ],
            }
        )
    changed_loops = sorted({s for lp in web["loops_broken"] + web["loops_created"] for s in lp["sources"]})
    loop_sources = changed_loops or web["source_ids"]
    rows.append(
        {
            "what": "money loops (count)",
            "where": "deal web",
            "baseline": web["loops_baseline"],
            "scenario": web["loops_scenario"],
            "change": web["loops_scenario"] - web["loops_baseline"],
            "range": None,
            "rule": f"{len(web['loops_broken'])} broken, {len(web['loops_created'])} created",
            "sources": loop_sources,
        }
    )
    rows.append(
        {
            "what": "round trip through the loops (USD)",
            "where": "deal web",
            "baseline": web["round_trip_usd_baseline"],
            "scenario": web["round_trip_usd_scenario"],
            "change": web["round_trip_usd_scenario"] - web["round_trip_usd_baseline"],
            "range": None,
            "rule": "smallest leg of each loop, summed",
            "sources": loop_sources,
        }
    )
    rows.append(
        {
            "what": "HHI of compute committed to buyers",
            "where": "purchase deals",
            "baseline": compute["baseline"]["hhi"],
            "scenario": compute["scenario"]["hhi"],
            "change": compute["hhi_change"],
            "range": [
                compute["scenario"]["hhi_low"] - compute["baseline"]["hhi_high"],
                compute["scenario"]["hhi_high"] - compute["baseline"]["hhi_low"],
            ],
            "rule": "H100-equivalents per buyer (0-10,000 scale)",
            "sources": sorted(set(compute["baseline"]["source_ids"]) | set(compute["scenario"]["source_ids"]))
            + compute["parameter_sources"],
        }
    )
    for p in compute["parties"]:
        if abs(p["h100e_scenario"] - p["h100e_baseline"]) > TOL:
            rows.append(
                {
                    "what": "compute committed (H100e)",
                    "where": p["owner"],
                    "baseline": p["h100e_baseline"],
                    "scenario": p["h100e_scenario"],
                    "change": p["h100e_scenario"] - p["h100e_baseline"],
                    "range": None,
                    "rule": f"{p['gw_baseline']:.3g} GW -> {p['gw_scenario']:.3g} GW",
                    "sources": sorted(set(compute["baseline"]["source_ids"]) | set(compute["scenario"]["source_ids"])),
                }
            )
    for row in rows:
        row["sources"] = sorted(
            {str(s) for s in row["sources"] if s is not None and not (isinstance(s, float) and math.isnan(s))}
        )
    return rows


def analyse(
    scenario: Scenario,
    tables: Mapping[str, pd.DataFrame],
    snapshots: Mapping[str, pd.DataFrame],
    memo: dict[Any, Any] | None = None,
) -> ScenarioResult:
    """Run every section on the baseline and on the scenario. ``tables``: the store's tables (read only);
    ``snapshots``: market id -> the share rows of the market's snapshot as of the scenario's date; ``memo``: a
    dict shared by runs on the same tables (e.g. two scenarios compared) that keeps what the baseline computed."""
    memo = {} if memo is None else memo
    if "inputs" not in memo:
        memo["inputs"] = _Inputs(tables)
    tables = memo["inputs"]
    day = scenario.as_of
    if ("base", day) not in memo:
        memo[("base", day)] = baseline_state(tables, day)
    base = memo[("base", day)]
    scen = apply(scenario, tables, base)
    if ("wb", day) not in memo:
        memo[("wb", day)] = weighted_stakes(base, tables["entities"])
    wb = memo[("wb", day)]
    ws = weighted_stakes(scen, tables["entities"])
    parties = set(scen.parties)
    gb, gs = wholly_owned(base, tables["entities"]), wholly_owned(scen, tables["entities"])
    group = {e: g for e, g in gb.items() if gs.get(e) == g}
    markets = _markets(scenario, tables, snapshots, wb, ws, parties, group, memo)
    vertical = _vertical(scenario, tables, snapshots, base, scen, wb, ws, group, memo)
    web = _web(scenario, base, scen, memo)
    compute = _compute(scenario, tables, base, scen, memo)
    top = families(tables["entities"])
    groups = {top.get(p, p) for p in parties}
    near = ws[
        ws["owner_id"].map(lambda e: top.get(e, e) in groups) & ws["target_id"].map(lambda e: top.get(e, e) in groups)
    ]
    stake_sources = sorted({str(s) for s in pd.concat([near["source_id"], near["terms_source_id"]]).dropna()})
    return ScenarioResult(
        scenario=scenario.to_dict(),
        changes=scen.changes,
        parties=sorted(parties),
        markets=markets,
        vertical=vertical,
        web=web,
        compute=compute,
        verdict=_verdict(markets, vertical, web, compute, stake_sources),
        stakes=_stake_table(wb, ws, parties, top),
    )


def _stake_table(wb: pd.DataFrame, ws: pd.DataFrame, parties: set[str], top: Mapping[str, str]) -> list[dict[str, Any]]:
    cols = [
        "owner_id",
        "target_id",
        "beta_low",
        "beta",
        "beta_high",
        "gamma_low",
        "gamma",
        "gamma_high",
        "control_basis",
        "source_id",
        "terms_source_id",
    ]
    groups = {top.get(p, p) for p in parties}

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        keep = frame["owner_id"].map(lambda e: top.get(e, e) in groups) & frame["target_id"].map(
            lambda e: top.get(e, e) in groups
        )
        return frame.loc[keep, cols]

    merged = pick(wb).merge(pick(ws), on=["owner_id", "target_id"], how="outer", suffixes=("_baseline", "_scenario"))
    return [{str(k): v for k, v in r.items()} for r in merged.to_dict("records")]
