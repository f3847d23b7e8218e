"""The JSON serialiser lives in the application layer (:mod:`marketpower.api.serialize`); this name is kept for
the publishing modules that import it from here."""

from __future__ import annotations

from ..api.serialize import dumps, jsonable

__all__ = ["dumps", "jsonable"]

