"""Column widths of CLI tables too wide for the screen (cli/common.column_widths): numbers never split, header
words kept whole when the screen allows, the rest of the room shared level by level."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from marketpower.cli import common
from marketpower.cli.common import column_widths, table_chrome


def test_a_table_that_fits_keeps_rich_s_own_layout() -> None:
    # longest cells 14 and 6 characters, 2 columns of chrome 3 each + 1: 14 + 6 + 7 = 27 characters
    assert table_chrome(2) == 7
    assert column_widths(["a_b", "n"], [["long text here", "12,345"]], [0, 6], 27) is None


def test_the_room_goes_to_the_narrow_columns_first_and_numbers_stay_whole() -> None:
    # screen 20: room 20 - 7 = 13; floors [1 (longest header word of "a b"), 6 (the number "12,345")]; the text
    # column rises to the level t with min(14, max(1, t)) + 6 <= 13, i.e. t = 7
    assert column_widths(["a_b", "n"], [["long text here", "12,345"]], [0, 6], 20) == [7, 6]
    # three columns, screen 24: room 24 - 10 = 14; floors [1, 1, 5]; level t: min(10, t) + min(2, t) + 5 <= 14
    # gives t = 7 (7 + 2 + 5 = 14)
    assert column_widths(["x", "y", "z"], [["0123456789", "ab", "1,234"]], [0, 0, 5], 24) == [7, 2, 5]


def test_header_words_give_way_before_numbers_do() -> None:
    # header "population_total": longest word 10; number 7 wide; room 16 - 4 = 12 < 10 + ... only one column:
    # floors with the header word: max(10, 7) = 10 <= 12, so the header word stays whole
    assert column_widths(["population_total"], [["1,234,567"]], [9], 16) == [12]
    # room 10 - 4 = 6 < 9: even the number cannot fit, Rich's own layout is left to fold it
    assert column_widths(["population_total"], [["1,234,567"]], [9], 10) is None


def test_printed_tables_never_split_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(common, "console", Console(file=out, width=40, markup=False, emoji=False, highlight=False))
    records = [{"market": "a market with a long name", "hhi_high": 3597.4, "cr4": 0.773}]
    common.emit(records, as_json=False, columns=["market", "hhi_high", "cr4"])
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 40
    assert any("3,597" in line for line in lines) and any("0.773" in line for line in lines)
