"""Count the tiers of the sources the deal web cites: every `source_id` and `terms_source_id` of deals.csv and
stakes.csv and every `source_id` of facilities.csv, each source counted once.

Usage: .venv/bin/python scripts/count_deal_web_tiers.py [PATH/TO/data]   (default: the bundled aistack data)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd

DEFAULT = Path(__file__).resolve().parents[1] / "src" / "marketpower" / "datasets" / "aistack" / "data"
CITING = {"deals": ("source_id", "terms_source_id"), "stakes": ("source_id", "terms_source_id"),
          "facilities": ("source_id",)}


def deal_web_tiers(data: Path) -> tuple[Counter[str], list[str]]:
    """Tier counts of the cited sources, and the cited ids missing from sources.csv."""
    tier = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False).set_index("id")["tier"]
    cited: set[str] = set()
    for table, columns in CITING.items():
        rows = pd.read_csv(data / f"{table}.csv", dtype=str, keep_default_na=False)
        cited |= {value for column in columns for value in rows[column] if value}
    missing = sorted(cited - set(tier.index))
    return Counter(tier[sorted(cited - set(missing))]), missing


if __name__ == "__main__":
    counts, missing = deal_web_tiers(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
    print(f"{sum(counts.values())} sources cited by the deal web:", dict(sorted(counts.items())))
    if missing:
        print("cited but not in sources.csv:", missing)
