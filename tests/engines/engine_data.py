"""Input files of the engine tests: the 13F data set of tests/ingest/test_sec13f.py rebuilt here, and its
helpers (a module of its own: two conftest.py files cannot both be imported as ``conftest``)."""

from __future__ import annotations

from pathlib import Path

from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS

NVDA, AMD, OTHER = "67066G104", "007903107", "123456789"


def tsv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(columns)] + ["\t".join(row.get(c, "") for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def info(acc: str, cusip: str, shares: str, kind: str = "SH", putcall: str = "", sole: str = "0") -> dict[str, str]:
    return {
        "ACCESSION_NUMBER": acc, "CUSIP": cusip, "SSHPRNAMT": shares, "SSHPRNAMTTYPE": kind, "PUTCALL": putcall,
        "NAMEOFISSUER": "X", "VALUE": "1", "VOTING_AUTH_SOLE": sole, "VOTING_AUTH_SHARED": "0",
        "VOTING_AUTH_NONE": "0",
    }  # fmt: skip


def cover(acc: str, manager: str, period: str, amend: str = "N", no: str = "", kind: str = "") -> dict[str, str]:
    return {
        "ACCESSION_NUMBER": acc, "REPORTCALENDARORQUARTER": period, "FILINGMANAGER_NAME": manager,
        "ISAMENDMENT": amend, "AMENDMENTNO": no, "AMENDMENTTYPE": kind, "REPORTTYPE": "13F HOLDINGS REPORT",
    }  # fmt: skip


def write_fixture_dataset(folder: Path) -> dict[str, Path]:
    """The data set of tests/ingest/test_sec13f.py: Alpha holds 100 + 50 NVDA and 10 AMD in 2025Q3 (an option and
    a PRN line left out); Beta's original (900 NVDA) is restated (300 NVDA), then a NEW HOLDINGS amendment adds
    20 AMD; Alpha's 2025Q2 filing holds 400 NVDA. Shares outstanding: NVDA 1,000, AMD 200."""
    infotable = tsv(folder / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [
        info("A1", NVDA, "100", sole="100"), info("A1", NVDA.lower(), "50"), info("A1", AMD, "10", sole="10"),
        info("A1", NVDA, "999", putcall="Call"), info("A1", AMD, "77", kind="PRN"), info("A1", OTHER, "5"),
        info("B0", NVDA, "900"), info("B1", NVDA, "300", sole="300"), info("B2", AMD, "20"), info("Q2", NVDA, "400"),
    ])  # fmt: skip
    coverpage = tsv(folder / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [
        cover("A1", "Alpha Capital", "30-SEP-2025"), cover("B0", "Beta Advisors", "30-SEP-2025"),
        cover("B1", "Beta Advisors", "30-SEP-2025", "Y", "1", "RESTATEMENT"),
        cover("B2", "Beta Advisors", "30-SEP-2025", "Y", "2", "NEW HOLDINGS"),
        cover("Q2", "Alpha Capital", "30-JUN-2025"),
    ])  # fmt: skip
    cusips = folder.parent / "cusips.csv"
    cusips.write_text(f"cusip,firm\n{NVDA},NVDA\n{AMD},AMD\n", encoding="utf-8")
    outstanding = folder.parent / "outstanding.csv"
    outstanding.write_text("firm,shares_outstanding\nNVDA,1000\nAMD,200\n", encoding="utf-8")
    return {"infotable": infotable, "coverpage": coverpage, "cusip_map": cusips, "shares_outstanding": outstanding}
