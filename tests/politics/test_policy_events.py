"""The dated events of the federal preemption debate: schema checks on bad rows, the bundled events, and
policy_timeline next to the committee money timeline on a hand-built case."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from marketpower.datasets import AISTACK
from marketpower.errors import InvalidInputError
from marketpower.ingest.datapackage import read_package, validate_package
from marketpower.politics.money import money_timeline
from marketpower.politics.policy import policy_timeline

HEADER = "id,date,jurisdiction,kind,title,outcome,source_id\n"
GOOD = "us-senate,2025-07-01,US,vote,Senate vote,Struck 99-1,pol2-broadbandbreakfast-senate-2025-07-01\n"


@pytest.fixture()
def package(tmp_path: Path) -> Path:
    target = tmp_path / "aistack"
    shutil.copytree(AISTACK, target)
    return target


def _problems(package: Path, rows: str) -> list[tuple[int | None, str | None, str]]:
    path = package / "data" / "policy_events.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return [(p.line, p.field, p.message) for p in validate_package(package) if p.file == str(path)]


def test_missing_source_bad_date_and_bad_kind_are_all_reported(package: Path) -> None:
    problems = _problems(
        package,
        GOOD
        + "no-source,2025-05-22,US,vote,House vote,Passed 215-214,\n"
        + "bad-date,22/05/2025,US,vote,House vote,Passed 215-214,pol2-dlx-house-passes-2025-05-22\n"
        + "bad-kind,2025-05-22,US,rumour,House vote,Passed 215-214,pol2-dlx-house-passes-2025-05-22\n"
        + "bad-state,2025-05-22,Colorado,law,Delay,Moved,pol2-akingump-colorado-delay-2025-09-22\n"
        + "unknown-source,2025-05-22,US,vote,House vote,Passed,pol2-nowhere\n",
    )
    fields = {(line, field) for line, field, _ in problems}
    assert {(3, "source_id"), (4, "date"), (5, "kind"), (6, "jurisdiction"), (7, "source_id")} <= fields
    assert (2, "source_id") not in fields and not any(line == 2 for line, _, _ in problems)


def test_event_dated_after_its_source_is_refused(package: Path) -> None:
    # the Senate vote of 1 July 2025 cannot be reported by a page published on 22 May 2025
    problems = _problems(
        package, GOOD + "late,2025-07-01,US,vote,Senate vote,Struck 99-1,pol2-dlx-house-passes-2025-05-22\n"
    )
    assert len(problems) == 1
    line, field, message = problems[0]
    assert (line, field) == (3, "date") and "2025-05-22" in message and "late" in message


def test_bundled_events_load_with_their_sources() -> None:
    package = read_package(AISTACK)
    events, sources = package.tables["policy_events"], package.tables["sources"]
    assert len(events) >= 14 and events["id"].is_unique
    assert set(events["source_id"]) <= set(sources["id"])
    assert all(s.startswith(("pol2-", "pol4-", "pol26-")) for s in events["source_id"])
    by_id = events.set_index("id")
    assert pd.Timestamp(by_id.loc["us-house-passes-moratorium", "date"]).date() == dt.date(2025, 5, 22)
    assert pd.Timestamp(by_id.loc["us-senate-strikes-moratorium", "date"]).date() == dt.date(2025, 7, 1)
    assert pd.Timestamp(by_id.loc["us-eo-14365", "date"]).date() == dt.date(2025, 12, 11)
    assert by_id.loc["us-eo-14365", "kind"] == "executive_order"
    # the latest step in the stored pages: Cruz's announced Senate Commerce AI markup (Politico, 25 June 2026)
    assert pd.Timestamp(events["date"].max()).date() == dt.date(2026, 6, 25)
    assert by_id.loc["us-cruz-ai-markup-announced", "kind"] == "statement"
    # the state laws at stake since March 2026: New York finalises the RAISE Act, Colorado replaces its AI Act
    assert pd.Timestamp(by_id.loc["ny-raise-act-chapter-amendment", "date"]).date() == dt.date(2026, 3, 27)
    assert (by_id.loc["co-sb26-189-signed", "jurisdiction"], by_id.loc["co-sb26-189-signed", "kind"]) == ("CO", "law")
    assert by_id.loc["us-doj-joins-xai-colorado-suit", "kind"] == "court"
    assert pd.Timestamp(by_id.loc["us-eo-frontier-model-review", "date"]).date() == dt.date(2026, 6, 2)
    assert by_id.loc["ca-sb53-signed", "jurisdiction"] == "CA" and by_id.loc["ny-raise-act-signed", "kind"] == "law"
    # every event happened on or before the day its source was published
    published = sources.set_index("id")["published"]
    dated = zip(events["date"], events["source_id"], strict=True)
    assert all(pd.Timestamp(d) <= pd.Timestamp(published[s]) for d, s in dated)


def _money() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "committee_id": ["a", "a", "b", "b", "c"],
            "scope": ["committee"] * 5,
            "kind": ["commitment", "receipts", "commitment", "receipts", "receipts"],
            "donor_id": [None] * 5,
            "period_end": ["2025-08-26", "2025-09-30", "2025-09-30", "2025-12-31", "2026-06-30"],
            "amount_usd": [None, 45e6, 100e6, 125e6, 20e6],
            "qualifier": ["unquantified", "exact", "exact", "exact", "exact"],
            "is_pledge": [True, False, True, False, False],
            "basis": ["press_report", "filing", "announcement", "announcement", "filing"],
            "source_id": ["s1", "s2", "s3", "s4", "s5"],
        }
    )


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["z-late", "eo", "senate", "a-same-day"],
            "date": ["2026-07-01", "2025-12-11", "2025-07-01", "2025-09-30"],
            "jurisdiction": ["US", "US", "US", "CA"],
            "kind": ["bill", "executive_order", "vote", "law"],
            "title": ["Draft", "Order", "Vote", "Law"],
            "outcome": ["d", "o", "v", "l"],
            "source_id": ["e1", "e2", "e3", "e4"],
        }
    )


def test_policy_timeline_counts_money_on_record_by_each_event() -> None:
    out = policy_timeline(_events(), money_timeline(_money()))
    assert list(out["id"]) == ["senate", "a-same-day", "eo", "z-late"]
    assert list(out["number"]) == [1, 2, 3, 4]
    assert list(out["date"]) == [dt.date(2025, 7, 1), dt.date(2025, 9, 30), dt.date(2025, 12, 11), dt.date(2026, 7, 1)]
    assert list(out["level"]) == ["federal", "state", "federal", "federal"]
    # 1 Jul 2025: nothing yet. 30 Sep 2025 (same day counts): a's pledge (26 Aug) + a's filing and b's pledge
    # (30 Sep) -> committees a, b; pledges 2; reported 1. 11 Dec: unchanged. 1 Jul 2026: every row.
    assert list(out["committees_to_date"]) == [0, 2, 2, 3]
    assert list(out["pledges_to_date"]) == [0, 2, 2, 2]
    assert list(out["reported_to_date"]) == [0, 1, 1, 3]
    assert list(out.columns) == [
        "number",
        "id",
        "date",
        "jurisdiction",
        "level",
        "kind",
        "title",
        "outcome",
        "source_id",
        "committees_to_date",
        "pledges_to_date",
        "reported_to_date",
    ]


def test_policy_timeline_refuses_bad_dates_and_missing_columns() -> None:
    events = _events()
    events.loc[2, "date"] = "1st of July"
    with pytest.raises(InvalidInputError, match=r"row 3 \(senate\): date '1st of July' is not a date"):
        policy_timeline(events, money_timeline(_money()))
    with pytest.raises(InvalidInputError, match="policy_events: column 'source_id' is required"):
        policy_timeline(_events().drop(columns="source_id"), money_timeline(_money()))
    with pytest.raises(InvalidInputError, match="money_timeline: column 'record' is required"):
        policy_timeline(_events(), money_timeline(_money()).drop(columns="record"))
