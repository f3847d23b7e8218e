"""Concentration of a list of shares, the question ``marketpower hhi`` asks: it needs only NumPy and
:mod:`marketpower.measures.concentration` (no store, no pandas), so the command starts fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..measures.concentration import hhi as hhi_value
from ..measures.concentration import summarize


def concentration(shares: Sequence[float]) -> dict[str, Any]:
    """HHI (0-10,000; :func:`marketpower.measures.concentration.hhi`), its range when the shares sum below 1,
    CR1, CR4 and the US 2023 / 2010 classes (:func:`marketpower.measures.concentration.summarize`)."""
    return {"hhi": hhi_value(shares), **summarize(shares).to_dict()}
