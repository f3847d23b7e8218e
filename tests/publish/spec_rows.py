"""Helpers the chart tests share: walking a Vega-Lite spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def spec_rows(node: Any) -> Iterator[dict[str, Any]]:
    """Every data row of a spec (the records under any ``values`` list, however deep)."""
    if isinstance(node, dict):
        if isinstance(node.get("values"), list):
            yield from (r for r in node["values"] if isinstance(r, dict))
        for value in node.values():
            yield from spec_rows(value)
    elif isinstance(node, list):
        for value in node:
            yield from spec_rows(value)
