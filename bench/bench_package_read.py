"""Reading one package table: our one-pass parse (validation and typed table together) against the Frictionless
library's validation of the same file (the baseline: what validation alone cost before, a pandas read came after).

    .venv/bin/python bench/bench_package_read.py [ROWS]

Prints both times on a synthetic ``shares`` table of ROWS rows (default 30,000; 12 columns) and the ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from frictionless import Resource, Schema

from marketpower.ingest.datapackage import _read_table
from marketpower.schema import TABLES


def shares_csv(rows: int) -> str:
    lines = [",".join(TABLES["shares"].field_names)]
    lines += [f"m{i % 50},e{i},{2000 + i % 25},Q{1 + i % 4},,0.{i % 9},,,{i * 1.5},reported,src-a,note {i}"
              for i in range(rows)]
    return "\n".join(lines) + "\n"


def main(rows: int) -> None:
    table = TABLES["shares"]
    text = shares_csv(rows)
    descriptor = table.frictionless()
    descriptor.pop("foreignKeys", None)
    descriptor.pop("primaryKey", None)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "shares.csv").write_text(text, encoding="utf-8")
        start = time.perf_counter()
        report = Resource(path="shares.csv", basepath=tmp, schema=Schema.from_descriptor(descriptor),
                          format="csv").validate(limit_errors=10_000)
        baseline = time.perf_counter() - start
    start = time.perf_counter()
    frame, _, problems = _read_table(table, text, "shares.csv")
    ours = time.perf_counter() - start
    assert report.valid and not problems and frame is not None and len(frame) == rows
    print(f"{rows:,} rows x {len(table.fields)} columns")
    print(f"ours (parse + typed table): {ours:.3f} s ({rows * len(table.fields) / ours / 1e6:.2f} M cells/s)")
    print(f"frictionless validate:      {baseline:.3f} s")
    print(f"ratio (frictionless / ours): {baseline / ours:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
