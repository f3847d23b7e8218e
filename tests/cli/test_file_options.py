"""Every command's file and folder options: a missing input, an input of the wrong kind, an output that is a
folder (or a file where a folder is wanted, or under a file) is a usage error naming the option, never a
traceback (IsADirectoryError, FileNotFoundError, NotADirectoryError)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from marketpower.files import FORMULA_STARTS, csv_safe, neutralise_cell, restore_cell, write_csv


@pytest.fixture()
def paths(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.csv").write_text("investor,firm,fraction\nfund,A,0.1\nfund,B,0.1\n")
    return {
        "missing": str(tmp_path / "missing.csv"),
        "folder": str(tmp_path / "folder"),
        "file": str(tmp_path / "file.csv"),
        "under_file": str(tmp_path / "file.csv" / "out.txt"),
    }


CASES = [
    # (arguments with {placeholders}, the option named in the message)
    (["kappa", "--holdings", "{file}", "--firms", "A,B", "--market-shares", "{missing}"], "--market-shares"),
    (["kappa", "--holdings", "{file}", "--firms", "A,B", "--market-shares", "{folder}"], "--market-shares"),
    (["kappa", "--holdings", "{missing}", "--firms", "A,B"], "--holdings"),
    (["kappa", "--holdings", "{folder}", "--firms", "A,B", "--cusips", "{missing}"], "--cusips"),
    (["screen", "x", "--merge", "a,b", "--shares", "{folder}"], "--shares"),
    (["mhhi", "{missing}"], "case"),
    (["briefing", "--out", "{folder}"], "--out"),
    (["briefing", "--out", "{under_file}"], "--out"),
    (["network", "--out", "{folder}"], "--out"),
    (["ingest", "epoch-hub", "{missing}"], "folder"),
    (["ingest", "epoch-hub", "{folder}", "--out", "{folder}"], "--out"),
    (["ingest", "eto", "{file}"], "directory"),
    (["ingest", "eto", "{folder}", "--out", "{file}"], "--out"),
    (["ingest", "epoch-chips", "{missing}"], "directory"),
    (["ingest", "sec-facts", "{missing}"], "folder"),
    (["ingest", "sec-facts", "{folder}", "--out", "{file}"], "--out"),
    (["report", "--out", "{file}"], "--out"),
    (["report", "--out", "{folder}", "--pdf", "{folder}"], "--pdf"),
    (["check", "{missing}"], "claims"),
    (["validate", "{file}"], "path"),
    (["fec", "ingest", "{missing}", "--db", "{under_file}"], "directory"),
    (["bills", "ingest", "{file}", "--db", "{under_file}"], "directory"),
]


@pytest.mark.parametrize(("args", "option"), CASES, ids=[" ".join(c[0][:2]) + " " + c[1] for c in CASES])
def test_bad_paths_are_usage_errors_naming_the_option(
    cli: Callable[..., Any], paths: dict[str, str], args: list[str], option: str
) -> None:
    result = cli(*[a.format(**paths) for a in args])
    message = " ".join(result.err.replace("│", " ").split())  # the text of Rich's error panel, unwrapped
    assert result.code == 2, result.err
    assert f"Invalid value for '{option}'" in message and "Traceback" not in result.err + result.out
    assert not any(e in result.err for e in ("IsADirectoryError", "FileNotFoundError", "NotADirectoryError"))


def test_csv_exports_neutralise_formula_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "+1+1", "-2-2", "@SUM(A1)", "\tTAB", "\rCR", "Acme", None],
            "power_mw": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    out = tmp_path / "rows.csv"
    write_csv(frame, out)
    back = pd.read_csv(out, keep_default_na=False)
    assert [v[:2] for v in back["name"][:6]] == ["'=", "'+", "'-", "'@", "'\t", "'\r"]
    assert back["name"][6] == "Acme" and back["power_mw"].tolist() == pytest.approx([-5, 1, 2, 3, 4, 5, 6, 7], abs=0)
    assert all(not str(v).startswith(FORMULA_STARTS) for v in csv_safe(frame)["name"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]  # written whole, no partial file left


def test_neutralising_a_cell_can_be_undone_exactly() -> None:
    for value in ["=1+1", "'=1+1", "''@x", "'quoted", "plain", "-3", "", "'", 5, None]:
        assert restore_cell(neutralise_cell(value)) == value
    assert neutralise_cell("'=1+1") == "''=1+1" and neutralise_cell("'quoted") == "'quoted"
