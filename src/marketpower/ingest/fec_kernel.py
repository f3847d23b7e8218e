"""Compiled parser of the FEC's unquoted pipe-delimited files: :func:`parse` turns whole lines into Arrow columns.

Two passes over a piece's bytes, in Numba without the GIL (pieces are parsed on several threads while others
are written): :func:`_split` records where each field ends, 64 bytes at a time with one vector comparison per
byte looked for (every line must have the kind's number of fields); :func:`_fill` then, a block of rows at a
time and column by column, copies each text field into its column's buffer and converts the typed fields
(MMDDYYYY dates to days since 1970-01-01, dollar amounts to cents, whole numbers; digits eight at a time).
The columns are written into a :class:`Workspace` the caller reuses from piece to piece. Text stays the bytes
of the file, checked to be UTF-8 (only the 64-byte blocks holding a byte above 127 need checking: the FEC's
files are ASCII); an empty field is NULL.

The kernel accepts only what it can convert exactly the way Arrow's CSV reader and the date check of
:mod:`marketpower.ingest.fec` do, and is stricter where they are lenient: an amount is ``-?D{0,12}(.D{0,2})?``
with a digit somewhere, a whole number ``-?D{1,19}`` within int64, a date eight digits naming a real day; a
carriage return anywhere, bytes that are not UTF-8, a line with the wrong number of fields or a row with every
field empty are declined too. Declining returns None, and the caller parses the piece with Arrow instead
(which then loads it or reports where it is bad), so the kernel decides how fast a piece loads, never whether
it loads. Compiled on first use, cached beside this file (or in Numba's user cache when that is read-only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.cpython.unsafe.numbers import trailing_zeros as _trailing_zeros_intrinsic
from numba.extending import intrinsic
from numpy.typing import NDArray

#: Column kinds as the kernel numbers them.
TEXT, WHOLE, AMOUNT, DATE = 0, 1, 2, 3
_NEWLINE, _CARRIAGE, _MINUS, _POINT, _ZERO, _FIRST_NON_ASCII = 10, 13, 45, 46, 48, 128
#: Rows converted column by column at a time: their bytes and field ends stay in the core's cache meanwhile.
_BLOCK_ROWS = 2048
#: Text is copied this many bytes at a time, past a value's end (the next value overwrites the excess), so each
#: column's stretch of the text buffer has this much room after it.
_CHUNK = 32


def _copy_chunk_typing(typingctx, target, target_at, source, source_at):  # type: ignore[no-untyped-def]
    """Copy :data:`_CHUNK` bytes from ``source[source_at:]`` to ``target[target_at:]`` (two unaligned 8-byte
    moves; Numba's element loop moves a byte at a time)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        target_array = context.make_array(signature.args[0])(context, builder, args[0])
        source_array = context.make_array(signature.args[2])(context, builder, args[2])
        to = builder.gep(target_array.data, [args[1]])
        from_ = builder.gep(source_array.data, [args[3]])
        cgutils.raw_memcpy(builder, to, from_, context.get_constant(types.intp, _CHUNK), 1)  # type: ignore[no-untyped-call]
        return context.get_dummy_value()

    return types.void(target, target_at, source, source_at), codegen


_copy_chunk: Any = intrinsic(_copy_chunk_typing)


def _load_word_typing(typingctx, source, at):  # type: ignore[no-untyped-def]
    """The eight bytes ``source[at:at + 8]`` as one little-endian 64-bit word (an unaligned load)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        array = context.make_array(signature.args[0])(context, builder, args[0])
        pointer = builder.bitcast(builder.gep(array.data, [args[1]]), ir.IntType(64).as_pointer())
        return builder.load(pointer, align=1)

    return types.uint64(source, at), codegen


_load_word: Any = intrinsic(_load_word_typing)


def _block_mask(predicate: str) -> Any:
    """An intrinsic ``(source, at, byte)`` -> the 64-bit mask of the bytes of ``source[at:at + 64]`` that compare
    to ``byte`` by ``predicate`` (unsigned), bit k for byte k: one vector comparison, whose 64 one-bit results
    are read as one integer (LLVM makes it a SIMD compare and a move of its mask where the CPU has them, scalar
    code elsewhere)."""

    def typing(typingctx, source, at, byte):  # type: ignore[no-untyped-def]
        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            array = context.make_array(signature.args[0])(context, builder, args[0])
            vector_type = ir.VectorType(ir.IntType(8), 64)
            pointer = builder.bitcast(builder.gep(array.data, [args[1]]), vector_type.as_pointer())
            block = builder.load(pointer, align=1)
            value = builder.trunc(args[2], ir.IntType(8))
            lane_0 = ir.Constant(ir.IntType(32), 0)
            first = builder.insert_element(ir.Constant(vector_type, ir.Undefined), value, lane_0)
            every_lane_0 = ir.Constant(ir.VectorType(ir.IntType(32), 64), [0] * 64)
            splat = builder.shuffle_vector(first, ir.Constant(vector_type, ir.Undefined), every_lane_0)
            return builder.bitcast(builder.icmp_unsigned(predicate, block, splat), ir.IntType(64))

        return types.uint64(source, at, byte), codegen

    return intrinsic(typing)


_equal_mask: Any = _block_mask("==")
_at_least_mask: Any = _block_mask(">=")


#: Index of the lowest bit set in a 64-bit word (64 for none).
trailing_zeros: Any = _trailing_zeros_intrinsic
_NIBBLES, _THREES, _SIXES = np.uint64(0xF0F0F0F0F0F0F0F0), np.uint64(0x3030303030303030), np.uint64(0x0606060606060606)


@njit(nogil=True, cache=True, inline="always")
def _eight_digits(word: np.uint64) -> bool:
    """Whether all eight bytes of ``word`` are ASCII digits: high nibble 3, and adding 6 keeps it 3 (no byte
    above '9')."""
    return bool(((word & _NIBBLES) == _THREES) & (((word + _SIXES) & _NIBBLES) == _THREES))


@njit(nogil=True, cache=True, inline="always")
def _digit_pairs(word: np.uint64) -> np.uint64:
    """Eight ASCII digits (the first in the lowest byte) as four two-digit numbers, in bytes 0, 2, 4 and 6."""
    digits = word - _THREES
    return (digits * np.uint64(10) + (digits >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)


@njit(nogil=True, cache=True, inline="always")
def _eight_digit_value(word: np.uint64) -> int:
    """Eight ASCII digits (the first in the lowest byte, the most significant) as their number."""
    pairs = _digit_pairs(word)
    quads = (pairs * np.uint64(100) + (pairs >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    return int(quads & np.uint64(0xFFFF)) * 10000 + int(quads >> np.uint64(32))


def _popcount_typing(typingctx, word):  # type: ignore[no-untyped-def]
    """Number of bits set in a 64-bit word (LLVM's ctpop: one instruction)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        count = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
        return builder.call(count, [args[0]])

    return types.uint64(types.uint64), codegen


_popcount: Any = intrinsic(_popcount_typing)


#: Field ends :func:`_split` may write past the last one (it stores eight per 64-byte block without a branch).
SPLIT_SLACK = 64


@njit(nogil=True, cache=True)
def _split(
    data: NDArray[np.uint8], delimiter: int, ends: NDArray[np.int32], non_ascii: NDArray[np.int32]
) -> tuple[int, int, bool, int]:
    """``ends`` (room for ``len(data) + SPLIT_SLACK``) = index of the byte that ends each field, row after row:
    a delimiter or a line feed (``len(data)`` ends an unterminated last line); ``non_ascii`` (room for
    ``len(data) // 64 + 1``) = the start of each 64-byte block holding a byte above 127 (the last, shorter block
    included). Returns the number of field ends, of line feeds, whether ``data`` holds a carriage return, and
    the number of such blocks; the caller checks that each line has the kind's number of fields
    (:func:`_line_totals`) and that those blocks are UTF-8 (:func:`_utf8_blocks`).

    64 bytes at a time: the block's delimiters and line feeds become one 64-bit mask (:func:`_equal_mask`), and
    the positions of its set bits are stored eight at once without a branch (a block of the FEC's files holds
    about eight field ends; the rest of a fuller block is stored one by one)."""
    n = data.shape[0]
    found, feeds, carriage, i, blocks = 0, 0, np.uint64(0), 0, 0
    while i + 64 <= n:
        feed_mask = _equal_mask(data, i, _NEWLINE)
        mask = _equal_mask(data, i, delimiter) | feed_mask
        carriage |= _equal_mask(data, i, _CARRIAGE)
        if _at_least_mask(data, i, _FIRST_NON_ASCII):
            non_ascii[blocks] = i
            blocks += 1
        count = int(_popcount(mask))
        feeds += int(_popcount(feed_mask))
        for q in range(8):
            ends[found + q] = i + int(trailing_zeros(mask))
            mask &= mask - np.uint64(1)
        q = 8
        while q < count:
            ends[found + q] = i + int(trailing_zeros(mask))
            mask &= mask - np.uint64(1)
            q += 1
        found += count
        i += 64
    tail, high = i, False
    while i < n:
        byte = data[i]
        if byte in (delimiter, _NEWLINE):
            ends[found] = i
            found += 1
        feeds += int(byte == _NEWLINE)
        carriage |= np.uint64(byte == _CARRIAGE)
        high |= byte >= _FIRST_NON_ASCII
        i += 1
    if high:
        non_ascii[blocks] = tail
        blocks += 1
    if n and data[n - 1] != _NEWLINE:  # an unterminated last line ends at the end of the data
        ends[found] = n
        found += 1
    return found, feeds, bool(carriage != 0), blocks


@njit(nogil=True, cache=True)
def _utf8_blocks(data: NDArray[np.uint8], non_ascii: NDArray[np.int32]) -> bool:
    """Whether the 64-byte blocks starting at ``non_ascii`` (ascending, from :func:`_split`) hold UTF-8, the
    rest of ``data`` being ASCII: each character from the block's first non-ASCII byte on is checked
    (RFC 3629: no overlong form, no surrogate, nothing above U+10FFFF, no sequence cut by the end of the data);
    one may run on into the next block. A block cannot begin inside a character unless the block before it
    holds the character's first byte, so it is checked from where that character ends."""
    n = data.shape[0]
    checked = 0  # bytes before this are known to be valid
    for b in range(non_ascii.shape[0]):
        i = max(checked, non_ascii[b])
        block_end = min(non_ascii[b] + 64, n)
        while i < block_end:
            lead = data[i]
            if lead < 0x80:
                i += 1
                continue
            if 0xC2 <= lead <= 0xDF:
                length, low, high = 2, 0x80, 0xBF
            elif lead == 0xE0:
                length, low, high = 3, 0xA0, 0xBF
            elif lead == 0xED:
                length, low, high = 3, 0x80, 0x9F
            elif 0xE1 <= lead <= 0xEF:
                length, low, high = 3, 0x80, 0xBF
            elif lead == 0xF0:
                length, low, high = 4, 0x90, 0xBF
            elif 0xF1 <= lead <= 0xF3:
                length, low, high = 4, 0x80, 0xBF
            elif lead == 0xF4:
                length, low, high = 4, 0x80, 0x8F
            else:
                return False
            if i + length > n or not low <= data[i + 1] <= high:
                return False
            for k in range(i + 2, i + length):
                if not 0x80 <= data[k] <= 0xBF:
                    return False
            i += length
        checked = i
    return True


@njit(nogil=True, cache=True)
def _line_totals(data: NDArray[np.uint8], ends: NDArray[np.int32], totals: NDArray[np.int64]) -> bool:
    """Whether each row of ``ends`` (rows x fields, from :func:`_split`) ends its line: with as many field ends
    as fields x rows and as many line feeds as rows, every line then has exactly the kind's fields. ``totals[j]``
    = the bytes of field j over all rows (to lay out the text buffers): the sum of its ends less the sum of the
    ends before it (the previous field's, or for the first field the last field's of the row before) and one
    delimiter per row."""
    rows, fields = ends.shape
    n = data.shape[0]
    for row in range(rows):
        last = ends[row, fields - 1]
        if last < n and data[last] != _NEWLINE:
            return False
    sums = np.zeros(fields, np.int64)
    for row in range(rows):  # row by row: the inner loop over a row's contiguous ends is vectorised
        for j in range(fields):
            sums[j] += ends[row, j]
    totals[0] = sums[0] - (sums[fields - 1] - ends[rows - 1, fields - 1] - 1) - rows
    for j in range(1, fields):
        totals[j] = sums[j] - sums[j - 1] - rows
    return True


@njit(nogil=True, cache=True, inline="always")
def _append_digits(data: NDArray[np.uint8], start: int, end: int, value: int) -> tuple[bool, int]:
    """``value`` with the decimal digits ``data[start:end]`` appended (``value * 10 + digit`` each): (ok, value),
    not ok at a byte that is not a digit."""
    for k in range(start, end):
        digit = int(data[k]) - _ZERO
        if digit < 0 or digit > 9:
            return False, 0
        value = value * 10 + digit
    return True, value


@njit(nogil=True, cache=True, inline="always")
def _last_digits(data: NDArray[np.uint8], end: int, length: int) -> tuple[bool, int]:
    """The 0-8 digits ``data[end - length:end]`` as a number, ``end >= 8``: the eight bytes before ``end`` read as
    one word, the bytes before the digits replaced by '0' (leading zeros), then converted eight at once."""
    if length == 0:
        return True, 0
    kept = ~((np.uint64(1) << np.uint64(8 * (8 - length))) - np.uint64(1))  # the high ``length`` bytes
    word = (_load_word(data, end - 8) & kept) | (_THREES & ~kept)
    return _eight_digits(word), _eight_digit_value(word)


@njit(nogil=True, cache=True, inline="always")
def _digit_run(data: NDArray[np.uint8], start: int, end: int) -> tuple[bool, int]:
    """The 0-16 digits ``data[start:end]`` as a number: (ok, value), not ok at a byte that is not a digit. Two
    word conversions (:func:`_last_digits`) and no loop where eight bytes lie before the run's end (every
    field but those at the very start of a piece), one digit at a time otherwise."""
    length = end - start
    if end < 16:
        return _append_digits(data, start, end, 0)
    if length <= 8:
        return _last_digits(data, end, length)
    high_ok, high = _last_digits(data, end - 8, length - 8)
    low_ok, low = _last_digits(data, end, 8)
    return high_ok & low_ok, high * 100_000_000 + low


@njit(nogil=True, cache=True, inline="always")
def _whole(data: NDArray[np.uint8], start: int, end: int) -> tuple[bool, int]:
    """``-?D{1,19}`` read as an integer of at most 2^63 - 1 in size: (ok, value)."""
    negative = data[start] == _MINUS
    i = start + 1 if negative else start
    length = end - i
    if length < 1 or length > 19:
        return False, 0
    top = max(length - 16, 0)  # digits above the last sixteen
    ok, value = _digit_run(data, i + top, end)
    if top:
        top_ok, high = _append_digits(data, i, i + top, 0)
        # 2^63 - 1 = 922 * 10^16 + 3372036854775807
        ok &= top_ok & ((high < 922) | ((high == 922) & (value <= 3372036854775807)))
        value += high * 10_000_000_000_000_000 if ok else 0
    if not ok:
        return False, 0
    return True, -value if negative else value


@njit(nogil=True, cache=True, inline="always")
def _cents(data: NDArray[np.uint8], start: int, end: int) -> tuple[bool, int]:
    """``-?D{0,12}(.D{0,2})?`` with a digit somewhere (dollars: ``5``, ``.05``, ``5.``, ``-12.5``) read as
    cents: (ok, cents). The point, if any, is one of the last three bytes; the digits on either side of it are
    converted as runs (:func:`_digit_run`)."""
    negative = data[start] == _MINUS
    i = start + 1 if negative else start
    length = end - i
    point = end
    for back in range(1, 4):  # the point is among the last three bytes, or there is none
        if back <= length and data[end - back] == _POINT:
            point = end - back
    decimals = end - point - 1 if point < end else 0
    digits = point - i
    if digits > 12 or digits + decimals == 0:
        return False, 0
    ok, dollars = _digit_run(data, i, point)
    decimals_ok, fraction = _append_digits(data, point + 1, end, 0) if decimals else (True, 0)
    if not (ok & decimals_ok):
        return False, 0
    value = dollars * 100 + fraction * (10 if decimals == 1 else 1)
    return True, -value if negative else value


@njit(nogil=True, cache=True, inline="always")
def _day(
    data: NDArray[np.uint8],
    start: int,
    end: int,
    january_1: NDArray[np.int32],
    leap: NDArray[np.bool_],
    days_before_month: NDArray[np.int32],
    days_in_month: NDArray[np.int32],
) -> tuple[bool, int]:
    """MMDDYYYY (eight digits naming a real day) as days since 1970-01-01: (ok, days)."""
    if end - start != 8:
        return False, 0
    word = _load_word(data, start)
    pairs = _digit_pairs(word)
    month = int(pairs & np.uint64(0xFF))
    day = int((pairs >> np.uint64(16)) & np.uint64(0xFF))
    year = int((pairs >> np.uint64(32)) & np.uint64(0xFF)) * 100 + int(pairs >> np.uint64(48))
    m, y = min(max(month - 1, 0), 11), min(max(year, 0), 9999)  # in the tables' range whatever the bytes
    is_leap = leap[y]
    ok = _eight_digits(word) & (month >= 1) & (month <= 12) & (year >= 1) & (day >= 1)
    ok &= day <= days_in_month[m] + (is_leap & (month == 2))  # no branches: dates vary row to row
    return bool(ok), int(january_1[y]) + int(days_before_month[m]) + int(is_leap & (month > 2)) + day - 1


@njit(nogil=True, cache=True, inline="always")
def _field_start(ends: NDArray[np.int32], row: int, j: int) -> int:
    """Index of the first byte of field ``j`` of ``row`` (just after the end before it)."""
    fields = ends.shape[1]
    return (ends[row, j - 1] if j else (ends[row - 1, fields - 1] if row else -1)) + 1


@njit(nogil=True, cache=True)
def _fill_text(
    data: NDArray[np.uint8], ends: NDArray[np.int32], j: int, rows: tuple[int, int, int],
    text: NDArray[np.uint8], base: int, offsets: NDArray[np.int32], valid: NDArray[np.bool_],
) -> None:  # fmt: skip
    """Copy text field ``j`` of the rows ``first`` to ``last`` (``rows`` = first, last, and the rows before which
    a chunk's bytes follow every field's start) to ``text`` from ``base + offsets[first]`` on, setting
    ``offsets[row + 1]`` and ``valid[row]``. A chunk is copied whatever the length (no branch on it: empty
    fields vary from row to row), more only for longer values."""
    first, last, whole_chunks = rows
    chunked = min(max(whole_chunks, first), last)
    at = base + offsets[first]
    for row in range(first, chunked):
        start = _field_start(ends, row, j)
        length = ends[row, j] - start
        valid[row] = length > 0
        _copy_chunk(text, at, data, start)
        if length > _CHUNK:
            done = _CHUNK
            while done < length:
                _copy_chunk(text, at + done, data, start + done)
                done += _CHUNK
        at += length
        offsets[row + 1] = at - base
    for row in range(chunked, last):  # the last rows of the data: byte by byte
        start = _field_start(ends, row, j)
        length = ends[row, j] - start
        valid[row] = length > 0
        for k in range(length):
            text[at + k] = data[start + k]
        at += length
        offsets[row + 1] = at - base


@njit(nogil=True, cache=True)
def _fill_typed(
    data: NDArray[np.uint8], ends: NDArray[np.int32], j: int, rows: tuple[int, int, int],
    column: tuple[int, int], outputs: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]],
    valid: NDArray[np.bool_],
    calendar: tuple[NDArray[np.int32], NDArray[np.bool_], NDArray[np.int32], NDArray[np.int32]],
) -> bool:  # fmt: skip
    """Typed field ``j`` of the rows ``first`` to ``last`` (``rows[:2]``), of ``column`` = (kind, slot), converted
    into its row of ``outputs`` = (numbers, amounts, dates): whole numbers, dollars as cents (decimal128's two
    64-bit words: the value and its sign) or MMDDYYYY dates as days since 1970-01-01. False if the kernel
    declines one."""
    kind, slot = column
    numbers, amounts, dates = outputs
    january_1, leap, days_before_month, days_in_month = calendar
    ok = True
    for row in range(rows[0], rows[1]):
        start, end = _field_start(ends, row, j), ends[row, j]
        valid[row] = end > start
        good, value = True, 0
        if kind == WHOLE:
            if end > start:
                good, value = _whole(data, start, end)
            numbers[slot, row] = value
        elif kind == AMOUNT:
            if end > start:
                good, value = _cents(data, start, end)
            amounts[slot, row, 0] = value
            amounts[slot, row, 1] = -1 if value < 0 else 0
        else:
            if end > start:
                good, value = _day(data, start, end, january_1, leap, days_before_month, days_in_month)
            dates[slot, row] = value
        ok &= good
    return ok


