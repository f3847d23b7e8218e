"""One JSON serialisation for the CLI's ``--json`` and tables, the web app's JSON twins and the report's data.

Rounding policy: every float leaves the program rounded to :data:`SIGNIFICANT_DIGITS` (14) significant decimal
digits, round-half-even on the exact binary value (CPython's correctly rounded formatting, the same on every
platform), and −0.0 is written as 0.0. A double carries 15-17 digits; the last ones are where CPUs, BLAS builds
and summation orders may differ (3799.9999999999995 against 3800.0), so cutting them makes what is written the
same on every machine (a difference of a few units in the last place shows only when it straddles a rounding
midpoint, about one value in a hundred) while keeping a relative precision of 5·10⁻¹⁴. Integers are written as
they are. Computations keep full precision: only what is written (JSON, CLI tables, pages, report, briefing) is
rounded.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from typing import IO, Any

import numpy as np

#: Significant decimal digits of every float written out (see the module docstring).
SIGNIFICANT_DIGITS = 14


def rounded(value: float) -> float:
    """``value`` to :data:`SIGNIFICANT_DIGITS` significant digits (−0.0 becomes 0.0; NaN and ±inf pass through)."""
    if not math.isfinite(value):
        return value
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") + 0.0


def jsonable(value: Any) -> Any:
    """Plain JSON types: DataFrames become lists of records, NaN/NA become null, dates ISO strings, floats
    :func:`rounded`. pandas is looked up, never imported: before it is imported no value can be a pandas object
    (so ``marketpower hhi`` never loads it)."""
    pd = sys.modules.get("pandas")
    if pd is not None:
        if isinstance(value, pd.DataFrame):
            if value.empty:
                return []
            columns = [str(c) for c in value.columns]
            return [
                {c: jsonable(v) for c, v in zip(columns, row, strict=True)}
                for row in value.itertuples(index=False, name=None)
            ]
        if isinstance(value, pd.Series):
            return jsonable(value.to_dict())
        if value is pd.NA or value is pd.NaT:
            return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if value is None:
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else rounded(f)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dt.datetime | dt.date):  # pandas' Timestamp is a datetime
        return (
            value.isoformat()[:10]
            if not isinstance(value, dt.datetime) or value.time() == dt.time()
            else value.isoformat()
        )
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    return value


def dumps(value: Any) -> str:
    """Indented JSON text of :func:`jsonable`."""
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)


def dump(value: Any, stream: IO[str]) -> None:
    """The text of :func:`dumps` written to ``stream`` in chunks (a large output is never held as one string)."""
    json.dump(jsonable(value), stream, indent=2, ensure_ascii=False)
