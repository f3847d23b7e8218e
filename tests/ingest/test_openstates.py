"""Bill ingest: Open States session CSVs (hand-written) and the real DU-CAID tracker export, hand-checked
against the tracker's own summary files."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import duckdb
import pytest

from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.ingest.openstates import ingest_bills, read_bills, session_start_year
from marketpower.politics.bills import summarize_bills

TRACKER = Path("data") / "state-ai-bills" / "du-caid-tracker-2026-08"


def test_session_start_years() -> None:
    assert session_start_year("CA", "20252026") == 2025
    assert session_start_year("MN", "2025-2026") == 2025
    assert session_start_year("IL", "104th") == 2025
    assert session_start_year("MA", "191st") == 2019
    assert session_start_year("NJ", "222") == 2026
    assert session_start_year("US", "116") == 2019
    assert session_start_year("TX", "891") == 2025
    assert session_start_year("AZ", "57th-2nd-regular") == 2026


def test_openstates_csv_bills_actions_subjects(tmp_path: Path) -> None:
    folder = tmp_path / "ca" / "2025"
    folder.mkdir(parents=True)
    (folder / "CA_2025_bills.csv").write_text(
        "id,session_identifier,jurisdiction,identifier,title,subject\n"
        "ocd-bill/1,20252026,ocd-jurisdiction/country:us/state:ca/government,SB 53,"
        "Artificial intelligence models: large developers.,\"['Technology']\"\n"
        "ocd-bill/2,20252026,ocd-jurisdiction/country:us/state:ca/government,AB 1,Budget Act of 2025.,[]\n"
        "ocd-bill/3,20252026,ocd-jurisdiction/country:us/state:ca/government,AB 2,Consumer protection.,"
        "\"['Artificial Intelligence']\"\n"
    )
    (folder / "CA_2025_bill_actions.csv").write_text(
        "id,bill_id,organization_id,description,date,classification,order\n"
        "a1,ocd-bill/1,x,Introduced.,2025-01-07,['introduction'],1\n"
        "a2,ocd-bill/1,x,Chaptered by Secretary of State.,2025-09-29,['became-law'],2\n"
        "a3,ocd-bill/2,x,Introduced.,2025-01-10,['introduction'],1\n"
        "a4,ocd-bill/3,x,Vetoed by Governor.,2025-10-10,['executive-veto'],2\n"
    )
    bills, actions = read_bills(tmp_path)
    by_id = bills.set_index("bill_id")
    assert len(actions) == 4
    assert by_id.loc["ocd-bill/1", "status"] == "enacted" and by_id.loc["ocd-bill/1", "year"] == 2025
    assert by_id.loc["ocd-bill/1", "ai_reasons"] == "title: artificial intelligence ('Artificial intelligence')"
    assert not by_id.loc["ocd-bill/2", "is_ai"]
    assert by_id.loc["ocd-bill/3", "ai_reasons"] == "subject: Artificial Intelligence"
    assert by_id.loc["ocd-bill/3", "status"] == "vetoed"
    summary = summarize_bills(bills)
    assert summary.to_dict("records") == [
        {"state": "CA", "year": 2025, "introduced": 2, "enacted": 1, "vetoed": 1, "failed": 0, "pending": 0}
    ]


def test_tracker_export_matches_its_own_state_year_counts(shared_dir: Path) -> None:
    folder = shared_dir / TRACKER
    bills, _ = read_bills(folder)
    assert len(bills) == 3672  # 3,673 records, one Open States id listed twice
    published = json.loads((folder / "tracker/data/states_by_year.json").read_text())
    ours = collections.Counter(zip(bills["state"], bills["year"].astype(int), strict=True))
    for year, states in published.items():
        for state, counts in states.items():
            if state == "AZ":  # the tracker dates a 2nd regular session by its legislature's first year
                continue
            assert ours[(state, int(year))] == counts["core"], (state, year)
    everything = summarize_bills(bills, year=2025, state="CA", ai_only=False)
    assert everything["introduced"].tolist() == [95]  # states_by_year.json: 2025 CA core 95


def test_tracker_status_counts_hand_checked(shared_dir: Path) -> None:
    bills, _ = read_bills(shared_dir / TRACKER)
    raw = [
        b
        for f in sorted((shared_dir / TRACKER / "tracker/data/bills_by_state").glob("*.json"))
        for b in json.loads(f.read_text())
    ]
    # NCSL statuses in the files: 19 Enacted, 47 Adopted, 1 Vetoed (one duplicate record is Enacted-free)
    ncsl = collections.Counter(b["ncsl_status"] for b in raw)
    assert (ncsl["Enacted"], ncsl["Adopted"], ncsl["Vetoed"]) == (19, 47, 1)
    assert (bills["status"] == "adopted").sum() == 47
    approved = [b for b in raw if "approved by the governor" in (b["latest_action_description"] or "").lower()]
    ids = set(bills.loc[bills["status"] == "enacted", "bill_id"])
    assert all(b["bill_id"] in ids for b in approved)


def test_ingest_bills_into_store_replaces(shared_dir: Path) -> None:
    con = duckdb.connect(":memory:")
    first = ingest_bills(con, shared_dir / TRACKER)
    second = ingest_bills(con, shared_dir / TRACKER)
    assert first == second and first["bills"] == 3672
    assert con.execute("SELECT count(*) FROM bills").fetchone() == (3672,)


def test_a_bills_file_with_only_its_header_adds_no_bills(tmp_path: Path) -> None:
    """A header and no rows (an export cut short, found by the corruption property test) is no error: the other
    files' bills load."""
    (tmp_path / "ca").mkdir()
    (tmp_path / "ca" / "CA_2025_bills.csv").write_text("id,session_identifier,jurisdiction,identifier,title")
    (tmp_path / "tx").mkdir()
    (tmp_path / "tx" / "TX_2025_bills.csv").write_text(
        "id,session_identifier,jurisdiction,identifier,title\n"
        "ocd-bill/9,89R,ocd-jurisdiction/country:us/state:tx/government,HB 149,Artificial intelligence act.\n"
    )
    bills, _ = read_bills(tmp_path)
    assert bills["bill_id"].tolist() == ["ocd-bill/9"] and bills["state"].tolist() == ["TX"]


