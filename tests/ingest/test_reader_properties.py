"""Property tests of the external-format readers: random corruption of real sample files (byte flips, truncation,
removed or duplicated columns, inserted delimiters, quotes, NULs and bad bytes, type swaps in JSON) gives either
a load that keeps the reader's invariants or a project error (``MarketpowerError``) located in the files read,
never another exception type; a refused ingest leaves the store as it was.

Samples are small slices of ``../shared/data`` (Epoch AI, CSET ETO, the DU-CAID tracker) and the hand-written
13F, companyfacts and Open States files of the unit tests, copied into a temporary folder for each example.
Hypothesis runs derandomized (the same examples on every machine) without deadlines.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketpower.errors import DataPackageError, MarketpowerError
from marketpower.ingest.epoch_chips import ingest_epoch_chips
from marketpower.ingest.epoch_hub import read_epoch_data_centers
from marketpower.ingest.eto import parse_eto
from marketpower.ingest.openstates import ingest_bills
from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS, SUMMARYPAGE_COLUMNS, load_13f
from marketpower.ingest.sec_facts import read_sec_facts

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not available")

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Files = dict[str, bytes]

# ------------------------------------------------------------------------------------------------ corruption

TOKENS = [b",", b"\t", b'"', b"'", b"\x00", b"\n", b"\r", b"\r\n", b"\xff", b"\xe9", b"\xef\xbb\xbf", b"NaN",
          b"-5", b"inf", b"1_0", b"\xe2\x80\xa8", b"[/x]", b"{", b"]"]  # fmt: skip


def _columns(data: bytes, drop: bool, index: int, delimiter: bytes) -> bytes:
    """Every line with its ``index``-th field (split naively on ``delimiter``) removed or written twice."""
    out = []
    for line in data.split(b"\n"):
        fields = line.split(delimiter)
        if index < len(fields):
            fields = fields[:index] + fields[index + 1 :] if drop else fields[: index + 1] + fields[index:]
        out.append(delimiter.join(fields))
    return b"\n".join(out)


@st.composite
def corrupted(draw: st.DrawFn, data: bytes, delimiter: bytes = b",") -> bytes:
    """``data`` after one to three random corruptions."""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "drop_column", "dup_column", "lines"]))
        size = len(data)
        at = draw(st.integers(0, size))
        if kind == "flip" and size:
            at = min(at, size - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind in ("drop_column", "dup_column"):
            data = _columns(data, kind == "drop_column", draw(st.integers(0, 8)), delimiter)
        else:  # a line repeated or removed
            lines = data.split(b"\n")
            pick = draw(st.integers(0, max(0, len(lines) - 1)))
            lines = lines[:pick] + lines[pick + 1 :] if draw(st.booleans()) else lines[: pick + 1] + lines[pick:]
            data = b"\n".join(lines)
    return data


JSON_VALUES = st.sampled_from(
    ["abc", "", True, False, None, math.nan, math.inf, -math.inf, 10**400, -5, 0, [], {}, [1, "x"], {"a": {}},
     "2025-02-30", "\x00", "é"]
)  # fmt: skip


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


@st.composite
def swapped(draw: st.DrawFn, document: Any) -> bytes:
    """``document`` with one to three nodes replaced by values of another type, as JSON text (NaN allowed),
    sometimes byte-corrupted as well."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        value = draw(JSON_VALUES)
        if not path:
            document = value
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    text = json.dumps(document).encode("utf-8")
    return draw(corrupted(text)) if draw(st.integers(0, 3)) == 0 else text


@st.composite
def one_file_corrupted(draw: st.DrawFn, files: Files, delimiters: dict[str, bytes] | None = None) -> Files:
    """``files`` with one of them corrupted."""
    name = draw(st.sampled_from(sorted(files)))
    delimiter = (delimiters or {}).get(name, b",")
    return {**files, name: draw(corrupted(files[name], delimiter))}


def _write(root: Path, files: Files) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _outcome(root: Path, call: Callable[[], Any]) -> Any:
    """The reader's result, or None after checking that a project error names a place under ``root``."""
    try:
        return call()
    except MarketpowerError as error:
        if isinstance(error, DataPackageError):
            assert error.problems
            assert all(p.file.startswith(str(root)) for p in error.problems), error.problems
        else:
            assert str(root) in str(error), str(error)
        return None


