"""The deal web as of any date: its history matches the as-of web on every date, it is rolled up to the
controlling parents by default, facilities carry their status on the date, and the CLI passes --as-of and
--no-rollup through (`network`, `compute-share`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from deals_package import BUNDLED, copy_deals_package, mini_package
from typer.testing import CliRunner

from marketpower import api
from marketpower.cli import app
from marketpower.ingest.datapackage import write_descriptor
from marketpower.store import Store

# d1 a -> b, cut in June (d1-cut) and cancelled in September (d1-off); c (a unit of a) pays b; b pays a.
DEALS = (
    "d1,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s1,\n"
    "back,2025-02-01,cloud_contract,b,a,80,,,,,,announced,,,s1,\n"
    "cb,2025-03-01,chip_purchase,c,b,7,,,,,,announced,,,s1,\n"
    "d1-cut,2025-06-01,equity_investment,a,b,50,,,,,,revised,d1,,s1,\n"
    "d1-off,2025-09-01,equity_investment,a,b,,,,,,,cancelled,d1-cut,,s1,\n"
)
# a holds 20% of b, then 10%; a holds all of its unit c (an edge inside one group)
STAKES = "a,b,2025-01-01,common,0.2,,,,s1,\na,b,2025-07-01,common,0.1,,,,s1,\na,c,2024-01-01,common,1.0,,,,s1,\n"
ENTITIES = "id,name,kind,country,ticker,parent_id\na,A,company,US,,\nb,B,company,US,,\nc,C,company,US,,a\n"
FACILITIES = (
    "id,name,owner_id,operator_id,main_tenant_id,country,region,power_mw,status,year_online,accelerator_model,"
    "accelerator_count,source_id,note\n"
    "site-b,Site B,b,,c,US,,100,operational,2026,,,s1,\n"
    "site-a,Own site,a,,a,US,,50,operational,2024,,,s1,\n"
)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    folder = mini_package(tmp_path, DEALS, STAKES)
    (folder / "data" / "entities.csv").write_text(ENTITIES)
    (folder / "data" / "facilities.csv").write_text(FACILITIES)
    write_descriptor(folder, "mini web")
    return Store.open(package=folder)


def edges_on(history: pd.DataFrame, when: str) -> set[tuple[str, str, str]]:
    t = pd.Timestamp(when)
    start = pd.to_datetime(history["in_force_from"])
    end = pd.to_datetime(history["in_force_until"])
    live = history[(start <= t) & (end.isna() | (end > t))]
    return {(r.relation, r.source, r.target) for r in live.itertuples()} | {
        ("deal", str(d), "") for d in live["deal_id"].dropna()
    }


def edges_of(web: api.DealWeb) -> set[tuple[str, str, str]]:
    edges = web.edges[web.edges["relation"] != "facility"]
    return {(r.relation, r.source, r.target) for r in edges.itertuples()} | {
        ("deal", str(d), "") for d in edges["deal_id"].dropna()
    }


@pytest.mark.parametrize("rollup", [True, False])
def test_the_history_is_the_as_of_web_on_every_date(store: Store, rollup: bool) -> None:
    history = api.deal_web_history(store, rollup)
    changes = ["2025-01-01", "2025-01-02", "2025-02-01", "2025-03-01", "2025-06-01", "2025-07-01", "2025-09-01"]
    # rolled up, a's stake in its own unit c (2024-01-01) is inside one group and drops out
    assert history.dates == (changes if rollup else ["2024-01-01", *changes])
    for day in history.dates:
        before = (pd.Timestamp(day) - pd.Timedelta(days=1)).date().isoformat()
        for when in (before, day):
            assert edges_on(history.edges, when) == edges_of(api.deal_web(store, when, rollup)), when
    never = set(history.edges["deal_id"].dropna())
    assert "d1-off" not in never and {"d1", "d1-cut"} <= never  # a cancellation is never in force


def test_the_web_is_rolled_up_by_default(store: Store) -> None:
    rolled = api.deal_web(store, "2025-03-15").edges
    money = rolled[rolled["relation"] == "money"].set_index("deal_id")
    assert money.loc["cb", "source"] == "a" and money.loc["cb", "source_legal_id"] == "c"
    assert not ((rolled["source"] == "a") & (rolled["target"] == "c")).any()  # a's stake in its unit c
    assert set(api.deal_web(store, "2025-03-15").nodes["id"]) == {"a", "b"}
    legal = api.deal_web(store, "2025-03-15", rollup=False).edges
    assert set(legal.loc[legal["relation"] == "money", "source"]) == {"a", "b", "c"}
    assert ((legal["source"] == "a") & (legal["target"] == "c") & (legal["relation"] == "ownership")).any()


def test_facilities_carry_their_status_on_the_date(store: Store) -> None:
    def sites(when: str | None, rollup: bool = False) -> dict[str, tuple[str, str, str]]:
        edges = api.deal_web(store, when, rollup).edges
        rows = edges[edges["relation"] == "facility"]
        return {r.facility_id: (r.source, r.target, r.kind) for r in rows.itertuples()}

    # site-b (b hosts c) comes online in 2026: not online in mid-2025, operational now; a's own site no edge
    assert sites("2025-06-30") == {"site-b": ("b", "c", "not_online")}
    assert sites(None) == {"site-b": ("b", "c", "operational")}
    assert sites(None, rollup=True) == {"site-b": ("b", "a", "operational")}  # c's site use is a's


def test_network_cli_takes_as_of_and_no_rollup(tmp_path: Path) -> None:
    runner = CliRunner()
    package = tmp_path / "pkg"
    mini_package(package, DEALS, STAKES)
    (package / "data" / "entities.csv").write_text(ENTITIES)
    (package / "data" / "facilities.csv").write_text(FACILITIES)
    write_descriptor(package, "mini web")
    out = tmp_path / "web.json"
    args = ["network", "--format", "json", "--out", str(out), "--package", str(package), "--json"]
    legal = json.loads(runner.invoke(app, [*args, "--as-of", "2025-03-15", "--no-rollup"]).output)
    assert (legal["as_of"], legal["rollup"], legal["nodes"], legal["money_edges"]) == ("2025-03-15", False, 3, 3)
    assert legal["ownership_edges"] == 2 and legal["facility_edges"] == 1
    rolled = json.loads(runner.invoke(app, [*args, "--as-of", "2025-03-15"]).output)
    assert (rolled["rollup"], rolled["nodes"], rolled["money_edges"], rolled["ownership_edges"]) == (True, 2, 3, 1)


def test_compute_share_reads_facilities_as_of_a_date(tmp_path: Path) -> None:
    folder = copy_deals_package(tmp_path / "pkg")
    for name in ("hardware", "parameters"):
        shutil.copy(BUNDLED / "data" / f"{name}.csv", folder / "data" / f"{name}.csv")
    sources = pd.read_csv(folder / "data" / "sources.csv")
    (folder / "data" / "facilities.csv").write_text(
        "id,name,owner_id,operator_id,main_tenant_id,country,region,power_mw,status,year_online,"
        "accelerator_model,accelerator_count,source_id,note\n"
        f"f1,One,xai,,,US,,,operational,2024,H100,100000,{sources['id'].iloc[0]},\n"
        f"f2,Two,meta,,,US,,,operational,2026,H100,50000,{sources['id'].iloc[0]},\n"
    )
    write_descriptor(folder, "compute as of")
    store = Store.open(package=folder)
    now = api.compute_share(store, basis="facilities").holdings
    # 100,000 H100 = 100,000 H100e installed from 2024; in 2026 both sites are installed (150,000)
    assert now.groupby("period")["h100e"].sum().to_dict() == pytest.approx({"2024": 1e5, "2026": 1.5e5}, rel=1e-12)
    mid_2025 = api.compute_share(store, basis="facilities", as_of="2025-06-30")
    assert mid_2025.holdings.groupby("period")["h100e"].sum().to_dict() == pytest.approx({"2024": 1e5}, rel=1e-12)
    assert set(mid_2025.holdings["status"]) == {"installed"}
    before = api.compute_share(store, basis="facilities", status="installed", as_of="2026-02-01").holdings
    assert before.groupby("period")["h100e"].sum().to_dict() == pytest.approx({"2024": 1e5, "2026": 1.5e5}, rel=1e-12)
    result = CliRunner().invoke(
        app, ["compute-share", "--source", "facilities", "--as-of", "2025-06-30", "--package", str(folder), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert {r["period"] for r in json.loads(result.output)["shares"]} == {"2024"}
