"""Compiled parser of the FEC's unquoted pipe-delimited files: :func:`parse` turns whole lines into Arrow columns.

Two passes over a piece's bytes, in Numba without the GIL (so that a piece is parsed while the previous one is
written): :func:`_split` records where each field ends (checking every line has the kind's number of fields);
:func:`_fill` then copies each text field into its column's buffer and converts the typed fields (MMDDYYYY
dates to days since 1970-01-01, dollar amounts to cents, whole numbers) as it goes. Text stays the bytes of the
file (the caller has checked the piece is UTF-8); an empty field is NULL.

The kernel accepts only what it can convert exactly the way Arrow's CSV reader and the date check of
:mod:`marketpower.ingest.fec` do, and is stricter where they are lenient: an amount is ``-?D{0,12}(.D{0,2})?``
with a digit somewhere, a whole number ``-?D{1,19}`` within int64, a date eight digits naming a real day; a
carriage return anywhere, a line with the wrong number of fields or a row with every field empty are declined
too. Declining returns None, and the caller parses the piece with Arrow instead (which then loads it or reports
where it is bad), so the kernel decides how fast a piece loads, never whether it loads. Compiled on first use, cached beside this file (or in
Numba's user cache when that is read-only).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numpy.typing import NDArray

#: Column kinds as the kernel numbers them.
TEXT, WHOLE, AMOUNT, DATE = 0, 1, 2, 3
_NEWLINE, _CARRIAGE, _MINUS, _POINT, _ZERO = 10, 13, 45, 46, 48
_INT64_MAX = np.iinfo(np.int64).max
#: Rows converted column by column at a time: their bytes and field ends stay in the core's cache meanwhile.
_BLOCK_ROWS = 2048
#: Text is copied this many bytes at a time, past a value's end (the next value overwrites the excess), so each
#: column's stretch of the text buffer has this much room after it.
_CHUNK = 16


@intrinsic
def _copy_chunk(typingctx, target, target_at, source, source_at):  # type: ignore[no-untyped-def]
    """Copy :data:`_CHUNK` bytes from ``source[source_at:]`` to ``target[target_at:]`` (two unaligned 8-byte
    moves; Numba's element loop moves a byte at a time)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        target_array = context.make_array(signature.args[0])(context, builder, args[0])
        source_array = context.make_array(signature.args[2])(context, builder, args[2])
        to = builder.gep(target_array.data, [args[1]])
        from_ = builder.gep(source_array.data, [args[3]])
        cgutils.raw_memcpy(builder, to, from_, context.get_constant(types.intp, _CHUNK), 1)
        return context.get_dummy_value()

    return types.void(target, target_at, source, source_at), codegen


@njit(nogil=True, cache=True)
def _split(data: NDArray[np.uint8], delimiter: int, ends: NDArray[np.int32]) -> bool:
    """``ends`` (one per field, row after row, plus one spare) = index of the byte that ends each field: a
    delimiter or a line feed (``len(data)`` ends an unterminated last line). False if ``data`` holds a carriage
    return or another number of field ends than ``len(ends) - 1``; the caller checks that each line has the
    kind's number of fields. Branch-free: every byte's index is stored, the slot advancing past a delimiter or
    line feed."""
    n, room = data.shape[0], ends.shape[0] - 1
    found, carriage = 0, False
    for i in range(n):
        byte = data[i]
        ends[found] = i
        found += (byte == delimiter) | (byte == _NEWLINE)
        carriage |= byte == _CARRIAGE
        if found > room:
            return False
    if n and data[n - 1] != _NEWLINE:  # an unterminated last line ends at the end of the data
        ends[found] = n
        found += 1
    return found == room and not carriage


@njit(nogil=True, cache=True, inline="always")
def _whole(data: NDArray[np.uint8], start: int, end: int) -> tuple[bool, int]:
    """``-?D{1,19}`` read as an integer of at most 2^63 - 1 in size: (ok, value)."""
    negative = data[start] == _MINUS
    i = start + 1 if negative else start
    if end - i < 1 or end - i > 19:
        return False, 0
    value = 0
    for k in range(i, min(end, i + 18)):  # 18 digits cannot overflow
        digit = np.int64(data[k]) - _ZERO
        if digit < 0 or digit > 9:
            return False, 0
        value = value * 10 + digit
    if end - i == 19:
        digit = np.int64(data[end - 1]) - _ZERO
        if digit < 0 or digit > 9 or value > (_INT64_MAX - digit) // 10:
            return False, 0
        value = value * 10 + digit
    return True, -value if negative else value


@njit(nogil=True, cache=True, inline="always")
def _cents(data: NDArray[np.uint8], start: int, end: int) -> tuple[bool, int]:
    """``-?D{0,12}(.D{0,2})?`` with a digit somewhere (dollars: ``5``, ``.05``, ``5.``, ``-12.5``) read as
    cents: (ok, cents)."""
    negative = data[start] == _MINUS
    i = start + 1 if negative else start
    value, digits = 0, 0
    while i < end and digits <= 12:
        digit = np.int64(data[i]) - _ZERO
        if digit < 0 or digit > 9:
            break
        value = value * 10 + digit
        digits += 1
        i += 1
    if digits > 12:
        return False, 0
    decimals = 0
    if i < end:
        if data[i] != _POINT or end - i - 1 > 2:
            return False, 0
        i += 1
        while i < end:
            digit = np.int64(data[i]) - _ZERO
            if digit < 0 or digit > 9:
                return False, 0
            value = value * 10 + digit
            decimals += 1
            i += 1
    if digits + decimals == 0:
        return False, 0
    while decimals < 2:
        value *= 10
        decimals += 1
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
    all_digits = True
    for k in range(8):
        byte = data[start + k]
        all_digits &= _ZERO <= byte <= _ZERO + 9
    if not all_digits:
        return False, 0
    d0, d1, d2, d3 = data[start] - _ZERO, data[start + 1] - _ZERO, data[start + 2] - _ZERO, data[start + 3] - _ZERO
    d4, d5, d6, d7 = data[start + 4] - _ZERO, data[start + 5] - _ZERO, data[start + 6] - _ZERO, data[start + 7] - _ZERO
    month = np.int64(d0) * 10 + d1
    day = np.int64(d2) * 10 + d3
    year = np.int64(d4) * 1000 + np.int64(d5) * 100 + np.int64(d6) * 10 + d7
    if month < 1 or month > 12 or year < 1:
        return False, 0
    is_leap = leap[year]
    february = 1 if is_leap and month == 2 else 0
    if day < 1 or day > days_in_month[month - 1] + february:
        return False, 0
    after_february = 1 if is_leap and month > 2 else 0
    return True, january_1[year] + days_before_month[month - 1] + after_february + day - 1


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
    """Copy and convert every field, a block of rows at a time and column by column within it; False at the
    first value the kernel declines (or a row with every field empty). ``slots[j]`` is column ``j``'s index
    among the columns of its kind; ``valid[j, row]`` is set where the field is not empty."""
    rows, fields = ends.shape
    n = data.shape[0]
    for first in range(0, rows, _BLOCK_ROWS):
        last = min(first + _BLOCK_ROWS, rows)
        for j in range(fields):
            kind, slot = kinds[j], slots[j]
            for row in range(first, last):
                start = (ends[row, j - 1] if j else (ends[row - 1, fields - 1] if row else -1)) + 1
                end = ends[row, j]
                length = end - start
                valid[j, row] = length > 0
                if kind == TEXT:
                    at = text_bases[slot] + text_offsets[slot, row]
                    text_offsets[slot, row + 1] = text_offsets[slot, row] + length
                    if start + _CHUNK <= n:
                        done = 0
                        while done < length:
                            _copy_chunk(text, at + done, data, start + done)
                            done += _CHUNK
                            if start + done + _CHUNK > n:
                                break
                        for k in range(done, length):
                            text[at + k] = data[start + k]
                    else:
                        for k in range(length):
                            text[at + k] = data[start + k]
                elif length == 0:
                    if kind == WHOLE:
                        numbers[slot, row] = 0
                    elif kind == AMOUNT:
                        amounts[slot, row, 0] = 0
                        amounts[slot, row, 1] = 0
                    else:
                        dates[slot, row] = 0
                elif kind == WHOLE:
                    ok, value = _whole(data, start, end)
                    if not ok:
                        return False
                    numbers[slot, row] = value
                elif kind == AMOUNT:
                    ok, value = _cents(data, start, end)
                    if not ok:
                        return False
                    amounts[slot, row, 0] = value
                    amounts[slot, row, 1] = -1 if value < 0 else 0
                else:
                    ok, value = _day(data, start, end, january_1, leap, days_before_month, days_in_month)
                    if not ok:
                        return False
                    dates[slot, row] = value
        for row in range(first, last):
            present = False
            for j in range(fields):
                present |= valid[j, row]
            if not present:
                return False
    return True


def _validity(mask: NDArray[np.bool_]) -> pa.Buffer | None:
    """Arrow's validity bitmap of ``mask`` (None when every value is present)."""
    return None if mask.all() else pa.py_buffer(np.packbits(mask, bitorder="little"))


def parse(
    raw: NDArray[np.uint8],
    delimiter: str,
    kinds: list[int],
    calendar: tuple[NDArray[np.int32], NDArray[np.bool_], NDArray[np.int32], NDArray[np.int32]],
) -> list[pa.Array] | None:
    """Whole lines of an unquoted file as one Arrow array per column (string, int64, decimal128(14, 2) or date32
    by ``kinds``), or None when the kernel declines the piece (see the module's docstring). ``calendar``: for
    the years 0-9999 the days from 1970-01-01 to January 1 and whether the year is a leap year, then the days
    before each month and in each month of a common year."""
    fields = len(kinds)
    if not len(raw) or len(raw) >= 2**31 - 1:
        return None
    rows = int(np.count_nonzero(raw == _NEWLINE)) + (raw[-1] != _NEWLINE)
    flat_ends = np.empty(rows * fields + 1, np.int32)
    if not _split(raw, ord(delimiter), flat_ends):
        return None
    ends = flat_ends[:-1].reshape(rows, fields)
    kind_array = np.array(kinds, np.int64)
    slots = np.zeros(fields, np.int64)
    counts = [0, 0, 0, 0]
    for j, kind in enumerate(kinds):
        slots[j] = counts[kind]
        counts[kind] += 1
    if rows > 1 and not (raw[ends[:-1, -1]] == _NEWLINE).all():
        return None  # a line with another number of fields (the counts of field ends and lines still agree)
    text_fields = [j for j, kind in enumerate(kinds) if kind == TEXT]
    sums = ends.sum(axis=0, dtype=np.int64)  # bytes of field j, all rows = sum(ends[:, j] - starts[:, j])
    before = np.concatenate([[sums[-1] - ends[-1, -1] - 1], sums[:-1]])  # sum of the ends before each field
    totals = (sums - before - rows)[text_fields]
    text_bases = np.concatenate([[0], np.cumsum(totals + _CHUNK)]).astype(np.int64)
    text_offsets = np.empty((counts[TEXT], rows + 1), np.int32)
    text_offsets[:, 0] = 0
    text = np.empty(int(text_bases[-1]), np.uint8)
    numbers = np.empty((counts[WHOLE], rows), np.int64)
    amounts = np.empty((counts[AMOUNT], rows, 2), np.int64)
    dates = np.empty((counts[DATE], rows), np.int32)
    valid = np.empty((fields, rows), np.bool_)
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
