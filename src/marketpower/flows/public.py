"""Public-private deals: a deal or stake with a public party (a government, an agency, a sovereign fund, a
public pension fund, a non-profit or a political committee) is flagged ``public_private`` and counted apart
from deals among firms wherever totals are given."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: Entity kinds that are public actors (see :data:`marketpower.schema.market.ENTITY_KINDS`).
PUBLIC_KINDS = ("government", "agency", "sovereign_fund", "public_pension", "nonprofit", "committee")


def public_ids(entities: pd.DataFrame) -> set[str]:
    """Ids of the entities of a :data:`PUBLIC_KINDS` kind."""
    return set(entities.loc[entities["kind"].isin(PUBLIC_KINDS), "id"].astype(str))


def flag_public_private(frame: pd.DataFrame, public: set[str], ends: Sequence[str]) -> pd.DataFrame:
    """``frame`` with a ``public_private`` column: True when any of the ``ends`` columns (legal ids, before any
    roll-up) names a public entity."""
    flag = pd.Series(False, index=frame.index)
    for end in ends:
        flag |= frame[end].isin(public)
    return frame.assign(public_private=flag.astype(bool))
