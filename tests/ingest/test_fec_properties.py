"""Property tests of the FEC bulk reader: random corruption of slices of the real 2020 files (byte flips,
truncation, deleted spans, inserted delimiters, quotes, NULs, line breaks and non-UTF-8 bytes, repeated lines)
gives either a load that keeps the reader's invariants or a project error (``MarketpowerError``) located in the
files read, never another exception type; a refused ingest leaves the rows already stored as they were.

Hypothesis runs derandomized (the same examples on every machine) without deadlines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketpower.errors import DataPackageError, MarketpowerError
from marketpower.ingest import fec
from marketpower.ingest.fec import ingest_fec

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fec-2020-sample"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data/fec-2020-sample")
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/fec-2020-sample is not available")

#: Lines of each real file used as the clean sample (the first ones: enough to hold every column's shapes).
SAMPLE_LINES = 25
FILES = ("cm.txt", "cn.txt", "webk20.txt")
TABLES = {"cm.txt": "fec_cm", "cn.txt": "fec_cn", "webk20.txt": "fec_webk"}

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _sample(name: str) -> bytes:
    with (SHARED / name).open("rb") as handle:
        return b"".join(handle.readline() for _ in range(SAMPLE_LINES))


INSERTS = [b"|", b"||", b'"', b"\x00", b"\n", b"\r", b"\xff", b"\xe9", b"\n\n", b"|\n"]


@st.composite
def corruptions(draw: st.DrawFn) -> tuple[str, bytes]:
    """One of the sample files, corrupted by one to three random edits."""
    name = draw(st.sampled_from(FILES))
    data = bytearray(_sample(name))
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["flip", "truncate", "delete", "insert", "repeat"]))
        at = draw(st.integers(0, len(data) - 1))
        if edit == "flip":
            data[at] = draw(st.integers(0, 255))
        elif edit == "truncate":
            del data[at:]
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS))
        else:
            lines = bytes(data).split(b"\n")
            which = draw(st.integers(0, len(lines) - 1))
            lines.insert(which, lines[which])
            data = bytearray(b"\n".join(lines))
        if not data:
            data = bytearray(b"\n")
    return name, bytes(data)


def _assert_located(error: MarketpowerError, folder: Path) -> None:
    assert str(error)
    if isinstance(error, DataPackageError):
        assert error.problems
        for problem in error.problems:
            assert problem.file and (folder.name in problem.file or Path(problem.file).name in FILES), problem


@PROPERTY_SETTINGS
@given(corruptions(), st.booleans())
def test_a_corrupted_fec_file_loads_or_is_a_located_error(corrupted: tuple[str, bytes], skip_bad_rows: bool) -> None:
    name, data = corrupted
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fec"
        folder.mkdir()
        (folder / name).write_bytes(data)
        con = duckdb.connect(":memory:")
        try:
            report = ingest_fec(con, folder, cycle=2020, skip_bad_rows=skip_bad_rows)
        except MarketpowerError as error:
            _assert_located(error, folder)
            return
        records = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        for kind in report.kinds:
            assert 0 <= kind.rows_loaded <= records
            assert kind.rows_skipped >= 0
        (rows,) = con.execute(f"SELECT count(*) FROM {TABLES[name]}").fetchone() or (0,)
        assert rows == sum(k.rows_loaded for k in report.kinds)
        con.close()


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(corruptions())
def test_a_refused_reload_keeps_the_stored_rows(corrupted: tuple[str, bytes]) -> None:
    name, data = corrupted
    with tempfile.TemporaryDirectory() as tmp:
        clean, dirty = Path(tmp) / "clean", Path(tmp) / "dirty"
        clean.mkdir()
        dirty.mkdir()
        (clean / name).write_bytes(_sample(name))
        (dirty / name).write_bytes(data)
        db = Path(tmp) / "store.duckdb"
        con = duckdb.connect(str(db))
        ingest_fec(con, clean, cycle=2020)
        before = con.execute(f"SELECT * FROM {TABLES[name]} ORDER BY ALL").fetchall()
        try:
            ingest_fec(con, dirty, cycle=2020)
        except MarketpowerError as error:
            _assert_located(error, dirty)
            after = con.execute(f"SELECT * FROM {TABLES[name]} ORDER BY ALL").fetchall()
            assert after == before
        con.close()


#: Field values near the edges of each column type: mostly good ones, some the kernel declines (Arrow's reader
#: may still take them: '+5', ' 5', '1e3', '1.230') and some bad ones.
_EDGES = {
    "date": ["", "01152026", "02292024", "12312099", "01010001", "02292025", "1152026", "0115202A"],
    "amount": ["", "0", "-0", "5", "-5", ".05", "5.", "1.5", "999999999999.99", "-.5", "1.230", "1.234", "+5",
               " 5", "1e3", "1000000000000", "-", "."],
    "int": ["", "0", "-0", "007", "42", "9223372036854775807", "-9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "12.5"],
    "str": ["", "DOE, JANE", "PE\u00d1A", "x", "0"],
}  # fmt: skip
_ROW = st.tuples(*(st.sampled_from(_EDGES[c.kind]) for c in fec.FILE_KINDS["indiv"].columns))


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, min_size=1, max_size=6), st.booleans())
def test_the_compiled_parser_agrees_with_arrows_reader(rows: list[tuple[str, ...]], terminated: bool) -> None:
    """Every piece either parses to the same table with and without the compiled kernel, or is refused by both
    (the kernel declines what it cannot convert exactly, and Arrow's reader then decides)."""
    kind = fec.FILE_KINDS["indiv"]
    data = ("\n".join("|".join(row) for row in rows) + ("\n" if terminated else "")).encode("utf-8")

    def arrow_only(text: bytes) -> pa.Table | None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fec, "_compiled_parse", lambda kind, text, workspace: None)
            try:
                return fec._parse(kind, text, "utf-8")
            except fec._FAST_PATH_ERRORS:
                return None

    try:
        fast: pa.Table | None = fec._parse(kind, data, "utf-8")
    except fec._FAST_PATH_ERRORS:
        fast = None
    reference = arrow_only(data)
    assert (fast is None) == (reference is None)
    if fast is not None and reference is not None:
        assert fast.equals(reference)
