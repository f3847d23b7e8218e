"""Bad deal-web input gives one clear error naming the file, row and field, through `marketpower validate`
as through loading the package: a parent cycle, an unknown source tier, a revision of a missing deal."""

from __future__ import annotations

from pathlib import Path

import pytest
from deals_package import mini_package
from typer.testing import CliRunner

from marketpower.cli import app

GOOD = "d1,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s1,\n"


def broken(tmp_path: Path, case: str) -> Path:
    if case == "revision":
        return mini_package(tmp_path, GOOD + "d2,2025-02-01,equity_investment,a,b,50,,,,,,revised,nope,,s1,\n")
    folder = mini_package(tmp_path, GOOD)
    if case == "cycle":
        (folder / "data" / "entities.csv").write_text(
            "id,name,kind,country,ticker,parent_id\na,A,company,US,,b\nb,B,company,US,,a\nc,C,company,US,,\n"
        )
    else:
        (folder / "data" / "sources.csv").write_text(
            "id,publisher,title,url,published,accessed,tier\ns1,Pub,Title,https://example.org/a,2025-01-01,,gold\n"
        )
    return folder


@pytest.mark.parametrize(
    ("case", "where", "says"),
    [
        ("cycle", "entities.csv, line 2, field 'parent_id'", "parent cycle a -> b -> a (rows 2, 3)"),
        ("tier", "sources.csv, line 2, field 'tier'", "one of primary, secondary, other"),
        ("revision", "deals.csv, line 3, field 'supersedes'", "'nope'"),
    ],
)
def test_one_error_naming_the_row(tmp_path: Path, case: str, where: str, says: str) -> None:
    result = CliRunner().invoke(app, ["validate", str(broken(tmp_path, case))])
    assert result.exit_code == 1
    assert "1 problem(s) found" in result.output and "Traceback" not in result.output
    line = next(x for x in result.output.splitlines() if "field" in x)
    assert where in line and says in line
    loops = CliRunner().invoke(app, ["loops", "--package", str(broken(tmp_path / "again", case))])
    assert loops.exit_code != 0 and "Traceback" not in loops.output and where.split(",")[0] in loops.output
