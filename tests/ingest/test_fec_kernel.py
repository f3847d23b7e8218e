"""The compiled FEC parser's parts against plain-Python references: the field-end search (64-byte blocks, a
block's positions stored eight at once), the UTF-8 check of the blocks that are not ASCII, the number converters
(word-at-a-time digit runs) and the reuse of a workspace from piece to piece. Hypothesis runs derandomized (the
same examples on every machine)."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketpower.ingest import fec, fec_kernel
from marketpower.ingest.fec import FILE_KINDS

KERNEL_SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
_PIPE, _NEWLINE = ord("|"), ord("\n")


def _reference_ends(data: bytes) -> list[int]:
    """Index of every delimiter and line feed, and ``len(data)`` after an unterminated last line."""
    ends = [k for k, byte in enumerate(data) if byte in (_PIPE, _NEWLINE)]
    return [*ends, len(data)] if data and data[-1] != _NEWLINE else ends


@KERNEL_SETTINGS
@given(st.lists(st.sampled_from(b"|\n\rA\xc3"), max_size=400), st.integers(0, 63))
def test_field_ends_are_every_delimiter_and_line_feed(symbols: list[int], offset: int) -> None:
    """Dense and sparse blocks (more than eight ends in 64 bytes, none at all), lengths across the 64-byte
    blocks, and data that starts anywhere in a buffer."""
    data = bytes(symbols)
    buffer = np.frombuffer(b"x" * offset + data, np.uint8)[offset:]
    ends = np.full(len(data) + fec_kernel.SPLIT_SLACK, -1, np.int32)
    non_ascii = np.zeros(len(data) // 64 + 1, np.int32)
    found, feeds, carriage, blocks = fec_kernel._split(buffer, _PIPE, ends, non_ascii)
    assert ends[:found].tolist() == _reference_ends(data)
    assert feeds == data.count(b"\n")
    assert carriage == (b"\r" in data)
    starts = range(0, len(data), 64)
    assert non_ascii[:blocks].tolist() == [k for k in starts if max(data[k : k + 64]) > 127]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_GOOD_ATOMS = st.one_of(
    st.integers(1, 130).map(lambda n: b"a|\n"[n % 3 : n % 3 + 1] * n),  # ASCII runs: characters cross blocks
    st.characters(codec="utf-8", min_codepoint=128).map(str.encode),  # two to four bytes
)
_BAD_ATOMS = st.one_of(
    st.binary(min_size=1, max_size=1).filter(lambda b: b[0] > 127),  # a stray byte: a cut or bad sequence
    st.sampled_from([b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98"]),
)


@KERNEL_SETTINGS
@given(st.lists(_GOOD_ATOMS, max_size=24), st.none() | st.tuples(st.integers(0, 24), _BAD_ATOMS))
def test_text_is_utf8_exactly_when_python_decodes_it(atoms: list[bytes], bad: tuple[int, bytes] | None) -> None:
    """Overlong forms, surrogates, code points above U+10FFFF, cut and stray bytes are refused; characters that
    straddle two 64-byte blocks, or end the data, are read whole."""
    if bad is not None:
        atoms.insert(min(bad[0], len(atoms)), bad[1])
    data = b"".join(atoms)
    buffer = np.frombuffer(data, np.uint8)
    non_ascii = np.zeros(len(data) // 64 + 1, np.int32)
    *_, blocks = fec_kernel._split(buffer, _PIPE, np.zeros(len(data) + fec_kernel.SPLIT_SLACK, np.int32), non_ascii)
    assert fec_kernel._utf8_blocks(buffer, non_ascii[:blocks]) == _is_utf8(data)


_WHOLE = re.compile(r"-?\d{1,19}")
_AMOUNT = re.compile(r"-?\d{0,12}(\.\d{0,2})?")


def _reference_whole(text: str) -> int | None:
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if abs(value) <= 2**63 - 1 else None


def _reference_cents(text: str) -> int | None:
    if not _AMOUNT.fullmatch(text) or not any(c.isdigit() for c in text):
        return None
    return int(Decimal(text if text.strip("-")[-1:] != "." else text + "0") * 100)


_NUMBER_TEXT = st.one_of(
    st.text("0123456789", min_size=0, max_size=21),
    st.text("-0123456789.", min_size=0, max_size=18),
    st.builds(lambda d, c: f"{d}.{c}", st.text("0123456789", max_size=13), st.text("0123456789", max_size=3)),
    st.sampled_from(["9223372036854775807", "9223372036854775808", "-9223372036854775807", "9229999999999999999",
                     "999999999999.99", "1000000000000", "-", ".", "5.", "-.5", "0" * 19]),
)  # fmt: skip


@KERNEL_SETTINGS
@given(_NUMBER_TEXT, st.integers(0, 24))
def test_whole_numbers_and_amounts_convert_as_python_does(text: str, before: int) -> None:
    """The converters read a field ending anywhere (within the first sixteen bytes of a piece, one digit at a
    time; later, as words read backwards from the field's end), whatever bytes precede it."""
    prefix = ("9|" * before)[:before]
    data = np.frombuffer((prefix + text + "|").encode(), np.uint8)
    start, end = before, before + len(text)
    if not text:
        return  # an empty field is NULL: the kernel never converts it
    ok, value = fec_kernel._whole(data, start, end)
    assert (value if ok else None) == _reference_whole(text)
    ok, value = fec_kernel._cents(data, start, end)
    assert (value if ok else None) == _reference_cents(text)


def _itcont_lines(count: int, salt: int) -> bytes:
    """``count`` itcont lines; employers of 4 to 73 bytes (copied in one to three 32-byte chunks)."""
    lines = [
        f"C{k % 997:08d}|N|Q{k % 3}|P2026|{202601019000000000 + k}|15|IND|DOE{'Ñ' if k % 7 == 0 else ''}, "
        f"JANE {k * salt}|SPRINGFIELD|IL|{k:09d}|ACME{' CORPORATION OF AMERICA' * (k * salt % 4)}|ENGINEER|"
        f"{1 + k % 12:02d}{1 + k % 28:02d}2025|"
        f"{(k * salt) % 100000}.{k % 100:02d}||SA.{k}|{1500000 + k}|{'X' if k % 5 == 0 else ''}||{4 * 10**18 + k}"
        for k in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def _arrow_parse(data: bytes) -> pa.Table:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fec, "_compiled_parse", lambda kind, text, workspace: None)
        return fec._parse(FILE_KINDS["indiv"], data, "utf-8")


def test_a_workspace_reused_for_larger_and_smaller_pieces_gives_arrows_tables() -> None:
    """Each parse into one workspace (growing it, then using part of it) equals Arrow's reader on that piece;
    pieces of thousands of rows span many 64-byte blocks and 2,048-row blocks."""
    workspace = fec_kernel.Workspace()
    for count, salt in [(300, 1), (5000, 7), (40, 3), (2049, 11)]:
        data = _itcont_lines(count, salt)
        table = fec._compiled_parse(FILE_KINDS["indiv"], pa.py_buffer(data), workspace)
        assert table is not None and table.num_rows == count
        assert table.equals(_arrow_parse(data))


def test_a_line_with_a_missing_field_among_thousands_is_declined() -> None:
    data = _itcont_lines(3000, 5).split(b"\n")
    data[1234] = data[1234].replace(b"|SPRINGFIELD", b"", 1)
    data[2000] += b"|"  # one more: the counts of ends and of lines agree, the lines do not
    assert fec._compiled_parse(FILE_KINDS["indiv"], pa.py_buffer(b"\n".join(data)), fec_kernel.Workspace()) is None
