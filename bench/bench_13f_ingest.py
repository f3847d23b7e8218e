"""13F ingest: a synthetic 3,000,000-row INFOTABLE loaded, checked and aggregated per (manager, firm).

Files follow the SEC's Form 13F data-set layout (all INFOTABLE / COVERPAGE / SUMMARYPAGE columns, tab
separated, DD-MON-YYYY dates): 5,000 filings of 600 lines each over 6,000 CUSIPs, 2% option lines, 1% principal
amounts, 200 restating amendments. Ours: :func:`marketpower.ingest.sec13f.load_13f` (DuckDB: header checks,
located row checks, amendment rule, CUSIP map, aggregation, fractions). Baseline: pandas ``read_csv`` of the
same three files with the same filters, merges and groupby (no row checks). Target: ours < 10 s.

Run: ``python bench/bench_13f_ingest.py`` (about a minute, most of it writing the synthetic files).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS, SUMMARYPAGE_COLUMNS, load_13f
from marketpower.schema.finance import cusip_check_digit

N_FILINGS, LINES_PER_FILING, N_CUSIPS, N_RESTATEMENTS = 5_000, 600, 6_000, 200
SEED = 13


def cusips(n: int) -> list[str]:
    """``n`` synthetic CUSIPs: eight digits and their check digit (the CUSIP map refuses a wrong one)."""
    return [f"{i:08d}{cusip_check_digit(f'{i:08d}')}" for i in range(n)]


def write_files(folder: Path, rng: np.random.Generator) -> dict[str, Path]:
    """Synthetic 13F data set (3M INFOTABLE rows) plus the CUSIP map and shares outstanding."""
    n_rows = N_FILINGS * LINES_PER_FILING
    accession = np.repeat(np.arange(N_FILINGS), LINES_PER_FILING)
    accessions = np.array([f"0000000000-25-{i:06d}" for i in range(N_FILINGS)], dtype=object)
    cusip_ids = np.array(cusips(N_CUSIPS), dtype=object)
    shares = rng.integers(1, 50_000, size=n_rows)
    kind = np.where(rng.random(n_rows) < 0.01, "PRN", "SH")
    putcall = np.where(rng.random(n_rows) < 0.02, "Call", "")
    info = pd.DataFrame({column: "" for column in INFOTABLE_COLUMNS}, index=range(n_rows))
    info["ACCESSION_NUMBER"] = accessions[accession]
    info["INFOTABLE_SK"] = np.arange(n_rows)
    info["NAMEOFISSUER"] = "ISSUER"
    info["TITLEOFCLASS"] = "COM"
    info["CUSIP"] = cusip_ids[rng.integers(0, N_CUSIPS, size=n_rows)]
    info["VALUE"] = shares * 10
    info["SSHPRNAMT"] = shares
    info["SSHPRNAMTTYPE"] = kind
    info["PUTCALL"] = putcall
    info["INVESTMENTDISCRETION"] = "SOLE"
    info["VOTING_AUTH_SOLE"] = shares
    info["VOTING_AUTH_SHARED"] = 0
    info["VOTING_AUTH_NONE"] = 0
    paths = {"infotable": folder / "INFOTABLE.tsv", "coverpage": folder / "COVERPAGE.tsv",
             "summarypage": folder / "SUMMARYPAGE.tsv", "cusip_map": folder / "cusips.csv",
             "shares_outstanding": folder / "outstanding.csv"}  # fmt: skip
    info.to_csv(paths["infotable"], sep="\t", index=False)

    managers = [f"Manager {i:05d}" for i in range(N_FILINGS)]
    restated = set(rng.choice(N_FILINGS, size=N_RESTATEMENTS, replace=False).tolist())
    cover = pd.DataFrame({column: "" for column in COVERPAGE_COLUMNS}, index=range(N_FILINGS))
    cover["ACCESSION_NUMBER"] = accessions
    cover["REPORTCALENDARORQUARTER"] = "30-SEP-2025"
    cover["FILINGMANAGER_NAME"] = managers
    cover["ISAMENDMENT"] = ["Y" if i in restated else "N" for i in range(N_FILINGS)]
    cover["AMENDMENTNO"] = ["1" if i in restated else "" for i in range(N_FILINGS)]
    cover["AMENDMENTTYPE"] = ["RESTATEMENT" if i in restated else "" for i in range(N_FILINGS)]
    cover["REPORTTYPE"] = "13F HOLDINGS REPORT"
    cover.to_csv(paths["coverpage"], sep="\t", index=False)

    summary = pd.DataFrame({column: "" for column in SUMMARYPAGE_COLUMNS}, index=range(N_FILINGS))
    summary["ACCESSION_NUMBER"] = accessions
    summary["TABLEENTRYTOTAL"] = LINES_PER_FILING
    summary.to_csv(paths["summarypage"], sep="\t", index=False)

    firms = [f"FIRM{i:05d}" for i in range(N_CUSIPS)]
    pd.DataFrame({"cusip": cusip_ids, "firm": firms}).to_csv(paths["cusip_map"], index=False)
    pd.DataFrame({"firm": firms, "shares_outstanding": 10**10}).to_csv(paths["shares_outstanding"], index=False)
    return paths


def pandas_baseline(paths: dict[str, Path]) -> pd.DataFrame:
    """Same result with plain pandas: read, filter shares, keep originals/latest restatements, map, sum."""
    info = pd.read_csv(paths["infotable"], sep="\t", dtype=str, keep_default_na=False)
    cover = pd.read_csv(paths["coverpage"], sep="\t", dtype=str, keep_default_na=False)
    pd.read_csv(paths["summarypage"], sep="\t", dtype=str, keep_default_na=False)
    mapping = pd.read_csv(paths["cusip_map"], dtype=str)
    outstanding = pd.read_csv(paths["shares_outstanding"]).set_index("firm")["shares_outstanding"]
    info = info[(info["SSHPRNAMTTYPE"] == "SH") & (info["PUTCALL"] == "")]
    restated = cover["AMENDMENTTYPE"] == "RESTATEMENT"
    kept = cover[(cover["ISAMENDMENT"] != "Y") | restated]
    rows = info.merge(kept[["ACCESSION_NUMBER", "FILINGMANAGER_NAME"]], on="ACCESSION_NUMBER")
    rows = rows.merge(mapping, left_on="CUSIP", right_on="cusip")
    rows["shares"] = rows["SSHPRNAMT"].astype(float)
    out = rows.groupby(["FILINGMANAGER_NAME", "firm"], as_index=False)["shares"].sum()
    out["fraction"] = out["shares"] / outstanding.reindex(out["firm"]).to_numpy()
    return out


def main() -> None:
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = write_files(Path(tmp), rng)
        size_mb = paths["infotable"].stat().st_size / 1e6
        print(f"synthetic INFOTABLE: {N_FILINGS * LINES_PER_FILING:,} rows, {size_mb:.0f} MB "
              f"({time.perf_counter() - t0:.1f} s to write)")  # fmt: skip

        t0, c0 = time.perf_counter(), time.process_time()
        holdings = load_13f(
            paths["infotable"], paths["coverpage"], paths["cusip_map"], paths["shares_outstanding"],
            summarypage=paths["summarypage"],
        )  # fmt: skip
        ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"ours:     {len(holdings.frame):,} (manager, firm) holdings in {ours_s:.2f} s wall, "
              f"{ours_cpu:.2f} s CPU; diagnostics {holdings.diagnostics}")  # fmt: skip

        t0, c0 = time.perf_counter(), time.process_time()
        base = pandas_baseline(paths)
        base_s, base_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"baseline: pandas read_csv + merge + groupby, {len(base):,} holdings in {base_s:.2f} s wall, "
              f"{base_cpu:.2f} s CPU")  # fmt: skip

    ours_total = float(holdings.frame["shares"].sum())
    base_total = float(base["shares"].sum())
    same = len(base) == len(holdings.frame) and abs(ours_total - base_total) <= 1e-9 * base_total
    max_rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other jobs slow wall-clock times)")
    print(f"same holdings and share totals as the baseline: {same}")
    print(f"ratio baseline / ours: {base_s / ours_s:.1f}x wall, {base_cpu / ours_cpu:.1f}x CPU "
          f"(process max RSS {max_rss_gb:.2f} GB)")  # fmt: skip
    ok = ours_s < 10 and same
    print("target (< 10 s, same result as baseline):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
