"""Every ```python block of docs/measures.md runs (its asserts are the hand-computed numbers of the page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "measures.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S) if DOC.exists() else []


@pytest.mark.skipif(not BLOCKS, reason="docs/measures.md not found")
@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_doc_example_runs(number: int) -> None:
    exec(compile(BLOCKS[number], f"docs/measures.md block {number + 1}", "exec"), {})
