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
