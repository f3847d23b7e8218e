"""One JSON serialisation for the CLI's ``--json``, the web app's JSON twins and the report's embedded data."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import IO, Any

import numpy as np
import pandas as pd


def jsonable(value: Any) -> Any:
    """Plain JSON types: DataFrames become lists of records, NaN/NA become null, dates ISO strings."""
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
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
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
