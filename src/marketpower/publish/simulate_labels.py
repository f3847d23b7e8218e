"""Interface text of the /simulate page in English and French (merged into :data:`.i18n.MESSAGES`).

Form fields keep their case-key name in both languages (``prix (prices)``): error messages name the case key."""

from __future__ import annotations


def _field(key: str, french: str) -> dict[str, str]:
    """A form field's label: the case key in English, a French description followed by the key in French."""
    return {"en": key, "fr": f"{french} ({key})"}


SIMULATE_FIELDS: dict[str, str] = {
    "labels": "libellés",
    "prices": "prix",
    "shares": "parts",
    "margins": "marges",
    "owner_pre": "propriétaires avant",
    "owner_post": "propriétaires après",
    "nests": "nids",
    "mc_delta": "variation des coûts marginaux",
    "market_elasticity": "élasticité du marché",
    "insize": "taille du marché",
    "known_elasticity": "élasticité-prix propre connue",
    "known_elasticity_index": "produit de l'élasticité connue",
    "vertical_prices": "prix de gros",
    "vertical_margins": "marges amont",
    "vertical_owner_pre": "fournisseurs avant",
    "vertical_owner_post": "fournisseurs après",
    "vertical_mc_delta": "variation des coûts amont",
    "bargpower": "poids de négociation des distributeurs λ",
}

