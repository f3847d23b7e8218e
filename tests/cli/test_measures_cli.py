"""`hhi`, `screen`, `mhhi`, `kappa` end to end, with hand-computed numbers and clean failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_hhi_json(cli) -> None:
    out = json.loads(cli("hhi", "--shares", "0.3,0.3,0.2,0.2", "--json").out)
    assert out["hhi"] == pytest.approx(2_600, abs=1e-9)  # 900 + 900 + 400 + 400
    assert out["class_2023"] == "highly concentrated"


def test_screen_on_a_package_market(cli, mini_package: Path) -> None:
    # widgets 2024: 50/30/20. Merging beta + gamma: ΔHHI = 2 · 0.3 · 0.2 · 10,000 = 1,200; HHI 3,800 → 5,000.
    result = cli("screen", "widgets", "--merge", "beta,gamma", "--package", str(mini_package), "--json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    assert out["year"] == 2024
    assert (out["delta_hhi"], out["pre_hhi_low"], out["post_hhi_low"]) == pytest.approx((1_200, 3_800, 5_000), abs=1e-9)
    outcomes = {s["guideline"]: s["outcome"] for s in out["screens"]}
    assert outcomes == {"us2023": "presumption", "us2010": "presumption", "eu2004": "above_initial_indicators"}


def test_screen_with_a_shares_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("firm,share\nA,0.05\nB,0.10\nC,0.45\nD,0.40\n", encoding="utf-8")
    out = json.loads(cli("screen", "mine", "--merge", "A,B", "--shares", str(path), "--json").out)
    assert out["delta_hhi"] == pytest.approx(100)  # exactly 100: not "more than 100"
    assert out["screens"][0]["outcome"] == "no_presumption"


def test_screen_unknown_firm_and_bad_file(cli, mini_package: Path, tmp_path: Path) -> None:
    result = cli("screen", "widgets", "--merge", "alpha,zeta", "--package", str(mini_package))
    assert result.code != 0 and "zeta" in result.err and "Traceback" not in result.err
    path = tmp_path / "m.csv"
    path.write_text("firm,share\nA,0.7\nB,1.5\n", encoding="utf-8")
    result = cli("screen", "mine", "--merge", "A,B", "--shares", str(path))
    assert result.code == 1 and "line 3, field 'share'" in result.err


def test_mhhi_case(cli, tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps({"shares": [0.3, 0.2, 0.5], "ownership": [[1, 0.25, 0], [0, 0.75, 0], [0, 0, 1]],
                    "silent": [[0, 1]]}),
        encoding="utf-8",
    )  # fmt: skip
    out = json.loads(cli("mhhi", str(case), "--json").out)
    assert (out["hhi"], out["mhhi"], out["mhhi_delta"]) == pytest.approx((3_800, 3_950, 150), abs=1e-9)


def test_mhhi_ownership_above_one_is_a_clean_error(cli, tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"shares": [0.5, 0.5], "ownership": [[1, 0.6], [0, 0.6]]}), encoding="utf-8")
    result = cli("mhhi", str(case))
    assert result.code != 0 and "more than 100% of a firm" in result.err


def test_kappa_from_plain_csv(cli, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("investor,firm,fraction\nI1,f,0.3\nI1,g,0.1\nI2,f,0.1\nI2,g,0.2\n", encoding="utf-8")
    out = json.loads(cli("kappa", "--holdings", str(path), "--firms", "f,g", "--json").out)
    assert [k for row in out["kappa"] for k in row] == pytest.approx(
        [1.0, 0.5, 1.0, 1.0]
    )  # κ_fg = 0.05 / 0.10, κ_gf = 0.05 / 0.05


def test_printed_hhi_is_the_same_on_every_cpu(cli, mini_package: Path) -> None:
    # 50/30/20 squares to 3,799.9999999999995 when summed with fused multiply-adds (the Xeon of issue 14): the one
    # HHI is exactly rounded (3,800.0) and the serialiser rounds what is written, so the JSON text reads 3800.0
    result = cli("screen", "widgets", "--merge", "beta,gamma", "--package", str(mini_package), "--json")
    assert '"pre_hhi_low": 3800.0' in result.out and "3799.99" not in result.out
    table = cli("hhi", "--shares", "0.5,0.3,0.2")
    assert "3,800" in table.out and "3,799" not in table.out
