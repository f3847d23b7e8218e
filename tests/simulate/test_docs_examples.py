"""docs/simulation.md: every ```python block runs (in order, one namespace), and the figures its comments state for
the R examples, capacities and flags are what the code gives."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest


def test_simulation_docs_examples_run_and_state_true_figures(capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "simulation.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    namespace: dict[str, Any] = {}
    for number, block in enumerate(blocks):
        exec(compile(block, f"docs/simulation.md python block {number}", "exec"), namespace)
    capsys.readouterr()
    simulate_case = namespace["simulate_case"]
    flagged = namespace["out"]  # the last `out` is the flags example; the others are recomputed from their cases
    assert [f["code"] for f in flagged.flags] == ["price_change", "cmcr_above_1"]
    # the AIDS example's figures are R's, checked in test_r_antitrust_defects.py
    miller = simulate_case(namespace["miller"]).price_change_pct()["products"]
    assert miller["P2"] == pytest.approx(10.7426, abs=1e-4) and miller["P3"] == pytest.approx(24.8019, abs=1e-4)
    capped = simulate_case(namespace["case"] | {"capacities": [400, 400, 210]})
    assert capped.quantities_post.tolist() == pytest.approx([261.1, 197.8, 210.0], abs=0.05)
    assert capped.diagnostics["capacity"]["shadow_cost_post"]["P3"] == pytest.approx(0.605, abs=5e-4)
    buyers = namespace["buyers_out"]  # the input-market example
    assert buyers.parameters["alpha"] == pytest.approx(0.5714, abs=5e-5)
    assert list(buyers.price_change_pct()["products"].values()) == pytest.approx([-8.91, -8.91, -1.55], abs=5e-3)
    assert buyers.cv == pytest.approx(514.2, abs=0.05)


def _block_after(text: str, heading: str, fence: str) -> str:
    start = text.index(heading)
    return str(re.search(rf"```{fence}\n(.*?)```", text[start:], re.S).group(1))  # type: ignore[union-attr]


def _cells(output: str, first: str) -> list[str]:
    """The cells of the CLI table row whose first cell is ``first``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in the CLI output")


def test_worked_example_table_is_what_the_cli_prints(repo_root: Path) -> None:
    """docs/simulation.md "Worked example": every product row, market figure, screen and the solve line it shows
    are printed by `marketpower simulate examples/cases/logit_three_firms.json` (same rounding)."""
    from typer.testing import CliRunner

    from marketpower.cli import app

    text = (repo_root / "docs" / "simulation.md").read_text(encoding="utf-8")
    block = _block_after(text, "## Worked example", "text")
    output = CliRunner().invoke(app, ["simulate", str(repo_root / "examples/cases/logit_three_firms.json")]).output
    rows = [line.split() for line in block.splitlines() if re.match(r"^ [ABC] ", line)]
    assert len(rows) == 3
    for row in rows:
        assert _cells(output, row[0]) == row
    summary = re.search(r"hhi_pre (\S+) · hhi_post (\S+) · hhi_delta (\S+) · cv (\S+) · producer_surplus_delta (\S+)",
                        block)
    assert summary is not None
    for key, value in zip(("hhi_pre", "hhi_post", "hhi_delta", "cv", "producer_surplus_delta"), summary.groups(),
                          strict=True):
        assert _cells(output, key) == [key, value]
    screens = re.search(r"UPP A (\S+), B (\S+) · GUPPI (\S+), (\S+) · CMCR A (\S+), B (\S+)", block)
    assert screens is not None
    upp_a, upp_b, guppi_a, guppi_b, cmcr_a, cmcr_b = screens.groups()
    assert _cells(output.split("Merging products")[1], "A") == ["A", upp_a, guppi_a, cmcr_a]
    assert _cells(output.split("Merging products")[1], "B") == ["B", upp_b, guppi_b, cmcr_b]
    solve = re.search(r"solve: converged, (\d+) iterations, max FOC residual (\S+), zeta-markup", block)
    assert solve is not None and f"'iterations': {solve.group(1)}," in output
    residual = float(re.search(r"'max_foc_residual': (\S+),", output).group(1))  # type: ignore[union-attr]
    assert residual == pytest.approx(float(solve.group(2)), rel=0.05)  # stated to 2 significant digits
    assert "calibration: exact: α from the one known margin" in block
    assert "calibration: exact: α from the one known margin" in output


def test_bad_case_file_example_prints_the_stated_message(repo_root: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The ```sh example of docs/simulation.md: its printf writes bad.yaml and `marketpower simulate bad.yaml`
    prints the message in its comment and exits non-zero."""
    import subprocess

    from typer.testing import CliRunner

    from marketpower.cli import app

    text = (repo_root / "docs" / "simulation.md").read_text(encoding="utf-8")
    block = _block_after(text, "Then the case itself", "sh")
    printf, command, comment = block.strip().splitlines()
    monkeypatch.chdir(tmp_path)
    subprocess.run(["bash", "-c", printf], check=True)
    assert command == "marketpower simulate bad.yaml"
    result = CliRunner().invoke(app, ["simulate", "bad.yaml"])
    assert result.exit_code != 0
    assert comment.removeprefix("# ") in " ".join(result.output.split())
