"""Writing output files without losing anything: a finished folder put in place in one step, files written
whole or not at all, and CSV cells that a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import ctypes
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> None:
    """Swap the paths ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``); OSError if the system
    or the file system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError("renameat2 is not available")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))


def swap_in_folder(new: Path, target: Path) -> Path | None:
    """Put the finished folder ``new`` at ``target`` in one step, so that a reader (or a crash) sees the old
    folder or the new one, never a mix. Returns where the old ``target`` now is (the path ``new`` had), or None
    when there was none. Where the atomic exchange is unavailable, the old folder is first renamed aside."""
    if not target.exists():
        os.rename(new, target)
        return None
    try:
        _exchange(new, target)
        return new
    except OSError:
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        aside.rmdir()
        os.rename(target, aside)
        os.rename(new, target)
        return aside


def write_whole(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(partial)`` on a new file beside ``path``, then rename it to ``path`` in one step: ``path``
    holds the old content or the new, never part of it."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent)
    os.close(fd)
    partial = Path(name)
    mask = os.umask(0)
    os.umask(mask)
    partial.chmod(0o666 & ~mask)  # mkstemp's file is private; give it the mode a new file would get
    try:
        write(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


#: A CSV cell starting with one of these is read by spreadsheets as a formula (``=HYPERLINK(...)``, ``+1+cmd``,
#: ``@SUM(...)``) or may hide one (a tab, a carriage return); OWASP's "CSV injection" guidance.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, with a ``'`` put before it (shown as text);
    anything else (numbers, dates, other text) unchanged. Text that already starts with quotes before such a
    character gets one more, so that :func:`restore_cell` gives back exactly the original."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_cell(value: object) -> object:
    """The inverse of :func:`neutralise_cell`: the cell as it was before it was neutralised."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell passed through :func:`neutralise_cell` (numeric columns untouched, so a
    negative number stays a number)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_datetime64_any_dtype(out[column]):
            # an object column keeps its cells' types (map re-infers them: 3 and None would be written 3.0 and "")
            out[column] = (
                pd.Series([neutralise_cell(v) for v in out[column]], index=out.index, dtype=object)
                if out[column].dtype == object
                else out[column].map(neutralise_cell)
            )
    return out


#: How :func:`write_csv` and :func:`csv_bytes` lay a frame out: no index column, CR LF line ends.
_CSV_LAYOUT: dict[str, Any] = {"index": False, "lineterminator": "\r\n"}


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to the CSV file ``path`` (whole or not at all), text cells neutralised (:func:`csv_safe`).
    Lines end with CR LF (RFC 4180), which also makes the writer quote every field holding a line break or a
    carriage return (with LF alone it leaves a lone CR unquoted, and readers then split the row)."""
    safe = csv_safe(frame)
    write_whole(path, lambda partial: safe.to_csv(partial, encoding="utf-8", **_CSV_LAYOUT))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The bytes :func:`write_csv` writes for ``frame``, without a file (a download served from memory)."""
    return str(csv_safe(frame).to_csv(**_CSV_LAYOUT)).encode("utf-8")
