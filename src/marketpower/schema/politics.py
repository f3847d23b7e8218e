"""Tables of the politics domain (declared with :mod:`marketpower.schema.core`)."""

from __future__ import annotations

from .core import Table

TABLES: tuple[Table, ...] = ()
