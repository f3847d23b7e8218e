"""``marketpower compute`` / ``compute-share``: JSON reproducible from the printed chain, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from marketpower.cli import app, main
from marketpower.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled package loaded once into a DuckDB file (loading it per command would dominate the tests)."""
    path = tmp_path_factory.mktemp("store") / "aistack.duckdb"
    Store.open(db=path).close()
    return str(path)


def run_json(db: str, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def steps_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in data["steps"]}


def test_power_json_is_reproducible_from_its_chain(db: str) -> None:
    steps = steps_of(run_json(db, "compute", "--power-gw", "10", "--accelerator", "gb200", "--pue", "1.25"))
    assert steps["facility_power_mw"]["central"] == pytest.approx(10_000)
    assert (steps["pue"]["low"], steps["pue"]["high"]) == pytest.approx((1.25, 1.25))
    it = steps["it_power_mw"]
    assert it["central"] == pytest.approx(steps["facility_power_mw"]["central"] / steps["pue"]["central"])
    units, system = steps["accelerators"], steps["system_power_w"]
    for bound, other in (("low", "high"), ("central", "central"), ("high", "low")):
        assert units[bound] == pytest.approx(it[bound] * 1e6 / system[other], rel=1e-12)
    assert units["central"] == pytest.approx(4.8e6, rel=1e-9)  # bundled GB200: 120 kW NVL72 rack / 72
    energy = steps["annual_energy_twh"]
    assert energy["central"] == pytest.approx(10_000 * steps["load_factor"]["central"] * 8760 / 1e6, rel=1e-12)
    share = steps["share_of_us_electricity"]
    assert share["high"] == pytest.approx(energy["high"] / steps["us_electricity_twh"]["low"], rel=1e-12)


def test_accelerators_json_and_sensitivity(db: str) -> None:
    data = run_json(db, "compute", "--accelerators", "4.5e6", "--accelerator", "b200")
    steps = steps_of(data)
    assert steps["facility_power_mw"]["central"] == pytest.approx(
        4.5e6 * steps["system_power_w"]["central"] / 1e6 * steps["pue"]["central"], rel=1e-12
    )
    tornado = data["sensitivity"]
    assert tornado[0]["assumption"] == "pue"


def test_compare_table_and_rich_output(db: str) -> None:
    rows = run_json(db, "compute", "--power-gw", "10", "--compare")["rows"]
    verdicts = {r["accelerator"]: r["verdict"] for r in rows}
    assert verdicts["nvidia-gb200"] == "in range" and verdicts["nvidia-a100"] == "too many"
    result = runner.invoke(app, ["compute", "--power-gw", "10", "--accelerator", "h100", "--db", db])
    assert result.exit_code == 0 and "10,000 MW of facility power" in result.output
    assert "Sensitivity" in result.output


def test_compute_share_from_facilities_or_clear_message(db: str) -> None:
    result = runner.invoke(app, ["compute-share", "--source", "both", "--db", db, "--json"])
    if result.exit_code == 0:
        data = json.loads(result.output)
        assert {"shares", "concentration"} <= set(data)
    else:  # the bundled package has no chip-ownership rows yet
        assert "no compute holdings" in str(result.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--power-gw", "-1", "--accelerator", "gb200"], "--power-gw"),
        (["--power-gw", "0", "--accelerator", "gb200"], "must be a positive number"),
        (["--power-mw", "nan", "--accelerator", "gb200"], "must be a positive number"),
        (["--power-gw", "10", "--accelerator", "gb999"], "unknown accelerator 'gb999'"),
        (["--power-gw", "10", "--accelerator", "gb200", "--pue", "0.9"], "below 1"),
        (["--power-gw", "10", "--accelerators", "5"], "exactly one of"),
        (["--accelerators", "-5", "--accelerator", "h100"], "accelerators"),
    ],
)
def test_bad_input_gives_a_clean_error(
    db: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["marketpower", "compute", *args, "--db", db])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code not in (0, None)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_installed_command_prints_no_traceback(db: str) -> None:
    exe = Path(sys.executable).with_name("marketpower")
    result = subprocess.run(
        [str(exe), "compute", "--power-gw", "10", "--accelerator", "gb999", "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "unknown accelerator" in result.stderr and "Traceback" not in result.stderr + result.stdout
