"""Politics domain: classifier precision on hand labels, bill status, committee money, linking, schema checks
and the CLI on the bundled data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from marketpower.datasets import AISTACK
from marketpower.politics.bills import bill_status, classify_bills, classify_text, precision_on_labels
from marketpower.politics.linking import link_names, normalise
from marketpower.politics.money import committee_overview
from marketpower.schema.politics import check_bill_counts, check_committee_money

LABELS = AISTACK.parent / "ai_bill_labels" / "labels.csv"


def test_precision_on_hand_labelled_tracker_sample() -> None:
    labels = pd.read_csv(LABELS)
    assert len(labels) == 150 and labels["label"].value_counts().to_dict() == {"ai": 82, "not_ai": 40, "unclear": 28}
    result = precision_on_labels(classify_bills(labels)["is_ai"], labels["label"])
    # 78 bills accepted, all labelled ai; 4 ai-labelled bills have no AI word in the title
    assert (result.accepted, result.confirmed, result.rejected, result.unclear) == (78, 78, 0, 0)
    assert result.precision == 1.0 and result.recall == pytest.approx(78 / 82)
    # the tracker itself (every bill accepted): 82 of 122 decided labels
    tracker = precision_on_labels(pd.Series(True, index=labels.index), labels["label"])
    assert tracker.precision == pytest.approx(82 / 122)


def test_precision_on_techequity_independent_labels(shared_dir: Path) -> None:
    topics = pd.read_csv(shared_dir / "data/state-ai-bills/techequity-ca-2025/data/megan_topics.csv")
    labels = topics["Include?"].map({"Yes": "ai", "No": "not_ai"})
    result = precision_on_labels(classify_bills(topics.rename(columns={"Bill Name": "title"}))["is_ai"], labels)
    assert (result.labelled_ai, result.accepted, result.confirmed, result.rejected) == (71, 23, 23, 0)


def test_reasons_name_field_concept_and_text() -> None:
    assert classify_text({"title": "Relating to the use of AI-generated media"}) == [
        "title: AI (abbreviation) ('AI')",
        "title: computer-generated imagery ('AI-generated')",
    ]
    assert classify_text({"title": "RELATING TO HAWAII AIRPORTS"}) == []
    assert classify_text({"title": "Energy"}, ["Artificial Intelligence"]) == ["subject: Artificial Intelligence"]


@pytest.mark.parametrize(
    ("action", "ncsl", "classes", "expected"),
    [
        ("Approved by the Governor.", None, None, "enacted"),
        ("Chaptered by Secretary of State - Chapter 138, Statutes of 2025.", None, None, "enacted"),
        ("Vetoed by Governor.", None, None, "vetoed"),
        ("Veto overridden; became law", None, None, "enacted"),
        ("Referred to Committee", "Failed - Adjourned", None, "failed"),
        ("Referred to Committee", "Adopted", None, "adopted"),
        ("Referred to Committee", None, ["referral-committee"], "pending"),
        ("Delivered to governor", None, ["became-law"], "enacted"),
    ],
)
def test_bill_status(action, ncsl, classes, expected) -> None:
    assert bill_status(action, ncsl, classes) == expected


def _bundled(name: str) -> pd.DataFrame:
    return pd.read_csv(AISTACK / "data" / f"{name}.csv")


def test_committee_overview_keeps_pledges_apart_from_receipts() -> None:
    out = committee_overview(_bundled("committees"), _bundled("committee_money")).set_index("id")
    assert out.loc["atep", "receipts_usd"] == pytest.approx(45_000_000)  # filed: Meta's September 2025 contribution
    assert pd.isna(out.loc["atep", "commitment_usd"])  # pledge given only as "tens of millions"
    assert bool(out.loc["atep", "pledge_unquantified"])
    # the $65M "budget" is the same money as the $45M + $20M receipts: not counted twice (issue 16)
    assert pd.isna(out.loc["atep", "network_commitment_usd"])
    # LTF's "more than $140M raised to date" (April 2026) is, like the $125M of January, an announced network
    # total not split into receipts and promises: the latest pledge figure, after the $100M at launch and the
    # $125M; the filed receipts of the super PAC and its affiliates are $50.8M (FEC year-end filings)
    assert out.loc["leading-the-future", "network_commitment_usd"] == pytest.approx(140_000_000, abs=0.01)
    assert out.loc["leading-the-future", "network_receipts_usd"] == pytest.approx(50_800_000)
    # same date, filed figure first: $49.6M on file, not the committee's announced $70M
    assert out.loc["leading-the-future", "network_cash_on_hand_usd"] == pytest.approx(49_600_000)
    # the super PAC itself: Andreessen + Horowitz + the Brockmans, $12.5M each in H2 2025, plus its $25M of
    # Q1 2026 (Axios): disjoint periods, so no dollar is counted twice
    assert out.loc["leading-the-future", "receipts_usd"] == pytest.approx(37_500_000 + 25_000_000, abs=0.01)
    assert out.loc["leading-the-future", "cash_on_hand_usd"] == pytest.approx(39_000_000, abs=0.01)  # NBC: LTF alone
    assert out.loc["public-first-action", "receipts_usd"] == pytest.approx(20_000_000)  # Anthropic


def test_money_checks_catch_mislabelled_pledges() -> None:
    money = _bundled("committee_money")
    assert check_committee_money({"committee_money": money}) == []
    bad = money.copy()
    bad.loc[0, "is_pledge"] = False  # a commitment marked as reported money
    bad.loc[2, "amount_usd"] = None  # receipts without amount or `unquantified`
    problems = check_committee_money({"committee_money": bad})
    assert {(p.line, p.field) for p in problems} == {(2, "is_pledge"), (4, "amount_usd")}


def test_bill_counts_check_and_the_1000_bills_claim() -> None:
    counts = _bundled("bill_counts")
    assert check_bill_counts({"bill_counts": counts}) == []
    y2025 = counts[(counts["year"] == 2025) & (counts["introduced"] >= 1000)]
    # "more than 1,000 AI bills this year" holds for MultiState (1,200; 1,079 by July) and VAILL (1,065);
    # NCSL's published 2025 figure we hold is "at least 550" (mid-session)
    assert sorted(y2025["tracker"].unique()) == ["multistate", "vaill"]
    bad = pd.DataFrame(
        [
            {
                "tracker": "x",
                "state": "ALL",
                "year": 2025,
                "as_of": "2025-01-01",
                "introduced": 5,
                "enacted": 9,
                "introduced_qualifier": "exact",
                "enacted_qualifier": "exact",
            }
        ]
    )
    assert [p.field for p in check_bill_counts({"bill_counts": bad})] == ["enacted"]


def test_linking_scores_and_review_list() -> None:
    entities = _bundled("entities")
    assert normalise("Meta Platforms, Inc.") == "META PLATFORMS"
    links = link_names(
        pd.Series(
            [
                "FACEBOOK INC",
                "META PLATFORMS INC.",
                "NVIDIA CORP",
                "ANTHROPIC PBC",
                "MICROSOFT AZURE SERVICES",
                "SELF-EMPLOYED",
            ]
        ),
        entities,
    ).set_index("name")
    assert links.loc["FACEBOOK INC", ["entity_id", "score", "decision"]].tolist() == ["meta", 1.0, "linked"]
    assert links.loc["META PLATFORMS INC.", "entity_id"] == "meta"
    assert links.loc["NVIDIA CORP", "decision"] == "linked"
    # 2 of 3 tokens shared with "Microsoft Azure": a candidate for review, not a silent merge
    assert links.loc["MICROSOFT AZURE SERVICES", ["entity_id", "decision"]].tolist() == ["microsoft-azure", "review"]
    assert links.loc["SELF-EMPLOYED", "decision"] == "unlinked"


def test_cli_committees_money_and_bills_summary(cli) -> None:
    committees = json.loads(cli("politics", "committees", "--json").out)
    assert {c["id"] for c in committees} >= {"atep", "meta-california", "leading-the-future", "public-first-action"}
    money = json.loads(cli("politics", "money", "meta-california", "--json").out)
    kinds = {(r["kind"], r["is_pledge"]) for r in money["bundled"]}
    assert kinds == {("commitment", True), ("receipts", False), ("cash_on_hand", False)}
    missing = cli("politics", "money", "no-such-pac")
    assert missing.code != 0 and "no money rows" in missing.err
    summary = json.loads(cli("bills", "summary", "--year", "2025", "--json").out)
    assert {r["tracker"] for r in summary["published_counts"]} >= {"ncsl", "multistate", "brookings", "vaill"}


def test_cli_bills_ingest_then_summary(cli, shared_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "bills.duckdb")
    result = cli(
        "bills", "ingest", str(shared_dir / "data/state-ai-bills/du-caid-tracker-2026-08"), "--db", db, "--json"
    )
    assert json.loads(result.out)["bills"] == 3672
    rows = json.loads(cli("bills", "summary", "--state", "CA", "--year", "2025", "--db", db, "--json").out)
    ca = rows["ingested"][0]
    assert ca["state"] == "CA" and ca["year"] == 2025 and ca["introduced"] <= 95
