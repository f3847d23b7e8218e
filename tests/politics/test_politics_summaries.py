"""Summaries the report and dashboard show: topics of AI bills by year, the latest count per tracker, and the
money timeline of committees (pledges apart from reported money). Expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.politics.bills import classify_bills, latest_bill_counts, topics_by_year
from marketpower.politics.money import money_timeline


def test_topics_by_year_counts_each_bill_once_per_topic() -> None:
    bills = classify_bills(
        pd.DataFrame(
            {
                "title": [
                    "Artificial intelligence; deepfakes in elections",  # AI + deepfake
                    "An act on artificial intelligence and artificial intelligence audits",  # AI once
                    "Chatbot disclosure",  # chatbot
                    "Highway funding",  # not AI
                ],
                "subjects": ["Artificial Intelligence", "", "", ""],
                "year": [2024, 2025, 2025, 2025],
            }
        )
    )
    topics = topics_by_year(bills)
    got = {(r.year, r.topic): r.bills for r in topics.itertuples()}
    # bill 1 matched "artificial intelligence" in the title and as a subject: one count
    assert got == {
        (2024, "artificial intelligence"): 1,
        (2024, "deepfake"): 1,
        (2025, "artificial intelligence"): 1,
        (2025, "chatbot"): 1,
    }
    assert list(topics["year"]) == [2024, 2024, 2025, 2025]


def test_topics_need_classified_bills() -> None:
    with pytest.raises(InvalidInputError, match="ai_reasons"):
        topics_by_year(pd.DataFrame({"year": [2025], "is_ai": [True]}))


def test_latest_bill_counts_keeps_trackers_apart() -> None:
    counts = pd.DataFrame(
        {
            "tracker": ["ncsl", "ncsl", "ncsl", "vaill"],
            "state": ["ALL", "ALL", "ALL", "ALL"],
            "year": [2025, 2025, 2025, 2025],
            "as_of": ["2025-03-01", "2025-06-30", "2025-09-24", "2025-08-11"],
            "introduced": [300, 550, None, 1065],
            "enacted": [None, None, None, 219],
            "source_id": ["a", "b", "c", "d"],
        }
    )
    latest = latest_bill_counts(counts)
    # the 24 Sep row has no count, so NCSL's latest is 30 June; VAILL is never added to NCSL
    assert list(zip(latest["tracker"], latest["introduced"], latest["source_id"], strict=True)) == [
        ("ncsl", 550, "b"),
        ("vaill", 1065, "d"),
    ]


def test_money_timeline_marks_pledges() -> None:
    money = pd.DataFrame(
        {
            "committee_id": ["b", "a", "a"],
            "scope": ["network", "committee", "committee"],
            "kind": ["commitment", "receipts", "commitment"],
            "donor_id": ["x", "x", None],
            "period_end": ["2026-01-31", "2025-09-30", "2025-08-26"],
            "amount_usd": [65e6, 45e6, None],
            "qualifier": ["exact", "exact", "unquantified"],
            "is_pledge": [True, False, True],
            "basis": ["announcement", "filing", "press_report"],
            "source_id": ["s1", "s2", "s3"],
        }
    )
    timeline = money_timeline(money)
    assert list(timeline["date"]) == [dt.date(2025, 8, 26), dt.date(2025, 9, 30), dt.date(2026, 1, 31)]
    assert list(timeline["record"]) == ["pledge", "filing", "pledge"]
    assert pd.isna(timeline["amount_usd"].iloc[0]) and timeline["amount_usd"].iloc[1] == pytest.approx(45e6)