def test_empty_folder_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no bills found"):
        read_bills(tmp_path)


def _tracker(folder: Path, bills: object, name: str = "CA.json") -> Path:
    (folder / "bills_by_state").mkdir(parents=True, exist_ok=True)
    (folder / "bills_by_state" / name).write_text(json.dumps(bills), encoding="utf-8")
    return folder


_GOOD = {"bill_id": "ocd-bill/1", "state": "CA", "session": "20252026", "identifier": "SB 53",
         "title": "Artificial intelligence models.", "latest_action_date": "2025-09-29T00:00:00+00:00",
         "latest_action_description": "Chaptered by Secretary of State.", "ncsl_status": ""}  # fmt: skip


def test_tracker_fields_of_the_wrong_type_are_located(tmp_path: Path) -> None:
    bills = [
        _GOOD,
        {**_GOOD, "bill_id": "ocd-bill/2", "state": {"code": "CA"}},
        {**_GOOD, "bill_id": "ocd-bill/3", "title": ["AI", "bill"]},
        {**_GOOD, "bill_id": "ocd-bill/4", "session": True},
        "not a bill",
        {**_GOOD, "bill_id": "ocd-bill/6", "state": "California"},
        {**_GOOD, "bill_id": "ocd-bill/7", "latest_action_date": "2025-02-30"},
    ]
    with pytest.raises(DataPackageError) as caught:
        read_bills(_tracker(tmp_path, bills))
    assert [(Path(p.file).name, p.field) for p in caught.value.problems] == [
        ("CA.json", "[1].state"),
        ("CA.json", "[2].title"),
        ("CA.json", "[3].session"),
        ("CA.json", "[4]"),
        ("CA.json", "[5].state"),
        ("CA.json", "[6].latest_action_date"),
    ]
    text = str(caught.value)
    assert 'state must be text, found {"code": "CA"}' in text and "'2025-02-30' is not a real date" in text


def test_non_utf8_bytes_are_located_and_the_store_is_unchanged(tmp_path: Path) -> None:
    good = _tracker(tmp_path / "good", [_GOOD])
    con = duckdb.connect(":memory:")
    assert ingest_bills(con, good)["bills"] == 1
    bad = _tracker(tmp_path / "bad", [_GOOD, {**_GOOD, "bill_id": "ocd-bill/2"}])
    path = bad / "bills_by_state" / "CA.json"
    path.write_bytes(path.read_bytes().replace(b"Artificial", b"Artifici\xe9l", 1).replace(b"}, {", b"},\n{"))
    with pytest.raises(DataPackageError) as caught:
        ingest_bills(con, bad)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line) == ("CA.json", 1)
    assert "not UTF-8 (byte 0xe9)" in problem.message
    assert con.execute("SELECT bill_id, title FROM bills").fetchall() == [("ocd-bill/1", _GOOD["title"])]


def test_bad_openstates_csv_files_are_located(tmp_path: Path) -> None:
    folder = tmp_path / "ca"
    folder.mkdir()
    (folder / "CA_2025_bills.csv").write_bytes(
        b"id,session_identifier,jurisdiction,identifier,title\n"
        b"ocd-bill/1,20252026,ocd-jurisdiction/country:us/state:ca/government,SB 53,AI models\n"
        b",20252026,ocd-jurisdiction/country:us/state:ca/government,AB 1,Budget\n"
    )
    (folder / "CA_2025_bill_actions.csv").write_text(
        "id,bill_id,description,date,classification\na1,ocd-bill/1,Introduced.,07/01/2025,['introduction']\n"
    )
    (folder / "CA_2025_bill_subjects.csv").write_bytes(b"bill_id,subject\nocd-bill/1,Tech\xff\n")
    (folder / "CA_2025_bill_abstracts.csv").write_text("bill_id\nocd-bill/1\n")
    with pytest.raises(DataPackageError) as caught:
        read_bills(tmp_path)
    assert [(Path(p.file).name, p.line, p.field) for p in caught.value.problems] == [
        ("CA_2025_bills.csv", 3, "id"),
        ("CA_2025_bill_actions.csv", 2, "date"),
        ("CA_2025_bill_subjects.csv", 2, None),
        ("CA_2025_bill_abstracts.csv", 1, "abstract"),
    ]
