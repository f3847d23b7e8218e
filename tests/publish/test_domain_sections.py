"""The publishing sections added for the domain issues: grid of states, bill topics and committee money timeline
(politics), the tornado of the 10 GW worked example (compute), who wins (value capture) and the deal web's
interactive graph. Each figure must equal the domain function's output, in the page, its JSON twin and the
report, and the data must be escaped."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from marketpower import api
from marketpower.api import Context, jsonable
from marketpower.flows import compute
from marketpower.flows.network import money_edges
from marketpower.measures import value_capture as vc
from marketpower.politics.bills import classify_bills, latest_bill_counts, summarize_bills, topics_by_year
from marketpower.politics.money import money_timeline
from marketpower.publish import pages
from marketpower.publish.briefing import build_briefing, render_briefing
from marketpower.publish.render import render, static_link, web_link
from marketpower.publish.web import create_app
from marketpower.store import Store


@pytest.fixture(scope="module")
def ctx(aistack: Store) -> Context:
    return Context(aistack)


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def report(ctx: Context) -> tuple[dict[str, Any], str]:
    data = pages.report_page(ctx)
    html = render(
        "report.html", data, lang="en", link=static_link, asset=lambda p: p, package_name="aistack", mode="static"
    )
    return json.loads(json.dumps(data)), html


def _cells(html: str, table_id: str) -> list[str]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-value="([^"]*)"', body)


# ------------------------------------------------------------------------------------------------ politics


def test_politics_twin_equals_the_domain_functions(client: TestClient, aistack: Store) -> None:
    twin = client.get("/politics.json").json()
    counts = latest_bill_counts(aistack.table("bill_counts"))
    # the trackers' published counts are national totals only; the grid comes from our classifier's bundled
    # per-state counts (state_bill_counts) for the year with most states, next to the AI-committee money
    assert set(aistack.table("bill_counts")["state"]) == {"ALL"}
    states = twin["states"]
    assert (states["basis"], states["year"]) == ("classified", 2025) and states["chart"] is not None
    per_state = aistack.table("state_bill_counts")
    ours = per_state[per_state["year"] == 2025].set_index("state")
    assert {r["state"]: (r["introduced"], r["enacted"]) for r in states["rows"]} == {
        s: (int(r["introduced"]), int(r["enacted"])) for s, r in ours.iterrows()
    }
    ny = next(r for r in states["rows"] if r["state"] == "NY")
    # against Bores: Think Big $120k + $326k, Leading the Future $1.504M by 10 March and $6.05M after (~$8M in all)
    assert ny["ie_oppose_usd"] == pytest.approx(120_000 + 326_000 + 1_504_000 + 6_050_000, abs=0.01)
    assert twin["states"]["national"] == jsonable(counts[counts["state"] == "ALL"])
    vaill = [r for r in twin["states"]["national"] if r["tracker"] == "vaill"]
    assert [(r["year"], r["introduced"], r["enacted"]) for r in vaill] == [(2025, 1065, 219)]
    timeline = money_timeline(aistack.table("committee_money"))
    assert [
        (r["date"], r["committee_id"], r["kind"], r["amount_usd"], r["record"], r["source_id"])
        for r in twin["timeline"]["rows"]
    ] == [
        (d.isoformat(), c, k, None if pd.isna(a) else a, rec, s)
        for d, c, k, a, rec, s in zip(
            timeline["date"],
            timeline["committee_id"],
            timeline["kind"],
            timeline["amount_usd"],
            timeline["record"],
            timeline["source_id"],
            strict=True,
        )
    ]
    # pledges are exactly the rows flagged is_pledge in the data, drawn as their own hollow layer
    money = aistack.table("committee_money")
    assert sum(r["record"] == "pledge" for r in twin["timeline"]["rows"]) == int(money["is_pledge"].sum())
    spec = twin["timeline"]["chart"]
    plotted = [r for r in spec["data"]["values"]]
    assert len(plotted) == int(money["amount_usd"].notna().sum())
    hollow = [lay for lay in spec["layer"] if lay["mark"].get("filled") is False]
    assert hollow and hollow[0]["transform"] == [{"filter": "datum.record === 'pledge'"}]
    # no ingested bills: the topics are the bundled classifier counts, with the classifier's version and source
    topic_counts = aistack.table("bill_topic_counts")
    assert twin["topics"]["basis"] == "classified" and len(twin["topics"]["rows"]) == len(topic_counts)
    assert twin["topics"]["classifier_version"] == topic_counts["classifier_version"].iloc[0]
    assert sum(r["bills"] for r in twin["topics"]["rows"]) == int(topic_counts["bills"].sum())

    html = client.get("/politics").text
    assert 'id="bill-states-classified"' in html and 'data-state="NY"' in html
    # the money timeline gains the races: Leading the Future for Buckhout (NC-01), Jobs and Democracy for Foushee
    # (NC-04) and American Mission for Gober (TX-10, no result stored) in March, then NY-12 in June, each committee's
    # rows summed: Public First for Bores $602,208 + $10,397,792, Leading the Future against him $1.504M + $6.05M,
    # Think Big against him $120k + $326k; sources cited
    for_bores, ltf_against, think_big_against = 602_208.0 + 10_397_792.0, 1_504_000.0 + 6_050_000.0, 446_000.0
    assert [(r["candidate"], r["support_usd"], r["oppose_usd"], r["result"]) for r in twin["timeline"]["races"]] == [
        ("Laurie Buckhout", pytest.approx(500_000.0, abs=0.01), None, "won"),
        ("Valerie Foushee", pytest.approx(1_600_000.0, abs=0.01), None, "won"),
        ("Chris Gober", pytest.approx(243_000.0, abs=0.01), None, None),
        ("Alex Bores", pytest.approx(for_bores, abs=0.01), None, "lost"),
        ("Alex Bores", None, pytest.approx(ltf_against, abs=0.01), "lost"),
        ("Alex Bores", None, pytest.approx(think_big_against, abs=0.01), "lost"),
    ]
    crosses = [lay for lay in spec["layer"] if lay["mark"].get("shape") == "cross"]
    assert [(v["race"], v["amount_usd"], v["side"]) for v in crosses[0]["data"]["values"]] == [
        ("NC-1", pytest.approx(500_000.0, abs=0.01), "for"), ("NC-4", pytest.approx(1_600_000.0, abs=0.01), "for"),
        ("TX-10", pytest.approx(243_000.0, abs=0.01), "for"), ("NY-12", pytest.approx(for_bores, abs=0.01), "for"),
        ("NY-12", pytest.approx(ltf_against, abs=0.01), "against"),
        ("NY-12", pytest.approx(think_big_against, abs=0.01), "against"),
    ]
    assert 'id="ai-races-table"' in html and 'data-candidate="Alex Bores"' in html
    assert 'id="bill-topics-table"' in html and 'id="bill-topics-classified"' in html
    assert _cells(html, "money-timeline-table") == [
        "" if r["amount_usd"] is None else str(r["amount_usd"]) for r in twin["timeline"]["rows"]
    ]
    assert html.count('data-record="pledge"') == int(money["is_pledge"].sum())
    # every figure of the new sections cites a source listed at the foot of the page
    listed = {s["id"] for s in twin["sources"]}
    assert {r["source_id"] for r in twin["timeline"]["rows"] + twin["states"]["national"]} <= listed


def test_grid_and_topics_from_ingested_bills(mini_package: Path) -> None:
    store = Store.open(package=mini_package)
    bills = classify_bills(
        pd.DataFrame(
            {
                "bill_id": ["ca1", "ca2", "tx1", "ny1", "ny2"],
                "state": ["CA", "CA", "TX", "NY", "CA"],
                "year": [2025, 2025, 2025, 2024, 2025],
                "title": [
                    "Artificial intelligence safety",
                    "Deepfake disclosure in elections",
                    "Chatbot disclosure",
                    "Automated decision systems in hiring",
                    "Road repair",
                ],
                "status": ["enacted", "pending", "failed", "enacted", "enacted"],
            }
        )
    )
    store.connection.register("_bills", bills)
    store.connection.execute("CREATE TABLE bills AS SELECT * FROM _bills")
    ctx = Context(store)
    states = pages.bill_states(ctx)
    # 2025 has bills from two states (CA, TX), 2024 from one: the grid shows 2025; the road bill is not AI
    assert states["basis"] == "ingested" and states["year"] == 2025
    assert [(r["state"], r["introduced"], r["enacted"]) for r in states["rows"]] == [("CA", 2, 1), ("TX", 1, 0)]
    expected = summarize_bills(bills)
    assert states["rows"] == jsonable(expected[expected["year"] == 2025].reset_index(drop=True))
    tiles = {v["state"]: (v["row"], v["col"], v["label"]) for v in states["chart"]["data"]["values"]}
    assert tiles == {"CA": (4, 0, "2 / 1"), "TX": (7, 3, "1 / 0")}
    topics = pages.bill_topics(ctx)
    assert topics["rows"] == jsonable(topics_by_year(bills))
    assert {(r["year"], r["topic"], r["bills"]) for r in topics["rows"]} == {
        (2024, "automated decision system", 1),
        (2025, "artificial intelligence", 1),
        (2025, "deepfake", 1),
        (2025, "chatbot", 1),
    }
    html = TestClient(create_app(store)).get("/politics").text
    assert 'id="bill-states-table"' in html and 'data-state="CA"' in html and 'id="bill-topics-table"' in html


def test_politics_values_are_escaped(aistack: Store) -> None:
    ctx = Context(aistack)
    hostile = "<script>alert(1)</script>"
    ctx.cached("names", lambda: {})  # build the cache slot, then name a committee after a script tag
    ctx._cache["names"] = {**Context(aistack).names, "atep": hostile}
    html = render(
        "politics.html", pages.politics_page(ctx), lang="en", link=web_link, asset=lambda p: p, package_name="x"
    )
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the table cell
    assert "\\u003cscript\\u003ealert(1)" in html  # the chart's JSON


# ------------------------------------------------------------------------------------------------ compute


def test_tornado_equals_the_sensitivity_sweep(client: TestClient, aistack: Store, report: tuple[dict, str]) -> None:
    twin = client.get("/compute.json").json()
    sens = twin["sensitivity"]
    hardware = aistack.table("hardware").set_index("id")
    params = compute.ModelParams.from_frame(aistack.table("parameters"))
    acc = compute.accelerator(aistack.table("hardware"), sens["accelerator"])
    # the same accelerator as the chain shown on the page: the first whose central count lands in 4-5 million
    assert sens["accelerator"] == twin["chain"]["accelerator"]
    outputs = {o["output"]: o for o in sens["outputs"]}
    assert {"accelerators", "annual_energy_twh", "capex_usd"} <= set(outputs)
    for name, out in outputs.items():
        expected = compute.sensitivity(lambda a, p: compute.power_to_compute(1e4, a, p), name, acc, params)
        assert [{k: v for k, v in r.items() if k != "source_ids"} for r in out["rows"]] == jsonable(expected)
        if out["chart"] is not None:
            assert out["chart"]["data"]["values"] == [
                {k: r[k] for k in ("assumption", "output_at_low", "output_at_high", "output_central", "swing")}
                for r in out["rows"]
                if r["swing"] > 0
            ]
    # by hand: 10 GW / PUE x 10^6 / all-in watts per accelerator, PUE at its low and high, other values central
    pue = aistack.table("parameters").set_index("id").loc["pue"]
    watts = float(hardware.at[sens["accelerator"], "system_power_w"])
    row = next(r for r in outputs["accelerators"]["rows"] if r["assumption"] == "pue")
    assert row["output_at_low"] == pytest.approx(1e4 / pue["low"] * 1e6 / watts, rel=1e-12)
    assert row["output_at_high"] == pytest.approx(1e4 / pue["high"] * 1e6 / watts, rel=1e-12)
    if sens["accelerator"] == "nvidia-b200":  # 1,787.5 W (DGX B200 14.3 kW / 8); PUE 1.1-1.58
        assert round(row["output_at_low"]) == 5_085_823 and round(row["output_at_high"]) == 3_540_763
    assert row["source_ids"] == ["hw-lowdown-uptime", "hw-uptime-pue-2023"]
    # capex moves only with capex per MW: 10,000 MW x its low and high
    capex = aistack.table("parameters").set_index("id").loc["capex_per_mw"]
    moving = [r for r in outputs["capex_usd"]["rows"] if r["swing"] > 0]
    assert [r["assumption"] for r in moving] == ["capex_per_mw"]
    assert moving[0]["output_at_low"] == pytest.approx(1e4 * capex["low"])
    assert moving[0]["output_at_high"] == pytest.approx(1e4 * capex["high"])

    html = client.get("/compute").text
    assert _cells(html, "tornado-accelerators")[4::5] == [str(r["swing"]) for r in outputs["accelerators"]["rows"]]
    data, report_html = report
    assert data["compute"]["sensitivity"] == sens
    assert 'id="tornado-accelerators"' in report_html and 'id="worked-example"' in report_html


# ------------------------------------------------------------------------------------------------ winners


def test_who_wins_section_and_briefing(client: TestClient, aistack: Store, report: tuple[dict, str]) -> None:
    valuations, layers = aistack.table("valuations"), aistack.table("entity_layers")
    twin = client.get("/winners.json").json()
    # one window (the common end date) and conglomerates split by their reported segment revenue
    end = vc.common_end_date(valuations, "2022-11-30", vc.DEFAULT_TOLERANCE_DAYS)
    assert end is not None and twin["window"]["until"] == end.isoformat()
    changes = vc.market_value_change(valuations, layers, "2022-11-30", end.isoformat(), vc.DEFAULT_TOLERANCE_DAYS)
    attribution = vc.segment_attribution(aistack.table("segments"), "revenue")
    expected = vc.value_capture_by_layer(vc.attribute_changes(changes, attribution))
    assert twin["layers"] == jsonable(expected)
    split = vc.private_vs_public(valuations, layers, attribution=attribution)
    assert [(r["group"], r["name"]) for r in twin["private_public"]] == list(
        zip(split["group"], split["name"], strict=True)
    )
    assert [r["amount_usd"] for r in twin["private_public"]] == pytest.approx(list(split["amount_usd"]), rel=1e-12)
    # a layer's row cites the latest market cap of each of its listed firms
    layer_of = vc.layer_map(layers)
    split_firms = set(aistack.table("segments")["entity_id"])
    for row in (r for r in twin["private_public"] if r["group"] == "public"):
        firms = {
            e
            for e in valuations.loc[valuations["kind"] == "market_cap", "entity_id"]
            if layer_of.get(e) == row["layer"] and e not in split_firms
        }
        # each whole firm's latest market cap (conglomerates split by segment cite their segment reports too)
        assert {vc.latest_valuation(valuations, e)["source_id"] for e in firms} <= set(row["source_ids"])
    private = [r for r in twin["private_public"] if r["group"] == "private"]
    assert all(len(r["source_ids"]) == 1 and r["entity_id"] == r["name"] for r in private)
    html = client.get("/winners").text
    assert _cells(html, "private-public-table") == [str(r["amount_usd"]) for r in twin["private_public"]]

    data, report_html = report
    assert data["winners"]["layers"] == twin["layers"]
    assert data["winners"]["private_public"] == twin["private_public"]
    assert data["winners"]["by_firm"] == twin["by_firm"][: pages.REPORT_TOP_FIRMS]
    assert '<section id="winners">' in report_html and 'id="report-private-public-table"' in report_html
    assert _cells(report_html, "report-winners-layers")[2::4] == [
        "" if r["change_usd"] is None else str(r["change_usd"]) for r in twin["layers"]
    ]

    for lang in ("en", "fr"):
        brief = build_briefing(aistack, lang)
        top = brief["winners"]["firms"][0]
        assert (top["name"], top["start_usd"], top["end_usd"]) == (
            twin["by_firm"][0]["name"],
            twin["by_firm"][0]["start_usd"],
            twin["by_firm"][0]["end_usd"],
        )
        line = next(x for x in render_briefing(brief, "md").splitlines() if "ChatGPT" in x)
        assert top["source_start"]["url"] in line and top["source_end"]["url"] in line
        assert brief["winners"]["private"]["source"]["url"] in line


# ------------------------------------------------------------------------------------------------ network


def test_network_graph_kinds_loops_and_links(client: TestClient, aistack: Store, report: tuple[dict, str]) -> None:
    twin = client.get("/network.json").json()
    spec = twin["charts"]["network"]
    data = {d["name"]: d["values"] for d in spec["data"] if "values" in d}
    deals = aistack.table("deals")
    # edges by deal kind: every money edge carries its deal's kind; stakes are "ownership"
    kinds = dict(zip(deals["id"], deals["kind"], strict=True))
    links = data["link-data"]
    assert all(lk["kind"] == kinds[lk["deal_id"]] for lk in links if lk["relation"] == "money")
    assert {lk["kind"] for lk in links if lk["relation"] != "money"} <= {"ownership", "facility"}
    # the graph draws every deal ever in force (its time slider shows those of the chosen day), rolled up: a deal
    # inside one group (between a firm and its own unit) is not an edge
    history = api.deal_web_history(aistack).edges
    drawn = {lk["deal_id"] for lk in links if lk["relation"] == "money"}
    assert drawn == set(history["deal_id"].dropna()) and set(money_edges(deals)["deal_id"]) >= {
        d for d in drawn if not any(lk["until"] for lk in links if lk["deal_id"] == d)
    }
    assert any(s["name"] == "kind" for s in spec["scales"]) and any(
        lg.get("stroke") == "kind" for lg in spec["legends"]
    )
    # loops highlighted: each loop's legs carry its rank, its firms are ringed, the selector lists every loop
    for lp in twin["loops"]:
        legs = {leg["deal_id"] for leg in lp["legs"]}
        assert {lk["deal_id"] for lk in links if lp["rank"] in lk["loops"]} == legs
    ringed = {n["id"] for n in data["node-data"] if n["on_loop"]}
    assert ringed == {f for lp in twin["loops"] for f in lp["firms"]}
    select = next(s for s in spec["signals"] if s["name"] == "loop")
    assert select["bind"]["options"] == [0] + [lp["rank"] for lp in twin["loops"]]
    # click for sources: nodes open the entity page, money edges the deal page, stakes their source URL
    urls = {r["id"]: r["url"] for r in jsonable(aistack.table("sources"))}
    for edge in twin["edges"]:
        assert edge["source_url"] == urls[edge["source_id"]]
    stake_links = [lk for lk in links if lk["relation"] == "ownership"]
    assert stake_links and all(lk["source_url"].startswith("http") for lk in stake_links)
    html = client.get("/network").text
    assert '"entity_href": "/entities/KEY"' in html and '"deal_href": "/deals/KEY"' in html
    static = render(
        "network.html", twin, lang="en", link=static_link, asset=lambda p: p, package_name="x", mode="static"
    )
    assert '"entity_href": "entity-KEY.html"' in static and '"deal_href": "deal-KEY.html"' in static


def test_dates_in_timeline_are_period_ends(aistack: Store) -> None:
    timeline = money_timeline(aistack.table("committee_money"))
    money = aistack.table("committee_money")
    assert sorted(timeline["date"]) == sorted(pd.to_datetime(money["period_end"]).dt.date)
    assert all(isinstance(d, dt.date) for d in timeline["date"])


def test_clicking_a_node_opens_its_entity_page(chromium: Path, client: TestClient, tmp_path: Path) -> None:
    """In Debian's Chromium: the graph draws (no Vega error), the loop selector isolates a loop's legs, and a
    click on a firm opens its page of the static report."""
    sync_api = pytest.importorskip("playwright.sync_api")
    import shutil

    from marketpower.publish.render import STATIC

    twin = client.get("/network.json").json()
    shutil.copytree(STATIC, tmp_path / "assets")
    page_html = render(
        "network.html",
        twin,
        lang="en",
        link=static_link,
        asset=lambda p: f"assets/{p}",
        package_name="x",
        mode="static",
    )
    (tmp_path / "network.html").write_text(page_html, encoding="utf-8")
    for node in twin["nodes"]:  # link targets, so that the click lands on a page
        (tmp_path / static_link("entity", node["id"])).write_text(node["name"], encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((tmp_path / "network.html").as_uri())
        page.wait_for_selector("g.mark-symbol.role-mark.nodes path", timeout=15_000)
        first = twin["loops"][0]
        page.select_option("select", str(first["rank"]))
        page.wait_for_timeout(300)
        widths = page.eval_on_selector_all(
            "g.mark-path.links path", "els => els.map(e => e.getAttribute('stroke-width'))"
        )
        assert widths.count("4") == len(first["legs"])
        node = page.query_selector_all("g.mark-symbol.role-mark.nodes path")[0]
        node.scroll_into_view_if_needed()
        box = node.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        page.wait_for_url(re.compile(r"entity-[a-z0-9-]+\.html$"), timeout=10_000)
        assert page.inner_text("body") in {n["name"] for n in twin["nodes"]}
        browser.close()


# ------------------------------------------------------------------------------------- preemption debate


def test_preemption_events_beside_the_money_timeline(
    client: TestClient, aistack: Store, report: tuple[dict, str]
) -> None:
    from marketpower.politics.policy import policy_timeline

    expected = policy_timeline(aistack.table("policy_events"), money_timeline(aistack.table("committee_money")))
    twin = client.get("/politics.json").json()
    events = twin["timeline"]["events"]
    assert events == jsonable(expected)
    assert [e["number"] for e in events] == list(range(1, len(aistack.table("policy_events")) + 1))
    senate = next(e for e in events if e["id"] == "us-senate-strikes-moratorium")
    assert (senate["date"], senate["level"], senate["kind"]) == ("2025-07-01", "federal", "vote")
    # the chart draws one rule and one number label per event on the money chart's date axis
    spec = twin["timeline"]["chart"]
    rules = [lay for lay in spec["layer"] if lay["mark"]["type"] == "rule"]
    labels = [  # the event numbers (the races are labelled by their own text layer)
        lay for lay in spec["layer"] if lay["mark"]["type"] == "text" and lay["encoding"]["text"]["field"] == "number"
    ]
    assert len(rules) == len(labels) == 1
    assert [v["number"] for v in rules[0]["data"]["values"]] == [e["number"] for e in events]
    assert [v["date"] for v in rules[0]["data"]["values"]] == [e["date"] for e in events]
    assert rules[0]["encoding"]["x"]["field"] == "date" and labels[0]["encoding"]["text"]["field"] == "number"
    # every event's source is listed at the foot of the page and cited from its row
    listed = {s["id"]: s for s in twin["sources"]}
    assert {e["source_id"] for e in events} <= set(listed)
    html = client.get("/politics").text
    assert "preemption-missing" not in html
    table = html.split('id="preemption-events-table"', 1)[1].split("</table>", 1)[0]
    for e in events:
        row = table.split(f'data-event="{e["id"]}"', 1)[1].split("</tr>", 1)[0]
        assert f'href="#src-{e["source_id"]}"' in row
        assert f'id="src-{e["source_id"]}"' in html and listed[e["source_id"]]["url"] in html
    assert _cells(html, "preemption-events-table") == [
        str(e[c]) for e in events for c in ("committees_to_date", "pledges_to_date", "reported_to_date")
    ]
    # the report's politics section carries the same events and table
    data, report_html = report
    assert data["politics"]["timeline"]["events"] == events
    assert _cells(report_html, "preemption-events-table") == _cells(html, "preemption-events-table")
