"""Bundled data packages."""

from __future__ import annotations

from pathlib import Path

AISTACK = Path(__file__).resolve().parent / "aistack"