def _slice_csv(path: Path, keep: Callable[[dict[str, str]], bool] | None = None, rows: int | None = None) -> bytes:
    """A slice of a real CSV file: the header and the rows ``keep`` accepts (or the first ``rows``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        records = [r for r in reader if keep is None or keep(r)][:rows]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------------------------ ETO

ETO_INPUTS = {"N33", "N84", "N106", "N65"}


def _eto_sample() -> Files:
    folder = SHARED / "eto-chip-explorer"
    provision = _slice_csv(folder / "provision.csv", lambda r: r["provided_id"] in ETO_INPUTS)
    providers_used = {r["provider_id"] for r in csv.DictReader(io.StringIO(provision.decode("utf-8")))}
    return {
        "provision.csv": provision,
        "providers.csv": _slice_csv(folder / "providers.csv", lambda r: r["provider_id"] in providers_used),
        "inputs.csv": _slice_csv(folder / "inputs.csv", lambda r: r["input_id"] in ETO_INPUTS),
        "stages.csv": (folder / "stages.csv").read_bytes(),
    }


@needs_shared
def test_eto_sample_loads() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shares = parse_eto(_write(Path(tmp), _eto_sample())).shares
    assert {"eto-n33-countries", "eto-n84-countries", "eto-n106-firms"} <= set(shares["market_id"])


@needs_shared
@settings(PROPERTY, max_examples=45)
@given(data=st.data())
def test_eto_corruption_is_loaded_or_located(data: st.DataObject) -> None:
    files = data.draw(one_file_corrupted(_eto_sample()))
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(Path(tmp), files)
        result = _outcome(root, lambda: parse_eto(root))
    if result is not None:
        shares = result.shares
        assert shares["share"].dropna().between(0, 1).all()
        assert (shares["share_low"].dropna() >= 0).all() and (shares["share_high"].dropna() <= 1).all()
        central = shares["share"].fillna(shares["share_low"])
        assert central.groupby([shares["market_id"], shares["year"]]).sum().max() <= 1 + 1e-5


# ------------------------------------------------------------------------------------------------ Epoch chips

EPOCH_CHIP_FILES = [
    "owners_csv_export/nvidia_owners_cumulative_totals.csv",
    "owners_csv_export/nvidia_owners_OTHER_cumulative_totals.csv",
    "owners_csv_export/amd_owners_cumulative_totals.csv",
    "owners_csv_export/tpu_owners_cumulative_totals.csv",
    "owners_csv_export/trainium_owners_cumulative_totals.csv",
    "owners_csv_export/coreweave/coreweave_owners_cumulative_totals.csv",
    "data_inputs/named_other_owners_cumulative_totals.csv",
]


def _epoch_chips_sample() -> Files:
    return {name: _slice_csv(SHARED / "epoch-ai-chip-counts" / name, rows=12) for name in EPOCH_CHIP_FILES}


@needs_shared
def test_epoch_chips_sample_loads() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = ingest_epoch_chips(_write(Path(tmp), _epoch_chips_sample()))
    assert result.missing == [] and not result.tables["shares"].empty


@needs_shared
@settings(PROPERTY, max_examples=25)
@given(data=st.data())
def test_epoch_chips_corruption_is_loaded_or_located(data: st.DataObject) -> None:
    files = data.draw(one_file_corrupted(_epoch_chips_sample()))
    allow = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(Path(tmp), files)
        result = _outcome(root, lambda: ingest_epoch_chips(root, allow_missing_files=allow))
    if result is not None:
        shares = result.tables["shares"]
        assert shares["share"].between(0, 1).all()
        assert (shares["share_low"] <= shares["share"] + 1e-6).all()
        assert (shares["share"] <= shares["share_high"] + 1e-6).all()
        sums = shares.groupby(["year", "period"])["share"].sum()
        assert ((sums - 1).abs() < 1e-4).all()
        assert (result.estimates[["h100e_median", "h100e_low", "h100e_high"]] >= 0).all().all()
        if result.missing:
            assert result.summary["incomplete"].all()


# ------------------------------------------------------------------------------------------------ Epoch hub


def _epoch_hub_sample() -> Files:
    folder = SHARED / "epoch-data-hub-2025-12"
    return {
        "data_centers.csv": (folder / "data_centers.csv").read_bytes(),
        "data_center_timelines.csv": _slice_csv(folder / "data_center_timelines.csv", rows=30),
    }


@needs_shared
@settings(PROPERTY, max_examples=60)
@given(data=st.data())
def test_epoch_hub_corruption_is_loaded_or_located(data: st.DataObject) -> None:
    files = data.draw(one_file_corrupted(_epoch_hub_sample()))
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(Path(tmp), files)
        result = _outcome(root, lambda: read_epoch_data_centers(root))
    if result is not None:
        assert result["id"].is_unique and (result["id"] != "").all()
        assert (result["power_mw"].dropna() > 0).all()
        assert set(result["status"]) <= {"operational", "under_construction", "planned"}


# ------------------------------------------------------------------------------------------------ Open States

OPENSTATES_CSV: Files = {
    "ca/CA_2025_bills.csv": (
        b"id,session_identifier,jurisdiction,identifier,title,subject\n"
        b"ocd-bill/1,20252026,ocd-jurisdiction/country:us/state:ca/government,SB 53,"
        b"Artificial intelligence models: large developers.,\"['Technology']\"\n"
        b"ocd-bill/2,20252026,ocd-jurisdiction/country:us/state:ca/government,AB 1,Budget Act of 2025.,[]\n"
    ),
    "ca/CA_2025_bill_actions.csv": (
        b"id,bill_id,organization_id,description,date,classification,order\n"
        b"a1,ocd-bill/1,x,Introduced.,2025-01-07,['introduction'],1\n"
        b"a2,ocd-bill/1,x,Chaptered by Secretary of State.,2025-09-29,['became-law'],2\n"
        b"a3,ocd-bill/2,x,Introduced.,2025-01-10,['introduction'],1\n"
    ),
}


def _tracker_bills() -> list[Any]:
    path = SHARED / "state-ai-bills" / "du-caid-tracker-2026-08" / "tracker" / "data" / "bills_by_state" / "AK.json"
    return list(json.loads(path.read_text(encoding="utf-8"))[:12])


@dataclass(frozen=True)
class GoodStore:
    """A DuckDB file holding the ingested, unmodified Open States and tracker samples, and its tables' rows."""

    path: Path
    bills: list[tuple[Any, ...]]
    actions: list[tuple[Any, ...]]


