"""Races, the state grid, a firm's money, reconciliation of bundled sums, the FEC sample, and bad input."""

from __future__ import annotations

import importlib.util
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from marketpower.datasets import AISTACK
from marketpower.errors import InvalidInputError
from marketpower.ingest.datapackage import validate_package
from marketpower.ingest.fec import ingest_fec
from marketpower.politics.bills import classifier_version
from marketpower.politics.linking import link_names
from marketpower.politics.races import (
    firm_money,
    ie_by_candidate,
    race_candidates,
    race_spending,
    reconcile_lobbying,
    reconcile_periods,
    state_grid,
)

DATA = AISTACK / "data"


def _bundled(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", dtype={"district": str})


def test_races_sum_each_committee_for_and_against_each_candidate() -> None:
    spending = race_spending(_bundled("independent_expenditures"), _bundled("races"), _bundled("committees"))
    by_committee = spending[spending["candidate"] == "Alex Bores"].set_index("committee_id")
    bores = by_committee.loc["think-big-pac"].copy()
    bores["committee_id"] = "think-big-pac"
    # City & State: nearly $120,000 (December 2025) + $326,000 (January 2026) by Think Big against Bores
    assert bores["oppose_usd"] == pytest.approx(446_000, abs=0.01)
    assert pd.isna(bores["support_usd"])
    assert bores["qualifiers"] == "about"  # the December figure is approximate, so the sum is too
    assert (bores["result"], bores["committee_id"]) == ("lost", "think-big-pac")
    assert bores["vote_share"] == pytest.approx(0.35, abs=1e-9)
    assert bores["spending_sources"] == "pol3-cityandstate-bores-2026-01"
    # Public First: $602,208 by 10 March (Transformer) + the rest of CNBC's "about $11 million"; Leading the Future's
    # own rows: $1.95m by 10 March less Think Big's $446,000, then CNBC's "roughly $8 million" less the $1.95m
    assert list(by_committee.index) == ["public-first-action", "leading-the-future", "think-big-pac"]
    assert by_committee.loc["public-first-action", "support_usd"] == pytest.approx(11_000_000, abs=0.01)
    assert by_committee.loc["leading-the-future", "oppose_usd"] == pytest.approx(8_000_000 - 446_000, abs=0.01)
    assert by_committee.loc["public-first-action", "stance"] == "pro_ai_safeguards"
    foushee = spending[spending["candidate"] == "Valerie Foushee"].iloc[0]
    assert (foushee["state"], foushee["district"], foushee["committee_id"]) == ("NC", "4", "jobs-and-democracy-pac")
    assert foushee["support_usd"] == pytest.approx(1_600_000, abs=0.01) and foushee["result"] == "won"
    assert foushee["vote_share"] == pytest.approx(0.4918, abs=1e-9)
    field = race_candidates(_bundled("races"), spending)
    assert set(zip(field["candidate"], field["result"], strict=True)) == {("Nida Allam", "lost"),
                                                                         ("Micah Lasher", "won")}
    only_ca = race_spending(_bundled("independent_expenditures"), _bundled("races"), _bundled("committees"), "ca")
    assert only_ca.empty


def test_unknown_committee_or_state_is_one_clear_error() -> None:
    with pytest.raises(InvalidInputError, match=r"--committee 'no-such-pac': no such committee in committees.csv"):
        race_spending(_bundled("independent_expenditures"), _bundled("races"), _bundled("committees"), None,
                      "no-such-pac")
    with pytest.raises(InvalidInputError, match="two-letter state code"):
        race_spending(_bundled("independent_expenditures"), _bundled("races"), _bundled("committees"), "New York")


def _package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "aistack"
    shutil.copytree(AISTACK, copy)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_race_without_a_state_names_file_row_and_field(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    _edit(copy / "data" / "independent_expenditures.csv", "think-big-pac,NY,house", "think-big-pac,,house")
    problems = [str(p) for p in validate_package(copy)]
    assert len(problems) == 1
    assert "independent_expenditures.csv" in problems[0] and "line 2" in problems[0]
    assert "'state'" in problems[0] and "required" in problems[0]


def test_an_unknown_committee_id_names_file_row_and_field(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    race = "NY,house,12,primary,2026-06-23,Alex Bores,DEM,oppose,2026"
    _edit(copy / "data" / "independent_expenditures.csv", f"\nthink-big-pac,{race}", f"\nthink-small-pac,{race}")
    problems = [str(p) for p in validate_package(copy)]
    assert len(problems) == 1
    assert "independent_expenditures.csv" in problems[0] and "line 3" in problems[0]
    assert "committee_id" in problems[0] and "think-small-pac" in problems[0]


def test_a_pledge_flagged_as_receipt_names_file_row_and_field(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    money = copy / "data" / "committee_money.csv"
    lines = money.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("leading-the-future,network,commitment"))
    lines[row] = lines[row].replace(",commitment,", ",receipts,", 1)
    money.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [str(p) for p in validate_package(copy)]
    assert len(problems) == 1  # one clear error
    assert "committee_money.csv" in problems[0] and f"line {row + 1}," in problems[0]
    assert "'is_pledge'" in problems[0] and "kind receipts is reported money" in problems[0]


def test_a_house_race_needs_a_district(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    _edit(copy / "data" / "independent_expenditures.csv", "NY,house,12,primary,2026-06-23,Alex Bores,DEM,oppose,2025",
          "NY,house,,primary,2026-06-23,Alex Bores,DEM,oppose,2025")
    problems = [str(p) for p in validate_package(copy)]
    assert problems and "independent_expenditures.csv" in problems[0] and "'district'" in problems[0]


def _money(rows: list[tuple[str, str | None, str, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"committee_id": "c", "scope": "committee", "kind": "receipts", "donor_id": None, "period_start": s,
             "period_end": e, "amount_usd": a, "is_pledge": p}
            for s, e, _, a, p in [(r[0], r[2], None, r[3], r[4]) for r in rows]
        ]
    )


def test_receipts_by_period_reconcile_with_the_reported_total() -> None:
    money = _money([
        ("2025-01-01", None, "2025-03-31", 100.25, False),
        ("2025-04-01", None, "2025-06-30", 250.50, False),
        ("2025-01-01", None, "2025-06-30", 350.75, False),  # half-year total = 100.25 + 250.50
        ("2025-01-01", None, "2025-12-31", 1_000_000.0, True),  # a pledge never takes part
    ])
    out = reconcile_periods(money, "c")
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["periods"], bool(row["reconciles"])) == (2, True)
    assert row["periods_usd"] == pytest.approx(350.75, abs=1e-9)
    wrong = money.assign(amount_usd=[100.25, 250.50, 360.75, 1_000_000.0])
    bad = reconcile_periods(wrong, "c").iloc[0]
    assert not bool(bad["reconciles"]) and bad["difference_usd"] == pytest.approx(-10.0, abs=1e-9)


def test_bundled_receipts_reconcile_where_a_total_covers_periods() -> None:
    money = _bundled("committee_money")
    for committee in money["committee_id"].unique():
        out = reconcile_periods(money, committee)
        assert out["reconciles"].all(), (committee, out)


def test_independent_expenditures_by_candidate_add_up_to_the_committee_total() -> None:
    spending = _bundled("independent_expenditures")
    for committee, rows in spending.groupby("committee_id"):
        parts = ie_by_candidate(spending, committee)
        assert parts["amount_usd"].sum() == pytest.approx(rows["amount_usd"].sum(), rel=1e-12)
        assert parts["rows"].sum() == len(rows)
    think_big = ie_by_candidate(spending, "think-big-pac")
    assert think_big.to_dict("records") == [
        {"state": "NY", "office": "house", "district": "12", "candidate": "Alex Bores", "support_oppose": "oppose",
         "amount_usd": pytest.approx(446_000.0), "rows": 2}
    ]


def test_state_grid_puts_bills_next_to_money() -> None:
    grid = state_grid(_bundled("state_bill_counts"), _bundled("independent_expenditures"), _bundled("committees"),
                      _bundled("committee_money"), 2025).set_index("state")
    counts = _bundled("state_bill_counts").set_index(["state", "year"])
    assert grid.loc["CA", "introduced"] == counts.loc[("CA", 2025), "introduced"]
    assert grid.loc["CA", "enacted"] == counts.loc[("CA", 2025), "enacted"]
    # META California: $20 million received in 2025 (the pledge of 'tens of millions' is not money)
    assert grid.loc["CA", "state_committee_receipts_usd"] == pytest.approx(20_000_000, abs=0.01)
    assert grid.loc["CA", "state_committees"] == "meta-california"
    assert grid.loc["NY", "ie_oppose_usd"] == pytest.approx(8_000_000, abs=0.01)  # the LTF network against Bores
    assert grid.loc["CA", "classifier_version"] == classifier_version()


def test_firm_money_in_one_place() -> None:
    parts = firm_money("meta", _bundled("entities"), _bundled("committees"), _bundled("committee_money"),
                       _bundled("lobbying"), _bundled("policy_positions"))
    assert set(parts["committees"]["id"]) == {"meta-california", "atep", "forge-the-future", "making-our-tomorrow",
                                               "meta-pac"}
    assert parts["committees"].set_index("id").loc["meta-pac", "fec_id"] == "C00502906"
    given = parts["contributions"]
    reported = given[~given["is_pledge"]]
    # one number per dollar: $45M to ATEP + $20M to META California, the $65M budget is not added again
    assert reported["amount_usd"].sum() == pytest.approx(65_000_000, abs=0.01)
    assert given[given["is_pledge"]]["amount_usd"].isna().all()
    lobby = parts["lobbying"].fillna({"period": ""}).set_index(["jurisdiction", "year", "period"])["amount_usd"]
    assert lobby[("US", 2025, "")] == pytest.approx(26_290_000)  # Bloomberg via The Batch
    assert lobby[("US", 2025, "Q1")] == pytest.approx(8_000_000)  # Issue One: Meta's largest quarter since 2009
    assert lobby[("CA", 2025, "")] == pytest.approx(4_622_000)  # California Secretary of State reports
    assert sorted(set(parts["lobbying"]["year"])) == [2020, 2021, 2022, 2024, 2025]
    # the lobbyist count sits beside the quarter it was reported for (Fox Business: 14 lobbyists in Q3 2021), empty
    # where no source gives one
    counts = parts["lobbying"].fillna({"period": ""}).set_index(["jurisdiction", "year", "period"])["lobbyists"]
    assert counts[("US", 2021, "Q3")] == 14 and counts.drop(("US", 2021, "Q3")).isna().all()
    assert parts["positions"].empty  # no stated position of Meta on preemption is bundled
    anthropic = firm_money("anthropic", _bundled("entities"), _bundled("committees"), _bundled("committee_money"),
                           _bundled("lobbying"), _bundled("policy_positions"))
    # Amodei on the 2025 moratorium, then Public First Action (which Anthropic funds): no preemption without a
    # strong federal standard (February 2026)
    stated = anthropic["positions"].fillna({"event_id": ""})
    assert stated[["entity_id", "event_id", "position"]].to_dict("records") == [
        {"entity_id": "anthropic", "event_id": "us-house-passes-moratorium", "position": "opposes_preemption"},
        {"entity_id": "public-first-action", "event_id": "", "position": "opposes_preemption"},
    ]
    reported = anthropic["contributions"][~anthropic["contributions"]["is_pledge"]]
    assert reported["amount_usd"].sum() == pytest.approx(20_000_000, abs=0.01)  # to Public First Action
    assert anthropic["committees"].set_index("id").loc["anthropac", "fec_id"] == "C00946111"
    federal = anthropic["lobbying"][anthropic["lobbying"]["jurisdiction"] == "US"].fillna({"period": ""})
    by_period = dict(zip(zip(federal["year"], federal["period"], strict=True), federal["amount_usd"], strict=True))
    assert by_period == pytest.approx({(2024, "Q1"): 180_000, (2025, ""): 3_130_000, (2025, "Q2"): 910_000,
                                       (2025, "Q4"): 1_100_000, (2026, "Q1"): 1_600_000}, abs=0.01)
    with pytest.raises(InvalidInputError, match=r"ENTITY 'metta': no such entity in entities.csv"):
        firm_money("metta", _bundled("entities"), _bundled("committees"), _bundled("committee_money"),
                   _bundled("lobbying"))


@pytest.fixture(scope="module")
def fec(shared_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    ingest_fec(con, shared_dir / "data" / "fec-2020-sample")
    return con


def test_firm_pacs_match_the_real_fec_sample_and_link_to_their_firms(fec: duckdb.DuckDBPyConnection) -> None:
    committees = _bundled("committees").dropna(subset=["fec_id"])
    assert committees["fec_id"].str.fullmatch(r"C\d{8}").all()
    # ids taken from the FEC sample are checked against it; AnthroPAC (registered April 2026) is press-reported
    from_sample = committees[committees["source_id"] == "pol3-fec-cm-2020"]
    assert set(committees["id"]) - set(from_sample["id"]) == {"anthropac"}
    entities = _bundled("entities")
    for row in from_sample.itertuples():
        org, kind = fec.execute(
            "SELECT connected_org_nm, cmte_tp FROM fec_cm WHERE cmte_id = ?", [row.fec_id]
        ).fetchone()
        assert kind == "Q", row.id  # qualified (multicandidate) PAC
        if org:  # the connected organisation as filed links to the bundled sponsor
            link = link_names(pd.Series([org]), entities).iloc[0]
            assert (link["decision"], link["entity_id"]) == ("linked", row.sponsor_id), (org, row.id)
    assert fec.execute("SELECT connected_org_nm FROM fec_cm WHERE cmte_id = 'C00502906'").fetchone() == (
        "FACEBOOK INC.",
    )


def test_firm_pac_money_is_the_fec_summary_and_cash_reconciles(fec: duckdb.DuckDBPyConnection) -> None:
    committees = _bundled("committees").dropna(subset=["fec_id"])
    committees = committees[committees["source_id"] == "pol3-fec-cm-2020"].set_index("id")
    money = _bundled("committee_money")
    for committee, fec_id in committees["fec_id"].items():
        receipts, disbursed, start, end = fec.execute(
            "SELECT ttl_receipts, ttl_disb, coh_bop, coh_cop FROM fec_webk WHERE cmte_id = ?", [fec_id]
        ).fetchone()
        ours = money[money["committee_id"] == committee].set_index("kind")["amount_usd"]
        assert Decimal(str(ours["receipts"])) == receipts
        assert Decimal(str(ours["spending"])) == disbursed
        assert Decimal(str(ours["cash_on_hand"])) == end
        assert start + receipts - disbursed == end  # cash at start + receipts - disbursements = cash at end


def _script():
    path = Path(__file__).resolve().parents[2] / "scripts" / "state_bill_counts.py"
    spec = importlib.util.spec_from_file_location("state_bill_counts", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_state_counts_regenerate_from_the_tracker_export(shared_dir: Path) -> None:
    per_state, topics = _script().counts(
        shared_dir / "data" / "state-ai-bills" / "du-caid-tracker-2026-08", "pol3-du-caid-tracker-2026-08"
    )
    bundled = _bundled("state_bill_counts")
    pd.testing.assert_frame_equal(per_state.reset_index(drop=True), bundled, check_dtype=False, check_names=False)
    pd.testing.assert_frame_equal(
        topics.reset_index(drop=True), _bundled("bill_topic_counts"), check_dtype=False, check_names=False
    )
    parts = bundled[["enacted", "vetoed", "failed", "pending"]].sum(axis=1)
    assert (parts == bundled["introduced"]).all()
    assert set(bundled["classifier_version"]) == {classifier_version()}
    assert "US" not in set(bundled["state"])  # Congress is left out


def test_cli_races_states_firm(cli) -> None:
    races = json.loads(cli("politics", "races", "--state", "NY", "--json").out)
    assert [(r["candidate"], r["committee_id"], r["support_usd"], r["oppose_usd"]) for r in races["spending"]] == [
        # CNBC's "about $11 million" for Bores; LTF's own rows: CNBC's "roughly $8 million" less Think Big's $446,000
        ("Alex Bores", "public-first-action", pytest.approx(11_000_000, abs=0.01), None),
        ("Alex Bores", "leading-the-future", None, pytest.approx(8_000_000 - 446_000, abs=0.01)),
        ("Alex Bores", "think-big-pac", None, pytest.approx(120_000 + 326_000, abs=0.01))]
    nc = json.loads(cli("politics", "races", "--state", "NC", "--json").out)
    # NC-01 (Leading the Future for Buckhout, Fox News) and NC-04 (Jobs and Democracy for Foushee): both won
    assert [(r["district"], r["candidate"], r["committee_id"], r["result"]) for r in nc["spending"]] == [
        ("1", "Laurie Buckhout", "leading-the-future", "won"),
        ("4", "Valerie Foushee", "jobs-and-democracy-pac", "won")]
    assert races["field"][0]["candidate"] == "Micah Lasher"
    missing = cli("politics", "races", "--committee", "no-such-pac")
    assert missing.code != 0 and "no such committee in committees.csv" in missing.err
    grid = json.loads(cli("politics", "states", "--year", "2025", "--json").out)
    assert grid["year"] == 2025 and {"NY", "CA"} <= {r["state"] for r in grid["grid"]}
    firm = json.loads(cli("politics", "firm", "google", "--json").out)
    assert [c["fec_id"] for c in firm["committees"]] == ["C00428623"]
    ltf = json.loads(cli("politics", "firm", "andreessen-horowitz", "--json").out)
    # its own lobbying for the 2025 moratorium (AP), then its committee's stated aim at launch
    assert [(p["entity_id"], p["date"]) for p in ltf["positions"]] == [
        ("andreessen-horowitz", "2025-07-01"), ("leading-the-future", "2025-08-26")]
    # its founders' $12.5M each to Leading the Future are the firm's people's money (parent_id)
    given = [c for c in ltf["contributions"] if not c["is_pledge"]]
    assert sum(c["amount_usd"] for c in given) == pytest.approx(25_000_000, abs=0.01)


def test_a_position_on_an_unknown_event_names_file_row_and_field(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    _edit(copy / "data" / "policy_positions.csv", ",us-house-passes-moratorium,", ",us-house-passes-nothing,")
    problems = [str(p) for p in validate_package(copy)]
    assert len(problems) == 1
    assert "policy_positions.csv, line 3, field 'event_id'" in problems[0] and "us-house-passes-nothing" in problems[0]


def _lobbying(rows: list[tuple[str, int, str | None, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"entity_id": e, "jurisdiction": "US", "year": y, "period": p, "amount_usd": a, "qualifier": q}
         for e, y, p, a, q in rows]
    )


def test_lobbying_quarters_add_up_to_the_year() -> None:
    four = [("f", 2025, None, 100.0, "exact")] + [("f", 2025, f"Q{i}", 25.0, "exact") for i in range(1, 5)]
    row = reconcile_lobbying(_lobbying(four)).iloc[0]
    assert (row["quarters"], bool(row["complete"]), bool(row["consistent"])) == (4, True, True)
    assert row["difference_usd"] == pytest.approx(0.0, abs=1e-12)
    short = reconcile_lobbying(_lobbying(four[:-1])).iloc[0]  # three quarters: 75 of 100 is not a contradiction
    assert bool(short["consistent"]) and not bool(short["complete"])
    over = reconcile_lobbying(_lobbying([("f", 2025, None, 100.0, "exact"), ("f", 2025, "Q1", 60.0, "exact"),
                                         ("f", 2025, "Q2", 50.0, "exact")])).iloc[0]
    assert not bool(over["consistent"]) and over["difference_usd"] == pytest.approx(10.0, abs=1e-12)
    rounded = reconcile_lobbying(_lobbying([("f", 2025, None, 100.0, "about"), ("f", 2025, "Q1", 100.5, "exact")]))
    assert bool(rounded.iloc[0]["consistent"])  # within 1% of a rounded year
    with pytest.raises(InvalidInputError, match="2 full-year rows: keep one number per year"):
        reconcile_lobbying(_lobbying([("f", 2025, None, 100.0, "exact"), ("f", 2025, None, 90.0, "more_than")]))


def test_bundled_lobbying_is_one_number_per_year_and_quarters_fit_in_it() -> None:
    out = reconcile_lobbying(_bundled("lobbying")).set_index(["entity_id", "jurisdiction", "year"])
    assert out["consistent"].all(), out[~out["consistent"]]
    # Meta 2025: Q1 $8.0M (Issue One) of $26.29M for the year (Bloomberg); California: Q4 $486k of $4.622M
    assert out.loc[("meta", "US", 2025), "quarters_usd"] == pytest.approx(8_000_000)
    assert out.loc[("meta", "CA", 2025), "difference_usd"] == pytest.approx(486_000 - 4_622_000)
    assert len(out) >= 8
