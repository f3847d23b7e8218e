"""CLI tables (cli/common.emit): years without separators, COLUMNS respected, headers broken only between
words, `trend` showing the period; and `compute-share --source facilities|both` measuring what it names."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from marketpower.cli.common import _cell, console_width

DATA = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "datasets" / "aistack" / "data"


def run(*args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {"COLUMNS": str(columns), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [str(Path(sys.executable).with_name("marketpower")), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_year_cells_and_width() -> None:
    assert _cell(2024.0, "year") == "2024" and _cell(2026.0, "year_online") == "2026"
    assert _cell(2024.0, "hhi_low") == "2,024"  # other numbers keep their separators
    assert _cell(float("nan"), "year") == ""
    assert console_width({"COLUMNS": "80"}, tty=False) == 80
    assert console_width({}, tty=False) == 200 and console_width({"COLUMNS": "x"}, tty=True) is None


@pytest.fixture(scope="module")
def trend() -> str:
    result = run("trend", "cloud-infrastructure", columns=160)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_trend_shows_the_period_within_columns(trend: str) -> None:
    lines = trend.splitlines()
    assert max(len(line) for line in lines) <= 160
    assert "period" in trend and "2,02" not in trend
    rows = [line for line in lines if line.startswith("│ cloud")]
    # two 2023 rows (canalys and synergy) and 2025 Q1 / Q3 / Q4 (issue 16 added Canalys Q1 2025 and Synergy
    # Q1 2026): the period tells them apart
    periods = [r.split("│")[2].strip() + " " + r.split("│")[3].strip() for r in rows]
    assert periods[3:] == ["2024 Q1", "2025 Q1", "2025 Q3", "2025 Q4", "2026 Q1"]


def test_headers_break_between_words(trend: str) -> None:
    header = [line for line in trend.splitlines() if line.startswith("┃")]
    words = {w for line in header for w in line.replace("┃", " ").split()}
    assert {"market", "id", "leader", "share", "hhi", "low", "change", "class", "2023"} <= words


def facility_h100e(facility_id: str) -> float:
    """H100e of a site with a published count: count × dense BF16 FLOP/s of its model / the H100's."""
    hardware = {r["id"]: r for r in csv.DictReader((DATA / "hardware.csv").open(encoding="utf-8"))}
    site = next(r for r in csv.DictReader((DATA / "facilities.csv").open(encoding="utf-8")) if r["id"] == facility_id)
    model = "-".join(site["accelerator_model"].lower().split())
    ratio = float(hardware[model]["bf16_dense_flops"]) / float(hardware["nvidia-h100"]["bf16_dense_flops"])
    return float(site["accelerator_count"]) * ratio


def test_compute_share_from_facilities() -> None:
    result = run("compute-share", "--source", "facilities", "--json")
    assert result.returncode == 0, result.stderr
    shares = json.loads(result.stdout)["shares"]
    ionic = next(r for r in shares if r["holder"] == "ionic-digital" and r["period"] == "2026")
    assert ionic["h100e"] == pytest.approx(facility_h100e("nscale-texas-ionic"), rel=1e-9)


def test_compute_share_both_keeps_the_two_series_apart() -> None:
    both = json.loads(run("compute-share", "--source", "both", "--json").stdout)
    chips = json.loads(run("compute-share", "--source", "chips", "--json").stdout)
    bases = {r["basis"] for r in both["concentration"]}
    assert bases == {"chips", "facilities"}
    from_chips = [{k: v for k, v in r.items() if k != "basis"} for r in both["concentration"] if r["basis"] == "chips"]
    assert from_chips == chips["concentration"]
    first_facility = next(r for r in both["concentration"] if r["basis"] == "facilities")
    assert first_facility["hhi_change"] is None  # no change measured across the two series


def test_compute_share_names_what_is_missing() -> None:
    result = run("compute-share", "--source", "chips", "--market", "nope")
    assert result.returncode != 0
    assert "'nope'" in result.stderr and "try --source facilities" in result.stderr
    assert "Traceback" not in result.stderr
