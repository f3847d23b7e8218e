"""`marketpower validate` refuses a mistyped CUSIP in the cusips table: a ninth character that is not the check
digit of the first eight, named by file, line and field, while the bundled map stays valid."""

from __future__ import annotations

import shutil
from pathlib import Path

from marketpower.datasets import AISTACK
from marketpower.ingest.datapackage import validate_package
from marketpower.schema.finance import cusip_check_digit


def test_check_digit_worked_by_hand() -> None:
    # NVIDIA 67066G10: 6 + (7·2→1+4) + 0 + (6·2→1+2) + 6 + (G=16·2=32→3+2) + 1 + (0·2) = 26, so 30 - 26 = 4
    assert cusip_check_digit("67066G10") == 4
    # Microsoft 59491810: 5 + (9·2→1+8) + 4 + (9·2→1+8) + 1 + (8·2→1+6) + 1 + 0 = 36, so 40 - 36 = 4
    assert cusip_check_digit("59491810") == 4


def test_wrong_check_digit_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    shutil.copytree(AISTACK, package)
    cusips = package / "data" / "cusips.csv"
    text = cusips.read_text(encoding="utf-8")
    assert "\n594918104," in text
    cusips.write_text(text.replace("\n594918104,", "\n594918103,"), encoding="utf-8")
    problems = [p for p in validate_package(package) if p.field == "cusip"]
    line = text.split("\n").index(next(r for r in text.split("\n") if r.startswith("594918104,"))) + 1
    assert [(p.file, p.line) for p in problems] == [(str(cusips), line)]
    assert "check digit 3" in problems[0].message and "give 4" in problems[0].message


def test_bundled_map_valid() -> None:
    assert [p for p in validate_package(AISTACK) if p.field == "cusip"] == []
