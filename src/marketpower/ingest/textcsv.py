"""One strict reader for the small comma-separated files of external publishers (Epoch AI, CSET ETO, Open States).

:func:`read_csv_text` returns every cell as stripped text in a DataFrame whose index is the file line where each
record starts (the header is line 1), or ``None`` after appending located :class:`Problem` s for what makes the
file unreadable: not UTF-8 (line of the first bad byte), a NUL character, an empty file, a header without data
rows (when rows are needed), a column named twice, a missing required column, a record with more or fewer fields
than the header, a field too large or a quote left open. Converting the cells (numbers, dates) is the caller's
job; nothing here guesses a type.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import Problem

#: At most this many records with the wrong number of fields are listed per file.
MAX_LISTED = 50


def decode_text(raw: bytes, shown: str, problems: list[Problem]) -> str | None:
    """``raw`` as UTF-8 text (a BOM dropped), or None after a problem naming the line of the first bad byte or
    NUL character."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(shown, line, None, f"not UTF-8 (byte 0x{raw[error.start]:02x}); re-save as UTF-8"))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(shown, line, None, "NUL character: the file is damaged or not a text file"))
        return None
    return text


def read_csv_text(
    path: Path, required: Sequence[str], problems: list[Problem], *, need_rows: bool = True
) -> pd.DataFrame | None:
    """The CSV at ``path`` as stripped text cells indexed by file line, or None (problems appended)."""
    shown = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(Problem(shown, None, None, f"cannot read the file: {error.strerror or error}"))
        return None
    text = decode_text(raw, shown, problems)
    return None if text is None else parse_csv_text(text, shown, required, problems, need_rows=need_rows)


def parse_csv_text(
    text: str, shown: str, required: Sequence[str], problems: list[Problem], *, need_rows: bool = True
) -> pd.DataFrame | None:
    """Decoded CSV text (``shown`` names it in problems) as stripped text cells indexed by file line, or None."""
    if not text.strip():
        problems.append(Problem(shown, 1, None, f"empty file: expected a header with {', '.join(required)}"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    bad: list[Problem] = []
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            if header is None:
                header = [name.strip() for name in record]
            elif record and any(cell.strip() for cell in record):
                if len(record) != len(header):
                    what = "more" if len(record) > len(header) else "fewer"
                    bad.append(
                        Problem(shown, start, None, f"{len(record)} fields, {what} than the header's {len(header)}")
                    )
                else:
                    records.append([cell.strip() for cell in record])
                    lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(shown, start, None, f"not a well-formed CSV record: {error}"))
        return None
    assert header is not None
    twice = sorted({name for name in header if header.count(name) > 1})
    missing = [c for c in required if c not in header]
    problems += [Problem(shown, 1, name, "column named twice in the header") for name in twice]
    listed = ", ".join(header)[:200] or "nothing"
    problems += [Problem(shown, 1, name, f"missing column {name!r} (the header has: {listed})") for name in missing]
    if twice or missing:
        return None
    if bad:
        problems += bad[:MAX_LISTED]
        if len(bad) > MAX_LISTED:
            problems.append(Problem(shown, None, None, f"{len(bad) - MAX_LISTED} more records of the wrong length"))
        return None
    if need_rows and not records:
        problems.append(Problem(shown, 2, None, "no data rows under the header"))
        return None
    return pd.DataFrame(records, columns=header, index=pd.Index(lines, name="line"), dtype=object)
