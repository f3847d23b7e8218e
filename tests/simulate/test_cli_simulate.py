"""The ``simulate`` and ``screen-all`` commands: --json prints exactly ``simulate_case(case).to_dict()``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from marketpower.api.serialize import dumps
from marketpower.cli import app
from marketpower.simulate import screen_all, simulate_case

runner = CliRunner()


def _example_cases(repo_root: Path) -> list[Path]:
    return sorted((repo_root / "examples" / "cases").glob("*.*"))


def test_every_example_case_runs_and_json_equals_to_dict(repo_root: Path) -> None:
    cases = _example_cases(repo_root)
    assert cases
    for path in cases:
        case = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
        result = runner.invoke(app, ["simulate", str(path), "--json"])
        assert result.exit_code == 0, result.output
        # the CLI writes to_dict through the one serialiser (floats to its significant digits)
        assert json.loads(result.output) == json.loads(dumps(simulate_case(case).to_dict()))


def test_simulate_prints_tables(repo_root: Path) -> None:
    table = runner.invoke(app, ["simulate", str(repo_root / "examples" / "cases" / "logit_three_firms.json")])
    assert table.exit_code == 0, table.output
    assert "hhi_delta" in table.output and "GUPPI" in table.output and "zeta-markup" in table.output


def test_screen_all_on_a_case_ranks_by_harm(repo_root: Path) -> None:
    path = repo_root / "examples" / "cases" / "logit_three_firms.json"
    result = runner.invoke(app, ["screen-all", str(path), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 3
    assert [r["cv"] for r in rows] == sorted((r["cv"] for r in rows), reverse=True)
    expected = screen_all(json.loads(path.read_text()))
    assert rows[0]["firm_a"] == expected.loc[0, "firm_a"] and rows[0]["cv"] == pytest.approx(expected.loc[0, "cv"])


def test_screen_all_vectorised_logit_equals_one_by_one(repo_root: Path) -> None:
    """The batched logit screen gives the same CV and HHI as separate simulations of each pair."""
    case = json.loads((repo_root / "examples" / "cases" / "logit_three_firms.json").read_text())
    frame = screen_all(case)
    for row in frame.itertuples():
        post = [row.firm_a if f == row.firm_b else f for f in case["owner_pre"]]
        single = simulate_case(case | {"owner_post": post})
        assert row.cv == pytest.approx(single.cv, rel=1e-9)
        assert row.hhi_post == pytest.approx(single.hhi_post, rel=1e-12)


def test_bad_case_file_fails_cleanly(tmp_path: Path, cli: Callable[..., Any]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("prices: [1, -2]\nshares: [0.2, 0.3]\nowner_pre: [a, b]\nowner_post: [a, a]\nmargins: [0.5, null]\n")
    result = cli("simulate", str(bad))
    assert result.code != 0
    assert "prices[P2]" in result.err
    assert "Traceback" not in result.err + result.out
    missing = cli("simulate", str(tmp_path / "nope.json"))
    assert missing.code != 0 and "no such file" in missing.err


def test_screen_all_on_a_market_of_the_store(mini_package: Path, cli: Callable[..., Any]) -> None:
    """A market id: latest shares from the store, logit with the assumed margin on the largest firm; every pair
    of its named firms is screened and the list is ranked by CV."""
    result = cli(
        "screen-all",
        "widgets",
        "--package",
        str(mini_package),
        "--margin",
        "0.5",
        "--market-elasticity",
        "-1.5",
        "--json",
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    firms = {r["firm_a"] for r in rows} | {r["firm_b"] for r in rows}
    assert len(rows) == len(firms) * (len(firms) - 1) // 2
    assert [r["cv"] for r in rows] == sorted((r["cv"] for r in rows), reverse=True)
    missing = cli("screen-all", "widgets", "--package", str(mini_package), "--json")
    assert missing.code != 0 and "--margin" in missing.err
