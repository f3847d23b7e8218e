"""Link committee and donor names (FEC connected organisations, employers) to entities of the data package.

Every link carries a score in [0, 1] and a method; nothing below :data:`ACCEPT_SCORE` is linked, and candidates
between :data:`REVIEW_SCORE` and it go to a review list instead of being merged silently.

score = 1.0 for an exact match of the normalised name or a curated alias; otherwise the token Jaccard
similarity |A ∩ B| / |A ∪ B| of the normalised names (legal suffixes and punctuation removed).
"""

from __future__ import annotations

import re

import pandas as pd

ACCEPT_SCORE = 0.9
REVIEW_SCORE = 0.5

#: Curated aliases seen in FEC records (normalised form -> entity id).
ALIASES: dict[str, str] = {
    "FACEBOOK": "meta",
    "META": "meta",
    "META PLATFORMS": "meta",
    "GOOGLE": "google",
    "ALPHABET": "alphabet",
    "A16Z": "andreessen-horowitz",
    "ANDREESSEN HOROWITZ": "andreessen-horowitz",
    "AH CAPITAL MANAGEMENT": "andreessen-horowitz",
    "OPEN AI": "openai",
    "OPENAI": "openai",
    "AMAZON COM": "amazon",
    "AMAZON WEB SERVICES": "aws",
    "MICROSOFT": "microsoft",
    "NVIDIA": "nvidia",
    "ANTHROPIC": "anthropic",
    "ANTHROPIC PBC": "anthropic",
}

_SUFFIXES = {
    "INC",
    "INCORPORATED",
    "LLC",
    "LP",
    "LLP",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "LTD",
    "PLC",
    "PBC",
    "THE",
    "PAC",
    "POLITICAL",
    "ACTION",
    "COMMITTEE",
}


def normalise(name: str) -> str:
    """Upper case, punctuation to spaces, legal suffixes and PAC words dropped, single spaces."""
    tokens = re.sub(r"[^A-Z0-9 ]+", " ", str(name).upper().replace("&", " AND ")).split()
    kept = [t for t in tokens if t not in _SUFFIXES]
    return " ".join(kept or tokens)


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(a.split()), set(b.split())
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def match_name(name: str, entities: pd.DataFrame) -> tuple[str | None, float, str]:
    """Best entity for one name: (entity id or None, score, method)."""
    key = normalise(name)
    if key in ALIASES:
        return ALIASES[key], 1.0, "alias"
    names = {normalise(n): i for i, n in zip(entities["id"], entities["name"], strict=True)}
    if key in names:
        return names[key], 1.0, "exact"
    best_id, best = None, 0.0
    for other, entity_id in names.items():
        score = _jaccard(key, other)
        if score > best:
            best_id, best = entity_id, score
    return best_id, round(best, 3), "token_jaccard"


def link_names(names: pd.Series, entities: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct name: ``name, entity_id, score, method, decision`` where decision is ``linked``
    (score >= ACCEPT_SCORE), ``review`` (REVIEW_SCORE <= score < ACCEPT_SCORE; entity_id is the candidate,
    not a link) or ``unlinked``."""
    rows = []
    for name in sorted({str(n) for n in names.dropna() if str(n).strip()}):
        entity_id, score, method = match_name(name, entities)
        decision = "linked" if score >= ACCEPT_SCORE else "review" if score >= REVIEW_SCORE else "unlinked"
        rows.append(
            {
                "name": name,
                "entity_id": entity_id if decision != "unlinked" else None,
                "score": score,
                "method": method,
                "decision": decision,
            }
        )
    return pd.DataFrame(rows, columns=["name", "entity_id", "score", "method", "decision"])
