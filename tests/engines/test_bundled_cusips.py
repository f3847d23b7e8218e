"""The bundled CUSIP map of the AI-stack firms: each CUSIP is well formed (its check digit recomputed by the CUSIP
standard's modulus-10 "double add double" rule), maps to an entity of the package and cites a `cusip-` source;
`kappa` and `kappa-series` on the 13F fixtures pick the firms through it when no --cusips file is given."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from engine_data import write_fixture_dataset

from marketpower.datasets import AISTACK
from marketpower.engines.holdings import BUNDLED_CUSIP_MAP
from marketpower.ingest.sec13f import read_cusip_map
from marketpower.schema.finance import cusip_check_digit


def _rows(name: str) -> list[dict[str, str]]:
    with (AISTACK / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_bundled_cusip_is_well_formed_and_sourced() -> None:
    rows = _rows("cusips")
    assert BUNDLED_CUSIP_MAP == AISTACK / "data" / "cusips.csv"
    # the rule worked by hand: NVIDIA's 67066G104 (digit sum 26, 30 - 26 = 4); Apple's 037833100 (sum 30 -> 0)
    assert cusip_check_digit("67066G10") == 4 and cusip_check_digit("03783310") == 0
    # Qualcomm's 747525103: 7 + (4·2=8) + 7 + (5·2=10→1+0) + 2 + (5·2=10→1) + 1 + (0·2) = 27, so 30 - 27 = 3;
    # Alphabet class C's 02079K107: 0 + (2·2=4) + 0 + (7·2=14→1+4) + 9 + (K=20·2=40→4+0) + 1 + 0 = 23, so 7
    assert cusip_check_digit("74752510") == 3 and cusip_check_digit("02079K10") == 7
    assert [r["cusip"][8] for r in rows] == [str(cusip_check_digit(r["cusip"][:8])) for r in rows]
    entities, sources = {r["id"] for r in _rows("entities")}, {r["id"] for r in _rows("sources")}
    assert {r["firm"] for r in rows} <= entities
    assert all(r["source_id"].startswith("cusip-") and r["source_id"] in sources for r in rows)
    mapping = read_cusip_map(BUNDLED_CUSIP_MAP)
    firm_of = dict(zip(mapping["cusip"], mapping["firm"], strict=True))
    assert (firm_of["007903107"], firm_of["747525103"], firm_of["02079K107"]) == ("amd", "qualcomm", "alphabet")


@pytest.fixture
def fixture_without_map(tmp_path: Path) -> tuple[Path, Path]:
    """The 13F fixture data set with shares outstanding keyed by the bundled map's entity ids (NVDA 1,000 and
    AMD 200 shares, as in the fixture), and no CUSIP map of its own."""
    write_fixture_dataset(tmp_path / "sets" / "2025q3")
    outstanding = tmp_path / "entity_outstanding.csv"
    outstanding.write_text("firm,shares_outstanding\nnvidia,1000\namd,200\n", encoding="utf-8")
    return tmp_path / "sets", outstanding


def test_kappa_series_picks_the_firms_through_the_bundled_map(cli, fixture_without_map: tuple[Path, Path]) -> None:
    sets, outstanding = fixture_without_map
    result = cli("kappa-series", str(sets), "--shares-outstanding", str(outstanding), "--json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["firms"] == ["amd", "nvidia"]
    rows = {(r["quarter"], r["firm"], r["other_firm"]): r["kappa"] for r in answer["kappa"]}
    # hand-derived in tests/engines/test_cli_engines.py: κ_AMD,NVDA = 3, κ_NVDA,AMD = 0.0375 / 0.1125
    assert rows == pytest.approx({("2025Q3", "amd", "nvidia"): 3.0, ("2025Q3", "nvidia", "amd"): 1 / 3}, rel=1e-12)


def test_kappa_picks_the_firms_through_the_bundled_map(cli, fixture_without_map: tuple[Path, Path]) -> None:
    sets, outstanding = fixture_without_map
    common = ["kappa", "--holdings", str(sets / "2025q3"), "--firms", "nvidia,amd", "--shares-outstanding",
              str(outstanding), "--json"]  # fmt: skip
    for run in (cli(*common), cli(*common, "--engine", "duckdb")):
        assert run.code == 0, run.err
        flat = [v for row in json.loads(run.out)["kappa"] for v in row]
        assert flat == pytest.approx([1.0, 1 / 3, 3.0, 1.0], rel=1e-12)


def test_both_commands_refuse_a_wrong_check_digit(cli, fixture_without_map: tuple[Path, Path]) -> None:
    """A --cusips file with AMD's 007903107 mistyped 007903108 (its first eight give 7): `kappa-series` and
    `kappa` (one-file reader and engine) refuse it naming file, line 3 and field 'cusip'."""
    sets, outstanding = fixture_without_map
    cusips = sets.parent / "typo.csv"
    cusips.write_text("cusip,firm\n67066G104,nvidia\n007903108,amd\n", encoding="utf-8")
    runs = [
        cli("kappa-series", str(sets), "--cusips", str(cusips), "--shares-outstanding", str(outstanding)),
        *(cli("kappa", "--holdings", str(sets / "2025q3"), "--firms", "nvidia,amd", "--cusips", str(cusips),
              "--shares-outstanding", str(outstanding), *engine) for engine in ([], ["--engine", "duckdb"])),
    ]  # fmt: skip
    for run in runs:
        assert run.code != 0
        assert f"{cusips}, line 3, field 'cusip': 007903108: check digit 8, the first eight characters give 7" in (
            run.err + run.out
        )
