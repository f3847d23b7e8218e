"""``cusips suggest`` against the κ path's reading, on DuckDB: a synthetic 13F history of ``--quarters`` data sets
(TSV, as the SEC ships them) with ``--rows`` INFOTABLE rows in all (default 1,000,000), 100 rows per filing,
3,003 issuers of which three carry AI-stack names; times :func:`marketpower.engines.cusip_candidates.
cusip_candidates` (three firms) and :func:`marketpower.engines.holdings.holdings_by_quarter` (three CUSIPs), best
of three runs each, and checks that the candidates' filings add up to the filings generated for them.

Run: ``python bench/bench_cusip_suggest.py [--rows N] [--quarters Q]`` (defaults: about half a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from marketpower.engines.cusip_candidates import cusip_candidates
from marketpower.engines.holdings import find_datasets, holdings_by_quarter
from marketpower.engines.session import connect
from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS
from marketpower.schema.finance import cusip_check_digit

ISSUERS = [f"ISSUER {i} INC" for i in range(3000)] + ["BROADCOM INC", "SUPER MICRO COMPUTER INC", "NVIDIA CORP"]
ROWS_PER_FILING = 100
PERIODS = ("31-MAR", "30-JUN", "30-SEP", "31-DEC")


def _cusip(number: int) -> str:
    first_eight = f"{number:06d}10"
    return first_eight + str(cusip_check_digit(first_eight))


def write_history(root: Path, rows: int, quarters: int, seed: int = 7) -> dict[str, set[str]]:
    """The data sets under ``root``; returns the accessions holding each AI-stack issuer."""
    rng = random.Random(seed)
    held: dict[str, set[str]] = {name: set() for name in ISSUERS[-3:]}
    cusips = [_cusip(i) for i in range(len(ISSUERS))]
    filings = rows // (ROWS_PER_FILING * quarters)
    for q in range(quarters):
        folder = root / f"q{q}"
        folder.mkdir(parents=True)
        period = f"{PERIODS[q % 4]}-{2015 + q // 4}"
        with (folder / "INFOTABLE.tsv").open("w", encoding="utf-8") as out:
            out.write("\t".join(INFOTABLE_COLUMNS) + "\n")
            for m in range(filings):
                for _ in range(ROWS_PER_FILING):
                    k = rng.randrange(len(ISSUERS))
                    if ISSUERS[k] in held:
                        held[ISSUERS[k]].add(f"A{q}-{m}")
                    row = {"ACCESSION_NUMBER": f"A{q}-{m}", "CUSIP": cusips[k], "NAMEOFISSUER": ISSUERS[k],
                           "TITLEOFCLASS": "COM", "VALUE": str(rng.randrange(1, 10**6)),
                           "SSHPRNAMT": str(rng.randrange(1, 10**4)), "SSHPRNAMTTYPE": "SH", "VOTING_AUTH_SOLE": "0",
                           "VOTING_AUTH_SHARED": "0", "VOTING_AUTH_NONE": "0"}  # fmt: skip
                    out.write("\t".join(row.get(c, "") for c in INFOTABLE_COLUMNS) + "\n")
        with (folder / "COVERPAGE.tsv").open("w", encoding="utf-8") as out:
            out.write("\t".join(COVERPAGE_COLUMNS) + "\n")
            for m in range(filings):
                row = {"ACCESSION_NUMBER": f"A{q}-{m}", "REPORTCALENDARORQUARTER": period,
                       "FILINGMANAGER_NAME": f"Manager {m}", "ISAMENDMENT": "N"}  # fmt: skip
                out.write("\t".join(row.get(c, "") for c in COVERPAGE_COLUMNS) + "\n")
    return held


def _best_of_three(run: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quarters", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cusips-") as work:
        held = write_history(Path(work), args.rows, args.quarters)
        datasets = find_datasets(Path(work))
        firms = pd.DataFrame({"firm": ["broadcom", "supermicro", "dell"],
                              "name": ["Broadcom", "Super Micro Computer", "Dell Technologies"]})  # fmt: skip
        ids = {"BROADCOM INC": "broadcom", "SUPER MICRO COMPUTER INC": "supermicro", "NVIDIA CORP": "nvidia"}
        mapping = pd.DataFrame({"cusip": [_cusip(len(ISSUERS) - 3 + i) for i in range(3)], "firm": list(ids.values())})
        outstanding = pd.DataFrame({"firm": list(ids.values()), "shares_outstanding": [1e12] * 3})
        engine = connect("duckdb")
        try:
            suggest_s, table = _best_of_three(lambda: cusip_candidates(engine, datasets, firms))
            kappa_s, holdings = _best_of_three(lambda: holdings_by_quarter(engine, datasets, mapping, outstanding))
        finally:
            engine.close()
    for name in ("BROADCOM INC", "SUPER MICRO COMPUTER INC"):
        row = table[table["firm"] == ids[name]]
        assert len(row) == 1 and int(row["filings"].iloc[0]) == len(held[name]), (name, row)
    filings = args.rows // ROWS_PER_FILING
    print(f"13F history: {args.rows:,} INFOTABLE rows, {args.quarters} quarters, {filings:,} filings (DuckDB)")
    print(f"cusips suggest (3 firms):        best of 3 {suggest_s:.2f} s, {len(table)} candidates")
    print(f"holdings_by_quarter (3 CUSIPs):  best of 3 {kappa_s:.2f} s, {len(holdings):,} holdings rows")
    print(f"ratio suggest / kappa reading:   {suggest_s / kappa_s:.2f}")


if __name__ == "__main__":
    main()
