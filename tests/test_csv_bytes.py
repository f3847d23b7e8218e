"""`files.csv_bytes` (the dashboard's CSV downloads, from memory) gives the bytes `files.write_csv` writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from marketpower.files import csv_bytes, write_csv


def test_same_bytes_as_the_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["=SUM(A1)", "two\nlines", None], "amount_usd": [1.5, -2.0, 3.0]})
    write_csv(frame, tmp_path / "t.csv")
    expected = b"name,amount_usd\r\n'=SUM(A1),1.5\r\n\"two\nlines\",-2.0\r\n,3.0\r\n"
    assert (tmp_path / "t.csv").read_bytes() == expected
    assert csv_bytes(frame) == expected
