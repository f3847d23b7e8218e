"""CLI tables (cli/common.emit) keep every column on screen: headers kept whole never push the right-hand
columns past COLUMNS, where Rich would crop them (the last column and the right border lost)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_narrow_tables_keep_every_column_and_whole_headers() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("marketpower")), "politics", "firm", "meta"],
        capture_output=True, text=True, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"}, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    tops = [line for line in lines if line.startswith("┏")]
    assert len(tops) >= 3 and all(line.endswith("┓") for line in tops)  # no table cut at the right
    body = [line for line in lines if line.startswith(("│", "┃"))]
    assert body and all(line.endswith(("│", "┃")) for line in body)
    committees_header = lines[lines.index(tops[0]) + 1]
    assert {"jurisdiction", "source", "id"} <= set(committees_header.replace("┃", " ").split())
