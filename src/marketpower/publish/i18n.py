"""Interface text in English and French (templates per language; no machine translation at run time)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InvalidInputError

LANGUAGES = ("en", "fr")

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"en": "Market power in the AI stack", "fr": "Le pouvoir de marché dans la pile IA"},
    "overview": {"en": "Overview", "fr": "Vue d'ensemble"},
    "markets": {"en": "Markets", "fr": "Marchés"},
    "sources": {"en": "Sources", "fr": "Sources"},
    "layer": {"en": "Layer", "fr": "Couche"},
    "market": {"en": "Market", "fr": "Marché"},
    "year": {"en": "Year", "fr": "Année"},
    "series": {"en": "Series", "fr": "Série"},
    "leader": {"en": "Leader", "fr": "Leader"},
    "leader_share": {"en": "Leader share", "fr": "Part du leader"},
    "firm": {"en": "Firm", "fr": "Entreprise"},
    "share": {"en": "Share", "fr": "Part"},
    "source": {"en": "Source", "fr": "Source"},
    "hhi": {"en": "HHI", "fr": "IHH"},
    "cr4": {"en": "CR4", "fr": "CR4"},
    "class_2023": {"en": "US 2023 guidelines", "fr": "Lignes directrices US 2023"},
    "class_2010": {"en": "US 2010 guidelines", "fr": "Lignes directrices US 2010"},
    "others": {"en": "Others", "fr": "Autres"},
    "publisher": {"en": "Publisher", "fr": "Éditeur"},
    "published": {"en": "Published", "fr": "Publié le"},
    "cited_by": {"en": "Cited by", "fr": "Cité par"},
    "latest": {"en": "Latest year per market", "fr": "Dernière année par marché"},
    "all_years": {"en": "All market-years", "fr": "Toutes les années"},
    "chart_alt": {"en": "Table version of the chart", "fr": "Version tableau du graphique"},
    "hhi_note": {
        "en": "HHI on the 0–10,000 scale. Where part of a market is not attributed to named firms, the HHI is a "
              "range: low bound with the remainder split among many small firms, high bound with it as one firm.",
        "fr": "IHH sur l'échelle 0–10 000. Quand une partie du marché n'est pas attribuée à des entreprises "
              "nommées, l'IHH est une fourchette : borne basse si ce reste est éclaté entre de nombreuses petites "
              "entreprises, borne haute s'il appartient à une seule.",
    },
    "shares_over_time": {"en": "Shares over time", "fr": "Parts de marché dans le temps"},
    "hhi_trend": {"en": "HHI over time", "fr": "IHH dans le temps"},
    "hhi_by_market": {"en": "Concentration by market (latest year)", "fr": "Concentration par marché (dernière année)"},
    "json_twin": {"en": "This page as JSON", "fr": "Cette page en JSON"},
    "generated": {"en": "Generated from the data package", "fr": "Généré à partir du paquet de données"},
}

CLASS_LABELS_FR = {
    "highly concentrated": "très concentré",
    "not highly concentrated": "pas très concentré",
    "moderately concentrated": "modérément concentré",
    "unconcentrated": "non concentré",
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InvalidInputError(f"--lang {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` for templates: the message in ``lang``; class labels ("highly concentrated") translated too."""
    check_language(lang)

    def t(key: str) -> str:
        if key in MESSAGES:
            return MESSAGES[key][lang]
        if lang == "fr":
            return " à ".join(CLASS_LABELS_FR.get(part, part) for part in key.split(" to "))
        return key

    return t