SIMULATE_MESSAGES: dict[str, dict[str, str]] = {
    **{f"simulate_field_{key}": _field(key, french) for key, french in SIMULATE_FIELDS.items()},
    "simulate_title": {"en": "Merger simulation", "fr": "Simulation de fusion"},
    "simulate_intro": {
        "en": "Calibrate a demand system to prices, shares and margins, then simulate the merger (the same engine "
        "as {command}). Lists: one entry per product, separated by commas; leave a margin empty when unknown. At "
        "most {products} products and {seconds} s per request.",
        "fr": "Calibrer un système de demande sur les prix, les parts et les marges, puis simuler la fusion (le "
        "même moteur que {command}). Listes : une valeur par produit, séparées par des virgules ; laisser une marge "
        "vide si elle est inconnue. Au plus {products} produits et {seconds} s par requête.",
    },
    "simulate_cannot": {"en": "Cannot simulate:", "fr": "Simulation impossible :"},
    "simulate_model": {"en": "Model", "fr": "Modèle"},
    "simulate_demand": {"en": "Demand", "fr": "Demande"},
    "simulate_supply": {"en": "Supply", "fr": "Offre"},
    "simulate_products": {"en": "Products", "fr": "Produits"},
    "simulate_hint_mc_delta": {"en": "0 or one per product", "fr": "0 ou une par produit"},
    "simulate_merge": {"en": "merge (instead of owner_post)", "fr": "fusion (au lieu de owner_post)"},
    "simulate_market": {"en": "Market", "fr": "Marché"},
    "simulate_vertical": {
        "en": "Upstream level (supply vertical_bargaining)",
        "fr": "Niveau amont (offre vertical_bargaining)",
    },
    "simulate_vertical_note": {
        "en": "One entry per product: the wholesale price of its input, the upstream margin (empty when unknown), "
        "its supplier before and after. A supplier and a retailer with the same name are one integrated firm.",
        "fr": "Une valeur par produit : le prix de gros de son intrant, la marge amont (vide si inconnue), son "
        "fournisseur avant et après. Un fournisseur et un distributeur de même nom forment une entreprise intégrée.",
    },
    "simulate_definition": {
        "en": "Market definition and efficiencies (Bertrand)",
        "fr": "Définition du marché et gains d'efficience (Bertrand)",
    },
    "simulate_hmt": {
        "en": "hypothetical monopolist test from product",
        "fr": "test du monopoleur hypothétique à partir du produit",
    },
    "simulate_efficiencies": {
        "en": "CMCR and CV-neutral cost cuts",
        "fr": "CMCR et baisses de coût neutres pour la variation compensatoire",
    },
    "simulate_from_market": {
        "en": "Or start from a market of the data package",
        "fr": "Ou partir d'un marché du paquet de données",
    },
    "simulate_market_id": {"en": "market id", "fr": "identifiant du marché"},
    "simulate_largest_margin": {"en": "margin of the largest firm", "fr": "marge de la première entreprise"},
    "simulate_year": {"en": "year", "fr": "année"},
    "simulate_market_note": {
        "en": "Prices are set to 1; the unattributed remainder is the outside good unless a market elasticity is "
        "given.",
        "fr": "Les prix valent 1 ; le reste non attribué est le bien extérieur, sauf si une élasticité du marché "
        "est donnée.",
    },
    "simulate_submit": {"en": "Simulate", "fr": "Simuler"},
    "simulate_heading": {"en": "{demand} demand, {supply} supply", "fr": "demande {demand}, offre {supply}"},
    "simulate_download_case": {"en": "Download the case file (JSON)", "fr": "Télécharger le fichier du cas (JSON)"},
    "simulate_download_result": {"en": "result (JSON)", "fr": "résultat (JSON)"},
    "simulate_download_csv": {"en": "products (CSV)", "fr": "produits (CSV)"},
    "simulate_rerun": {"en": "rerun with", "fr": "à relancer avec"},
    "simulate_product": {"en": "product", "fr": "produit"},
    "simulate_owner_after": {"en": "owner after", "fr": "propriétaire après"},
    "simulate_price_before": {"en": "price before", "fr": "prix avant"},
    "simulate_price_after": {"en": "price after", "fr": "prix après"},
    "simulate_change_pct": {"en": "change %", "fr": "variation %"},
    "simulate_share_before": {"en": "share before", "fr": "part avant"},
    "simulate_share_after": {"en": "share after", "fr": "part après"},
    "simulate_cost": {"en": "cost", "fr": "coût"},
    "simulate_hhi_before": {"en": "HHI before", "fr": "IHH avant"},
    "simulate_hhi_after": {"en": "HHI after", "fr": "IHH après"},
    "simulate_hhi_delta": {"en": "ΔHHI", "fr": "ΔIHH"},
    "simulate_cv": {"en": "consumer harm (CV)", "fr": "préjudice des consommateurs (variation compensatoire)"},
    "simulate_ps_delta": {"en": "producer surplus change", "fr": "variation du surplus des producteurs"},
    "simulate_merging_products": {"en": "Merging products", "fr": "Produits des parties à la fusion"},
    "simulate_hmt_heading": {
        "en": "Hypothetical monopolist test from {product}",
        "fr": "Test du monopoleur hypothétique à partir de {product}",
    },
    "simulate_candidate": {"en": "candidate market", "fr": "marché candidat"},
    "simulate_largest_rise": {
        "en": "largest price rise of a merging product, %",
        "fr": "plus forte hausse de prix d'un produit des parties, %",
    },
    "simulate_smallest_market": {"en": "SSNIP {ssnip}: smallest market", "fr": "SSNIP {ssnip} : plus petit marché"},
    "simulate_no_market": {
        "en": "none (even all products fail)",
        "fr": "aucun (même l'ensemble des produits échoue)",
    },
    "simulate_efficiencies_heading": {"en": "Efficiencies", "fr": "Gains d'efficience"},
    "simulate_price_neutral": {"en": "price-neutral cut (CMCR)", "fr": "baisse neutre pour les prix (CMCR)"},
    "simulate_cv_neutral": {
        "en": "CV-neutral common cut",
        "fr": "baisse commune neutre pour la variation compensatoire",
    },
    "simulate_change_at_cut": {"en": "price change at that cut, %", "fr": "variation de prix à cette baisse, %"},
    "simulate_upstream_heading": {"en": "Upstream level", "fr": "Niveau amont"},
    "simulate_bargpower": {
        "en": "Retailers' bargaining weight λ = {value} ({source}).",
        "fr": "Poids de négociation des distributeurs λ = {value} ({source}).",
    },
    "simulate_source_calibrated": {"en": "calibrated", "fr": "calibré"},
    "simulate_source_given": {"en": "given", "fr": "donné"},
    "simulate_supplier_after": {"en": "supplier after", "fr": "fournisseur après"},
    "simulate_wholesale_before": {"en": "wholesale price before", "fr": "prix de gros avant"},
    "simulate_wholesale_after": {"en": "wholesale price after", "fr": "prix de gros après"},
    "simulate_upstream_margin": {"en": "upstream margin before", "fr": "marge amont avant"},
    "simulate_vguppi_heading": {
        "en": "Vertical GUPPI (Moresi–Salop) beside the bargaining simulation",
        "fr": "GUPPI vertical (Moresi–Salop) à côté de la simulation de négociation",
    },
    "simulate_merging_product": {"en": "merging product", "fr": "produit des parties"},
    "simulate_rival_product": {"en": "rival product", "fr": "produit rival"},
    "simulate_rival_wholesale_change": {
        "en": "simulated change of the rival's wholesale price, %",
        "fr": "variation simulée du prix de gros du rival, %",
    },
    "simulate_diagnostics": {"en": "Diagnostics", "fr": "Diagnostics"},
    "simulate_calibration": {
        "en": "Calibration: {method}; largest margin error {error}.",
        "fr": "Calibrage : {method} ; plus grand écart de marge {error}.",
    },
    "simulate_warning": {"en": "Warning:", "fr": "Avertissement :"},
    "simulate_implausible": {"en": "Implausible", "fr": "Invraisemblable"},
}