@njit(nogil=True, cache=True)
def _fill(
    data: NDArray[np.uint8],
    ends: NDArray[np.int32],
    kinds: NDArray[np.int64],
    slots: NDArray[np.int64],
    text_offsets: NDArray[np.int32],
    text_bases: NDArray[np.int64],
    text: NDArray[np.uint8],
    numbers: NDArray[np.int64],
    amounts: NDArray[np.int64],
    dates: NDArray[np.int32],
    valid: NDArray[np.bool_],
    january_1: NDArray[np.int32],
    leap: NDArray[np.bool_],
    days_before_month: NDArray[np.int32],
    days_in_month: NDArray[np.int32],
) -> bool:
    """Copy and convert every field, a block of rows at a time and column by column within it (text columns
    by :func:`_fill_text`, typed ones by :func:`_fill_typed`: kept apart, each compiles to a tighter loop); False
    after the first block holding a value the kernel declines (or a row with every field empty). ``slots[j]`` is
    column ``j``'s index among the columns of its kind; ``valid[j, row]`` is set where the field is not empty."""
    rows, fields = ends.shape
    n = data.shape[0]
    calendar = (january_1, leap, days_before_month, days_in_month)
    whole_chunks = rows  # rows before this have a chunk's bytes after each field's start (a row's last end)
    while whole_chunks and ends[whole_chunks - 1, fields - 1] + _CHUNK > n:
        whole_chunks -= 1
    for first in range(0, rows, _BLOCK_ROWS):
        block = (first, min(first + _BLOCK_ROWS, rows), whole_chunks)
        for j in range(fields):
            kind, slot = kinds[j], slots[j]
            if kind == TEXT:
                _fill_text(data, ends, j, block, text, text_bases[slot], text_offsets[slot], valid[j])
            elif not _fill_typed(data, ends, j, block, (kind, slot), (numbers, amounts, dates), valid[j], calendar):
                return False
        for row in range(block[0], block[1]):  # a line of nothing but delimiters: a row with every field empty
            if ends[row, fields - 1] - ((ends[row - 1, fields - 1] + 1) if row else 0) == fields - 1:
                return False
    return True