BILLS_SQL = "SELECT * FROM bills ORDER BY bill_id"
ACTIONS_SQL = "SELECT * FROM bill_actions ORDER BY ALL"


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> GoodStore:
    root = tmp_path_factory.mktemp("bills")
    good = _write(root / "good", {**OPENSTATES_CSV, "t/bills_by_state/AK.json": json.dumps(_tracker_bills()).encode()})
    con = duckdb.connect(str(root / "store.duckdb"))
    ingest_bills(con, good)
    store = GoodStore(root / "store.duckdb", con.execute(BILLS_SQL).fetchall(), con.execute(ACTIONS_SQL).fetchall())
    con.close()
    return store


def _bills_outcome(store: GoodStore, files: Files) -> None:
    """Ingest ``files`` over a copy of the good store: a refusal leaves it as it was."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(store.path, Path(tmp) / "store.duckdb")
        con = duckdb.connect(str(Path(tmp) / "store.duckdb"))
        root = _write(Path(tmp) / "bad", files)
        result = _outcome(root, lambda: ingest_bills(con, root))
        if result is None:
            assert con.execute(BILLS_SQL).fetchall() == store.bills
            assert con.execute(ACTIONS_SQL).fetchall() == store.actions
        else:
            bills = con.execute("SELECT state, title, session, identifier FROM bills").fetchall()
            assert all(isinstance(v, str) for row in bills for v in row)
            assert all(len(state) == 2 and state.isupper() for state, *_ in bills)
        con.close()


@needs_shared
@settings(PROPERTY, max_examples=30)
@given(data=st.data())
def test_tracker_json_type_swaps_are_loaded_or_located(good_store: GoodStore, data: st.DataObject) -> None:
    _bills_outcome(good_store, {"t/bills_by_state/AK.json": data.draw(swapped(_tracker_bills()))})


@needs_shared
@settings(PROPERTY, max_examples=30)
@given(data=st.data())
def test_openstates_csv_corruption_is_loaded_or_located(good_store: GoodStore, data: st.DataObject) -> None:
    _bills_outcome(good_store, data.draw(one_file_corrupted(OPENSTATES_CSV)))


# ------------------------------------------------------------------------------------------------ SEC facts


def _fact(start: str, end: str, val: float, filed: str, form: str = "10-K") -> dict[str, Any]:
    return {"start": start, "end": end, "val": val, "accn": "0000000000-00-000000", "fy": int(filed[:4]),
            "fp": "FY", "form": form, "filed": filed}  # fmt: skip


COMPANY_FACTS = {
    "cik": 1045810,
    "entityName": "CHIPCO CORP",
    "facts": {
        "us-gaap": {
            "Revenues": {"units": {"USD": [
                _fact("2022-01-31", "2023-01-29", 26_974e6, "2023-02-24"),
                _fact("2023-01-30", "2024-01-28", 60_922e6, "2024-02-21"),
                _fact("2023-01-30", "2023-04-30", 7_192e6, "2023-05-26", "10-Q"),
            ]}},
            "OperatingIncomeLoss": {"units": {"USD": [_fact("2023-01-30", "2024-01-28", 32_972e6, "2024-02-21")]}},
            "PaymentsToAcquirePropertyPlantAndEquipment": {
                "units": {"USD": [_fact("2023-01-30", "2024-01-28", 1_069e6, "2024-02-21")]}
            },
        }
    },
}  # fmt: skip


@settings(PROPERTY, max_examples=150)
@given(data=st.data())
def test_sec_facts_type_swaps_are_loaded_or_located(data: st.DataObject) -> None:
    text = data.draw(swapped(COMPANY_FACTS))
    skip = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(Path(tmp), {"CIK0001045810.json": text})
        facts = _outcome(root, lambda: read_sec_facts(root, skip_bad_facts=skip))
    if facts is not None:
        amounts = facts.financials["amount_usd"].dropna()
        assert all(isinstance(v, float) and math.isfinite(v) for v in amounts)
        assert facts.financials["period"].str.fullmatch(r"FY\d{4}|\d{4}Q[1-4]").all()


# ------------------------------------------------------------------------------------------------ 13F

NVDA, AMD = "67066G104", "007903107"


def _tsv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(row.get(c, "") for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _sec13f_sample() -> Files:
    def info(acc: str, sk: str, cusip: str, shares: str) -> dict[str, str]:
        return {"ACCESSION_NUMBER": acc, "INFOTABLE_SK": sk, "CUSIP": cusip, "SSHPRNAMT": shares,
                "SSHPRNAMTTYPE": "SH", "VOTING_AUTH_SOLE": shares, "VOTING_AUTH_SHARED": "0"}  # fmt: skip

    def cover(acc: str, manager: str, amend: str = "N", no: str = "", kind: str = "") -> dict[str, str]:
        return {"ACCESSION_NUMBER": acc, "REPORTCALENDARORQUARTER": "30-SEP-2025", "FILINGMANAGER_NAME": manager,
                "ISAMENDMENT": amend, "AMENDMENTNO": no, "AMENDMENTTYPE": kind}  # fmt: skip

    return {
        "INFOTABLE.tsv": _tsv(INFOTABLE_COLUMNS, [info("A1", "1", NVDA, "100"), info("A1", "2", AMD, "5"),
                                                  info("B0", "3", NVDA, "900"), info("B1", "4", NVDA, "200")]),
        "COVERPAGE.tsv": _tsv(COVERPAGE_COLUMNS, [cover("A1", "Alpha"), cover("B0", "Beta"),
                                                  cover("B1", "Beta", "Y", "1", "RESTATEMENT")]),
        "SUMMARYPAGE.tsv": _tsv(SUMMARYPAGE_COLUMNS, [{"ACCESSION_NUMBER": "A1", "TABLEENTRYTOTAL": "2"}]),
        "cusips.csv": f"cusip,firm\n{NVDA},NVDA\n{AMD},AMD\n".encode(),
        "outstanding.csv": b"firm,shares_outstanding\nNVDA,1000\nAMD,200\n",
    }  # fmt: skip


def _load_13f(root: Path) -> Any:
    return load_13f(root / "INFOTABLE.tsv", root / "COVERPAGE.tsv", root / "cusips.csv", root / "outstanding.csv",
                    summarypage=root / "SUMMARYPAGE.tsv")  # fmt: skip


def test_sec13f_sample_loads() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        frame = _load_13f(_write(Path(tmp), _sec13f_sample())).frame
    got = {(r.investor, r.firm): r.fraction for r in frame.itertuples()}
    assert got == pytest.approx({("Alpha", "NVDA"): 0.1, ("Alpha", "AMD"): 0.025, ("Beta", "NVDA"): 0.2})


@settings(PROPERTY, max_examples=40)
@given(data=st.data())
def test_sec13f_corruption_is_loaded_or_located(data: st.DataObject) -> None:
    tabs = {name: b"\t" for name in ("INFOTABLE.tsv", "COVERPAGE.tsv", "SUMMARYPAGE.tsv")}
    files = data.draw(one_file_corrupted(_sec13f_sample(), tabs))
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(Path(tmp), files)
        holdings = _outcome(root, lambda: _load_13f(root))
    if holdings is not None:
        frame = holdings.frame
        assert frame["fraction"].between(0, 1.005).all() and frame["voting_fraction"].between(0, 1.005).all()
        assert not frame.duplicated(["investor", "firm"]).any()


@settings(PROPERTY, max_examples=30)
@given(data=st.data())
def test_sec13f_user_csv_corruption_is_loaded_or_located(data: st.DataObject) -> None:
    sample = _sec13f_sample()
    user = {name: sample[name] for name in ("cusips.csv", "outstanding.csv")}
    files = {**sample, **data.draw(one_file_corrupted(user))}
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(Path(tmp), files)
        holdings = _outcome(root, lambda: _load_13f(root))
    if holdings is not None:
        assert holdings.frame["fraction"].between(0, 1.005).all()
