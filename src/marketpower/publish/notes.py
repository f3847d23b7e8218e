"""The notes the application writes as structured reasons, in the page's language: one renderer per family.

English is the application's own note (:func:`marketpower.api.markets.coverage_note`,
:func:`marketpower.api.value.window_note`), so a page and the JSON twin or the CLI say the same; French is written
from the same reasons with the project's number and date formatting (:mod:`.formatting`), figures rounded as the
English note rounds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api.markets import coverage_note as english_coverage_note
from ..api.value import window_note
from .formatting import date, number
from .i18n import check_language

#: A percent sign after a number in French: narrow no-break space, as the French notes have always been written
#: (Babel's fr_FR percent pattern gives a no-break space U+00A0).
PERCENT_FR = "\u202f%"


def _whole_percent_fr(share: float) -> str:
    """A fraction (0-1) as a whole percent in French, rounded as English ``{share:.0%}`` rounds it (0.22 ->
    "22 %")."""
    return number(round(share * 100), "fr") + PERCENT_FR


def _coverage_reason_fr(reason: Mapping[str, Any]) -> str:
    if reason["code"] == "coverage_break":
        missing = ", ".join(f"{m['name']} ({_whole_percent_fr(m['share'])} en {m['year']})" for m in reason["missing"])
        return f"rupture de couverture : aucune part pour {missing}"
    if reason["code"] == "hhi_range_too_wide":
        low, high, width, limit = (number(round(reason[k]), "fr") for k in ("hhi_low", "hhi_high", "width", "limit"))
        return f"fourchette d'IHH {low}-{high} large de {width} points (limite {limit})"
    if reason["code"] == "unattributed_may_be_larger":
        named, others, leader = (_whole_percent_fr(reason[k]) for k in ("named_share", "others_share", "leader_share"))
        return (
            f"les entreprises nommées détiennent {named} ; les {others} non attribués pourraient cacher une "
            f"entreprise plus grande que {reason['leader_name']} ({leader})"
        )
    return english_coverage_note(dict(reason))  # raises: an unknown code is a defect, never shown as English


def coverage_note(reasons: list[dict[str, Any]] | dict[str, Any] | None, lang: str) -> str:
    """A market-year's coverage reasons (``headline_reasons``, or ``leader_reason``:
    :func:`marketpower.measures.coverage.headline_reasons`) as a note in ``lang`` ("" for none)."""
    if check_language(lang) == "en" or not reasons:
        return english_coverage_note(reasons)
    return " ; ".join(_coverage_reason_fr(reason) for reason in ([reasons] if isinstance(reasons, dict) else reasons))


#: French of each segment basis of the winners window (:data:`marketpower.measures.value_capture.SEGMENT_BASES`).
_SPLIT_FR = {
    "revenue": "Les conglomérats sont répartis selon le chiffre d'affaires de leurs segments publiés",
    "operating_income": "Les conglomérats sont répartis selon le résultat d'exploitation de leurs segments publiés",
    "none": "Les conglomérats ne sont pas répartis (entreprises entières)",
}


def winners_window_note(window: Mapping[str, Any], lang: str) -> str:
    """The winners comparison window (:func:`marketpower.api.winners`' ``window``: dates, tolerance, firms
    compared and left out, segment basis) as a note in ``lang``, dates written out in French ("du 30 novembre
    2022")."""
    if check_language(lang) == "en":
        return window_note(window)
    until = date(window["until"], "fr")
    chosen = (
        f" ; le {until} est la date près de laquelle la plupart des entreprises ont une capitalisation"
        if window["end_chosen"]
        else ""
    )
    return (
        f"toutes les entreprises du {date(window['since'], 'fr')} au {until} (capitalisations à moins de "
        f"{number(window['tolerance_days'], 'fr')} jours des deux dates{chosen}) : "
        f"{number(window['firms_compared'], 'fr')} entreprises comparées, {number(window['firms_left_out'], 'fr')} "
        f"écartées. {_SPLIT_FR[window['segments']]} ; « hors de la pile IA » en garde le reste et n'entre pas dans "
        "le total de la pile."
    )