class Workspace:
    """The arrays a parse fills, kept for the next parse: a piece's columns then land in memory already mapped.
    Fresh memory costs a page fault and the kernel zeroing each page (a sixth of the ingest's CPU time was
    that), because allocators hand arrays this large straight back to the system.

    The columns :func:`parse` returns are views of these arrays: the caller must be done with them (written
    them out) before the workspace's next parse."""

    def __init__(self) -> None:
        self._arrays: dict[str, NDArray[np.uint8]] = {}

    def take(self, name: str, shape: tuple[int, ...], dtype: type[np.generic]) -> NDArray[Any]:
        """The array ``name`` as ``shape`` of ``dtype`` (uninitialised), grown when it is too small."""
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        kept = self._arrays.get(name)
        if kept is None or len(kept) < size:  # in Arrow's memory pool: aligned as Arrow's own buffers are
            kept = self._arrays[name] = np.frombuffer(pa.allocate_buffer(size), np.uint8)
        return kept[:size].view(dtype).reshape(shape)


def _validity(mask: NDArray[np.bool_]) -> pa.Buffer | None:
    """Arrow's validity bitmap of ``mask`` (None when every value is present)."""
    return None if mask.all() else pa.py_buffer(np.packbits(mask, bitorder="little"))


def parse(
    raw: NDArray[np.uint8],
    delimiter: str,
    kinds: list[int],
    calendar: tuple[NDArray[np.int32], NDArray[np.bool_], NDArray[np.int32], NDArray[np.int32]],
    workspace: Workspace | None = None,
) -> list[pa.Array] | None:
    """Whole lines of an unquoted file as one Arrow array per column (string, int64, decimal128(14, 2) or date32
    by ``kinds``), or None when the kernel declines the piece (see the module's docstring). ``calendar``: for
    the years 0-9999 the days from 1970-01-01 to January 1 and whether the year is a leap year, then the days
    before each month and in each month of a common year. ``workspace``: where the columns are written (fresh
    memory when None)."""
    fields = len(kinds)
    if not len(raw) or len(raw) >= 2**31 - 1:
        return None
    take = (workspace or Workspace()).take
    flat_ends = take("flat_ends", (len(raw) + SPLIT_SLACK,), np.int32)  # room for every byte (pages used: touched)
    non_ascii = take("non_ascii", (len(raw) // 64 + 1,), np.int32)
    found, feeds, carriage, blocks = _split(raw, ord(delimiter), flat_ends, non_ascii)
    rows = feeds + int(raw[-1] != _NEWLINE)
    if carriage or found != rows * fields or not _utf8_blocks(raw, non_ascii[:blocks]):
        return None
    ends = flat_ends[: rows * fields].reshape(rows, fields)
    kind_array = np.array(kinds, np.int64)
    slots = np.zeros(fields, np.int64)
    counts = [0, 0, 0, 0]
    for j, kind in enumerate(kinds):
        slots[j] = counts[kind]
        counts[kind] += 1
    field_bytes = np.empty(fields, np.int64)
    if not _line_totals(raw, ends, field_bytes):
        return None  # a line with another number of fields (the counts of field ends and of lines agree)
    totals = field_bytes[[j for j, kind in enumerate(kinds) if kind == TEXT]]
    text_bases = np.concatenate([[0], np.cumsum(totals + _CHUNK)]).astype(np.int64)
    text_offsets = take("text_offsets", (counts[TEXT], rows + 1), np.int32)
    text_offsets[:, 0] = 0
    text = take("text", (int(text_bases[-1]),), np.uint8)
    numbers = take("numbers", (counts[WHOLE], rows), np.int64)
    amounts = take("amounts", (counts[AMOUNT], rows, 2), np.int64)
    dates = take("dates", (counts[DATE], rows), np.int32)
    valid = take("valid", (fields, rows), np.bool_)
    if not _fill(
        raw, ends, kind_array, slots, text_offsets, text_bases, text, numbers, amounts, dates, valid, *calendar
    ):
        return None
    columns: list[pa.Array] = []
    for j, kind in enumerate(kinds):
        slot, mask = int(slots[j]), valid[j]
        bitmap = _validity(mask)
        nulls = rows - int(np.count_nonzero(mask))
        if kind == TEXT:
            body = text[text_bases[slot] : text_bases[slot + 1] - _CHUNK]
            buffers = [bitmap, pa.py_buffer(text_offsets[slot]), pa.py_buffer(body)]
            columns.append(pa.Array.from_buffers(pa.string(), rows, buffers, null_count=nulls))
        elif kind == WHOLE:
            columns.append(pa.Array.from_buffers(pa.int64(), rows, [bitmap, pa.py_buffer(numbers[slot])], nulls))
        elif kind == AMOUNT:
            buffers = [bitmap, pa.py_buffer(amounts[slot])]
            columns.append(pa.Array.from_buffers(pa.decimal128(14, 2), rows, buffers, null_count=nulls))
        else:
            columns.append(pa.Array.from_buffers(pa.date32(), rows, [bitmap, pa.py_buffer(dates[slot])], nulls))
    return columns
