"""The amount / qualifier and period checks shared by committee money and independent expenditures
(``schema.politics._amount_and_period``): same problem, same file, line and field in both tables."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpower.schema.politics import check_committee_money, check_independent_expenditures

ROWS = [
    {"qualifier": "unquantified", "amount_usd": 5.0, "period_start": "2024-01-01", "period_end": "2024-02-01"},
    {"qualifier": None, "amount_usd": None, "period_start": "2024-03-01", "period_end": "2024-02-01"},
]


@pytest.mark.parametrize(
    ("check", "table", "extra"),
    [
        (check_committee_money, "committee_money", {"kind": "contribution", "is_pledge": "false", "basis": "filing"}),
        (check_independent_expenditures, "independent_expenditures", {"office": "president", "district": None}),
    ],
)
def test_amount_and_period_problems(check, table, extra) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame([{**row, **extra} for row in ROWS])
    found = [(p.file, p.line, p.field) for p in check({table: frame})]
    assert found == [
        (f"{table}.csv", 2, "amount_usd"),
        (f"{table}.csv", 3, "amount_usd"),
        (f"{table}.csv", 3, "period_start"),
    ]
