"""The core commands end to end: validate, markets, trend, sources, report, and clean failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from marketpower.datasets import AISTACK


def test_validate_ok_and_json(cli, mini_package: Path) -> None:
    assert cli("validate", str(mini_package)).code == 0
    result = cli("validate", str(mini_package), "--json")
    assert json.loads(result.out) == {"package": str(mini_package), "valid": True, "problems": []}


def test_validate_reports_every_problem_without_traceback(cli, mini_package: Path, tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(mini_package, pkg)
    shares = pkg / "data/shares.csv"
    shares.write_text(shares.read_text().replace("0.4,", "1.4,", 1).replace("src-b,", "src-x,", 1))
    result = cli("validate", str(pkg))
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "line 2, field 'share'" in result.err
    assert "unknown sources id 'src-x'" in result.err or "src-x" in result.err


def test_markets_json_hand_checked(cli, mini_package: Path) -> None:
    rows = json.loads(cli("markets", "--package", str(mini_package), "--json", "--year", "2024").out)
    by_market = {r["market_id"]: r for r in rows}
    # widgets 2024: 50/30/20 -> HHI 2500 + 900 + 400 = 3800, CR4 = 1
    assert by_market["widgets"]["hhi_low"] == pytest.approx(3800)
    assert by_market["widgets"]["hhi_high"] == pytest.approx(3800)
    assert by_market["widgets"]["class_2010"] == "highly concentrated"
    # gadgets 2024: 30/20 + explicit others 50 -> [1300, 3800]
    assert (by_market["gadgets"]["hhi_low"], by_market["gadgets"]["hhi_high"]) == pytest.approx((1300, 3800))
    assert by_market["gadgets"]["leader"] == "Alpha Corp"


def test_markets_layer_filter_and_unknown_layer(cli, mini_package: Path) -> None:
    rows = json.loads(cli("markets", "--package", str(mini_package), "--layer", "software", "--json").out)
    assert {r["market_id"] for r in rows} == {"gadgets"}
    bad = cli("markets", "--package", str(mini_package), "--layer", "nope")
    assert bad.code == 2 and "unknown layer" in bad.err


def test_trend_changes(cli, mini_package: Path) -> None:
    rows = json.loads(cli("trend", "widgets", "--package", str(mini_package), "--json").out)
    assert [r["year"] for r in rows] == [2023, 2024]
    # 2023: 1600 + 900 + 400 + 100 = 3000; 2024: 3800 -> +800
    assert rows[1]["hhi_low_change"] == pytest.approx(800)


def test_sources_and_unused(cli, mini_package: Path) -> None:
    rows = json.loads(cli("sources", "--package", str(mini_package), "--json").out)
    assert {r["id"]: r["cited_by"] for r in rows} == {"src-a": "shares: 7", "src-b": "shares: 3"}
    assert json.loads(cli("sources", "--package", str(mini_package), "--unused", "--json").out) == []


def test_db_file_keeps_the_package(cli, mini_package: Path, tmp_path: Path) -> None:
    db = tmp_path / "mp.duckdb"
    first = json.loads(cli("markets", "--package", str(mini_package), "--db", str(db), "--json").out)
    again = json.loads(cli("markets", "--db", str(db), "--json").out)
    assert first == again


def test_report_is_self_contained(cli, mini_package: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert cli("report", "--package", str(mini_package), "--out", str(out)).code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "https://example.org/widgets-2024" in index
    assert "http://" not in index.replace("http://127.0.0.1", "") or "src=\"http" not in index
    for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        assert f'src="assets/vendor/{script}"' in index
        assert (out / "assets/vendor" / script).is_file()
    market = (out / "market-widgets.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/widgets-2024"' in market


def test_bundled_package_end_to_end(cli, tmp_path: Path) -> None:
    if not (AISTACK / "data" / "shares.csv").is_file():
        pytest.skip("bundled shares not written yet")
    assert cli("validate").code == 0
    rows = json.loads(cli("markets", "--json").out)
    assert rows and all(0 <= r["hhi_low"] <= r["hhi_high"] <= 10_000 for r in rows)
    assert cli("report", "--out", str(tmp_path / "r")).code == 0
