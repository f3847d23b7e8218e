"""Fill the `tier` column of a package's sources.csv by the rule of marketpower.datasets.tiers.

Read-modify-write of the one file: every other column and row is written back byte for byte (the `tier`
column is appended when missing). Usage: .venv/bin/python scripts/fill_source_tiers.py [PATH/TO/sources.csv]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from marketpower.datasets.tiers import tier_of

DEFAULT = Path(__file__).resolve().parents[1] / "src" / "marketpower" / "datasets" / "aistack" / "data" / "sources.csv"


def fill(path: Path) -> dict[str, int]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    if "tier" not in header:
        header.append("tier")
    at, id_at, url_at, by_at = (header.index(c) for c in ("tier", "id", "url", "publisher"))
    counts: dict[str, int] = {}
    for row in rows[1:]:
        row.extend([""] * (len(header) - len(row)))
        row[at] = tier_of(row[id_at], row[url_at], row[by_at])
        counts[row[at]] = counts.get(row[at], 0) + 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return counts


if __name__ == "__main__":
    print(fill(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
