"""The strict CSV reader shared by the Epoch, ETO, Open States and 13F user-file readers."""

from __future__ import annotations

from pathlib import Path

from marketpower.errors import Problem
from marketpower.ingest.textcsv import read_csv_text


def _read(tmp_path: Path, data: bytes, required: tuple[str, ...] = ("a", "b")) -> tuple[object, list[Problem]]:
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    problems: list[Problem] = []
    return read_csv_text(path, required, problems), problems


def test_cells_are_stripped_text_indexed_by_the_line_each_record_starts(tmp_path: Path) -> None:
    frame, problems = _read(tmp_path, b'\xef\xbb\xbf"a", b\r\n 1 ,"x\r\ny"\r\n\r\n3,4\r\n')
    assert problems == []
    assert frame.to_dict("index") == {2: {"a": "1", "b": "x\r\ny"}, 5: {"a": "3", "b": "4"}}  # type: ignore[attr-defined]


def test_each_unreadable_shape_is_located(tmp_path: Path) -> None:
    cases = {
        b"": (1, None, "empty file"),
        b"a,b\n": (2, None, "no data rows under the header"),
        b"a,b\n1,2\n1\n": (3, None, "1 fields, fewer than the header's 2"),
        b"a,b\n1,2,3\n": (2, None, "3 fields, more than the header's 2"),
        b'a,b\n1,"2\n': (2, None, "not a well-formed CSV record"),
        b"a,a,b\n1,2,3\n": (1, "a", "column named twice in the header"),
        b"a,c\n1,2\n": (1, "b", "missing column 'b' (the header has: a, c)"),
        b"a,b\n1,\xff\n": (2, None, "not UTF-8 (byte 0xff)"),
        b"a,b\n1,2\x00\n": (2, None, "NUL character"),
    }
    for data, (line, field, message) in cases.items():
        frame, problems = _read(tmp_path, data)
        assert frame is None, data
        assert [(p.line, p.field) for p in problems] == [(line, field)], data
        assert problems[0].message.startswith(message), (data, problems[0].message)
