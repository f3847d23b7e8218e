"""Who wins: market value gained since a date, by layer of the stack or by firm."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..measures import value_capture as vc
from .assumptions import CHATGPT_RELEASE
from .results import Result, Source, context_of


@dataclasses.dataclass(frozen=True)
class Winners(Result):
    """Market value change of every listed firm between ``since`` and ``until`` (``changes``), summed by layer
    (``layers``); ``gaps``: firms without a value near a date."""

    since: str
    until: str | None
    by: str
    changes: pd.DataFrame
    layers: pd.DataFrame
    gaps: pd.DataFrame

    def payload(self) -> Any:
        if self.by == "firm":
            return self.changes.sort_values("change_usd", ascending=False, na_position="last")
        return {"since": self.since, "until": self.until, "layers": self.layers, "gaps": self.gaps}


def winners(
    source: Source,
    since: str = CHATGPT_RELEASE,
    until: str | None = None,
    by: str = "layer",
    tolerance_days: int = vc.DEFAULT_TOLERANCE_DAYS,
) -> Winners:
    """Market value gained since ``since`` (default ChatGPT's release), by layer or by firm
    (:func:`marketpower.measures.value_capture.market_value_change`, :func:`marketpower.measures.value_capture.
    value_capture_by_layer`); market caps within ``tolerance_days`` of each date."""
    if by not in ("layer", "firm"):
        raise InvalidInputError(f"--by {by!r}: use `layer` or `firm`")
    ctx = context_of(source)
    changes = vc.market_value_change(ctx.table("valuations"), ctx.table("entity_layers"), since, until, tolerance_days)
    layers = vc.value_capture_by_layer(changes)
    gaps = changes[changes["status"] != "ok"][["entity_id", "layer", "status"]]
    return Winners(since, until, by, changes, layers, gaps)
