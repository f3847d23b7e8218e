"""The bundled deal web at the controlling parents: the Amazon and Alphabet round trips through Anthropic, and
every deal with a public party counted apart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from marketpower import api
from marketpower.api import Context
from marketpower.flows.nullmodel import canonical_cycle
from marketpower.publish import pages
from marketpower.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
from deals_package import copy_deals_package

PUBLIC = {"government", "agency", "sovereign_fund", "public_pension", "nonprofit", "committee"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(package=copy_deals_package(tmp_path_factory.mktemp("aistack-rollup")))


def cycles(answer: api.Loops) -> set[tuple[str, ...]]:
    return {canonical_cycle(list(f)[:-1]) for f in answer.table["firms"]}


def test_round_trips_through_anthropic_appear_at_the_parents(store: Store) -> None:
    rolled = api.loops(store, rewirings=20)
    assert ("amazon", "anthropic") in cycles(rolled)
    assert ("alphabet", "anthropic") in cycles(rolled)
    legal = api.loops(store, rollup=False, rewirings=20)
    assert ("amazon", "anthropic") not in cycles(legal) and ("alphabet", "anthropic") not in cycles(legal)
    # the legs keep the legal payees: the money comes back to AWS and Google Cloud
    back = {
        leg["payee_legal_id"]
        for legs, firms in zip(rolled.table["legs"], rolled.table["firms"], strict=True)
        if canonical_cycle(list(firms)[:-1]) in {("amazon", "anthropic"), ("alphabet", "anthropic")}
        for leg in legs
        if leg["payer_id"] == "anthropic"
    }
    assert {"aws", "google-cloud"} <= back


def test_each_public_private_deal_is_counted_apart(store: Store) -> None:
    entities = store.table("entities")
    public = set(entities.loc[entities["kind"].isin(PUBLIC), "id"])
    deals = api.deals(store).table
    expected = deals["payer_id"].isin(public) | deals["payee_id"].isin(public)
    assert expected.any()
    assert (deals["public_private"] == expected).all()
    # dependence: each firm's public-private dollars are exactly its in-force deals with a public party
    edges = api.web_edges(store, rollup=False)
    summary = api.dependence(store, rollup=False).summary
    for _, row in summary.iterrows():
        end = "payer_id" if row["direction"] == "pays" else "payee_id"
        mine = edges[edges[end] == row["entity_id"]]
        public_usd = mine.loc[mine["payer_id"].isin(public) | mine["payee_id"].isin(public), "amount_usd"]
        assert row["public_private_usd"] == pytest.approx(float(public_usd.fillna(0).sum()), abs=1e-6)
    # loops: a loop is public-private exactly when one of its legs is a public-private deal
    flagged = set(deals.loc[expected, "id"])
    table = api.loops(store, rewirings=5).table
    for legs, flag in zip(table["legs"], table["public_private"], strict=True):
        assert flag == any(leg["deal_id"] in flagged for leg in legs)
    summary_loops = api.loops(store, rewirings=5).summary
    assert summary_loops["public_private_loops"] == int(table["public_private"].sum())
    private = table.loc[~table["public_private"].astype(bool), "round_trip_usd"]
    assert summary_loops["private_round_trip_usd"] == pytest.approx(float(private.sum()), rel=1e-12)
    # the deal web's edges carry the flag too
    web = api.deal_web(store).edges
    assert (web["public_private"] == (web["source"].isin(public) | web["target"].isin(public))).all()


def test_capex_flows_count_public_private_deals_apart(store: Store) -> None:
    entities = store.table("entities")
    public = set(entities.loc[entities["kind"].isin(PUBLIC), "id"])
    answer = api.capex_flows(store, [2024])
    flows = answer.deal_flows
    assert (flows["public_private"] == (flows["payer_id"].isin(public) | flows["payee_id"].isin(public))).all()
    by_year = answer.deal_flows_by_year
    for (year, step), group in flows.assign(step=flows["payer_layer"] + " -> " + flows["payee_layer"]).groupby(
        ["year", "step"]
    ):
        row = by_year[(by_year["year"] == year) & (by_year["step"] == step)].iloc[0]
        assert row["public_private_deals"] == int(group["public_private"].sum())


def test_a_units_page_shows_the_loops_of_its_parent(store: Store) -> None:
    loops = pages.entity_page(Context(store), "aws")["loops"]
    assert any(canonical_cycle(list(lp["firms"])[:-1]) == ("amazon", "anthropic") for lp in loops)
