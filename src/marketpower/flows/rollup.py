"""Parent roll-up: a firm's deals counted at its ultimate controlling parent (AWS -> Amazon, Google Cloud ->
Google -> Alphabet), so that money leaving a group and coming back to another of its units closes a loop.

What counts as control. ``entities.parent_id`` records different ties; only corporate control pools money:

* a ``company`` or ``fund`` rolls up into a parent that is itself a ``company`` or ``fund`` (a subsidiary
  and its parent share one treasury: AWS's revenue is Amazon's revenue);
* the chain stops at a parent of any other kind. A political ``committee``'s parent is its sponsor, not its
  owner (its money is the committee's, by law), so committees stay apart from firms. A ``nonprofit`` parent
  controls by mission, not by a claim on profits: OpenAI's parent, the OpenAI Foundation, holds a minority
  economic stake in OpenAI and makes no deals of its own, so OpenAI keeps its own node. An ``agency``'s
  parent government is left apart too: each agency spends its own appropriations.

An entity whose kind is not corporate never rolls up, whatever its parent. A cycle of ``parent_id`` links
(A's parent is B, B's parent is A) has no top and is refused, naming the rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import InvalidInputError
from ..schema.market import parent_cycles

#: Entity kinds whose ``parent_id`` is corporate control (roll-up follows it only between these kinds).
CORPORATE_KINDS = ("company", "fund")


def ultimate_parents(entities: pd.DataFrame) -> dict[str, str]:
    """Map each entity id to its ultimate controlling parent (itself when it has none), following
    ``parent_id`` while both ends are of a :data:`CORPORATE_KINDS` kind. Raises :class:`InvalidInputError` on a
    parent cycle."""
    problems = parent_cycles(entities)
    if problems:
        raise InvalidInputError("; ".join(str(p) for p in problems))
    kind = dict(zip(entities["id"].astype(str), entities["kind"].astype(str), strict=True))
    parent = {
        str(i): str(p) for i, p in zip(entities["id"], entities["parent_id"], strict=True) if isinstance(p, str) and p
    }
    top: dict[str, str] = {}
    for entity in kind:
        node = entity
        while kind.get(node) in CORPORATE_KINDS and kind.get(parent.get(node, "")) in CORPORATE_KINDS:
            node = parent[node]
        top[entity] = node
    return top


def rollup_edges(
    edges: pd.DataFrame, parents: Mapping[str, str], ends: tuple[str, str] = ("payer_id", "payee_id")
) -> pd.DataFrame:
    """``edges`` with both ``ends`` mapped to their ultimate parents (ids missing from ``parents`` are kept),
    the legal ids kept in ``<end>`` with ``_id`` replaced by ``_legal_id`` (``payer_legal_id``, ...), and the
    edges internal to one group (both ends rolled into the same parent) dropped."""
    out = edges.copy()
    for end in ends:
        legal = end.removesuffix("_id") + "_legal_id"
        out[legal] = out[end]
        out[end] = out[end].map(lambda e: parents.get(e, e))
    out = out[out[ends[0]] != out[ends[1]]]
    return out.reset_index(drop=True)
