"""docs/simulation.md: the figures stated for nested PCAIDS, logit Cournot, the HMT and efficiencies are what the
code gives (the blocks themselves run in test_docs_examples.py; here they run again and their outputs are read)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest


def _namespace() -> dict[str, Any]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "simulation.md").read_text(encoding="utf-8")
    namespace: dict[str, Any] = {}
    for number, block in enumerate(re.findall(r"```python\n(.*?)```", text, re.S)):
        exec(compile(block, f"docs/simulation.md python block {number}", "exec"), namespace)
    return namespace


def test_new_model_figures_in_docs(capsys: pytest.CaptureFixture[str]) -> None:
    ns = _namespace()
    capsys.readouterr()
    nested = ns["nested_out"]
    assert nested.parameters["nest_weights"]["H|L"] == pytest.approx(0.9748, abs=1e-4)
    assert list(nested.price_change_pct()["products"].values()) == pytest.approx([13.5496, 10.4940, 3.9929], abs=1e-4)
    cournot = ns["cournot_out"]
    assert cournot.parameters["alpha"] == pytest.approx(-0.625, rel=1e-12)
    assert list(cournot.price_change_pct()["products"].values()) == pytest.approx([6.9970, 6.9970, 0.0], abs=1e-4)
    assert cournot.cmcr == pytest.approx({"P1": 0.4, "P2": 0.4}, rel=1e-12)
    bargaining = ns["bargaining_out"]
    assert bargaining.parameters == pytest.approx({"alpha": -0.2146, "bargpower": 0.5036}, abs=5e-5)
    assert list(bargaining.price_change_pct()["products"].values()) == pytest.approx([11.50, 11.15, 0.75], abs=5e-3)
    hmt = ns["hmt_out"]
    assert hmt.extra["market_definition"]["smallest_market"] == {"0.05": ["P1", "P2"], "0.1": ["P1", "P2"]}
    rise = hmt.extra["market_definition"]["candidates"][1]["price_rise_pct"]
    assert rise == pytest.approx({"P1": 10.53, "P2": 11.00}, abs=5e-3)
    assert hmt.cmcr == pytest.approx({"P1": 0.3704, "P2": 0.3011}, abs=5e-5)
    assert hmt.extra["efficiencies"]["cv_neutral_cut"] == pytest.approx(0.3318, abs=5e-5)
